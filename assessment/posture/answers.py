"""The two questions a client asks, answered from the evidence in plain English.

1. Can someone send email that looks like it comes from you? (SPF, DKIM, DMARC on every
   domain, parked ones included: an impersonator picks the easiest domain.)
2. Can email sent to you be read or diverted on its way? (STARTTLS, MTA-STS, DANE on every
   domain that receives mail.)

Each is answered yes / partly / no per domain with a one-line reason, and for the client as the
worst domain's answer. Pure: evidence and findings in, answers out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from assessment.checks.context import DomainContext
from assessment.checks.dmarc import effective_policy
from assessment.model import Evidence, Finding, Outcome
from assessment.records.dmarc_tags import Policy
from assessment.records.mtasts import StsMode


class Answer(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"
    UNKNOWN = "unknown"
    """The evidence cannot answer (the lookups failed, or the domain could not be assessed)."""

    @property
    def label(self) -> str:
        return {
            Answer.YES: "Yes",
            Answer.PARTLY: "Partly",
            Answer.NO: "No",
            Answer.UNKNOWN: "Could not tell",
        }[self]

    @property
    def badness(self) -> int:
        """For the worst answer across domains: yes (exposed) is worst, no (protected) best;
        unknown ranks between partly and no so it never hides an exposure."""
        return {Answer.YES: 3, Answer.PARTLY: 2, Answer.UNKNOWN: 1, Answer.NO: 0}[self]


class Question(StrEnum):
    IMPERSONATION = "impersonation"
    INTERCEPTION = "interception"

    @property
    def text(self) -> str:
        return {
            Question.IMPERSONATION: "Can someone send email that looks like it comes from you?",
            Question.INTERCEPTION: "Can email sent to you be read or diverted on its way?",
        }[self]


@dataclass(frozen=True)
class DomainAnswer:
    domain: str
    answer: Answer
    reason: str
    """One sentence, naming the record or host it rests on."""


@dataclass(frozen=True)
class QuestionAnswer:
    """The client-level answer: the worst domain's, with every domain's own."""

    question: Question
    answer: Answer
    reason: str
    domains: tuple[DomainAnswer, ...]


STARTTLS_BROKEN = frozenset({"STARTTLS_NOT_OFFERED", "STARTTLS_FAILED"})
ENFORCE_BROKEN = frozenset(
    {
        "MTA_STS_ENFORCE_MATCHES_NO_MX",
        "MTA_STS_MX_NOT_COVERED",
        "TLS_CERT_EXPIRED",
        "TLS_CERT_NAME_MISMATCH",
        "TLS_CERT_UNTRUSTED",
    }
)
DANE_WORKING = "DANE_TLSA_OK"


def assessable(ctx: DomainContext) -> bool:
    """Whether the evidence says anything about the domain: it exists, and its apex lookups
    did not all fail (a resolver outage, or DNSSEC so broken that validators see nothing)."""
    if ctx.domain_missing:
        return False
    apex = [ctx.lookup(ctx.domain, t) for t in ("MX", "TXT", "A")]
    seen = [item for item in apex if item is not None]
    return bool(seen) and not all(item.outcome.inconclusive for item in seen)


def impersonation(ctx: DomainContext) -> DomainAnswer:
    """Whether receivers that honour DMARC would refuse mail forged in the domain's name."""
    domain = ctx.domain
    if not assessable(ctx):
        return DomainAnswer(domain, Answer.UNKNOWN, f"{domain} could not be assessed.")
    lookup = ctx.dmarc_lookup
    effective = effective_policy(ctx)
    if effective is None:
        if lookup is not None and lookup.outcome.inconclusive:
            return DomainAnswer(
                domain, Answer.UNKNOWN, f"The DMARC lookup for {domain} failed: we could not tell."
            )
        if ctx.dmarc_records:
            why = f"{domain} publishes more than one DMARC record, so receivers apply none"
        elif not ctx.receives_mail:
            why = f"{domain} sends no mail but publishes no DMARC policy to say so"
        else:
            why = f"{domain} publishes no DMARC policy"
        return DomainAnswer(domain, Answer.YES, f"{why}: mail forged in its name can be delivered.")
    record = effective.record
    pct = record.pct if record.pct is not None else 100
    policy = effective.policy
    where = f" (inherited from {effective.source})" if effective.inherited else ""
    if not effective.enforcing:
        if policy is Policy.NONE:
            detail = "is monitoring only (p=none)"
        elif record.t:
            detail = "is in test mode (t=y)"
        else:
            detail = "applies to none of the mail (pct=0)"
        return DomainAnswer(
            domain,
            Answer.YES,
            f"The DMARC policy of {domain}{where} {detail}: receivers deliver mail that fails "
            "the checks.",
        )
    if policy is Policy.QUARANTINE or pct < 100:
        share = f" for {pct}% of it" if pct < 100 else ""
        verb = "sent to spam" if policy is Policy.QUARANTINE else "refused"
        return DomainAnswer(
            domain,
            Answer.PARTLY,
            f"Forged mail from {domain}{where} is {verb}{share} (p={policy.value}"
            + (f", pct={pct}" if pct < 100 else "")
            + "), not refused outright.",
        )
    subdomains = record.sp if not effective.inherited else None
    if subdomains is not None and subdomains is not Policy.REJECT:
        return DomainAnswer(
            domain,
            Answer.PARTLY,
            f"{domain} rejects forged mail (p=reject), but its subdomains only get "
            f"sp={subdomains.value}.",
        )
    return DomainAnswer(
        domain, Answer.NO, f"{domain} tells receivers to reject forged mail (p=reject{where})."
    )


