"""The overall grade: a stated, reproducible method, printed in the report's appendix.

Start at 100. Each distinct problem (finding code on a domain) subtracts points by severity, and
each severity's total is capped so that many small problems cannot outweigh one serious one.
Informational and inconclusive findings never subtract: an inconclusive lookup is "we could not
tell", never a failure. Any critical finding caps the grade at D, because a critical means mail
is spoofable or will be lost today, whatever else is in good order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from assessment.model import Finding, Severity


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
class Grade:
    letter: str
    score: int
    deductions: tuple[Deduction, ...]
    capped_by_critical: bool


def counted(findings: Iterable[Finding]) -> dict[Severity, int]:
    """Distinct (code, domain) problems per severity that count against the grade."""
    seen: dict[tuple[str, str], Severity] = {}
    for f in findings:
        if f.inconclusive or f.severity is Severity.INFO:
            continue
        key = (f.code, f.domain)
        # One code on several MX hosts is one root cause; score it at its worst occurrence.
        if key not in seen or f.severity.rank < seen[key].rank:
            seen[key] = f.severity
    counts = dict.fromkeys(Severity, 0)
    for severity in seen.values():
        counts[severity] += 1
    return counts


def grade(findings: Iterable[Finding]) -> Grade:
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
    return Grade(letter=letter, score=score, deductions=deductions, capped_by_critical=capped)


def _at_or_below(letter: str, ceiling: str) -> bool:
    order = [band.letter for band in BANDS]
    return order.index(letter) >= order.index(ceiling)
