"""Where the client stands, in the terms the report opens with: the two questions (can someone
send mail as you? can mail to you be read or diverted?), a grade per domain that reflects both,
and the findings grouped by root cause. Pure: evidence and findings in.

`answers.py` answers the questions, `grading.py` holds the stated method, `roots.py` groups
findings that one fix resolves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from assessment.checks.context import DomainContext
from assessment.model import Evidence, Finding
from assessment.posture.answers import (
    Answer,
    Answers,
    DomainAnswer,
    Question,
    QuestionAnswer,
    answers_for,
    assessable,
)
from assessment.posture.grading import Ceiling, Grade, grade
from assessment.posture.roots import FindingGroup, group_findings

__all__ = [
    "Answer",
    "Answers",
    "Ceiling",
    "DomainAnswer",
    "DomainPosture",
    "DomainStatus",
    "FindingGroup",
    "Grade",
    "Posture",
    "Question",
    "QuestionAnswer",
    "assess_posture",
    "group_findings",
]


class DomainStatus(StrEnum):
    ASSESSED = "assessed"
    MISSING = "missing"
    """The domain does not exist in DNS (NXDOMAIN)."""
    UNASSESSABLE = "unassessable"
    """Every apex lookup failed: nothing can be said, so nothing is graded."""


@dataclass(frozen=True)
class DomainPosture:
    domain: str
    status: DomainStatus
    receives_mail: bool
    impersonation: DomainAnswer
    interception: DomainAnswer | None
    """None for a domain that receives no mail."""
    grade: Grade | None
    """None when the domain was not assessed: no letter for what we could not see."""

    @property
    def graded(self) -> bool:
        return self.grade is not None


@dataclass(frozen=True)
class Posture:
    domains: tuple[DomainPosture, ...]
    answers: Answers
    grade: Grade | None
    """The weakest graded domain's: an impersonator picks the easiest domain, and an average
    would let a well-kept main domain hide an open parked one. None when nothing was graded."""
    weakest: str
    groups: tuple[FindingGroup, ...]

    @property
    def ungraded(self) -> tuple[DomainPosture, ...]:
        return tuple(d for d in self.domains if not d.graded)


def _ceilings(domain: str, spoof: DomainAnswer, transit: DomainAnswer | None) -> list[Ceiling]:
    """Why a domain's letter is capped, in the words of the two questions."""
    out = []
    if spoof.answer is Answer.YES:
        out.append(Ceiling("C", f"anyone can send mail that looks like it comes from {domain}"))
    elif spoof.answer is Answer.PARTLY:
        out.append(Ceiling("B", f"mail forged in the name of {domain} is only partly stopped"))
    if transit is not None and transit.answer is Answer.YES:
        out.append(Ceiling("C", f"mail to {domain} can travel unencrypted"))
    elif transit is not None and transit.answer is Answer.PARTLY:
        out.append(Ceiling("B", f"nothing makes senders encrypt mail to {domain}"))
    return out


def assess_posture(evidence: Evidence, findings: Sequence[Finding]) -> Posture:
    contexts = [DomainContext(d, evidence) for d in evidence.domains]
    answers = answers_for(contexts, findings)
    spoof = {a.domain: a for a in answers.impersonation.domains}
    transit = {a.domain: a for a in answers.interception.domains}
    domains: list[DomainPosture] = []
    for ctx in contexts:
        if ctx.domain_missing:
            status = DomainStatus.MISSING
        elif not assessable(ctx):
            status = DomainStatus.UNASSESSABLE
        else:
            status = DomainStatus.ASSESSED
        mine = [f for f in findings if f.domain == ctx.domain]
        pair = (spoof[ctx.domain], transit.get(ctx.domain))
        domains.append(
            DomainPosture(
                domain=ctx.domain,
                status=status,
                receives_mail=ctx.receives_mail,
                impersonation=pair[0],
                interception=pair[1],
                grade=grade(mine, _ceilings(ctx.domain, *pair))
                if status is DomainStatus.ASSESSED
                else None,
            )
        )
    graded = [(d, d.grade) for d in domains if d.grade is not None]
    if not graded:
        return Posture(tuple(domains), answers, None, "", group_findings(findings))
    weakest = min(graded, key=lambda pair: (-_LETTERS.index(pair[1].letter), pair[1].score))
    return Posture(
        domains=tuple(domains),
        answers=answers,
        grade=weakest[1],
        weakest=weakest[0].domain,
        groups=group_findings(findings),
    )


_LETTERS = "ABCDF"