def interception(ctx: DomainContext, findings: Sequence[Finding]) -> DomainAnswer | None:
    """Whether mail to the domain can be read or redirected on the network path; None for a
    domain that receives no mail."""
    domain = ctx.domain
    if not assessable(ctx):
        return DomainAnswer(domain, Answer.UNKNOWN, f"{domain} could not be assessed.")
    if not ctx.receives_mail:
        return None
    if not ctx.mx_hosts:
        lookup = ctx.mx_lookup
        if lookup is not None and lookup.outcome is not Outcome.OK:
            return DomainAnswer(
                domain, Answer.UNKNOWN, f"The MX lookup for {domain} failed, so we could not tell."
            )
    mine = [f for f in findings if f.domain == domain and not f.inconclusive]
    plain = sorted({f.host or "" for f in mine if f.code in STARTTLS_BROKEN} - {""})
    if plain:
        return DomainAnswer(
            domain,
            Answer.YES,
            f"Mail to {', '.join(plain)} can travel unencrypted: the server does not complete "
            "STARTTLS.",
        )
    policy = ctx.policy
    enforced = ctx.sts_usable and policy is not None and policy.mode is StsMode.ENFORCE
    dane_hosts = {f.host for f in mine if f.code == DANE_WORKING}
    if ctx.mx_hosts and set(ctx.mx_hosts) <= dane_hosts:
        return DomainAnswer(
            domain, Answer.NO, f"Every MX of {domain} is protected by DANE (DNSSEC-signed TLSA)."
        )
    if enforced:
        broken = sorted({f.host or domain for f in mine if f.code in ENFORCE_BROKEN})
        if broken:
            return DomainAnswer(
                domain,
                Answer.PARTLY,
                f"MTA-STS is enforced for {domain}, but senders refuse {', '.join(broken)}: "
                "mail to it is delayed or lost instead of protected.",
            )
        return DomainAnswer(
            domain,
            Answer.NO,
            f"MTA-STS is enforced for {domain}: senders that support it refuse to deliver "
            "without verified encryption.",
        )
    if policy is not None and ctx.sts_usable and policy.mode is StsMode.TESTING:
        state = "MTA-STS is only in testing mode"
    elif ctx.sts_records:
        state = "its MTA-STS policy cannot be used by senders"
    else:
        state = "it has no MTA-STS or DANE"
    return DomainAnswer(
        domain,
        Answer.PARTLY,
        f"Mail to {domain} is normally encrypted, but {state}, so an attacker on the network "
        "path can remove the encryption or divert it unnoticed.",
    )


def _worst(question: Question, answers: Sequence[DomainAnswer]) -> QuestionAnswer:
    if not answers:
        return QuestionAnswer(question, Answer.UNKNOWN, "No domain this question applies to.", ())
    worst = max(answers, key=lambda a: a.answer.badness)
    same = [a for a in answers if a.answer is worst.answer]
    reason = worst.reason if len(same) == 1 else " ".join(a.reason for a in same)
    return QuestionAnswer(question, worst.answer, reason, tuple(answers))


@dataclass(frozen=True)
class Answers:
    impersonation: QuestionAnswer
    interception: QuestionAnswer


def answer_questions(evidence: Evidence, findings: Sequence[Finding]) -> Answers:
    contexts = [DomainContext(d, evidence) for d in evidence.domains]
    return answers_for(contexts, findings)


def answers_for(contexts: Sequence[DomainContext], findings: Sequence[Finding]) -> Answers:
    spoof = [impersonation(ctx) for ctx in contexts]
    transit = [a for ctx in contexts if (a := interception(ctx, findings)) is not None]
    return Answers(
        _worst(Question.IMPERSONATION, spoof),
        _worst(Question.INTERCEPTION, transit),
    )
