"""DNS lookups through dnspython's async stub resolver, recorded verbatim as `DnsLookup`.

Every outcome (answer, NXDOMAIN, NODATA, timeout, SERVFAIL, REFUSED, anything else) becomes a
`DnsLookup`; nothing here raises for a DNS result, because a timeout must later read as
"inconclusive", never as "missing".
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import dns.asyncresolver
import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import dns.rrset

from assessment.gather.connection import DestinationRefused, resolver_for, resolvers_each
from assessment.model import DnsLookup, NetworkProfile, Outcome

EDNS_PAYLOAD = 1232
"""The DNS flag day 2020 payload size: avoids IP fragmentation, TCP covers the rest."""


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def normalize_name(name: str) -> str:
    """Lower-case A-label form without the trailing dot (the root is "."); the raw text if it
    is not a name."""
    if not name.strip().rstrip("."):
        return "."
    try:
        return dns.name.from_text(name.strip().rstrip(".") + ".").to_text(True).lower()
    except (dns.exception.DNSException, UnicodeError, ValueError):
        return name.strip().rstrip(".").lower()


def decode_txt(raw: bytes) -> str:
    """TXT bytes as text; undecodable bytes become `\\xNN` escapes so nothing is lost or fatal."""
    return raw.decode("utf-8", errors="backslashreplace")


def build_resolver(profile: NetworkProfile) -> dns.asyncresolver.Resolver:
    """The profile's resolver; `DestinationRefused` when the profile may not use it."""
    resolver = resolver_for(profile)
    resolver.lifetime = profile.dns_timeout
    resolver.timeout = min(profile.dns_timeout, 2.0)
    # DO asks a validating resolver to validate and report AD; it does not make us validate.
    resolver.use_edns(0, dns.flags.DO, EDNS_PAYLOAD)
    resolver.cache = None
    return resolver


def _resolver_text(resolver: dns.asyncresolver.Resolver) -> str:
    # The same `address:port` form as the `resolver` of a successful lookup, so evidence
    # names one resolver one way.
    parts = []
    for ns in resolver.nameservers:
        address = getattr(ns, "address", None)
        port = getattr(ns, "port", 53)
        parts.append(f"{address}:{port}" if address else str(ns))
    return ", ".join(parts)


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


def _rcode_of(error: object, response: object) -> str | None:
    if isinstance(response, dns.message.Message):
        return dns.rcode.to_text(response.rcode())
    if isinstance(error, str):
        return error
    return None


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


def _classify_no_nameservers(
    exc: dns.resolver.NoNameservers,
) -> tuple[Outcome, str, tuple[str, ...]]:
    """dnspython folds per-server failures into one exception; recover what each server said."""
    errors = exc.kwargs.get("errors") or []
    rcodes: list[str] = []
    details: list[str] = []
    ede: list[str] = []
    for item in errors:
        server, _tcp, _port, error, response = item
        rcode = _rcode_of(error, response)
        if rcode is not None:
            rcodes.append(rcode)
        extended = _extended_errors(response)
        ede.extend(e for e in extended if e not in ede)
        details.append(f"{server}: {rcode or error}" + "".join(f" [{e}]" for e in extended))
    text = "; ".join(details) or str(exc)
    if rcodes and all(r == "SERVFAIL" for r in rcodes):
        return Outcome.SERVFAIL, text, tuple(ede)
    if rcodes and all(r == "REFUSED" for r in rcodes):
        return Outcome.REFUSED, text, tuple(ede)
    if "SERVFAIL" in rcodes:
        return Outcome.SERVFAIL, text, tuple(ede)
    if "REFUSED" in rcodes:
        return Outcome.REFUSED, text, tuple(ede)
    return Outcome.ERROR, text, tuple(ede)


def _answers(rrset: dns.rrset.RRset) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    if rrset.rdtype == dns.rdatatype.TXT:
        strings = tuple(tuple(decode_txt(s) for s in rdata.strings) for rdata in rrset)
        # RFC 7208 §3.3: the character-strings of one TXT RR join with no separator.
        return tuple("".join(parts) for parts in strings), strings
    return tuple(rdata.to_text() for rdata in rrset), ()


