"""The first page: what is at risk, in plain English, and what to do first.

It opens with anything that stops the assessment from speaking for a domain (a domain that does
not exist, one that could not be assessed, report sources that failed), then the two questions,
the grade with the one reason that set it, and at most three actions with who, effort and date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assessment.planning import PlanStep
from assessment.posture import Answer, DomainStatus, Posture, QuestionAnswer
from assessment.posture.grading import Grade
from assessment.report.formatting import first_sentence, long_date

_TONE = {Answer.YES: "bad", Answer.PARTLY: "partial", Answer.NO: "good", Answer.UNKNOWN: "unknown"}


@dataclass(frozen=True)
class AnswerView:
    question: str
    answer: str
    tone: str
    """CSS tone: bad, partial, good, unknown."""
    reason: str


@dataclass(frozen=True)
class DomainRow:
    domain: str
    role: str
    impersonation: str
    impersonation_tone: str
    interception: str
    interception_tone: str
    grade: str
    """Letter, or "No grade" for a domain that was not assessed."""
    score: str


@dataclass(frozen=True)
class ActionView:
    title: str
    owner: str
    effort: str
    when: str
    why: str


@dataclass(frozen=True)
class GradeView:
    letter: str
    score: int
    reason: str
    """Why the letter is what it is, in one sentence."""


@dataclass(frozen=True)
class SummaryView:
    alerts: tuple[str, ...]
    """Said before anything else: domains not assessed, report sources that failed."""
    impersonation: AnswerView
    interception: AnswerView
    grade: GradeView | None
    weakest: str
    domains: tuple[DomainRow, ...]
    actions: tuple[ActionView, ...]
    several: bool


def _answer(item: QuestionAnswer) -> AnswerView:
    return AnswerView(item.question.text, item.answer.label, _TONE[item.answer], item.reason)


def _grade_reason(grade: Grade, weakest: str, several: bool) -> str:
    where = f", that of {weakest}, the weakest domain" if several else ""
    if grade.capped_by_critical:
        return (
            f"Grade {grade.letter}{where}: a critical problem caps the grade at D, whatever "
            "else is in order."
        )
    if grade.ceiling is not None:
        return (
            f"Grade {grade.letter}{where}: its score is {grade.score} of 100, but "
            f"{grade.ceiling.reason}, which caps it at {grade.ceiling.letter}."
        )
    if not sum(d.points for d in grade.deductions):
        return f"Grade {grade.letter}{where}: no problems count against it."
    return f"Grade {grade.letter}{where}: {grade.score} of 100 after the problems below."


def _action(step: PlanStep) -> ActionView:
    return ActionView(
        title=step.title,
        owner=step.owner.label,
        effort=step.effort.label,
        when=long_date(step.start),
        why=first_sentence(step.actions[0], limit=300) if step.actions else "",
    )


def build_summary(
    posture: Posture, first: Sequence[PlanStep], source_alerts: Sequence[str] = ()
) -> SummaryView:
    alerts: list[str] = []
    for item in posture.domains:
        if item.status is DomainStatus.MISSING:
            alerts.append(
                f"{item.domain} does not exist in DNS: it has no records at all, so it was not "
                "graded. Check the spelling, or whether its registration has lapsed (an expired "
                "domain can be registered by someone else and used to send mail)."
            )
        elif item.status is DomainStatus.UNASSESSABLE:
            alerts.append(
                f"{item.domain} could not be assessed: every DNS lookup for it failed, so it "
                "was not graded. The findings name the failures; repeat the assessment."
            )
    alerts += list(source_alerts)
    graded = [d for d in posture.domains if d.grade is not None]
    several = len(graded) > 1
    rows = tuple(
        DomainRow(
            domain=d.domain,
            role=_role(d.status, d.receives_mail),
            impersonation=d.impersonation.answer.label,
            impersonation_tone=_TONE[d.impersonation.answer],
            interception=d.interception.answer.label if d.interception else "Not applicable",
            interception_tone=_TONE[d.interception.answer] if d.interception else "na",
            grade=d.grade.letter if d.grade else "No grade",
            score=f"{d.grade.score}" if d.grade else "",
        )
        for d in posture.domains
    )
    grade = posture.grade
    return SummaryView(
        alerts=tuple(alerts),
        impersonation=_answer(posture.answers.impersonation),
        interception=_answer(posture.answers.interception),
        grade=GradeView(grade.letter, grade.score, _grade_reason(grade, posture.weakest, several))
        if grade is not None
        else None,
        weakest=posture.weakest,
        domains=rows,
        actions=tuple(_action(s) for s in first),
        several=several,
    )


def _role(status: DomainStatus, receives_mail: bool) -> str:
    if status is DomainStatus.MISSING:
        return "Does not exist"
    if status is DomainStatus.UNASSESSABLE:
        return "Could not be assessed"
    return "Sends and receives mail" if receives_mail else "Parked: no mail"
