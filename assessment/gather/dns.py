"""DNS lookups through the kit's stub resolver, recorded verbatim as `DnsLookup`.

Every outcome (answer, NXDOMAIN, NODATA, timeout, SERVFAIL, REFUSED, anything else) becomes a
`DnsLookup`; nothing here raises for a DNS result, because a timeout must later read as
"inconclusive", never as "missing". The transport is `dns_transport`; dnspython parses.
"""

from __future__ import annotations

import asyncio
import functools
import time
from datetime import UTC, datetime

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from assessment.gather.connection import DestinationRefused, nameservers
from assessment.gather.dns_transport import Failure, Reply, StubResolver
from assessment.model import DnsLookup, NetworkProfile, Outcome
from assessment.names import normalise


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@functools.lru_cache(maxsize=65536)
def normalize_name(name: str) -> str:
    """Lower-case A-label form without the trailing dot (`assessment.names` policy); the root
    is "."."""
    if not name.strip().rstrip("."):
        return "."
    return normalise(name)


def decode_txt(raw: bytes) -> str:
    """TXT bytes as text; undecodable bytes become `\\xNN` escapes so nothing is lost or fatal."""
    return raw.decode("utf-8", errors="backslashreplace")


def build_resolver(profile: NetworkProfile) -> StubResolver:
    """The profile's resolvers; `DestinationRefused` when the profile may not use them."""
    return StubResolver(profile, nameservers(profile))


def _cname_chain(response: dns.message.Message | None, qname: dns.name.Name) -> tuple[str, ...]:
    """Names the answer passed through: the queried name and each CNAME target, in order."""
    if response is None:
        return ()
    chain: list[str] = []
    current = qname
    seen = {current}
    while True:
        rrset = next(
            (r for r in response.answer if r.name == current and r.rdtype == dns.rdatatype.CNAME),
            None,
        )
        if rrset is None or len(rrset) == 0:
            break
        if not chain:
            chain.append(current.to_text(True).lower())
        target: dns.name.Name = next(iter(rrset)).target
        chain.append(target.to_text(True).lower())
        if target in seen:
            break
        seen.add(target)
        current = target
    return tuple(chain)


def _extended_errors(response: object) -> tuple[str, ...]:
    """RFC 8914 Extended DNS Errors of a response, as `EDE <code> (<NAME>): <text>`."""
    if not isinstance(response, dns.message.Message):
        return ()
    found = []
    for option in response.extended_errors():
        try:
            name = dns.edns.EDECode.to_text(option.code)
        except ValueError:
            name = "unknown"
        text = f": {option.text}" if option.text else ""
        found.append(f"EDE {int(option.code)} ({name}){text}")
    return tuple(found)


def _classify_failure(failure: Failure, resolver: StubResolver) -> dict[str, object]:
    """What the nameservers said when none gave NOERROR or NXDOMAIN."""
    if failure.timed_out or not failure.errors:
        return {
            "outcome": Outcome.TIMEOUT,
            "error": f"no answer from {resolver} within {resolver.lifetime:g}s"
            + "".join(f"; {server}: {said}" for server, said, _ in failure.errors),
        }
    rcodes = [said for _, said, response in failure.errors if response is not None]
    ede: list[str] = []
    details = []
    for server, said, response in failure.errors:
        extended = _extended_errors(response)
        ede.extend(e for e in extended if e not in ede)
        details.append(f"{server}: {said}" + "".join(f" [{e}]" for e in extended))
    outcome = Outcome.ERROR
    if "SERVFAIL" in rcodes:
        outcome = Outcome.SERVFAIL
    elif "REFUSED" in rcodes:
        outcome = Outcome.REFUSED
    if rcodes and all(r == "REFUSED" for r in rcodes):
        outcome = Outcome.REFUSED
    return {"outcome": outcome, "error": "; ".join(details), "ede": tuple(ede)}


def _final_rrset(
    response: dns.message.Message, qname: dns.name.Name, qtype: dns.rdatatype.RdataType
) -> dns.rrset.RRset | None:
    """The answer's RRset of `qtype`, at the end of any CNAME chain in the answer section."""
    name, seen = qname, {qname}
    while True:
        rrset = response.get_rrset(response.answer, name, dns.rdataclass.IN, qtype)
        if rrset is not None or qtype == dns.rdatatype.CNAME:
            return rrset
        alias = response.get_rrset(response.answer, name, dns.rdataclass.IN, dns.rdatatype.CNAME)
        if alias is None or len(alias) == 0:
            return None
        name = next(iter(alias)).target
        if name in seen:
            return None
        seen.add(name)