async def _ask(
    resolver: dns.asyncresolver.Resolver, qname: dns.name.Name, qtype: dns.rdatatype.RdataType
) -> dict[str, object]:
    """One question through `resolver`: the fields of a `DnsLookup` for what came back."""
    try:
        # dnspython's lifetime is checked between attempts; the outer wait_for is the hard stop.
        answer = await asyncio.wait_for(
            resolver.resolve(qname, qtype, raise_on_no_answer=False, search=False),
            timeout=resolver.lifetime + 1.0,
        )
    except (dns.resolver.LifetimeTimeout, TimeoutError) as exc:
        return {
            "outcome": Outcome.TIMEOUT,
            "error": f"no answer within {resolver.lifetime:g}s: {exc}",
        }
    except dns.resolver.NXDOMAIN as exc:
        responses = exc.kwargs.get("responses") or {}
        response = responses.get(qname)
        return {
            "outcome": Outcome.NXDOMAIN,
            "cname_chain": _cname_chain(response, qname),
            "ad": bool(response is not None and response.flags & dns.flags.AD),
        }
    except dns.resolver.NoNameservers as exc:
        outcome, text, ede = _classify_no_nameservers(exc)
        return {"outcome": outcome, "error": text, "ede": ede}
    except dns.resolver.YXDOMAIN as exc:
        return {"outcome": Outcome.ERROR, "error": f"YXDOMAIN: {exc}"}
    except dns.exception.DNSException as exc:
        return {"outcome": Outcome.ERROR, "error": f"{type(exc).__name__}: {exc}"}
    except (OSError, ValueError, UnicodeError) as exc:
        return {"outcome": Outcome.ERROR, "error": f"{type(exc).__name__}: {exc}"}
    response = answer.response
    fields: dict[str, object] = {
        "resolver": f"{answer.nameserver}:{answer.port}" if answer.nameserver else "",
        "cname_chain": _cname_chain(response, qname),
        "ad": bool(response.flags & dns.flags.AD),
    }
    if answer.rrset is None:
        return {"outcome": Outcome.NODATA, **fields}
    answers, strings = _answers(answer.rrset)
    return {
        "outcome": Outcome.OK,
        "answers": answers,
        "txt_strings": strings,
        "ttl": answer.rrset.ttl,
        **fields,
    }


async def lookup(
    resolver: dns.asyncresolver.Resolver,
    name: str,
    rdtype: str,
    unchecked: dns.asyncresolver.Resolver | None = None,
) -> DnsLookup:
    """Ask one question and record whatever came back. Never raises for DNS outcomes.

    A SERVFAIL is asked again through `unchecked` (the same resolver with the CD bit, RFC 4035
    §3.2.2): data then means the resolver refused it because DNSSEC validation failed (bogus),
    another SERVFAIL that the servers themselves failed. Only the outcome is kept, not the
    data, since validating senders never see it.
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
            resolver=str(fields.pop("resolver", "") or _resolver_text(resolver)),
            **fields,  # type: ignore[arg-type]
        )

    try:
        qname = dns.name.from_text(norm if norm.endswith(".") else norm + ".")
        qtype = dns.rdatatype.from_text(rdtype)
    except (dns.exception.DNSException, UnicodeError, ValueError) as exc:
        return done(Outcome.ERROR, error=f"not a valid DNS question: {exc}")
    fields = await _ask(resolver, qname, qtype)
    outcome = fields.pop("outcome")
    assert isinstance(outcome, Outcome)
    if outcome is Outcome.SERVFAIL and unchecked is not None:
        again = await _ask(unchecked, qname, qtype)
        fields["checking_disabled"] = again["outcome"]
    return done(outcome, **fields)


def build_unchecked_resolver(profile: NetworkProfile) -> dns.asyncresolver.Resolver:
    """The profile's resolver asking with CD (checking disabled): data validation refused."""
    resolver = build_resolver(profile)
    resolver.flags = dns.flags.RD | dns.flags.CD
    return resolver


DNS_IN_FLIGHT_PER_RESOLVER = 256
"""Politeness towards the resolver, the one destination every question goes to: at a 100 ms
round trip this still allows about 2,500 questions a second, above what this process can
parse (measured: bench/gather_latency.py)."""


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
        self.resolver: dns.asyncresolver.Resolver | None = None
        self.unchecked: dns.asyncresolver.Resolver | None = None
        try:
            self.resolver = build_resolver(profile)
            self.unchecked = build_unchecked_resolver(profile)
        except DestinationRefused as exc:
            self.refused = str(exc)
        self._in_flight = asyncio.Semaphore(DNS_IN_FLIGHT_PER_RESOLVER)
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
            return await lookup(self.resolver, name, rdtype, self.unchecked)

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
        self._asked: dict[tuple[str, str], asyncio.Task[DnsLookup]] = {}

    def _key(self, name: str, rdtype: str) -> tuple[str, str]:
        return (normalize_name(name), rdtype.upper())

    async def query(self, name: str, rdtype: str) -> DnsLookup:
        key = self._key(name, rdtype)
        task = self._asked.get(key)
        if task is None:
            task = self.run.task(key)
            self._asked[key] = task
        # shield: one domain giving up on a shared question must not cancel it for the rest.
        return await asyncio.shield(task)

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
    profile: NetworkProfile, resolver: dns.asyncresolver.Resolver
) -> tuple[str, str | None]:
    """('answers' | 'silent' | 'denies', reason) for a resolver of one nameserver."""
    resolver.lifetime = profile.dns_timeout
    resolver.timeout = min(profile.dns_timeout, 2.0)
    resolver.cache = None
    where = _resolver_text(resolver)
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
        each = resolvers_each(profile)
    except DestinationRefused as exc:
        return str(exc)
    except (OSError, ValueError, dns.exception.DNSException) as exc:
        return f"cannot configure the resolver: {exc}"
    if not each:
        return "no resolver is configured (empty /etc/resolv.conf?)"
    verdicts = await asyncio.gather(*(_server_problem(profile, one) for one in each))
    for verdict, reason in verdicts:
        if verdict == "denies":
            return reason
    if all(verdict == "silent" for verdict, _ in verdicts):
        return verdicts[0][1]
    return None
