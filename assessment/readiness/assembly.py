"""Questionnaire readiness notes for one client: the instruments of its country, what the public
evidence shows for each item they ask about, and the checklist only the client can confirm.

Pure. Every sentence describes evidence; none suggests what to write on a signed application.
Statuses are combined by `readiness.status.combine` only: domain answers into an item's status,
item statuses into a section's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assessment.checks.context import DomainContext
from assessment.model import Evidence, Finding
from assessment.providers import ProviderId, provider_for_host
from assessment.readiness.instruments import BY_KEY
from assessment.readiness.items import CONFIRMATIONS, ITEMS, Confirmation, Item, Section
from assessment.readiness.rules import (
    RULES,
    Answer,
    DmarcGate,
    DomainFacts,
    Reports,
    host_operators,
)
from assessment.readiness.selection import Selection, select_instruments
from assessment.readiness.sources import Cite
from assessment.readiness.status import EvidenceStatus, combine
from assessment.tlsrpt.gate import EnforceVerdict

__all__ = [
    "ConfirmationResult",
    "Fact",
    "FindingRef",
    "ItemResult",
    "Readiness",
    "SectionResult",
    "assess_readiness",
]


@dataclass(frozen=True)
class FindingRef:
    """A finding an item rests on; the report links it."""

    domain: str
    code: str


@dataclass(frozen=True)
class Fact:
    domains: tuple[str, ...]
    """The domains it is about; empty when it holds for every domain assessed."""
    status: EvidenceStatus
    text: str


@dataclass(frozen=True)
class ItemResult:
    item: Item
    status: EvidenceStatus
    facts: tuple[Fact, ...]
    citations: tuple[str, ...]
    """How the selected instruments that ask for it are cited ("TMHCC §6c", "ISM-1540")."""
    findings: tuple[FindingRef, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        """Finding codes the status rests on."""
        return tuple(dict.fromkeys(f.code for f in self.findings))


@dataclass(frozen=True)
class SectionResult:
    section: Section
    status: EvidenceStatus
    items: tuple[ItemResult, ...]


@dataclass(frozen=True)
class ConfirmationResult:
    confirmation: Confirmation
    citations: tuple[str, ...]
    seen: str
    """What the evidence does show that bears on it; "" when nothing does."""


@dataclass(frozen=True)
class Readiness:
    selection: Selection
    sections: tuple[SectionResult, ...]
    not_applicable: tuple[ItemResult, ...]
    """Items the selected instruments ask for that apply to none of the domains."""
    confirmations: tuple[ConfirmationResult, ...]
    domains: tuple[str, ...]
    missing_domains: tuple[str, ...]
    """Domains that do not exist in DNS: not assessed here."""
    observed_at: str
    """ISO time of the earliest observation the notes rest on."""


def _labels(cites: Sequence[Cite], selection: Selection) -> tuple[str, ...]:
    keys = selection.keys
    return tuple(
        dict.fromkeys(BY_KEY[c.instrument].cite_label(c.ref) for c in cites if c.instrument in keys)
    )


def _facts(answers: Sequence[tuple[DomainFacts, Answer]]) -> tuple[Fact, ...]:
    relevant = [(d, a) for d, a in answers if a.status is not EvidenceStatus.NOT_APPLICABLE]
    if not relevant:
        first = answers[0][1] if answers else Answer(EvidenceStatus.NOT_APPLICABLE, "")
        return (Fact((), EvidenceStatus.NOT_APPLICABLE, first.fact),)
    groups: dict[tuple[EvidenceStatus, str], list[str]] = {}
    for d, a in relevant:
        groups.setdefault((a.status, a.fact), []).append(d.name)
    if len(groups) == 1 and len(relevant) == len(answers):
        ((status, text),) = groups
        return (Fact((), status, text),)
    return tuple(Fact(tuple(names), status, text) for (status, text), names in groups.items())


def _evaluate(
    item: Item,
    domains: Sequence[DomainFacts],
    reports: Mapping[str, Reports],
    cited: tuple[str, ...],
) -> ItemResult:
    rule = RULES[item.rule]
    answers = [(d, rule(d, reports.get(d.name, Reports()))) for d in domains]
    refs = tuple(
        dict.fromkeys(
            FindingRef(d.name, code)
            for d, a in answers
            if a.status is not EvidenceStatus.NOT_APPLICABLE
            for code in a.codes
        )
    )
    return ItemResult(
        item=item,
        status=combine(a.status for _, a in answers),
        facts=_facts(answers),
        citations=cited,
        findings=refs,
    )


def _seen(confirmation: Confirmation, domains: Sequence[DomainFacts]) -> str:
    mail = [d for d in domains if d.mail]
    if confirmation.key == "screening":
        hosts = list(dict.fromkeys(line for d in mail for line in host_operators(d)))
        return f"MX hosts: {'; '.join(hosts)}." if hosts else ""
    if confirmation.key == "mfa":
        microsoft = any(
            (p := provider_for_host(h)) is not None and p.id is ProviderId.MICROSOFT_365
            for d in mail
            for h in d.ctx.mx_hosts
        )
        return (
            "Mail is on Microsoft 365: Conditional Access or Security Defaults."
            if microsoft
            else ""
        )
    if confirmation.key == "dkim-all-senders":
        includes = list(
            dict.fromkeys(
                m for d in mail for r in d.ctx.spf_records for m in re.findall(r"include:(\S+)", r)
            )
        )
        if not includes:
            return ""
        return f"SPF authorises {', '.join(f'`{i}`' for i in includes)}."
    if confirmation.key == "dmarc-reports":
        found: list[str] = []
        for d in domains:
            record = d.ctx.dmarc
            if record is not None:
                found.extend(u.address for u in record.rua if u.valid and u.address not in found)
        if found:
            return f"Reports are requested at {', '.join(f'`{a}`' for a in found)}."
        return "No domain requests aggregate reports (`rua`)."
    return ""


def assess_readiness(
    evidence: Evidence,
    findings: Sequence[Finding],
    *,
    country: str = "",
    frameworks: Sequence[str] = (),
    verdicts: Mapping[str, EnforceVerdict] | None = None,
    dmarc_gates: Mapping[str, DmarcGate] | None = None,
) -> Readiness:
    """The readiness notes for the client's country (`RunInfo.country`, ISO alpha-2; "" when
    unknown) and opt-ins (`ClientConfig.frameworks`). `verdicts` are the TLS-RPT enforce gates
    and `dmarc_gates` the DMARC aggregate-report verdicts, per domain, when reports were
    analysed; without them the items they feed are stated from DNS alone or left to confirm."""
    selection = select_instruments(country, frameworks)
    contexts = [DomainContext(item, evidence) for item in evidence.domains]
    domains = [DomainFacts(c, findings) for c in contexts if not c.domain_missing]
    missing = tuple(c.domain for c in contexts if c.domain_missing)

    def key(name: str) -> str:
        return name.lower().rstrip(".")

    tlsrpt = {key(n): v for n, v in (verdicts or {}).items()}
    dmarc = {key(n): g for n, g in (dmarc_gates or {}).items()}
    reports = {d.name: Reports(tlsrpt.get(key(d.name)), dmarc.get(key(d.name))) for d in domains}
    results = [
        _evaluate(item, domains, reports, cited)
        for item in ITEMS
        if (cited := _labels(item.cites, selection))
    ]
    shown = [r for r in results if r.status is not EvidenceStatus.NOT_APPLICABLE]
    sections = tuple(
        SectionResult(section, combine(r.status for r in rows), tuple(rows))
        for section in Section
        if (rows := [r for r in shown if r.item.section is section])
    )
    confirmations = tuple(
        ConfirmationResult(c, cited, _seen(c, domains))
        for c in CONFIRMATIONS
        if (cited := _labels(c.cites, selection)) or c.always
    )
    observed = min((d.ctx.observed_at for d in domains if d.ctx.observed_at), default="")
    return Readiness(
        selection=selection,
        sections=sections,
        not_applicable=tuple(r for r in results if r.status is EvidenceStatus.NOT_APPLICABLE),
        confirmations=confirmations,
        domains=tuple(d.name for d in domains),
        missing_domains=missing,
        observed_at=observed,
    )
