"""Findings as the report shows them: one card per root cause, numbered, with references into
the evidence file instead of the evidence itself."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assessment.model import Control, Finding, Severity
from assessment.posture import FindingGroup
from assessment.report.formatting import first_sentence

SEVERITY_LABELS = {
    Severity.CRITICAL: "Critical",
    Severity.HIGH: "High",
    Severity.MEDIUM: "Medium",
    Severity.LOW: "Low",
    Severity.INFO: "Info",
}
NOTE_LIMIT = 240
NOTES = 1
# Within one severity, what lets someone impersonate the client comes first, then what exposes
# its inbound mail, then the rest: the order of the two questions on the first page.
_CONTROL_ORDER = (
    Control.DMARC,
    Control.SPF,
    Control.DKIM,
    Control.MX,
    Control.MTA_STS,
    Control.STARTTLS,
    Control.TLS_RPT,
    Control.DANE,
    Control.DNSSEC,
)
# Confirmations that a control works: the scorecard's Pass cells say it, so the report does
# not list them again (the evidence file has them).
_CONFIRMATIONS = frozenset(
    {"SPF_OK", "DKIM_KEY_OK", "DMARC_OK", "TLS_OK", "TLS_RPT_OK", "MTA_STS_ENFORCED", "MX_PROVIDER"}
)


@dataclass(frozen=True)
class SymptomView:
    title: str
    host: str
    detail: str
    code: str


@dataclass(frozen=True)
class FindingCard:
    number: int
    anchor: str
    severity: Severity
    severity_label: str
    inconclusive: bool
    title: str
    control: str
    domain: str
    hosts: tuple[str, ...]
    detail: str
    why: str
    fix: str
    references: tuple[str, ...]
    code: str
    evidence_refs: tuple[str, ...]
    """Evidence item numbers (E12) in the evidence file."""
    notes: tuple[str, ...]
    """Short observations that are not evidence items (a parser's message, a count)."""
    symptoms: tuple[SymptomView, ...]
    """Other findings this root cause explains; they go away with its fix."""


@dataclass(frozen=True)
class SeverityGroupView:
    severity: Severity
    label: str
    cards: tuple[FindingCard, ...]


@dataclass(frozen=True)
class ObservationView:
    anchor: str
    domain: str
    host: str
    title: str
    detail: str


def _refs(
    findings: Sequence[Finding], index: Mapping[str, str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    refs: list[str] = []
    notes: list[str] = []
    for finding in findings:
        for item in finding.evidence:
            ref = index.get(item)
            if ref is not None:
                if ref not in refs:
                    refs.append(ref)
            elif item not in notes:
                notes.append(item)
    return tuple(sorted(refs, key=lambda r: int(r[1:]))), tuple(
        first_sentence(n, NOTE_LIMIT) for n in notes[:NOTES]
    )


def finding_cards(
    groups: Sequence[FindingGroup], evidence_index: Mapping[str, str]
) -> tuple[tuple[SeverityGroupView, ...], tuple[ObservationView, ...], dict[str, str]]:
    """Cards by severity (most severe first; within one, what we know before what we could not
    check), the observations, and finding code -> card anchor for cross-references."""
    real = [g for g in groups if g.root.severity is not Severity.INFO or g.symptoms]
    real.sort(
        key=lambda g: (
            g.severity.rank,
            g.root.inconclusive,
            _CONTROL_ORDER.index(g.root.control),
            g.root.sort_key,
        )
    )
    cards: list[FindingCard] = []
    anchors: dict[str, str] = {}
    for number, group in enumerate(real, start=1):
        root = group.root
        refs, notes = _refs(group.findings, evidence_index)
        anchor = f"finding-{number}"
        for f in group.findings:
            anchors.setdefault(f"{f.domain}:{f.code}", anchor)
        cards.append(
            FindingCard(
                number=number,
                anchor=anchor,
                severity=group.severity,
                severity_label=SEVERITY_LABELS[group.severity],
                inconclusive=root.inconclusive,
                title=root.title,
                control=root.control.label,
                domain=root.domain,
                hosts=group.hosts,
                detail=root.detail,
                why=root.why,
                fix=root.remediation,
                references=root.references,
                code=root.code,
                evidence_refs=refs,
                notes=notes,
                symptoms=tuple(
                    SymptomView(s.title, s.host or "", s.detail, s.code) for s in group.symptoms
                ),
            )
        )
    by_severity = tuple(
        SeverityGroupView(s, SEVERITY_LABELS[s], grouped)
        for s in Severity
        if (grouped := tuple(c for c in cards if c.severity is s))
    )
    observations = _observations(
        [g.root for g in groups if g.root.severity is Severity.INFO and not g.symptoms]
    )
    return by_severity, observations, anchors


def _observations(findings: Sequence[Finding]) -> tuple[ObservationView, ...]:
    """Informational findings worth a line, one row per code: the same observation on several
    domains is one row naming them."""
    by_code: dict[str, list[Finding]] = {}
    for finding in sorted(findings, key=lambda f: f.sort_key):
        if finding.code not in _CONFIRMATIONS:
            by_code.setdefault(finding.code, []).append(finding)
    rows = []
    for index, items in enumerate(by_code.values(), start=1):
        first = items[0]
        domains = ", ".join(dict.fromkeys(f.domain for f in items))
        detail = first.detail if len(items) == 1 else first_sentence(first.why or first.detail)
        rows.append(ObservationView(f"observation-{index}", domains, "", first.title, detail))
    return tuple(rows)
