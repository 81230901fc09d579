"""Gathering all evidence for a set of domains, all at once, each step as soon as it can.

Every domain starts at once and runs its independent branches at once (SPF tree, DMARC, MX
hosts and SMTP, MTA-STS policy, DKIM selectors); inside a branch a question waits only for the
answer it depends on. The run shares what domains have in common (`GatherRun`): each DNS
question and each SMTP probe happens once, and only per-destination politeness limits bound
it (`NetworkProfile.dns_in_flight`, `SMTP_CONNECTIONS_PER_ADDRESS`,
`HTTPS_CONNECTIONS_PER_ADDRESS`). At 100 ms round trips 34 domains take about as long as the
slowest of them alone (bench/gather_latency.py).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Sequence

import assessment
from assessment.gather.dmarc_names import (
    mailto_hosts,
    organizational_domain,
    report_authorization_name,
    tree_walk,
)
from assessment.gather.dns import DnsClient, DnsRun, normalize_name, resolver_problem, utc_now
from assessment.gather.https import fetch_policy
from assessment.gather.smtp import probe_mx
from assessment.gather.spf_tree import SpfWalker, exchanges
from assessment.gc_pause import cyclic_gc_paused
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
SMTP_CONNECTIONS_PER_ADDRESS = 4
"""Politeness towards each MX address: at most this many probes at once. Hosted providers
give many customers' MX names the same few addresses; a sending MTA opens about as many."""
HTTPS_CONNECTIONS_PER_ADDRESS = 8
"""Politeness towards each policy-host address (often a CDN that serves many domains)."""


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


class GatherRun:
    """What the domains of one gather share: DNS answers, SMTP probes, politeness limits.

    Nothing here serialises domains: every domain starts at once and waits only for its own
    answers, for a question or probe another domain already started (asked once, shared), or
    for a per-destination limit.
    """

    def __init__(self, profile: NetworkProfile) -> None:
        self.profile = profile
        self.dns = DnsRun(profile)
        self._probes: dict[tuple[str, str], asyncio.Task[SmtpProbe]] = {}
        self._smtp_limits: dict[str, asyncio.Semaphore] = {}
        self._https_limits: dict[str, asyncio.Semaphore] = {}

    def close(self) -> None:
        self.dns.close()

    def probe(self, host: str, address: str) -> asyncio.Future[SmtpProbe]:
        """The run's one probe of `host` at `address` (MX hosts are shared between domains)."""
        key = (host, address)
        task = self._probes.get(key)
        if task is None:
            task = asyncio.ensure_future(self._probe(host, address))
            self._probes[key] = task
        return asyncio.shield(task)

    async def _probe(self, host: str, address: str) -> SmtpProbe:
        limit = self._smtp_limits.setdefault(
            address, asyncio.Semaphore(SMTP_CONNECTIONS_PER_ADDRESS)
        )
        async with limit:
            return await probe_mx(host, address, self.profile)

    def https_limit(self, address: str) -> asyncio.Semaphore:
        return self._https_limits.setdefault(
            address, asyncio.Semaphore(HTTPS_CONNECTIONS_PER_ADDRESS)
        )


