"""A domain's grade: a stated, reproducible method, printed in the report's appendix.

Start at 100. Each distinct problem (one root cause: `posture.roots`) subtracts points by its
severity, and each severity's total is capped so that many small problems cannot outweigh one
serious one. Informational and inconclusive findings never subtract: an inconclusive lookup is
"we could not tell", never a failure.

Then the two questions the report opens with cap the letter (`posture.answers`): a domain that
anyone can send mail as, or whose inbound mail travels unencrypted, is at best C; one that is
only partly protected (quarantine, or encryption nobody enforces) is at best B. Any critical
finding caps the grade at D, because a critical means mail is spoofable or will be lost today,
whatever else is in good order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from assessment.model import Finding, Severity
from assessment.posture.roots import group_findings


@dataclass(frozen=True)
class SeverityRule:
    severity: Severity
    points: int
    """Subtracted per distinct problem."""
    cap: int
    """Most this severity can subtract in total."""


@dataclass(frozen=True)
class GradeBand:
    letter: str
    min_score: int


RULES: tuple[SeverityRule, ...] = (
    SeverityRule(Severity.CRITICAL, 25, 50),
    SeverityRule(Severity.HIGH, 10, 30),
    SeverityRule(Severity.MEDIUM, 4, 16),
    SeverityRule(Severity.LOW, 1, 4),
)
BANDS: tuple[GradeBand, ...] = (
    GradeBand("A", 90),
    GradeBand("B", 80),
    GradeBand("C", 65),
    GradeBand("D", 50),
    GradeBand("F", 0),
)
CRITICAL_CEILING = "D"
# The caps add up to 100, so only a domain with problems at every severity level reaches zero.


@dataclass(frozen=True)
class Deduction:
    severity: Severity
    count: int
    points_each: int
    cap: int
    points: int
    """What was actually subtracted: min(count x points_each, cap)."""


@dataclass(frozen=True)
class Ceiling:
    """A best possible letter, and why."""

    letter: str
    reason: str


@dataclass(frozen=True)
class Grade:
    letter: str
    score: int
    deductions: tuple[Deduction, ...]
    capped_by_critical: bool
    ceiling: Ceiling | None = None
    """The cap that lowered the letter, if one did."""


def counted(findings: Iterable[Finding]) -> dict[Severity, int]:
    """Distinct problems (root causes) per severity that count against the grade, each at the
    worst severity among its findings."""
    counts = dict.fromkeys(Severity, 0)
    for group in group_findings(findings):
        if group.counts:
            worst = min(
                (f.severity for f in group.findings if not f.inconclusive),
                key=lambda s: s.rank,
            )
            counts[worst] += 1
    return counts


def grade(findings: Iterable[Finding], ceilings: Iterable[Ceiling] = ()) -> Grade:
    counts = counted(findings)
    deductions = tuple(
        Deduction(
            severity=rule.severity,
            count=counts[rule.severity],
            points_each=rule.points,
            cap=rule.cap,
            points=min(counts[rule.severity] * rule.points, rule.cap),
        )
        for rule in RULES
    )
    score = max(0, 100 - sum(d.points for d in deductions))
    letter = next(band.letter for band in BANDS if score >= band.min_score)
    capped = False
    if counts[Severity.CRITICAL] and not _at_or_below(letter, CRITICAL_CEILING):
        letter, capped = CRITICAL_CEILING, True
    applied: Ceiling | None = None
    for ceiling in sorted(ceilings, key=lambda c: _rank(c.letter), reverse=True):
        if not _at_or_below(letter, ceiling.letter):
            letter, applied = ceiling.letter, ceiling
    return Grade(
        letter=letter,
        score=score,
        deductions=deductions,
        capped_by_critical=capped,
        ceiling=applied,
    )


def _rank(letter: str) -> int:
    return [band.letter for band in BANDS].index(letter)


def _at_or_below(letter: str, ceiling: str) -> bool:
    order = [band.letter for band in BANDS]
    return order.index(letter) >= order.index(ceiling)
