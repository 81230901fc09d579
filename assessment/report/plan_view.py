"""The rollout plan in the report's terms."""

from __future__ import annotations

from assessment.planning import RolloutPlan
from assessment.report.sections import Artifact, PlanPhase, PlanSection


def plan_section(plan: RolloutPlan) -> PlanSection:
    """The plan in the report's terms: one phase per step, domain named when there are several."""
    several = len(plan.domains) > 1
    phases: list[PlanPhase] = []
    artifacts: list[Artifact] = []
    notes: list[str] = []
    for domain_plan in plan.domains:
        prefix = f"{domain_plan.domain}: " if several else ""
        notes.append(
            f"{domain_plan.domain}: {domain_plan.phase.label}. " + " ".join(domain_plan.reasons)
        )
        for step in domain_plan.steps:
            phases.append(
                PlanPhase(prefix + step.title, step.start, step.end, step.actions, step.gates)
            )
        for artifact in domain_plan.artifacts:
            artifacts.append(
                Artifact(artifact.title, f"{domain_plan.domain}/{artifact.filename}", artifact.text)
            )
        notes.extend(f"{domain_plan.domain}: {n}" for n in domain_plan.notes)
    notes.extend(note.text for note in plan.no_mail)
    notes.extend(plan.notes)
    return PlanSection(tuple(phases), tuple(artifacts), tuple(notes))
