"""The report's view model: every number and sentence the PDFs show, computed once, here.

Templates only lay these values out. The sections other layers produce (TLS-RPT analysis, plan,
questionnaire readiness) arrive already converted into the report's own types
(`assessment.report.sections`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from assessment.model import Control, Evidence, Finding, Severity
from assessment.planning import PlanStep
from assessment.posture import Posture, assess_posture, grading
from assessment.report.brand import Brand
from assessment.report.dmarc_section import DmarcSection
from assessment.report.evidence_view import EvidenceFileView, number_evidence
from assessment.report.findings_view import (
    FindingCard,
    ObservationView,
    SeverityGroupView,
    finding_cards,
)
from assessment.report.formatting import long_date
from assessment.report.glossary import GLOSSARY, GlossaryEntry, in_columns
from assessment.report.scorecard import (
    NULL_MX_NOT_APPLICABLE,
    CellStatus,
    cell_status,
    has_null_mx,
)
from assessment.report.sections import (
    Artifact,
    Chart,
    PlanSection,
    PlanStepView,
    ReadinessSection,
    TableView,
    TlsRptSection,
    VerdictStatus,
    VerdictView,
)
from assessment.report.since_view import SinceSection
from assessment.report.summary_view import SummaryView, build_summary

__all__ = [
    "Artifact",
    "Chart",
    "FindingCard",
    "PlanSection",
    "PlanStepView",
    "ReadinessSection",
    "ReportView",
    "TableView",
    "TlsRptSection",
    "VerdictStatus",
    "VerdictView",
    "build_view",
]


@dataclass(frozen=True)
class CoverView:
    client: str
    domains: tuple[str, ...]
    assessed_on: str
    firm: str
    tagline: str
    prepared_by: str
    logo_uri: str
    """"" when the brand has no logo (always so for an unbranded report)."""
    branded: bool = True
    """False: no consultant identity; the cover is a plain title block."""
    demo: bool = False
    """A run against the kit's simulated network: the cover says DEMO."""


@dataclass(frozen=True)
class ScoreCell:
    control: Control
    status: CellStatus


@dataclass(frozen=True)
class ScoreRow:
    domain: str
    cells: tuple[ScoreCell, ...]
    grade: str
    null_mx: bool


@dataclass(frozen=True)
class ScorecardView:
    controls: tuple[Control, ...]
    rows: tuple[ScoreRow, ...]


@dataclass(frozen=True)
class MethodView:
    rules: tuple[grading.SeverityRule, ...]
    bands: tuple[grading.GradeBand, ...]
    critical_ceiling: str
    grade: grading.Grade | None
    """The grade the summary shows, with its deductions."""
    weakest: str


@dataclass(frozen=True)
class AppendixView:
    method: MethodView
    network: str
    observed_from: str
    """Where the observation was made, in words: named once in the report."""
    started_at: str
    finished_at: str
    tool_version: str
    glossary_columns: tuple[tuple[GlossaryEntry, ...], ...]
    """The glossary in order, split into two columns of about equal length."""


@dataclass(frozen=True)
class ReportView:
    brand: Brand
    cover: CoverView
    summary: SummaryView
    scorecard: ScorecardView
    groups: tuple[SeverityGroupView, ...]
    """Finding cards by severity, critical to low; empty severities are left out."""
    observations: tuple[ObservationView, ...]
    """Informational findings, listed briefly."""
    dmarc: DmarcSection | None
    tlsrpt: TlsRptSection | None
    plan: PlanSection | None
    readiness: ReadinessSection | None
    appendix: AppendixView
    evidence: EvidenceFileView
    anchors: dict[str, str] = field(default_factory=dict)
    """`domain:CODE` -> the anchor of the finding card that covers it."""
    since: SinceSection | None = None
    """What changed since the client's previous assessment; None for a first one."""

    @property
    def cards(self) -> tuple[FindingCard, ...]:
        return tuple(card for group in self.groups for card in group.cards)


