"""Walking an SPF record's include/redirect tree and the lookups its mechanisms cost.

The walk asks every question an RFC 7208 verifier could ask (all branches, worst case), so the
checks layer can count §4.6.4 lookups and void lookups from evidence alone. Hostile records
cannot blow it up: each name is visited once and the walk stops after `LOOKUP_CAP` questions.
Names with macros are skipped, since they depend on the message being evaluated.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from assessment.gather.dns import DnsClient, normalize_name
from assessment.model import DnsLookup, Outcome
from assessment.records.mx import exchanges_by_preference
from assessment.records.spf import is_spf_record, parse_spf

LOOKUP_CAP = 50
"""Five times the §4.6.4 limit: enough to show how far over a record goes, no more."""
MX_NAME_CAP = 10
"""§4.6.4: an `mx` mechanism looks up at most 10 exchange names."""
_TXT_TERMS = frozenset({"include", "redirect"})


def _target(value: str | None, current: str) -> str | None:
    """The domain a term points at, or None when it cannot be known before evaluation."""
    spec = value if value else current
    if "%" in spec:
        return None
    return normalize_name(spec)


def exchanges(mx: DnsLookup) -> tuple[str, ...]:
    """Exchange names of an MX answer in preference order, null MX `.` kept as ``""``."""
    return exchanges_by_preference(mx.answers)


class SpfWalker:
    def __init__(self, dns: DnsClient, cap: int = LOOKUP_CAP) -> None:
        self.dns = dns
        self.budget = cap
        self.visited: set[str] = set()

    async def _ask(self, name: str, rdtype: str) -> DnsLookup | None:
        if not self.dns.asked(name, rdtype):
            if self.budget <= 0:
                return None
            self.budget -= 1
        return await self.dns.query(name, rdtype)

    async def _mx_addresses(self, name: str) -> None:
        found = await self._ask(name, "MX")
        if found is None or found.outcome is not Outcome.OK:
            return
        names = [n for n in exchanges(found) if n][:MX_NAME_CAP]
        await asyncio.gather(*(self._ask(n, t) for n in names for t in ("A", "AAAA")))

    async def _follow(self, name: str, record: DnsLookup) -> None:
        """Ask what each term of `name`'s SPF records needs, following includes as they come.

        Each include or redirect is followed as soon as its own TXT answers, never waiting
        for its siblings: a slow or timed-out include delays only what lies below it.
        """
        jobs: list[Awaitable[object]] = []
        for text in record.answers:
            if not is_spf_record(text):
                continue
            for term in parse_spf(text).terms:
                target = _target(term.value, name)
                if target is None:
                    continue
                if term.name in _TXT_TERMS and term.value:
                    if target not in self.visited:
                        self.visited.add(target)
                        jobs.append(self._branch(target))
                elif term.name == "a" and term.is_mechanism:
                    jobs += [self._ask(target, t) for t in ("A", "AAAA")]
                elif term.name == "mx" and term.is_mechanism:
                    jobs.append(self._mx_addresses(target))
                elif term.name == "exists" and term.is_mechanism and term.value:
                    jobs.append(self._ask(target, "A"))
        await asyncio.gather(*jobs)

    async def _branch(self, target: str) -> None:
        found = await self._ask(target, "TXT")
        if found is not None:
            await self._follow(target, found)

    async def walk(self, domain: str, apex_txt: DnsLookup) -> None:
        """Every branch of the include/redirect graph, each at its own pace."""
        self.visited.add(normalize_name(domain))
        await self._follow(normalize_name(domain), apex_txt)
