"""The report's "Since your last assessment" section: the comparison with the client's previous
run (`assessment.diff`), converted into the report's own view type.

Integration: `pipeline.report` calls `assessment.diff.since_last(run_dir)`; when it returns
`(previous, diff)`, `since_section(diff, previous.read_info().assessed_on)` goes into
`ReportView.since`, and report.html.j2 includes `sections/since.html.j2` after the summary
when `view.since is not none`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from assessment.diff import RunDiff
from assessment.report.formatting import long_date

SHOWN_RECORD_CHARS = 300
"""A changed record's text is cut here in the report (a policy body can be long); the
evidence file keeps it whole."""


@dataclass(frozen=True)
class SinceFinding:
    severity: str
    """`Severity` value, for the badge class."""
    domain: str
    host: str
    code: str
    title: str


@dataclass(frozen=True)
class SinceSeverity:
    domain: str
    host: str
    code: str
    title: str
    before: str
    after: str
    raised: bool


@dataclass(frozen=True)
class SinceRecord:
    domain: str
    what: str
    name: str
    before: str
    after: str


@dataclass(frozen=True)
class SinceDrift:
    domain: str
    headline: str
    detail: str
    why: str


@dataclass(frozen=True)
class SinceGrade:
    domain: str
    before: str
    after: str
    lowered: bool


@dataclass(frozen=True)
class SinceSection:
    previous_date: str
    """When the previous assessment was made, in words."""
    headline: str
    """One sentence: what changed, in counts."""
    regressed: bool
    grades: tuple[SinceGrade, ...]
    drift: tuple[SinceDrift, ...]
    new: tuple[SinceFinding, ...]
    changed: tuple[SinceSeverity, ...]
    resolved: tuple[SinceFinding, ...]
    records: tuple[SinceRecord, ...]

    @property
    def nothing_changed(self) -> bool:
        return not (
            self.grades or self.drift or self.new or self.changed or self.resolved or self.records
        )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _headline(diff: RunDiff) -> str:
    if diff.empty:
        return (
            "nothing we check has changed; every finding, grade and published record is as it was."
        )
    parts = [
        f"the grade of {g.domain} {'fell' if g.lowered else 'rose'} from {g.before} to {g.after}"
        for g in diff.grades
        if g.before and g.after
    ]
    fixed = [f for f in diff.resolved if not f.inconclusive]
    if fixed:
        parts.append(_count(len(fixed), "problem fixed", "problems fixed"))
    if diff.new:
        parts.append(_count(len(diff.new), "new finding", "new findings"))
    if diff.changed:
        parts.append(
            _count(len(diff.changed), "finding changed severity", "findings changed severity")
        )
    if diff.drift:
        parts.append(_count(len(diff.drift), "change to check", "changes to check"))
    if diff.records:
        parts.append(
            _count(len(diff.records), "published record changed", "published records changed")
        )
    return (", ".join(parts) or "the domains assessed changed") + "."


def _text(value: str | None) -> str:
    if value is None:
        return "(none)"
    text = " / ".join(value.splitlines())
    return text if len(text) <= SHOWN_RECORD_CHARS else text[: SHOWN_RECORD_CHARS - 1] + "…"


def since_section(diff: RunDiff, previous_assessed_on: date | str) -> SinceSection:
    day = (
        date.fromisoformat(previous_assessed_on)
        if isinstance(previous_assessed_on, str)
        else previous_assessed_on
    )
    return SinceSection(
        previous_date=long_date(day),
        headline=_headline(diff),
        regressed=diff.regressed,
        grades=tuple(
            SinceGrade(g.domain, g.before or "–", g.after or "–", g.lowered) for g in diff.grades
        ),
        drift=tuple(
            SinceDrift(d.domain, d.rule.headline, d.detail, d.rule.why) for d in diff.drift
        ),
        new=tuple(
            SinceFinding(f.severity.value, f.domain, f.host or "", f.code, f.title)
            for f in diff.new
        ),
        changed=tuple(
            SinceSeverity(
                c.after.domain,
                c.after.host or "",
                c.after.code,
                c.after.title,
                c.before.severity.value,
                c.after.severity.value,
                c.raised,
            )
            for c in diff.changed
        ),
        resolved=tuple(
            SinceFinding(f.severity.value, f.domain, f.host or "", f.code, f.title)
            for f in diff.resolved
        ),
        records=tuple(
            SinceRecord(r.domain, r.record.label, r.name, _text(r.before), _text(r.after))
            for r in diff.records
        ),
    )
