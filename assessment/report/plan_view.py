"""The rollout plan in the report's terms: one numbered step per action, in date order."""

from __future__ import annotations

from assessment.planning import PlanStep, RolloutPlan, StepKind
from assessment.planning.plan import raise_stem
from assessment.report.sections import Artifact, PlanSection, PlanStepView

# The artifact files that carry each kind of step's texts.
_FILES: dict[StepKind, tuple[str, ...]] = {
    StepKind.IMMEDIATE: ("mta-sts.txt", "mta-sts-record.zone"),
    StepKind.PREREQUISITES: ("hosting-notes.txt",),
    StepKind.TESTING: ("mta-sts.txt", "mta-sts-record.zone", "tls-rpt-record.zone"),
    StepKind.ENFORCE: (
        "mta-sts-enforce.txt",
        "mta-sts-enforce-record.zone",
        "mta-sts-rollback.txt",
        "mta-sts-rollback-record.zone",
    ),
    StepKind.PARKED_KIT: ("parked-domain.zone",),
    StepKind.SPF_FIX: ("spf.zone",),
    StepKind.DMARC_REPORTS: ("dmarc-reports.zone",),
    StepKind.DMARC_QUARANTINE: ("dmarc-quarantine.zone", "dmarc-rollback.zone"),
    StepKind.DMARC_REJECT: ("dmarc-reject.zone",),
}
# A policy body is printed where it is new to the reader; later raises differ only in max_age.
_SHOW_POLICY = frozenset({StepKind.IMMEDIATE, StepKind.TESTING, StepKind.ENFORCE})


def _step(number: int, step: PlanStep, available: set[str]) -> PlanStepView:
    names = _FILES.get(step.kind, ())
    if step.kind is StepKind.MAX_AGE and step.txt:
        stem = raise_stem(step.txt)
        names = (f"{stem}.txt", f"{stem}-record.zone")
    files = tuple(f"{step.domain}/{name}" for name in names if name in available)
    return PlanStepView(
        number=number,
        title=step.title,
        domain=step.domain,
        track=step.track.label,
        owner=step.owner.label,
        effort=step.effort.label,
        start=step.start,
        end=step.end,
        switch=step.switch,
        actions=step.actions,
        gates=step.gates,
        records=tuple(r.zone_line for r in step.records),
        policy=(step.policy or "").replace("\r\n", "\n") if step.kind in _SHOW_POLICY else "",
        files=files,
        check=step.check,
        rollback=step.rollback,
    )


def plan_section(plan: RolloutPlan) -> PlanSection:
    """Every step of the plan, numbered in date order, with the files that carry its texts."""
    available = {(d.domain, a.filename) for d in plan.domains for a in d.artifacts}
    steps = []
    for number, step in enumerate(plan.steps, start=1):
        names = {name for domain, name in available if domain == step.domain}
        steps.append(_step(number, step, names))
    artifacts = tuple(
        Artifact(a.title, f"{d.domain}/{a.filename}", a.text)
        for d in plan.domains
        for a in d.artifacts
    )
    return PlanSection(
        steps=tuple(steps),
        artifacts=artifacts,
        notes=plan.notes,
        calendar=plan.calendar.description,
    )