class _DomainRun:
    def __init__(self, domain: str, run: GatherRun) -> None:
        self.domain = normalize_name(domain)
        self.profile = run.profile
        self.run = run
        self.dns = DnsClient(run.profile, run.dns)
        self.org = organizational_domain(self.domain)

    def ask(self, name: str, rdtype: str) -> asyncio.Future[DnsLookup]:
        return self.dns.future(name, rdtype)

    async def mx_branch(self) -> list[SmtpProbe]:
        mx = await self.ask(self.domain, "MX")
        if mx.outcome is not Outcome.OK:
            return []
        hosts = [name for name in exchanges(mx) if name][:MX_HOST_CAP]
        per_host = await asyncio.gather(*(self._host(host) for host in hosts))
        return [probe for probes in per_host for probe in probes]

    async def _host(self, host: str) -> list[SmtpProbe]:
        """Probe one MX host as soon as each address family is known.

        The first address of each family is probed the moment its lookup answers, so a
        slow AAAA (or TLSA) never delays the IPv4 probe; the rest of the pick waits for both.
        """
        a, aaaa = self.ask(host, "A"), self.ask(host, "AAAA")
        side = [self.ask(host, "CNAME"), self.ask(f"_25._tcp.{host}", "TLSA")]

        async def first(found: asyncio.Future[DnsLookup]) -> list[SmtpProbe]:
            answers = (await found).answers
            return [await self.run.probe(host, answers[0])] if answers else []

        early = [asyncio.ensure_future(first(a)), asyncio.ensure_future(first(aaaa))]
        a_found, aaaa_found = await asyncio.gather(a, aaaa)
        # RFC 7672 §2.2.3: an aliased MX host's TLSA base is the expanded name too.
        chain = a_found.cname_chain or aaaa_found.cname_chain
        if chain and chain[-1] != host:
            side.append(self.ask(f"_25._tcp.{chain[-1]}", "TLSA"))
        firsts = {*a_found.answers[:1], *aaaa_found.answers[:1]}
        rest = [ip for ip in _pick_addresses(a_found, aaaa_found) if ip not in firsts]
        filled, firsts_probed, _ = await asyncio.gather(
            asyncio.gather(*(self.run.probe(host, ip) for ip in rest)),
            asyncio.gather(*early),
            asyncio.gather(*side),
        )
        return [probe for probes in firsts_probed for probe in probes] + list(filled)

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
        return await fetch_policy(self.domain, self.profile, self.dns, self.run.https_limit)

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

    async def run_domain(self, client_selectors: Sequence[str]) -> DomainEvidence:
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
    run: GatherRun | None = None,
) -> DomainEvidence:
    """Everything observable about one domain. Never raises for network outcomes."""
    own = run or GatherRun(profile)
    try:
        return await _DomainRun(domain, own).run_domain(selectors)
    finally:
        if run is None:
            own.close()


DomainDone = Callable[[DomainEvidence], None]
"""Called as each domain's evidence is complete (in the gathering thread), e.g. for progress."""


async def _gather_all(
    client: str,
    domains: Sequence[str],
    profile: NetworkProfile,
    selectors: Sequence[str],
    on_domain: DomainDone | None,
) -> Evidence:
    started_at = utc_now()
    run = GatherRun(profile)
    unique = list(dict.fromkeys(normalize_name(d) for d in domains))

    async def one(domain: str) -> DomainEvidence:
        found = await gather_domain(domain, profile, selectors, run)
        if on_domain is not None:
            on_domain(found)
        return found

    try:
        found = await asyncio.gather(*(one(d) for d in unique))
    finally:
        run.close()
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
    on_domain: DomainDone | None = None,
) -> Evidence:
    """Gather evidence for `domains` and return the snapshot (blocking).

    Notebooks already run an event loop, where `asyncio.run` is not allowed; there the work
    runs on a private loop in a worker thread instead.
    """
    # Tens of thousands of futures and lookups, hardly any cycles: the collector's passes
    # over that heap were 14% of a 500-domain gather's CPU (11.5 s against 9.8 s).
    with cyclic_gc_paused():
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(_gather_all(client, domains, profile, selectors, on_domain))
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            work = _gather_all(client, domains, profile, selectors, on_domain)
            return pool.submit(asyncio.run, work).result()


class ResolverUnavailable(Exception):
    """No resolver of the profile answers: the assessment cannot run from here."""


def check_resolvers(profile: NetworkProfile) -> None:
    """Raise `ResolverUnavailable` when no resolver of the profile answers (blocking)."""
    problem = asyncio.run(resolver_problem(profile))
    if problem is not None:
        raise ResolverUnavailable(problem)
