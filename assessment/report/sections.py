"""Optional report sections, filled by other layers and passed to `build_view`.

The report owns these types: its converters (`tlsrpt_section`, `plan_view`, `readiness_view`)
turn the results of the TLS-RPT analysis, the rollout plan and the questionnaire readiness into
them; those layers never import the report. The report only formats what it is given: every
number shown comes from these values, never recomputed. All strings are treated as untrusted
text (escaped); chart SVG is sanitised before inlining.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from assessment.planning.artifacts import Artifact
from assessment.readiness.items import AnswerStatus

__all__ = [
    "AnswerStatus",
    "Artifact",
    "Chart",
    "FrameworkView",
    "PlanSection",
    "PlanStepView",
    "ReadinessItemView",
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


@dataclass(frozen=True)
class ReadinessItemView:
    question: str
    status: AnswerStatus
    evidence: str
    observed_at: str = ""
    security_lens: str = ""
    """What the answer means for security."""
    deliverability_lens: str = ""
    """What the answer means for getting mail delivered."""


@dataclass(frozen=True)
class FrameworkView:
    name: str
    items: tuple[ReadinessItemView, ...]


@dataclass(frozen=True)
class ReadinessSection:
    frameworks: tuple[FrameworkView, ...]
    confirmations: tuple[str, ...] = ()
    """Things only the client can confirm (e.g. 'DKIM is enabled in Microsoft 365')."""