def _answers(rrset: dns.rrset.RRset) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    if rrset.rdtype == dns.rdatatype.TXT:
        strings = tuple(tuple(decode_txt(s) for s in rdata.strings) for rdata in rrset)
        # RFC 7208 §3.3: the character-strings of one TXT RR join with no separator.
        return tuple("".join(parts) for parts in strings), strings
    return tuple(rdata.to_text() for rdata in rrset), ()


async def _ask(
    resolver: StubResolver, qname: dns.name.Name, qtype: dns.rdatatype.RdataType, *, cd: bool
) -> dict[str, object]:
    """One question through `resolver`: the fields of a `DnsLookup` for what came back."""
    try:
        # Every try of the resolver has its own timer within the lifetime: no outer stop.
        got = await resolver.resolve(qname, qtype, cd=cd)
    except TimeoutError:
        return {
            "outcome": Outcome.TIMEOUT,
            "error": f"no answer within {resolver.lifetime:g}s",
        }
    except (OSError, ValueError, UnicodeError, dns.exception.DNSException) as exc:
        return {"outcome": Outcome.ERROR, "error": f"{type(exc).__name__}: {exc}"}
    if isinstance(got, Failure):
        return _classify_failure(got, resolver)
    assert isinstance(got, Reply)
    response = got.response.message
    fields: dict[str, object] = {
        "resolver": str(got.server),
        "cname_chain": _cname_chain(response, qname),
        "ad": bool(got.response.flags & dns.flags.AD),
    }
    if got.response.rcode == dns.rcode.NXDOMAIN:
        return {"outcome": Outcome.NXDOMAIN, **fields}
    if response is None:
        return {"outcome": Outcome.NODATA, **fields}
    rrset = _final_rrset(response, qname, qtype)
    if rrset is None:
        return {"outcome": Outcome.NODATA, **fields}
    answers, strings = _answers(rrset)
    return {
        "outcome": Outcome.OK,
        "answers": answers,
        "txt_strings": strings,
        "ttl": rrset.ttl,
        **fields,
    }


async def lookup(resolver: StubResolver, name: str, rdtype: str) -> DnsLookup:
    """Ask one question and record whatever came back. Never raises for DNS outcomes.

    A SERVFAIL is asked again with the CD bit (checking disabled, RFC 4035 §3.2.2): data
    then means the resolver withheld it because DNSSEC validation failed (bogus), another
    SERVFAIL that the servers themselves failed. Only the outcome is kept, not the data,
    since validating senders never see it.
    """
    observed_at = utc_now()
    started = time.monotonic()
    norm = normalize_name(name)
    rdtype = rdtype.upper()

    def done(outcome: Outcome, **fields: object) -> DnsLookup:
        return DnsLookup(
            name=norm,
            rdtype=rdtype,
            outcome=outcome,
            observed_at=observed_at,
            elapsed_ms=round((time.monotonic() - started) * 1000, 1),
            resolver=str(fields.pop("resolver", "") or resolver),
            **fields,  # type: ignore[arg-type]
        )

    try:
        qname = dns.name.from_text(norm if norm.endswith(".") else norm + ".")
        qtype = dns.rdatatype.from_text(rdtype)
    except (dns.exception.DNSException, UnicodeError, ValueError) as exc:
        return done(Outcome.ERROR, error=f"not a valid DNS question: {exc}")
    fields = await _ask(resolver, qname, qtype, cd=False)
    outcome = fields.pop("outcome")
    assert isinstance(outcome, Outcome)
    if outcome is Outcome.SERVFAIL:
        again = await _ask(resolver, qname, qtype, cd=True)
        fields["checking_disabled"] = again["outcome"]
    return done(outcome, **fields)


class DnsRun:
    """Every question of one gather run, asked once.

    Domains share MX hosts, SPF includes, report destinations and the DMARC tree walk's upper
    names; the run keeps one task per (name, type), so a question several domains (or several
    steps of one domain) need is sent once, and a name that times out costs its timeout once.
    Nothing else bounds the run: domains never wait for each other, only for the resolver's
    politeness limit.
    """

    def __init__(self, profile: NetworkProfile) -> None:
        self.profile = profile
        self.refused: str | None = None
        """Why the profile may not use its resolvers; every question then fails unsent."""
        self.resolver: StubResolver | None = None
        try:
            self.resolver = build_resolver(profile)
        except DestinationRefused as exc:
            self.refused = str(exc)
        # The one destination every question goes to: its politeness limit.
        self._in_flight = asyncio.Semaphore(max(1, profile.dns_in_flight))
        self._tasks: dict[tuple[str, str], asyncio.Task[DnsLookup]] = {}

    async def _ask(self, name: str, rdtype: str) -> DnsLookup:
        if self.resolver is None:
            return DnsLookup(
                name=name,
                rdtype=rdtype,
                outcome=Outcome.ERROR,
                observed_at=utc_now(),
                error=f"not sent: {self.refused}",
            )
        async with self._in_flight:
            return await lookup(self.resolver, name, rdtype)

    def close(self) -> None:
        if self.resolver is not None:
            self.resolver.close()

    def task(self, key: tuple[str, str]) -> asyncio.Task[DnsLookup]:
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(self._ask(*key))
            self._tasks[key] = task
        return task


