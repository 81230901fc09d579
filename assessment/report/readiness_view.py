"""The questionnaire readiness notes in the report's terms: labels and tones, no enums."""

from __future__ import annotations

from collections.abc import Sequence

from assessment.readiness import EvidenceStatus, Readiness
from assessment.readiness.assembly import ConfirmationResult, ItemResult
from assessment.readiness.sources import Group, Instrument
from assessment.report.sections import (
    ReadinessCheckView,
    ReadinessFactView,
    ReadinessGroupView,
    ReadinessRowView,
    ReadinessSection,
)

TONES = {
    EvidenceStatus.IN_PLACE: "good",
    EvidenceStatus.SEEN_IN_PLACE: "seen",
    EvidenceStatus.PARTLY: "partly",
    EvidenceStatus.NOT_IN_PLACE: "missing",
    EvidenceStatus.CONFIRM: "confirm",
    EvidenceStatus.NOT_APPLICABLE: "na",
}
CITE_SEPARATOR = " \N{MIDDLE DOT} "
_GROUP_WORDS = {
    Group.INSURANCE: "insurers' application forms and external scans",
    Group.DELIVERABILITY: "the sender rules of Gmail, Yahoo and Outlook.com",
    Group.VENDOR: "vendor questionnaires",
}


def _list(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return "; ".join(parts[:-1]) + "; and " + parts[-1]


def _shown(instruments: Sequence[Instrument]) -> str:
    parts: list[str] = []
    for group in Group:
        members = [i for i in instruments if i.group is group]
        if not members:
            continue
        if group is Group.FRAMEWORK:
            parts.extend(i.name for i in members)
        elif group is Group.DELIVERABILITY:
            parts.append(_GROUP_WORDS[group])
        else:
            shorts = ", ".join(i.short for i in members)
            parts.append(f"{_GROUP_WORDS[group]} ({shorts})")
    return f"Shown: {_list(parts)}." if parts else ""


def _available(instruments: Sequence[Instrument]) -> str:
    parts: list[str] = []
    if any(i.group is Group.INSURANCE for i in instruments):
        parts.append(_GROUP_WORDS[Group.INSURANCE])
    offers: dict[str, list[str]] = {}
    for i in instruments:
        if i.group is not Group.INSURANCE:
            offers.setdefault(i.offer, []).append(i.short)
    for offer, shorts in offers.items():
        names = " and ".join(shorts)
        parts.append(f"{names} ({offer})" if offer else names)
    return f"Also available on request: {_list(parts)}." if parts else ""


def _row(result: ItemResult) -> ReadinessRowView:
    return ReadinessRowView(
        topic=result.item.topic,
        asked_by=CITE_SEPARATOR.join(result.citations),
        status=result.status.label,
        tone=TONES[result.status],
        facts=tuple(ReadinessFactView(", ".join(f.domains), f.text) for f in result.facts),
        refs=tuple((ref.domain, ref.code) for ref in result.findings),
    )


def _check(result: ConfirmationResult) -> ReadinessCheckView:
    c = result.confirmation
    asked = CITE_SEPARATOR.join(result.citations)
    if not asked and c.always:
        asked = f"Listed because {c.always}."
    return ReadinessCheckView(c.topic, c.usual_evidence, asked, result.seen)


def readiness_section(readiness: Readiness) -> ReadinessSection:
    """The readiness results in the report's terms; finding links are added by the report
    (`ReadinessSection.linked`), which alone knows where each finding is printed."""
    selection = readiness.selection
    notes: list[str] = []
    if readiness.not_applicable:
        topics = "; ".join(r.item.topic for r in readiness.not_applicable)
        notes.append(f"Not applicable to the domains assessed: {topics}.")
    if readiness.missing_domains:
        notes.append(
            "Not assessed because they do not exist in DNS: "
            + ", ".join(readiness.missing_domains)
            + "."
        )
    if selection.unknown:
        notes.append(
            "Framework names not recognised, ignored: " + ", ".join(selection.unknown) + "."
        )
    return ReadinessSection(
        basis=selection.basis,
        shown=_shown(selection.instruments),
        statements=tuple(i.statement for i in selection.statements),
        available=_available(selection.available),
        observed_at=readiness.observed_at,
        groups=tuple(
            ReadinessGroupView(
                title=s.section.heading,
                intro=s.section.intro,
                status=s.status.label,
                tone=TONES[s.status],
                rows=tuple(_row(r) for r in s.items),
            )
            for s in readiness.sections
        ),
        notes=tuple(notes),
        confirmations=tuple(_check(c) for c in readiness.confirmations),
    )
