"""The dated MTA-STS rollout plan: from where each domain stands today to `mode: enforce`
with a long max_age, with the exact texts to publish at every step.

Pure: everything comes from the evidence snapshot, its findings and (optionally) the TLS-RPT
enforce verdicts. The one function that touches the disk is `write_artifacts`, at the end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from assessment.checks.context import DomainContext
from assessment.model import Evidence, Finding
from assessment.planning.artifacts import Artifact
from assessment.planning.detect import DomainState, StsPhase, detect_state
from assessment.planning.schedule import Planner, PlanStep, PlanTiming, StepKind
from assessment.planning.texts import (
    ONE_DAY,
    describe_seconds,
    hosting_notes,
    tlsrpt_artifact,
    zone_line,
)
from assessment.recommended import PARKED_DMARC, PARKED_SPF
from assessment.records.dmarc_tags import Policy as DmarcPolicy
from assessment.tlsrpt.gate import EnforceGates, EnforceStatus, EnforceVerdict

__all__ = [
    "DomainPlan",
    "NoMailNote",
    "PlanStep",
    "PlanTiming",
    "RolloutPlan",
    "StepKind",
    "StsPhase",
    "build_plan",
    "write_artifacts",
]


@dataclass(frozen=True)
class DomainPlan:
    domain: str
    phase: StsPhase
    reasons: tuple[str, ...]
    mx_hosts: tuple[str, ...]
    patterns: tuple[str, ...]
    steps: tuple[PlanStep, ...]
    artifacts: tuple[Artifact, ...]
    verdict: EnforceVerdict | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoMailNote:
    """A domain that receives no mail: no MTA-STS, only the parked-domain records."""

    domain: str
    reason: str
    text: str
    missing: tuple[str, ...] = ()
    """Zone-file lines still to publish."""


@dataclass(frozen=True)
class RolloutPlan:
    client: str
    assessed_on: date
    domains: tuple[DomainPlan, ...]
    no_mail: tuple[NoMailNote, ...]
    gates: EnforceGates
    timing: PlanTiming = field(default_factory=PlanTiming)
    notes: tuple[str, ...] = ()


def _plan_domain(
    state: DomainState,
    assessed_on: date,
    verdict: EnforceVerdict | None,
    gates: EnforceGates,
    timing: PlanTiming,
) -> DomainPlan:
    planner = Planner(state, assessed_on, verdict, gates, timing)
    notes: list[str] = []
    phase = state.phase
    enforce_start: date
    if phase is StsPhase.NONE:
        planner.prerequisites(include_hosting=True)
        planner.testing("Publish the policy in mode: testing, with TLS-RPT")
        planner.watch(fresh=True)
        enforce_start = planner.cursor
        planner.ladder(first_mode_change=True)
    elif phase is StsPhase.TESTING:
        republish = (
            bool(state.coverage_problems)
            or state.current_max_age != ONE_DAY
            or not state.tlsrpt_records
        )
        if (
            state.host_problems
            or republish
            or (verdict is not None and verdict.status is EnforceStatus.NOT_READY)
        ):
            planner.prerequisites(include_hosting=False)
        if republish:
            planner.testing("Update the testing policy and TLS-RPT")
        planner.watch(fresh=republish or bool(state.host_problems))
        enforce_start = planner.cursor
        planner.ladder(first_mode_change=True)
    elif phase is StsPhase.ENFORCE:
        enforce_start = assessed_on
        planner.ladder(first_mode_change=False)
        if len(planner.steps) == 0:
            notes.append(
                f"The policy already has max_age {state.current_max_age} "
                f"({describe_seconds(state.current_max_age or 0)}): no further raise is planned."
            )
    else:
        to_testing = planner.immediate()
        if to_testing:
            planner.prerequisites(include_hosting=False)
            planner.watch(fresh=True)
            enforce_start = planner.cursor
            planner.ladder(first_mode_change=True)
        else:
            planner.watch(fresh=True)
            enforce_start = assessed_on
            planner.ladder(first_mode_change=False)
    planner.monitor(enforce_start)
    planner.rollback(enforce_start)
    return DomainPlan(
        domain=state.domain,
        phase=phase,
        reasons=state.reasons,
        mx_hosts=state.mx_hosts,
        patterns=state.patterns,
        steps=tuple(planner.steps),
        artifacts=_artifacts(planner),
        verdict=verdict,
        notes=tuple(notes),
    )


def _policy_artifacts(
    domain: str, title: str, step: str, stem: str, policy: tuple[str, str] | None
) -> list[Artifact]:
    """The policy file and its `_mta-sts` TXT record for one step of the plan."""
    if policy is None:
        return []
    body, txt = policy
    return [
        Artifact(f"{title} ({domain})", f"{stem}.txt", body),
        Artifact(
            f"_mta-sts TXT record for {step} ({domain})",
            f"{stem}-record.zone",
            zone_line(f"_mta-sts.{domain}", txt),
        ),
    ]


def _artifacts(planner: Planner) -> tuple[Artifact, ...]:
    domain = planner.state.domain
    return (
        *_policy_artifacts(
            domain,
            "Policy file for the next step",
            "the next step",
            "mta-sts",
            planner.next_policy,
        ),
        *_policy_artifacts(
            domain,
            "Enforce policy",
            "the enforce step",
            "mta-sts-enforce",
            planner.enforce_policy,
        ),
        Artifact(
            f"TLS-RPT record ({domain})",
            "tls-rpt-record.zone",
            tlsrpt_artifact(domain, planner.tlsrpt, planner.tlsrpt_placeholder),
        ),
        *_policy_artifacts(
            domain,
            "Rollback policy, mode: none",
            "a rollback",
            "mta-sts-rollback",
            planner.rollback_policy,
        ),
        Artifact(
            f"Hosting notes ({domain})",
            "hosting-notes.txt",
            hosting_notes(domain, planner.state.provider_names),
        ),
    )


def _no_mail_note(ctx: DomainContext) -> NoMailNote:
    domain = ctx.domain
    present: list[str] = []
    missing: list[str] = []
    if ctx.null_mx:
        present.append("null MX")
    else:
        missing.append(f"{domain}. IN MX 0 .")
    if ctx.spf_records == (PARKED_SPF,):
        present.append("SPF -all")
    else:
        missing.append(f'{domain}. IN TXT "{PARKED_SPF}"')
    dmarc = ctx.dmarc
    if dmarc is not None and dmarc.p is DmarcPolicy.REJECT:
        present.append("DMARC p=reject")
    else:
        missing.append(f'_dmarc.{domain}. IN TXT "{PARKED_DMARC}"')
    text = (
        f"{domain} receives no mail ({ctx.no_mail_reason}), so it needs no MTA-STS or "
        "TLS-RPT. Keep a null MX, SPF -all and DMARC p=reject so nobody can send as it."
    )
    if present:
        text += " In place: " + ", ".join(present) + "."
    if missing:
        text += " Still to publish: " + "; ".join(missing) + "."
    return NoMailNote(domain, ctx.no_mail_reason, text, tuple(missing))


def build_plan(
    evidence: Evidence,
    findings: Sequence[Finding],
    *,
    assessed_on: date,
    verdicts: Mapping[str, EnforceVerdict] | None = None,
    gates: EnforceGates | None = None,
    timing: PlanTiming | None = None,
) -> RolloutPlan:
    """A dated rollout plan for every audited domain, starting at its current phase."""
    rules = gates or EnforceGates()
    pace = timing or PlanTiming()
    known = {name.lower().rstrip("."): v for name, v in (verdicts or {}).items()}
    plans: list[DomainPlan] = []
    parked: list[NoMailNote] = []
    notes: list[str] = []
    for domain_evidence in evidence.domains:
        ctx = DomainContext(domain_evidence, evidence)
        if ctx.domain_missing:
            notes.append(f"{ctx.domain} does not exist in DNS: no plan.")
            continue
        if not ctx.receives_mail:
            parked.append(_no_mail_note(ctx))
            continue
        if not ctx.mx_hosts:
            notes.append(
                f"{ctx.domain}: its MX records could not be read, so no policy can be "
                "written yet; repeat the assessment."
            )
            continue
        state = detect_state(ctx, findings)
        plans.append(_plan_domain(state, assessed_on, known.get(ctx.domain), rules, pace))
    return RolloutPlan(
        client=evidence.client,
        assessed_on=assessed_on,
        domains=tuple(plans),
        no_mail=tuple(parked),
        gates=rules,
        timing=pace,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- the only I/O


def write_artifacts(plan: RolloutPlan, folder: Path) -> list[Path]:
    """Write every artifact to `folder/artifacts/<domain>/<filename>`; return the paths.

    Written as bytes so the policy files keep their CRLF line endings on every platform.
    """
    written: list[Path] = []
    for domain_plan in plan.domains:
        target = folder / "artifacts" / domain_plan.domain
        target.mkdir(parents=True, exist_ok=True)
        for artifact in domain_plan.artifacts:
            path = target / artifact.filename
            path.write_bytes(artifact.text.encode("utf-8"))
            written.append(path)
    return written