class DnsClient:
    """One domain's view of a `DnsRun`: what it asked, in a stable order, for its evidence."""

    def __init__(self, profile: NetworkProfile, run: DnsRun | None = None) -> None:
        self.profile = profile
        self.run = run or DnsRun(profile)
        self._owns_run = run is None
        self._asked: dict[tuple[str, str], asyncio.Task[DnsLookup]] = {}

    def close(self) -> None:
        """Close the sockets of a run this client made for itself (a shared run is its
        owner's to close)."""
        if self._owns_run:
            self.run.close()

    def _key(self, name: str, rdtype: str) -> tuple[str, str]:
        return (normalize_name(name), rdtype.upper())

    def future(self, name: str, rdtype: str) -> asyncio.Future[DnsLookup]:
        """The run's answer to this question, recorded as asked by this domain."""
        key = self._key(name, rdtype)
        task = self._asked.get(key)
        if task is None:
            task = self.run.task(key)
            self._asked[key] = task
        # shield: one domain giving up on a shared question must not cancel it for the rest.
        return asyncio.shield(task)

    async def query(self, name: str, rdtype: str) -> DnsLookup:
        return await self.future(name, rdtype)

    def asked(self, name: str, rdtype: str) -> bool:
        return self._key(name, rdtype) in self._asked

    def lookups(self) -> tuple[DnsLookup, ...]:
        """Every finished lookup, sorted by (name, type) so two runs list them alike."""
        done = [t.result() for t in self._asked.values() if t.done() and not t.cancelled()]
        return tuple(sorted(done, key=lambda item: item.key))


MUST_EXIST = (".", "com.")
"""Names every working resolver answers with an SOA: the root, and a TLD every resolver
knows. The sandbox serves both (assessment/sandbox/zones.py), so the check holds in a lab."""


async def _server_problem(
    profile: NetworkProfile, resolver: StubResolver
) -> tuple[str, str | None]:
    """('answers' | 'silent' | 'denies', reason) for a resolver of one nameserver."""
    where = str(resolver)
    found = await asyncio.gather(*(lookup(resolver, name, "SOA") for name in MUST_EXIST))
    for name, item in zip(MUST_EXIST, found, strict=True):
        label = "the root zone (.)" if name == "." else name
        if item.outcome is Outcome.NXDOMAIN:
            return "denies", (
                f"resolver {where} answers NXDOMAIN for {label}, which exists: it denies "
                "names that exist, so every record it called missing would be a false finding"
            )
        if item.outcome is Outcome.NODATA:
            return "denies", (
                f"resolver {where} answers {label} without its SOA record: it denies records "
                "that exist, so every record it called missing would be a false finding"
            )
    if all(item.outcome in (Outcome.TIMEOUT, Outcome.ERROR) for item in found):
        first = found[0]
        if first.outcome is Outcome.TIMEOUT:
            return "silent", f"no answer from {where} within {profile.dns_timeout:g} s"
        return "silent", f"resolver error from {where}: {first.error}"
    # An answer, even REFUSED or SERVFAIL for the root, proves a resolver is there.
    return "answers", None


async def resolver_problem(profile: NetworkProfile) -> str | None:
    """Why the profile's resolvers cannot be trusted for an assessment, or None.

    Each resolver is asked for names that must exist (`MUST_EXIST`): one that denies them
    (NXDOMAIN, or no SOA) would turn every lookup into a false "missing" finding, so it is
    refused outright; when none answers at all, every lookup would be inconclusive. Either is
    a problem with the assessment's setup, not with the client's domains.
    """
    try:
        each = [StubResolver(profile, [endpoint]) for endpoint in nameservers(profile)]
    except DestinationRefused as exc:
        return str(exc)
    except (OSError, ValueError, dns.exception.DNSException) as exc:
        return f"cannot configure the resolver: {exc}"
    if not each:
        return "no resolver is configured (empty /etc/resolv.conf?)"
    try:
        verdicts = await asyncio.gather(*(_server_problem(profile, one) for one in each))
    finally:
        for one in each:
            one.close()
    for verdict, reason in verdicts:
        if verdict == "denies":
            return reason
    if all(verdict == "silent" for verdict, _ in verdicts):
        return verdicts[0][1]
    return None
