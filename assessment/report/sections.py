"""Optional report sections, filled by other layers and passed to `build_view`.

The report owns these types: its converters (`tlsrpt_section`, `plan_view`, `readiness_view`)
turn the results of the TLS-RPT analysis, the rollout plan and the questionnaire readiness into
them; those layers never import the report. The report only formats what it is given: every
number shown comes from these values, never recomputed. All strings are treated as untrusted
text (escaped); chart SVG is sanitised before inlining.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from assessment.model import Severity
from assessment.planning.artifacts import Artifact

__all__ = [
    "Artifact",
    "Chart",
    "FindingLink",
    "PlanSection",
    "PlanStepView",
    "ReadinessCheckView",
    "ReadinessFactView",
    "ReadinessGroupView",
    "ReadinessRowView",
    "ReadinessSection",
    "TableView",
    "TlsRptSection",
    "VerdictStatus",
    "VerdictView",
]


class VerdictStatus(StrEnum):
    READY = "ready"
    NOT_READY = "not_ready"
    INSUFFICIENT_DATA = "insufficient_data"

    @property
    def label(self) -> str:
        return {
            VerdictStatus.READY: "Ready to enforce",
            VerdictStatus.NOT_READY: "Not ready to enforce",
            VerdictStatus.INSUFFICIENT_DATA: "Not enough report data yet",
        }[self]


@dataclass(frozen=True)
class VerdictView:
    """Whether one domain can switch MTA-STS to enforce, from its TLS-RPT history."""

    domain: str
    status: VerdictStatus
    reasons: tuple[str, ...] = ()
    blockers: tuple[str, ...] = ()
    days_covered: int = 0
    reporters: tuple[str, ...] = ()
    """Organisations that sent reports (e.g. Google, Microsoft)."""
    total_successful: int = 0
    total_failed: int = 0
    failure_rate: float = 0.0
    """Failed / (successful + failed), 0.0 to 1.0."""
    failing_mx: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chart:
    title: str
    svg: str
    """SVG document text from our own plotting code; sanitised again before inlining."""
    caption: str = ""


@dataclass(frozen=True)
class TableView:
    """A small pre-formatted table: every cell is already the text to print."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""


@dataclass(frozen=True)
class TlsRptSection:
    verdicts: tuple[VerdictView, ...]
    charts: tuple[Chart, ...] = ()
    tables: tuple[TableView, ...] = ()
    notes: tuple[str, ...] = ()
    period: str = ""
    """Human description of the reporting window, e.g. '1 March to 28 March 2025'."""


@dataclass(frozen=True)
class PlanStepView:
    """One dated step as the report prints it: every value already the text to show."""

    number: int
    title: str
    domain: str
    track: str
    owner: str
    effort: str
    start: date
    end: date | None
    """None for an open-ended step."""
    switch: bool
    """A change that can block mail: lands only where someone watches."""
    actions: tuple[str, ...] = ()
    gates: tuple[str, ...] = ()
    """Conditions that must hold before the step starts."""
    records: tuple[str, ...] = ()
    """Zone-file lines to publish, exactly."""
    policy: str = ""
    """The MTA-STS policy file the step serves, when it serves one."""
    files: tuple[str, ...] = ()
    """Artifact files (in the run folder) that carry this step's texts."""
    check: str = ""
    rollback: str = ""


@dataclass(frozen=True)
class PlanSection:
    steps: tuple[PlanStepView, ...]
    artifacts: tuple[Artifact, ...] = ()
    notes: tuple[str, ...] = ()
    calendar: str = ""
    """Which days the dates avoid, in words."""


class LinkableFinding(Protocol):
    """What `ReadinessSection.linked` needs of a finding as the report prints it."""

    @property
    def domain(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def anchor(self) -> str: ...
    @property
    def severity(self) -> Severity: ...
    @property
    def number(self) -> int: ...


@dataclass(frozen=True)
class FindingLink:
    anchor: str
    number: int
    """The finding's position in the report, from 1."""


@dataclass(frozen=True)
class ReadinessFactView:
    domains: str
    """The domains the fact is about, comma-separated; "" when it holds for all of them."""
    text: str
    """One sentence; `code` in backticks."""


@dataclass(frozen=True)
class ReadinessRowView:
    topic: str
    asked_by: str
    """The instruments that ask for it, as they are cited ("TMHCC §6c · NCSC")."""
    status: str
    """The status label, as printed."""
    tone: str
    """CSS tone of the status: good, partly, missing, confirm, na."""
    facts: tuple[ReadinessFactView, ...]
    refs: tuple[tuple[str, str], ...] = ()
    """(domain, finding code) the row rests on; `ReadinessSection.linked` turns them into links."""
    links: tuple[FindingLink, ...] = ()


@dataclass(frozen=True)
class ReadinessGroupView:
    title: str
    intro: str
    status: str
    tone: str
    rows: tuple[ReadinessRowView, ...]


@dataclass(frozen=True)
class ReadinessCheckView:
    """One line of the "please confirm" checklist."""

    topic: str
    usual_evidence: str
    asked_by: str
    seen: str = ""
    """What the public evidence does show that bears on it."""


@dataclass(frozen=True)
class ReadinessSection:
    basis: str
    """Which instruments were chosen and why (the client's country, or a neutral set)."""
    shown: str
    statements: tuple[str, ...]
    """What an instrument does not ask for (Cyber Essentials has no e-mail requirement)."""
    available: str
    observed_at: str
    groups: tuple[ReadinessGroupView, ...]
    notes: tuple[str, ...] = ()
    confirmations: tuple[ReadinessCheckView, ...] = ()

    def linked(self, findings: Iterable[LinkableFinding]) -> ReadinessSection:
        """Every row's finding references resolved against the report's numbered findings
        (one entry per finding a card covers, with the card's number and anchor). A row links
        the problems it rests on; only a row without any links the observations that show it
        in place. A reference to no printed finding is dropped."""
        numbers: dict[tuple[str, str], list[tuple[FindingLink, bool]]] = {}
        for f in findings:
            link = FindingLink(f.anchor, f.number)
            numbers.setdefault((f.domain, f.code), []).append((link, f.severity is Severity.INFO))

        def links(row: ReadinessRowView) -> tuple[FindingLink, ...]:
            found = {pair for ref in row.refs for pair in numbers.get(ref, ())}
            problems = {link for link, info in found if not info}
            chosen = problems or {link for link, _ in found}
            return tuple(sorted(chosen, key=lambda link: link.number))

        return dataclasses.replace(
            self,
            groups=tuple(
                dataclasses.replace(
                    group,
                    rows=tuple(dataclasses.replace(r, links=links(r)) for r in group.rows),
                )
                for group in self.groups
            ),
        )
