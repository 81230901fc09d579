"""The report's view model: every number and sentence the PDF shows, computed once, here.

Templates only lay these values out. Optional sections (TLS-RPT, plan, readiness) come from
other layers as the dataclasses in `assessment.report.sections`, re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from assessment.model import Control, Evidence, Finding, Severity
from assessment.report import grading
from assessment.report.appendix import DomainEvidenceView, domain_evidence
from assessment.report.brand import Brand
from assessment.report.formatting import Clipped, clip, first_sentence, long_date, plural, timestamp
from assessment.report.glossary import GLOSSARY, GlossaryEntry, in_columns
from assessment.report.scorecard import (
    NULL_MX_NOT_APPLICABLE,
    CellStatus,
    cell_status,
    has_null_mx,
)
from assessment.report.sections import (
    AnswerStatus,
    Artifact,
    Chart,
    FrameworkView,
    PlanPhase,
    PlanSection,
    ReadinessItemView,
    ReadinessSection,
    TableView,
    TlsRptSection,
    VerdictStatus,
    VerdictView,
)

__all__ = [
    "AnswerStatus",
    "Artifact",
    "Chart",
    "FrameworkView",
    "PlanPhase",
    "PlanSection",
    "ReadinessItemView",
    "ReadinessSection",
    "ReportView",
    "TableView",
    "TlsRptSection",
    "VerdictStatus",
    "VerdictView",
    "build_view",
]

EVIDENCE_ITEM_LIMIT = 700
EVIDENCE_ITEMS = 6
TOP_RISKS = 5
MIN_TOP_RISKS = 3
SEVERITY_LABELS = {
    Severity.CRITICAL: "Critical",
    Severity.HIGH: "High",
    Severity.MEDIUM: "Medium",
    Severity.LOW: "Low",
    Severity.INFO: "Info",
}


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
    """Made against the sandbox: the cover says DEMO."""


@dataclass(frozen=True)
class SeverityCount:
    severity: Severity
    label: str
    count: int


@dataclass(frozen=True)
class RiskView:
    title: str
    severity: Severity
    severity_label: str
    domains: tuple[str, ...]
    summary: str
    anchor: str


@dataclass(frozen=True)
class DomainGrade:
    domain: str
    letter: str
    score: int


@dataclass(frozen=True)
class SummaryView:
    grade: grading.Grade
    """The weakest domain's grade (see `weakest_domain`)."""
    weakest_domain: str
    domain_grades: tuple[DomainGrade, ...]
    counts: tuple[SeverityCount, ...]
    """Distinct problems per severity, critical to low: the numbers the grade uses."""
    inconclusive: int
    observations: int
    headline: str
    top_risks: tuple[RiskView, ...]
    cells_passing: int
    cells_scored: int


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
class FindingView:
    anchor: str
    code: str
    severity: Severity
    severity_label: str
    control: str
    domain: str
    host: str
    title: str
    detail: str
    evidence: tuple[Clipped, ...]
    evidence_omitted: int
    """Evidence items not shown (beyond EVIDENCE_ITEMS)."""
    why: str
    remediation: str
    references: tuple[str, ...]
    inconclusive: bool


@dataclass(frozen=True)
class SeverityGroup:
    severity: Severity
    label: str
    findings: tuple[FindingView, ...]


@dataclass(frozen=True)
class MethodView:
    rules: tuple[grading.SeverityRule, ...]
    bands: tuple[grading.GradeBand, ...]
    critical_ceiling: str


@dataclass(frozen=True)
class AppendixView:
    method: MethodView
    domains: tuple[DomainEvidenceView, ...]
    network: str
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
    groups: tuple[SeverityGroup, ...]
    """Findings by severity, critical to low; empty severities are left out."""
    observations: tuple[FindingView, ...]
    """Informational findings, listed briefly."""
    tlsrpt: TlsRptSection | None
    plan: PlanSection | None
    readiness: ReadinessSection | None
    appendix: AppendixView


def build_view(
    evidence: Evidence,
    findings: Sequence[Finding],
    *,
    brand: Brand,
    assessed_on: date,
    tlsrpt: TlsRptSection | None = None,
    plan: PlanSection | None = None,
    readiness: ReadinessSection | None = None,
    demo: bool = False,
) -> ReportView:
    # Within a severity, what we know is wrong comes before what we could not check.
    ordered = sorted(findings, key=lambda f: (f.severity.rank, f.inconclusive, f.sort_key))
    views = {id(f): _finding(f, i) for i, f in enumerate(ordered, start=1)}
    domains = tuple(d.domain for d in evidence.domains) or tuple(
        dict.fromkeys(f.domain for f in ordered)
    )
    scorecard = _scorecard(evidence, ordered, domains)
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
            demo=demo,
        ),
        summary=_summary(ordered, views, domains, scorecard),
        scorecard=scorecard,
        groups=tuple(
            SeverityGroup(s, SEVERITY_LABELS[s], group)
            for s in Severity
            if s is not Severity.INFO
            and (group := tuple(views[id(f)] for f in ordered if f.severity is s))
        ),
        observations=tuple(views[id(f)] for f in ordered if f.severity is Severity.INFO),
        tlsrpt=tlsrpt,
        plan=plan,
        readiness=readiness,
        appendix=AppendixView(
            method=MethodView(grading.RULES, grading.BANDS, grading.CRITICAL_CEILING),
            domains=tuple(domain_evidence(d) for d in evidence.domains),
            network=evidence.network,
            started_at=timestamp(evidence.started_at),
            finished_at=timestamp(evidence.finished_at),
            tool_version=evidence.tool_version or "unrecorded",
            glossary_columns=in_columns(GLOSSARY),
        ),
    )


