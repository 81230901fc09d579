"""Questionnaire and framework readiness: what the public evidence shows for each item that
insurers, frameworks and mailbox providers ask about, under a security and a deliverability
lens, plus the checklist of things only the client can confirm.

Pure. The items themselves are data in `readiness/items.py`. Every sentence here
describes evidence; none suggests what to write on a signed application.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assessment.checks.context import DomainContext
from assessment.model import Evidence, Finding
from assessment.providers import ProviderId
from assessment.readiness.items import (
    CONFIRMATIONS,
    FRAMEWORKS,
    ITEMS,
    AnswerStatus,
    Confirmation,
    Framework,
    Lens,
    QuestionItem,
)
from assessment.readiness.rules import RULES, Answer, DomainFacts, worst
from assessment.tlsrpt.gate import EnforceVerdict

Y, P, N, C = AnswerStatus.YES, AnswerStatus.PARTIAL, AnswerStatus.NO, AnswerStatus.CONFIRM
_NA = AnswerStatus.NOT_APPLICABLE

__all__ = [
    "ConfirmationItem",
    "FrameworkResult",
    "ItemResult",
    "Readiness",
    "assess_readiness",
    "status_label",
]


def status_label(status: AnswerStatus) -> str:
    """The readiness category for a status, as the report words it."""
    return status.label


@dataclass(frozen=True)
class ItemResult:
    item: QuestionItem
    status: AnswerStatus
    """The verdict under the item's own lens."""
    security_status: AnswerStatus
    deliverability_status: AnswerStatus
    evidence: str
    codes: tuple[str, ...]
    """Finding codes the verdict rests on."""
    observed_at: str
    security_lens: str
    deliverability_lens: str


@dataclass(frozen=True)
class FrameworkResult:
    framework: Framework
    items: tuple[ItemResult, ...]


@dataclass(frozen=True)
class ConfirmationItem:
    confirmation: Confirmation
    seen: str
    """What the evidence does show that relates to it, if anything."""

    @property
    def text(self) -> str:
        c = self.confirmation
        out = f"{c.topic} Asked by: {c.asked_by}. Usual evidence: {c.usual_evidence}"
        return f"{out} What we could see: {self.seen}" if self.seen else out


@dataclass(frozen=True)
class Readiness:
    frameworks: tuple[FrameworkResult, ...]
    confirmations: tuple[ConfirmationItem, ...]
    domains: tuple[str, ...]
    observed_at: str


# ----------------------------------------------------------------------------- assembly

_SECURITY_MEANING = {
    Y: "the public records meet this bar.",
    P: "present, but weaker than this instrument and insurers' scanners expect.",
    N: "the public evidence does not show this control in place today.",
    C: "this cannot be proven from outside; your IT provider can confirm it.",
    _NA: "not applicable here.",
}
_DELIVERABILITY_MEANING = {
    Y: "meets what Gmail, Yahoo and Outlook.com ask of senders.",
    P: "mail may be delivered less reliably, or some senders may be affected.",
    N: "mailbox providers may junk or refuse the mail involved.",
    C: "cannot be seen from outside; a test message would show it.",
    _NA: "no effect on getting mail delivered.",
}


def _parked(d: DomainFacts, answer: Answer) -> Answer:
    """A domain that takes no mail sends none either in practice: its records matter for
    spoofing, not for delivery."""
    if d.mail:
        return answer
    return Answer(answer.security, _NA, answer.fact, answer.codes)


def _evaluate(
    item: QuestionItem,
    domains: Sequence[DomainFacts],
    verdicts: Mapping[str, EnforceVerdict],
) -> ItemResult:
    rule = RULES[item.rule]
    answers = [(d, _parked(d, rule(d, verdicts.get(d.name)))) for d in domains]
    relevant = [(d, a) for d, a in answers if a.security is not _NA or a.deliverability is not _NA]
    security = worst([a.security for _, a in relevant])
    deliverability = worst([a.deliverability for _, a in relevant])
    codes: list[str] = []
    for _, answer in relevant:
        codes.extend(c for c in answer.codes if c not in codes)
    observed = min((d.ctx.observed_at for d, _ in relevant if d.ctx.observed_at), default="")
    facts = "; ".join(f"{d.name}: {a.fact}" for d, a in relevant) or "no domain it applies to"
    status = security if item.lens is Lens.SECURITY else deliverability
    lead = {
        Y: "Public evidence supports this control",
        P: "Present, but below the bar this item sets",
        N: "The public evidence does not show this control working",
        C: "Not verifiable from outside",
        _NA: "Not applicable",
    }[status]
    evidence = f"{lead}: {facts}."
    if item.federal_only:
        evidence = (
            "Applies only to US federal executive-branch agencies; shown for reference. "
            f"Against its bar the evidence reads {status_label(status).lower()}: {facts}."
        )
        status = _NA
    return ItemResult(
        item=item,
        status=status,
        security_status=security,
        deliverability_status=deliverability,
        evidence=evidence,
        codes=tuple(codes),
        observed_at=observed,
        security_lens=f"{status_label(security)}: {_SECURITY_MEANING[security]}",
        deliverability_lens=(
            f"{status_label(deliverability)}: {_DELIVERABILITY_MEANING[deliverability]}"
        ),
    )


def _confirmation_context(confirmation: Confirmation, domains: Sequence[DomainFacts]) -> str:
    mail = [d for d in domains if d.mail]
    if confirmation.key == "screening":
        names = sorted({p.name for d in mail for p in d.providers})
        return f"mail is routed through {', '.join(names)}." if names else ""
    if confirmation.key == "dkim-all-senders":
        includes = sorted(
            {m for d in mail for r in d.ctx.spf_records for m in re.findall(r"include:(\S+)", r)}
        )
        if includes:
            return "SPF authorises these services, each of which may send as the domain: " + (
                ", ".join(includes) + "."
            )
        return ""
    if confirmation.key == "dmarc-reports":
        found: list[str] = []
        for d in domains:
            record, _ = d.dmarc()
            if record is not None:
                found.extend(u.address for u in record.rua if u.valid and u.address not in found)
        return f"DMARC reports are addressed to {', '.join(found)}." if found else ""
    if confirmation.key == "mfa" and any(
        p.id is ProviderId.MICROSOFT_365 for d in mail for p in d.providers
    ):
        return (
            "mail is on Microsoft 365, where this is usually Conditional Access or "
            "Security Defaults."
        )
    return ""


def assess_readiness(
    evidence: Evidence,
    findings: Sequence[Finding],
    *,
    verdicts: Mapping[str, EnforceVerdict] | None = None,
) -> Readiness:
    """Evaluate every questionnaire item against the evidence of all audited domains."""
    domains = [
        DomainFacts(DomainContext(item, evidence), findings)
        for item in evidence.domains
        if not DomainContext(item, evidence).domain_missing
    ]
    known = {name.lower().rstrip("."): v for name, v in (verdicts or {}).items()}
    frameworks = tuple(
        FrameworkResult(
            framework,
            tuple(_evaluate(i, domains, known) for i in ITEMS if i.framework == framework.key),
        )
        for framework in FRAMEWORKS
    )
    confirmations = tuple(
        ConfirmationItem(c, _confirmation_context(c, domains)) for c in CONFIRMATIONS
    )
    observed = min((d.ctx.observed_at for d in domains if d.ctx.observed_at), default="")
    return Readiness(frameworks, confirmations, tuple(d.name for d in domains), observed)
