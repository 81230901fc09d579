"""One dated plan for every control of every domain, with the exact records to publish.

Order of work: stop anything that loses mail today; stop impersonation (parked-domain records,
DMARC reporting, then the senders, then quarantine and reject); remove MX hosts that bypass the
provider; strengthen DKIM and SPF; and take MTA-STS from where it stands to enforce with a long
max_age. Every record the plan prints is parsed back and matched against the planned MX set by
`planning.verify` before the plan is returned: a plan that fails it is a bug in the kit, never
something to hand to a client.

Pure: evidence, findings and the report gates in. The one function that touches the disk is
`write_artifacts`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from assessment.checks.context import DomainContext
from assessment.model import Evidence, Finding
from assessment.planning.artifacts import Artifact
from assessment.planning.calendar import WorkCalendar
from assessment.planning.detect import DomainState, StsPhase, detect_state
from assessment.planning.dmarc import DmarcGate, plan_dmarc
from assessment.planning.hygiene import (
    bypass_hosts,
    dkim_step,
    parked_kit,
    remove_mx,
    spf_fix,
)
from assessment.planning.steps import PlanStep, PlanTiming, Record, StepKind
from assessment.planning.sts import plan_sts
from assessment.planning.texts import hosting_notes, tlsrpt_artifact, zone_line
from assessment.planning.verify import PlanSelfCheckError, verify_plan
from assessment.records.mtasts import parse_sts_txt
from assessment.records.mtasts_policy import parse_sts_policy
from assessment.records.spf import parse_spf
from assessment.tlsrpt.gate import EnforceGates, EnforceVerdict
from assessment.workspace import write_atomic

__all__ = [
    "DomainPlan",
    "PlanSelfCheckError",
    "PlanStep",
    "PlanTiming",
    "RolloutPlan",
    "StepKind",
    "StsPhase",
    "build_plan",
    "write_artifacts",
]

FIRST_ACTIONS = 3


@dataclass(frozen=True)
class DomainPlan:
    domain: str
    receives_mail: bool
    phase: StsPhase | None
    """Where MTA-STS stands; None for a domain that receives no mail."""
    reasons: tuple[str, ...]
    mx_hosts: tuple[str, ...]
    planned_mx: tuple[str, ...]
    patterns: tuple[str, ...]
    steps: tuple[PlanStep, ...]
    artifacts: tuple[Artifact, ...]
    current_sts_id: str | None = None
    current_policy: str | None = None
    """The policy body served today, when one was fetched."""
    verdict: EnforceVerdict | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RolloutPlan:
    client: str
    assessed_on: date
    domains: tuple[DomainPlan, ...]
    gates: EnforceGates
    calendar: WorkCalendar
    timing: PlanTiming = field(default_factory=PlanTiming)
    notes: tuple[str, ...] = ()

    @property
    def steps(self) -> tuple[PlanStep, ...]:
        """Every step of every domain, by date then priority."""
        every = [s for d in self.domains for s in d.steps if s.kind is not StepKind.MONITOR]
        return tuple(sorted(every, key=lambda s: (s.start, s.priority)))

    @property
    def first_actions(self) -> tuple[PlanStep, ...]:
        """What to do first: the most urgent steps that can start now."""
        every = [s for d in self.domains for s in d.steps if s.kind is not StepKind.MONITOR]
        return tuple(sorted(every, key=lambda s: (s.priority, s.start))[:FIRST_ACTIONS])


def _spf_senders(ctx: DomainContext) -> tuple[str, ...]:
    if len(ctx.spf_records) != 1:
        return ()
    record = parse_spf(ctx.spf_records[0])
    return tuple(
        f"{t.name}:{t.value}" for t in record.terms if t.name in ("include", "redirect") and t.value
    )


def _mail_domain(
    ctx: DomainContext,
    findings: Sequence[Finding],
    start: date,
    verdict: EnforceVerdict | None,
    dmarc: DmarcGate | None,
    gates: EnforceGates,
    timing: PlanTiming,
    calendar: WorkCalendar,
) -> DomainPlan:
    removed = bypass_hosts(ctx, findings)
    state = detect_state(ctx, findings, removed)
    steps: list[PlanStep] = []
    files: list[Artifact] = []
    mx_step = remove_mx(ctx, removed, start, calendar)
    if mx_step is not None:
        steps.append(mx_step)
    for step in (
        spf_fix(ctx, findings, start, calendar),
        dkim_step(ctx, findings, start, calendar),
    ):
        if step is not None:
            steps.append(step)
    prerequisite_gates = (
        (f"The MX record for {', '.join(removed)} has been removed.",) if removed else ()
    )
    sts = plan_sts(state, start, verdict, gates, timing, calendar, prerequisite_gates)
    switches = tuple(s.start for s in (*steps, *sts.steps) if s.switch)
    track = plan_dmarc(ctx, start, dmarc, timing, calendar, _spf_senders(ctx), switches)
    steps += track.steps
    files += [Artifact(_title(n, ctx.domain), n, text) for n, text in track.records.items()]
    steps += sts.steps
    files += _sts_artifacts(state, sts.next_policy, sts.enforce_policy, sts.rollback_policy)
    files += _raise_artifacts(ctx.domain, sts.raised_policies)
    files.append(
        Artifact(
            f"TLS-RPT record ({ctx.domain})",
            "tls-rpt-record.zone",
            tlsrpt_artifact(ctx.domain, sts.tlsrpt, sts.tlsrpt_placeholder),
        )
    )
    files.append(
        Artifact(
            f"Hosting the MTA-STS policy ({ctx.domain})",
            "hosting-notes.txt",
            hosting_notes(ctx.domain, state.provider_names),
        )
    )
    for step in steps:
        if step.kind is StepKind.SPF_FIX and step.records:
            files.append(Artifact(f"SPF record ({ctx.domain})", "spf.zone", _zone(step.records)))
    policy = ctx.policy
    return DomainPlan(
        domain=ctx.domain,
        receives_mail=True,
        phase=state.phase,
        reasons=state.reasons,
        mx_hosts=state.mx_hosts,
        planned_mx=state.planned_mx,
        patterns=state.patterns,
        steps=tuple(sorted(steps, key=lambda s: (s.start, s.priority))),
        artifacts=tuple(files),
        current_sts_id=state.current_id,
        current_policy=policy.text if policy is not None else None,
        verdict=verdict,
    )


def _title(filename: str, domain: str) -> str:
    return {
        "dmarc-reports.zone": f"DMARC record with a report address ({domain})",
        "dmarc-quarantine.zone": f"DMARC record, p=quarantine ({domain})",
        "dmarc-reject.zone": f"DMARC record, p=reject ({domain})",
        "dmarc-rollback.zone": f"DMARC record as before the plan ({domain})",
    }.get(filename, f"{filename} ({domain})")


def _sts_artifacts(
    state: DomainState,
    next_policy: tuple[str, str] | None,
    enforce: tuple[str, str] | None,
    rollback: tuple[str, str] | None,
) -> list[Artifact]:
    domain = state.domain
    out: list[Artifact] = []
    for stem, title, policy in (
        ("mta-sts", "MTA-STS policy for the next step", next_policy),
        ("mta-sts-enforce", "MTA-STS policy for the enforce step", enforce),
        ("mta-sts-rollback", "MTA-STS rollback policy (mode: testing)", rollback),
    ):
        if policy is None:
            continue
        body, txt = policy
        out.append(Artifact(f"{title} ({domain})", f"{stem}.txt", body))
        out.append(
            Artifact(
                f"_mta-sts TXT record for {title.removeprefix('MTA-STS ')} ({domain})",
                f"{stem}-record.zone",
                zone_line(f"_mta-sts.{domain}", txt),
            )
        )
    return out


def raise_stem(txt: str) -> str:
    """The file name stem of one max_age raise: named by its policy id, unique per step."""
    return f"mta-sts-raise-{parse_sts_txt(txt).id}"


def _raise_artifacts(domain: str, raised: Sequence[tuple[str, str]]) -> list[Artifact]:
    out: list[Artifact] = []
    for body, txt in raised:
        max_age = parse_sts_policy(body).max_age
        stem = raise_stem(txt)
        out.append(Artifact(f"MTA-STS policy, max_age {max_age} ({domain})", f"{stem}.txt", body))
        out.append(
            Artifact(
                f"_mta-sts TXT record for the max_age {max_age} policy ({domain})",
                f"{stem}-record.zone",
                zone_line(f"_mta-sts.{domain}", txt),
            )
        )
    return out


def _zone(records: Sequence[Record]) -> str:
    return "".join(r.zone_line + "\n" for r in records)


def _parked_domain(ctx: DomainContext, start: date, calendar: WorkCalendar) -> DomainPlan:
    step = parked_kit(ctx, start, calendar)
    files = (
        (
            Artifact(
                f"Parked-domain records ({ctx.domain})", "parked-domain.zone", _zone(step.records)
            ),
        )
        if step is not None
        else ()
    )
    return DomainPlan(
        domain=ctx.domain,
        receives_mail=False,
        phase=None,
        reasons=(f"{ctx.domain} receives no mail ({ctx.no_mail_reason}).",),
        mx_hosts=(),
        planned_mx=(),
        patterns=(),
        steps=(step,) if step is not None else (),
        artifacts=files,
    )


def build_plan(
    evidence: Evidence,
    findings: Sequence[Finding],
    *,
    assessed_on: date,
    verdicts: Mapping[str, EnforceVerdict] | None = None,
    dmarc_gates: Mapping[str, DmarcGate] | None = None,
    gates: EnforceGates | None = None,
    timing: PlanTiming | None = None,
    country: str = "",
) -> RolloutPlan:
    """A dated plan for every audited domain, starting where it stands, self-checked."""
    rules = gates or EnforceGates()
    pace = timing or PlanTiming()
    calendar = WorkCalendar(country)
    known = {name.lower().rstrip("."): v for name, v in (verdicts or {}).items()}
    reports = {name.lower().rstrip("."): v for name, v in (dmarc_gates or {}).items()}
    plans: list[DomainPlan] = []
    notes: list[str] = []
    for domain_evidence in evidence.domains:
        ctx = DomainContext(domain_evidence, evidence)
        if ctx.domain_missing:
            notes.append(f"{ctx.domain} does not exist in DNS, so there is nothing to plan for it.")
            continue
        if not ctx.receives_mail:
            plans.append(_parked_domain(ctx, assessed_on, calendar))
            continue
        if not ctx.mx_hosts:
            notes.append(
                f"The MX records of {ctx.domain} could not be read, so no MTA-STS policy can be "
                "written yet; repeat the assessment."
            )
            continue
        plans.append(
            _mail_domain(
                ctx,
                findings,
                assessed_on,
                known.get(ctx.domain),
                reports.get(ctx.domain),
                rules,
                pace,
                calendar,
            )
        )
    plan = RolloutPlan(
        client=evidence.client,
        assessed_on=assessed_on,
        domains=tuple(plans),
        gates=rules,
        calendar=calendar,
        timing=pace,
        notes=tuple(notes),
    )
    verify_plan(plan)
    return plan


# --------------------------------------------------------------------------- the only I/O


def write_artifacts(plan: RolloutPlan, folder: Path) -> list[Path]:
    """Write every artifact to `folder/artifacts/<domain>/<filename>`; return the paths.

    Written as bytes so the policy files keep their CRLF line endings on every platform.
    """
    written: list[Path] = []
    for domain_plan in plan.domains:
        target = folder / "artifacts" / domain_plan.domain
        for artifact in domain_plan.artifacts:
            written.append(write_atomic(target / artifact.filename, artifact.text.encode("utf-8")))
    return written