def build_view(
    evidence: Evidence,
    findings: Sequence[Finding],
    *,
    brand: Brand,
    assessed_on: date,
    tlsrpt: TlsRptSection | None = None,
    plan: PlanSection | None = None,
    readiness: ReadinessSection | None = None,
    dmarc: DmarcSection | None = None,
    first_steps: Sequence[PlanStep] = (),
    source_alerts: Sequence[str] = (),
    demo: bool | None = None,
    posture: Posture | None = None,
    since: SinceSection | None = None,
) -> ReportView:
    state = posture or assess_posture(evidence, findings)
    evidence_file, index = number_evidence(evidence)
    groups, observations, anchors = finding_cards(state.groups, index)
    domains = tuple(d.domain for d in evidence.domains) or tuple(
        dict.fromkeys(f.domain for f in findings)
    )
    lab = evidence.profile.lab if demo is None else demo
    return ReportView(
        brand=brand,
        cover=CoverView(
            client=evidence.client,
            domains=domains,
            assessed_on=long_date(assessed_on),
            firm=brand.firm,
            tagline=brand.tagline,
            prepared_by=brand.contact.name,
            logo_uri=brand.logo.as_uri() if brand.logo else "",
            branded=brand.branded,
            demo=lab,
        ),
        summary=build_summary(state, first_steps, source_alerts),
        scorecard=_scorecard(evidence, findings, domains, state),
        groups=groups,
        observations=observations,
        dmarc=dmarc,
        tlsrpt=tlsrpt,
        plan=plan,
        readiness=readiness.linked(_links(groups)) if readiness is not None else None,
        appendix=AppendixView(
            method=MethodView(
                grading.RULES, grading.BANDS, grading.CRITICAL_CEILING, state.grade, state.weakest
            ),
            network=evidence.network,
            observed_from=_observed_from(evidence, lab),
            started_at=evidence_file.started_at,
            finished_at=evidence_file.finished_at,
            tool_version=evidence_file.tool_version,
            glossary_columns=in_columns(GLOSSARY),
        ),
        evidence=evidence_file,
        anchors=anchors,
        since=since,
    )


@dataclass(frozen=True)
class _Link:
    """One finding as a readiness row can cite it: by its card."""

    domain: str
    code: str
    anchor: str
    severity: Severity
    number: int


def _links(groups: Sequence[SeverityGroupView]) -> list[_Link]:
    return [
        _Link(card.domain, code, card.anchor, card.severity, card.number)
        for group in groups
        for card in group.cards
        for code in (card.code, *(s.code for s in card.symptoms))
    ]


def _observed_from(evidence: Evidence, lab: bool) -> str:
    """The vantage point, once, in words a client reads: a demonstration network is called
    that; a real run names its resolver (never a loopback port)."""
    if lab:
        return "the kit's demonstration network (simulated servers)"
    resolvers = ", ".join(str(r) for r in evidence.profile.resolvers)
    return f"resolver {resolvers}" if resolvers else "the system's DNS resolver"


def _scorecard(
    evidence: Evidence, findings: Sequence[Finding], domains: tuple[str, ...], posture: Posture
) -> ScorecardView:
    null_mx = {d.domain for d in evidence.domains if has_null_mx(d)}
    grades = {d.domain: d.grade.letter if d.grade else "-" for d in posture.domains}
    rows = []
    for domain in domains:
        mine = [f for f in findings if f.domain == domain]
        cells = tuple(
            ScoreCell(
                control,
                cell_status(
                    (f for f in mine if f.control is control),
                    applicable=not (domain in null_mx and control in NULL_MX_NOT_APPLICABLE),
                ),
            )
            for control in Control
        )
        rows.append(ScoreRow(domain, cells, grades.get(domain, "-"), domain in null_mx))
    return ScorecardView(controls=tuple(Control), rows=tuple(rows))
