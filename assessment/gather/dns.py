"""DNS lookups through dnspython's async stub resolver, recorded verbatim as `DnsLookup`.

Every outcome (answer, NXDOMAIN, NODATA, timeout, SERVFAIL, REFUSED, anything else) becomes a
`DnsLookup`; nothing here raises for a DNS result, because a timeout must later read as
"inconclusive", never as "missing".
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import dns.asyncresolver
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import dns.rrset

from assessment.gather.connection import DestinationRefused, resolver_for
from assessment.model import DnsLookup, NetworkProfile, Outcome

EDNS_PAYLOAD = 1232
"""The DNS flag day 2020 payload size: avoids IP fragmentation, TCP covers the rest."""


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def normalize_name(name: str) -> str:
    """Lower-case A-label form without the trailing dot; the raw text if it is not a name."""
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


def _classify_no_nameservers(exc: dns.resolver.NoNameservers) -> tuple[Outcome, str]:
    """dnspython folds per-server failures into one exception; recover what each server said."""
    errors = exc.kwargs.get("errors") or []
    rcodes: list[str] = []
    details: list[str] = []
    for item in errors:
        server, _tcp, _port, error, response = item
        rcode = _rcode_of(error, response)
        if rcode is not None:
            rcodes.append(rcode)
        details.append(f"{server}: {rcode or error}")
    text = "; ".join(details) or str(exc)
    if rcodes and all(r == "SERVFAIL" for r in rcodes):
        return Outcome.SERVFAIL, text
    if rcodes and all(r == "REFUSED" for r in rcodes):
        return Outcome.REFUSED, text
    if "SERVFAIL" in rcodes:
        return Outcome.SERVFAIL, text
    if "REFUSED" in rcodes:
        return Outcome.REFUSED, text
    return Outcome.ERROR, text


def _answers(rrset: dns.rrset.RRset) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    if rrset.rdtype == dns.rdatatype.TXT:
        strings = tuple(tuple(decode_txt(s) for s in rdata.strings) for rdata in rrset)
        # RFC 7208 §3.3: the character-strings of one TXT RR join with no separator.
        return tuple("".join(parts) for parts in strings), strings
    return tuple(rdata.to_text() for rdata in rrset), ()


async def lookup(resolver: dns.asyncresolver.Resolver, name: str, rdtype: str) -> DnsLookup:
    """Ask one question and record whatever came back. Never raises for DNS outcomes."""
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
        qname = dns.name.from_text(norm + ".")
        qtype = dns.rdatatype.from_text(rdtype)
    except (dns.exception.DNSException, UnicodeError, ValueError) as exc:
        return done(Outcome.ERROR, error=f"not a valid DNS question: {exc}")

    try:
        # dnspython's lifetime is checked between attempts; the outer wait_for is the hard stop.
        answer = await asyncio.wait_for(
            resolver.resolve(qname, qtype, raise_on_no_answer=False, search=False),
            timeout=resolver.lifetime + 1.0,
        )
    except (dns.resolver.LifetimeTimeout, TimeoutError) as exc:
        return done(Outcome.TIMEOUT, error=f"no answer within {resolver.lifetime:g}s: {exc}")
    except dns.resolver.NXDOMAIN as exc:
        responses = exc.kwargs.get("responses") or {}
        response = responses.get(qname)
        return done(
            Outcome.NXDOMAIN,
            cname_chain=_cname_chain(response, qname),
            ad=bool(response is not None and response.flags & dns.flags.AD),
        )
    except dns.resolver.NoNameservers as exc:
        outcome, text = _classify_no_nameservers(exc)
        return done(outcome, error=text)
    except dns.resolver.YXDOMAIN as exc:
        return done(Outcome.ERROR, error=f"YXDOMAIN: {exc}")
    except dns.exception.DNSException as exc:
        return done(Outcome.ERROR, error=f"{type(exc).__name__}: {exc}")
    except (OSError, ValueError, UnicodeError) as exc:
        return done(Outcome.ERROR, error=f"{type(exc).__name__}: {exc}")

    response = answer.response
    used = f"{answer.nameserver}:{answer.port}" if answer.nameserver else ""
    chain = _cname_chain(response, qname)
    ad = bool(response.flags & dns.flags.AD)
    if answer.rrset is None:
        return done(Outcome.NODATA, cname_chain=chain, ad=ad, resolver=used)
    answers, strings = _answers(answer.rrset)
    return done(
        Outcome.OK,
        answers=answers,
        txt_strings=strings,
        ttl=answer.rrset.ttl,
        cname_chain=chain,
        ad=ad,
        resolver=used,
    )


@dataclass
class DnsClient:
    """One resolver, a concurrency bound, and a record of every distinct question asked.

    Asking the same (name, type) twice awaits the first query instead of sending another, so
    the evidence holds each question once however many branches needed it.
    """

    profile: NetworkProfile
    semaphore: asyncio.Semaphore
    resolver: dns.asyncresolver.Resolver | None = field(init=False)
    refused: str | None = field(init=False, default=None)
    """Why the profile may not use its resolvers; every question then fails unsent."""
    _tasks: dict[tuple[str, str], asyncio.Task[DnsLookup]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        try:
            self.resolver = build_resolver(self.profile)
        except DestinationRefused as exc:
            self.resolver, self.refused = None, str(exc)

    async def _bounded(self, name: str, rdtype: str) -> DnsLookup:
        if self.resolver is None:
            return DnsLookup(
                name=name,
                rdtype=rdtype,
                outcome=Outcome.ERROR,
                observed_at=utc_now(),
                error=f"not sent: {self.refused}",
            )
        async with self.semaphore:
            return await lookup(self.resolver, name, rdtype)

    async def query(self, name: str, rdtype: str) -> DnsLookup:
        key = (normalize_name(name), rdtype.upper())
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(self._bounded(*key))
            self._tasks[key] = task
        return await task

    def asked(self, name: str, rdtype: str) -> bool:
        return (normalize_name(name), rdtype.upper()) in self._tasks

    def lookups(self) -> tuple[DnsLookup, ...]:
        """Every finished lookup, sorted by (name, type) so two runs list them alike."""
        done = [t.result() for t in self._tasks.values() if t.done() and not t.cancelled()]
        return tuple(sorted(done, key=lambda item: item.key))


async def resolver_problem(profile: NetworkProfile) -> str | None:
    """Why no configured resolver answers at all, or None when one does.

    Any DNS answer (even REFUSED or SERVFAIL for the root) proves a resolver is there; only
    silence or a network error means every lookup of the assessment would be inconclusive,
    which is a problem with the assessment's setup, not with the client's domains.
    """
    try:
        resolver = build_resolver(profile)
    except DestinationRefused as exc:
        return str(exc)
    except (OSError, ValueError, dns.exception.DNSException) as exc:
        return f"cannot configure the resolver: {exc}"
    try:
        await resolver.resolve(dns.name.root, "SOA", raise_on_no_answer=False)
    except dns.resolver.NoNameservers as exc:
        # Every server replied with an error (REFUSED, SERVFAIL...): they are there.
        errors = exc.kwargs.get("errors") or []
        if any(_rcode_of(item[3], item[4]) for item in errors):
            return None
        return f"no answer from {_resolver_text(resolver) or 'the system resolver'} ({exc})"
    except dns.exception.Timeout:
        where = _resolver_text(resolver) or "the system resolver"
        return f"no answer from {where} within {profile.dns_timeout:g} s"
    except dns.resolver.NXDOMAIN:
        return None
    except (OSError, dns.exception.DNSException) as exc:
        return f"resolver error: {type(exc).__name__}: {exc}"
    return None
