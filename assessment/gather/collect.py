"""Gathering all evidence for a set of domains, concurrently, in dependency waves.

Each domain runs its independent branches at once (SPF tree, DMARC, MX hosts and SMTP, MTA-STS
policy, DKIM selectors); inside a branch, later questions wait for the answers they depend on.
One semaphore of `profile.concurrency` bounds every query and connection of the whole run.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Sequence
from dataclasses import dataclass

import assessment
from assessment.gather.dmarc_names import (
    mailto_hosts,
    organizational_domain,
    report_authorization_name,
    tree_walk,
)
from assessment.gather.dns import DnsClient, normalize_name, resolver_problem, utc_now
from assessment.gather.https import fetch_policy
from assessment.gather.smtp import probe_mx
from assessment.gather.spf_tree import SpfWalker, exchanges
from assessment.model import (
    DnsLookup,
    DomainEvidence,
    Evidence,
    HttpsFetch,
    NetworkProfile,
    Outcome,
    SmtpProbe,
)
from assessment.providers import DEFAULT_DKIM_SELECTORS
from assessment.records.dmarc import is_dmarc_record
from assessment.records.tlsrpt import is_tlsrpt_record

MX_HOST_CAP = 10
ADDRESSES_PER_MX = 2
REPORT_DESTINATION_CAP = 10


def _selectors(client: Sequence[str]) -> tuple[str, ...]:
    ordered: list[str] = []
    for item in (*client, *DEFAULT_DKIM_SELECTORS):
        name = item.strip().lower().rstrip(".")
        if name and name not in ordered:
            ordered.append(name)
    return tuple(ordered)


def _pick_addresses(a: DnsLookup, aaaa: DnsLookup) -> tuple[str, ...]:
    """One address of each family first, so IPv4 and IPv6 are both tested, then fill up."""
    v4, v6 = list(a.answers), list(aaaa.answers)
    picked = [*v4[:1], *v6[:1]]
    for extra in (*v4[1:], *v6[1:]):
        if len(picked) >= ADDRESSES_PER_MX:
            break
        picked.append(extra)
    return tuple(picked[:ADDRESSES_PER_MX])


@dataclass(frozen=True)
class Bounds:
    """Separate limits for DNS queries and connections, each `profile.concurrency` wide.

    Kept apart so SMTP probes stuck in a slow banner do not starve the DNS lookups.
    """

    queries: asyncio.Semaphore
    connections: asyncio.Semaphore

    @classmethod
    def of(cls, profile: NetworkProfile) -> Bounds:
        width = max(1, profile.concurrency)
        return cls(asyncio.Semaphore(width), asyncio.Semaphore(width))


class _DomainRun:
    def __init__(self, domain: str, profile: NetworkProfile, bounds: Bounds) -> None:
        self.domain = normalize_name(domain)
        self.profile = profile
        self.connections = bounds.connections
        self.dns = DnsClient(profile, bounds.queries)
        self.org = organizational_domain(self.domain)

    def ask(self, name: str, rdtype: str) -> asyncio.Future[DnsLookup]:
        return asyncio.ensure_future(self.dns.query(name, rdtype))

    async def _probe(self, host: str, address: str) -> SmtpProbe:
        async with self.connections:
            return await probe_mx(host, address, self.profile)

    async def mx_branch(self) -> list[SmtpProbe]:
        mx = await self.ask(self.domain, "MX")
        if mx.outcome is not Outcome.OK:
            return []
        hosts = [name for name in exchanges(mx) if name][:MX_HOST_CAP]

        async def one_host(host: str) -> list[SmtpProbe]:
            a, aaaa, _, _ = await asyncio.gather(
                self.ask(host, "A"),
                self.ask(host, "AAAA"),
                self.ask(host, "CNAME"),
                self.ask(f"_25._tcp.{host}", "TLSA"),
            )
            # RFC 7672 §2.2.3: an aliased MX host's TLSA base is the expanded name too.
            chain = a.cname_chain or aaaa.cname_chain
            if chain and chain[-1] != host:
                await self.ask(f"_25._tcp.{chain[-1]}", "TLSA")
            addresses = _pick_addresses(a, aaaa)
            return list(await asyncio.gather(*(self._probe(host, ip) for ip in addresses)))

        per_host = await asyncio.gather(*(one_host(host) for host in hosts))
        return [probe for probes in per_host for probe in probes]

    async def spf_branch(self) -> None:
        apex = await self.ask(self.domain, "TXT")
        await SpfWalker(self.dns).walk(self.domain, apex)

    async def dmarc_branch(self) -> None:
        walk = tree_walk(self.domain)
        names = (*walk, self.org) if self.org not in walk else walk
        found = await asyncio.gather(*(self.ask(f"_dmarc.{name}", "TXT") for name in names))
        tlsrpt = await self.ask(f"_smtp._tls.{self.domain}", "TXT")
        auth: list[str] = []
        destinations: list[str] = []
        for policy_domain, lookup in zip(names, found, strict=True):
            for text in lookup.answers:
                if not is_dmarc_record(text):
                    continue
                for host in mailto_hosts(text):
                    if host not in destinations:
                        destinations.append(host)
                    if organizational_domain(host) != organizational_domain(policy_domain):
                        # Receivers differ on which domain they name: the record's or the
                        # audited one. Ask both; they coincide for a domain's own record.
                        auth.append(report_authorization_name(policy_domain, host))
                        auth.append(report_authorization_name(self.domain, host))
        for text in tlsrpt.answers:
            if is_tlsrpt_record(text):
                destinations.extend(
                    h for h in mailto_hosts(text, ("rua",)) if h not in destinations
                )
        destinations = destinations[:REPORT_DESTINATION_CAP]
        await asyncio.gather(
            *(self.ask(name, "TXT") for name in dict.fromkeys(auth[:REPORT_DESTINATION_CAP])),
            *(self.ask(host, "MX") for host in destinations),
        )

    async def policy_branch(self) -> HttpsFetch | None:
        apex = await asyncio.gather(
            self.ask(self.domain, "A"), self.ask(self.domain, "MX"), self.ask(self.domain, "TXT")
        )
        if any(item.outcome is Outcome.NXDOMAIN for item in apex):
            return None
        # Fetched even without a `_mta-sts` TXT: a policy host nothing points at is a finding.
        async with self.connections:
            return await fetch_policy(self.domain, self.profile, self.dns)

    def independent(self, selectors: tuple[str, ...]) -> list[asyncio.Future[DnsLookup]]:
        d = self.domain
        questions = [
            (d, "TXT"),
            (d, "MX"),
            (d, "A"),
            (d, "AAAA"),
            (d, "SPF"),
            (d, "SOA"),
            (d, "DNSKEY"),
            (f"_mta-sts.{d}", "TXT"),
            (f"mta-sts.{d}", "A"),
            (f"mta-sts.{d}", "AAAA"),
            (f"mta-sts.{d}", "CNAME"),
            (f"_smtp._tls.{d}", "TXT"),
            (f"_domainkey.{d}", "TXT"),
            # Policies published at a wrong name are a common mistake worth seeing.
            (f"_tls.{d}", "TXT"),
            (f"_smtp.{d}", "TXT"),
            (f"_smtp-tls.{d}", "TXT"),
            (f"dmarc.{d}", "TXT"),
        ]
        questions += [(f"{s}._domainkey.{d}", "TXT") for s in selectors]
        return [self.ask(name, rdtype) for name, rdtype in questions]

    async def run(self, client_selectors: Sequence[str]) -> DomainEvidence:
        selectors = _selectors(client_selectors)
        direct = self.independent(selectors)
        _, probes, _, _, policy = await asyncio.gather(
            asyncio.gather(*direct),
            self.mx_branch(),
            self.spf_branch(),
            self.dmarc_branch(),
            self.policy_branch(),
        )
        given = tuple(s.strip().lower().rstrip(".") for s in client_selectors if s.strip())
        return DomainEvidence(
            domain=self.domain,
            dns=self.dns.lookups(),
            mta_sts_policy=policy,
            smtp=tuple(sorted(probes, key=lambda p: (p.host, p.address))),
            dkim_selectors=selectors,
            client_selectors=tuple(dict.fromkeys(given)),
        )


async def gather_domain(
    domain: str,
    profile: NetworkProfile,
    selectors: Sequence[str] = (),
    bounds: Bounds | None = None,
) -> DomainEvidence:
    """Everything observable about one domain. Never raises for network outcomes."""
    return await _DomainRun(domain, profile, bounds or Bounds.of(profile)).run(selectors)


async def _gather_all(
    client: str, domains: Sequence[str], profile: NetworkProfile, selectors: Sequence[str]
) -> Evidence:
    started_at = utc_now()
    bounds = Bounds.of(profile)
    unique = list(dict.fromkeys(normalize_name(d) for d in domains))
    found = await asyncio.gather(*(gather_domain(d, profile, selectors, bounds) for d in unique))
    return Evidence(
        client=client,
        started_at=started_at,
        finished_at=utc_now(),
        network=profile.describe(),
        profile=profile,
        domains=tuple(found),
        tool_version=assessment.__version__,
    )


def gather(
    client: str,
    domains: Sequence[str],
    profile: NetworkProfile,
    selectors: Sequence[str] = (),
) -> Evidence:
    """Gather evidence for `domains` and return the snapshot (blocking).

    Notebooks already run an event loop, where `asyncio.run` is not allowed; there the work
    runs on a private loop in a worker thread instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_gather_all(client, domains, profile, selectors))
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        job = pool.submit(asyncio.run, _gather_all(client, domains, profile, selectors))
        return job.result()


class ResolverUnavailable(Exception):
    """No resolver of the profile answers: the assessment cannot run from here."""


def check_resolvers(profile: NetworkProfile) -> None:
    """Raise `ResolverUnavailable` when no resolver of the profile answers (blocking)."""
    problem = asyncio.run(resolver_problem(profile))
    if problem is not None:
        raise ResolverUnavailable(problem)