def _finding(f: Finding, index: int) -> FindingView:
    return FindingView(
        anchor=f"finding-{index}",
        code=f.code,
        severity=f.severity,
        severity_label=SEVERITY_LABELS[f.severity],
        control=f.control.label,
        domain=f.domain,
        host=f.host or "",
        title=f.title,
        detail=f.detail,
        evidence=tuple(clip(e, EVIDENCE_ITEM_LIMIT) for e in f.evidence[:EVIDENCE_ITEMS]),
        evidence_omitted=max(0, len(f.evidence) - EVIDENCE_ITEMS),
        why=f.why,
        remediation=f.remediation,
        references=f.references,
        inconclusive=f.inconclusive,
    )


def _scorecard(
    evidence: Evidence, findings: Sequence[Finding], domains: tuple[str, ...]
) -> ScorecardView:
    null_mx = {d.domain for d in evidence.domains if has_null_mx(d)}
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
        rows.append(ScoreRow(domain, cells, grading.grade(mine).letter, domain in null_mx))
    return ScorecardView(controls=tuple(Control), rows=tuple(rows))


def _summary(
    findings: Sequence[Finding],
    views: dict[int, FindingView],
    domains: tuple[str, ...],
    scorecard: ScorecardView,
) -> SummaryView:
    per_domain = [(d, grading.grade(f for f in findings if f.domain == d)) for d in domains]
    # The overall grade is the weakest domain's: an impersonator picks the easiest domain,
    # and an average would let a well-kept main domain hide an open parked one.
    weakest, overall = (
        min(per_domain, key=lambda item: item[1].score)
        if per_domain
        else ("", grading.grade(findings))
    )
    counted = grading.counted(findings)
    counts = tuple(
        SeverityCount(s, SEVERITY_LABELS[s], counted[s]) for s in Severity if s is not Severity.INFO
    )
    cells = [c for row in scorecard.rows for c in row.cells]
    scored = [c for c in cells if c.status not in (CellStatus.NOT_APPLICABLE, CellStatus.NOT_USED)]
    return SummaryView(
        grade=overall,
        weakest_domain=weakest,
        domain_grades=tuple(DomainGrade(d, g.letter, g.score) for d, g in per_domain),
        counts=counts,
        inconclusive=sum(1 for f in findings if f.inconclusive),
        observations=sum(1 for f in findings if f.severity is Severity.INFO),
        headline=_headline(counted, len(domains)),
        top_risks=_top_risks(findings, views),
        cells_passing=sum(1 for c in scored if c.status is CellStatus.PASS),
        cells_scored=len(scored),
    )


def _headline(counted: dict[Severity, int], domain_count: int) -> str:
    where = plural(domain_count, "domain")
    critical, high = counted[Severity.CRITICAL], counted[Severity.HIGH]
    if critical:
        return (
            f"We found {plural(critical, 'critical problem')} across {where}: mail can be "
            "forged in your name or lost today. Fix these first, this week."
        )
    if high:
        return (
            f"We found {plural(high, 'high-severity problem')} across {where}. No emergency, "
            "but a protection you rely on is broken or missing; plan the fixes this month."
        )
    if counted[Severity.MEDIUM] or counted[Severity.LOW]:
        return (
            f"Your email security across {where} is in reasonable shape. The remaining items "
            "are improvements and housekeeping."
        )
    return f"We found no problems across {where}. Keep it that way by re-testing quarterly."


def _top_risks(findings: Sequence[Finding], views: dict[int, FindingView]) -> tuple[RiskView, ...]:
    # The same problem on several domains is one risk in the summary, listing the domains.
    merged: dict[str, list[Finding]] = {}
    for f in findings:
        if f.inconclusive or f.severity is Severity.INFO:
            continue
        merged.setdefault(f.code, []).append(f)
    ranked = sorted(merged.values(), key=lambda group: group[0].sort_key)
    # Low-severity items only make the list when there are fewer than three serious ones.
    serious = [g for g in ranked if g[0].severity is not Severity.LOW]
    risks = (serious if len(serious) >= MIN_TOP_RISKS else ranked[:MIN_TOP_RISKS])[:TOP_RISKS]
    return tuple(
        RiskView(
            title=group[0].title,
            severity=group[0].severity,
            severity_label=SEVERITY_LABELS[group[0].severity],
            domains=tuple(dict.fromkeys(f.domain for f in group)),
            summary=first_sentence(group[0].why or group[0].detail),
            anchor=views[id(group[0])].anchor,
        )
        for group in risks
    )
