"""One finished run of a client as portfolio rows: per domain its grade, the two business
answers, MTA-STS phase, DMARC policy, days since the last clean TLS-RPT day, the next plan date,
and what changed since the client's previous run.

Reads the run folder and the client's TLS-RPT store; no network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from assessment.checks.context import DomainContext
from assessment.checks.dmarc import effective_policy
from assessment.diff import RunDiff, load_run, since_last
from assessment.model import Evidence, Finding, Severity
from assessment.planning import DomainPlan, RolloutPlan, build_plan
from assessment.planning.detect import detect_state
from assessment.posture import Answer, DomainPosture, DomainStatus, Posture, assess_posture
from assessment.tlsrpt.analyze import day_timestamp, report_day
from assessment.tlsrpt.frames import empty_frames
from assessment.tlsrpt.gate import EnforceVerdict, enforce_verdicts
from assessment.tlsrpt.store import TlsRptStore
from assessment.workspace import RunFolder, Workspace

_SPOOFABLE = {
    Answer.YES: "Yes",
    Answer.PARTLY: "Partly",
    Answer.NO: "No",
    Answer.UNKNOWN: "Could not tell",
}
# The second question is "can mail to you be read or diverted?": protected is its opposite.
_PROTECTED = {
    Answer.YES: "No",
    Answer.PARTLY: "Partly",
    Answer.NO: "Yes",
    Answer.UNKNOWN: "Could not tell",
}
NO_MAIL = "No mail"


@dataclass(frozen=True)
class DomainRow:
    """One line of the portfolio: one domain of one client."""

    client: str
    domain: str
    status: str
    """`DomainStatus` value, or "failed" when the client could not be assessed."""
    grade: str = ""
    previous_grade: str = ""
    spoofable: str = ""
    """Can someone send mail as this domain? Yes / Partly / No / Could not tell."""
    transport_protected: str = ""
    """Is mail to it protected in transit? Yes / Partly / No / Could not tell / No mail."""
    mta_sts_phase: str = ""
    dmarc_policy: str = ""
    clean_tlsrpt_days: int | None = None
    """Days from the last TLS-RPT day without failed sessions to the assessment."""
    tlsrpt_note: str = ""
    """Why there is no figure: no reports, or reports without a clean day."""
    next_plan_date: str = ""
    """ISO date of the domain's first plan step; "" when nothing is planned."""
    next_step: str = ""
    changes: tuple[str, ...] = ()
    """What changed since the previous run, one short item each."""
    regressions: tuple[str, ...] = ()

    @property
    def regressed(self) -> bool:
        return bool(self.regressions)


@dataclass(frozen=True)
class ClientSummary:
    rows: tuple[DomainRow, ...]
    previous_run: str
    """The previous run's folder, "" for a first assessment."""
    regressions: tuple[str, ...]


# ------------------------------------------------------------------ TLS-RPT


@dataclass(frozen=True)
class CleanDay:
    days: int | None
    note: str


def clean_tlsrpt_days(
    policies: pd.DataFrame, domains: Sequence[str], as_of: date
) -> dict[str, CleanDay]:
    """Per domain: days from the last report day with sessions and no failures (any policy
    type) to `as_of`; reports for a day arrive the next day, so 1 means "yesterday was clean".

    `policies` is the store's policies frame (`Frames.policies`).
    """
    out = {d: CleanDay(None, "no reports") for d in domains}
    if policies.empty:
        return out
    frame = policies[policies["policy_domain"].isin(list(domains))]
    frame = frame.assign(day=report_day(frame["start"]))
    frame = frame[frame["day"] < day_timestamp(as_of)]
    daily = frame.groupby(["policy_domain", "day"], sort=True)[["successful", "failed"]].sum()
    for key, failed, successful in zip(
        daily.index, daily["failed"], daily["successful"], strict=True
    ):
        name, when = str(key[0]), pd.Timestamp(key[1]).date()
        if failed == 0 and successful > 0:
            out[name] = CleanDay((as_of - when).days, "")
        elif out[name].days is None:
            out[name] = CleanDay(None, "no clean day in the reports")
    return out


def _tlsrpt(
    data_dir: Path, client: str, domains: Sequence[str], as_of: date
) -> tuple[dict[str, EnforceVerdict], dict[str, CleanDay]]:
    """The enforce verdicts (for the plan, as the report computes them) and the clean days."""
    store_file = Workspace(data_dir).client(client).tlsrpt_store
    if not store_file.is_file():
        return {}, clean_tlsrpt_days(empty_frames().policies, domains, as_of)
    with TlsRptStore(store_file) as store:
        frames = store.frames()
    verdicts = {d: v for d, v in enforce_verdicts(frames, as_of).items() if d in domains}
    return verdicts, clean_tlsrpt_days(frames.policies, domains, as_of)


# ------------------------------------------------------------------ rows


def dmarc_policy(ctx: DomainContext) -> str:
    effective = effective_policy(ctx)
    if effective is None:
        return "several records" if ctx.dmarc_records else "missing"
    text = effective.policy.value
    record = effective.record
    if record.pct is not None and record.pct < 100:
        text += f" (pct={record.pct})"
    if record.t:
        text += " (t=y)"
    if effective.inherited:
        text += f" (from {effective.source.removeprefix('_dmarc.')})"
    return text


def _next_step(plan: DomainPlan | None) -> tuple[str, str]:
    if plan is None or not plan.steps:
        return "", ""
    first = min(plan.steps, key=lambda s: (s.start, s.priority))
    return first.start.isoformat(), first.title


def change_items(diff: RunDiff) -> tuple[str, ...]:
    """What changed for one domain, as short items a table cell can hold, most important
    first. Informational findings coming and going are observations, not changes to act on."""
    items = [f"grade {g.before or '-'} -> {g.after or '-'}" for g in diff.grades]
    items += [f"new {f.code} ({f.severity.value})" for f in diff.new if _counts(f)]
    items += [
        f"{c.after.code} {c.before.severity.value} -> {c.after.severity.value}"
        for c in diff.changed
    ]
    items += [f"drift: {d.rule.headline}" for d in diff.drift]
    records = list(dict.fromkeys(r.record.label for r in diff.records))
    if records:
        items.append("changed: " + ", ".join(records))
    items += [f"resolved {f.code}" for f in diff.resolved if _counts(f)]
    return tuple(items) or ("no change",)


def _counts(finding: Finding) -> bool:
    return finding.severity is not Severity.INFO


def sts_phase(ctx: DomainContext, findings: Sequence[Finding]) -> str:
    """Where MTA-STS stands today. (The plan's own phase assumes its MX removals are done, so
    an enforced policy broken only by a host the plan removes reads "enforced" there.)"""
    if ctx.domain_missing or not ctx.receives_mail or not ctx.mx_hosts:
        return ""
    return detect_state(ctx, findings).phase.label


def domain_rows(
    client: str,
    evidence: Evidence,
    findings: Sequence[Finding],
    posture: Posture,
    plan: RolloutPlan,
    clean: Mapping[str, CleanDay],
    since: RunDiff | None,
) -> tuple[DomainRow, ...]:
    plans = {p.domain: p for p in plan.domains}
    states = {d.domain: d for d in posture.domains}
    rows = []
    for domain_evidence in evidence.domains:
        name = domain_evidence.domain
        state: DomainPosture = states[name]
        ctx = DomainContext(domain_evidence, evidence)
        domain_plan = plans.get(name)
        when, step = _next_step(domain_plan)
        assessed = state.status is DomainStatus.ASSESSED
        if since is None:
            changes: tuple[str, ...] = ("first assessment",)
            regressions: tuple[str, ...] = ()
            previous = ""
        else:
            mine = since.for_domain(name)
            changes, regressions = change_items(mine), mine.regressions()
            old = [g.before for g in mine.grades if g.before]
            previous = old[0] if old else (state.grade.letter if state.grade else "")
        interception = state.interception
        if not ctx.receives_mail and assessed:
            protected = NO_MAIL
        elif interception is None:
            protected = NO_MAIL if assessed else _PROTECTED[Answer.UNKNOWN]
        else:
            protected = _PROTECTED[interception.answer]
        rows.append(
            DomainRow(
                client=client,
                domain=name,
                status=state.status.value,
                grade=state.grade.letter if state.grade else "",
                previous_grade=previous,
                spoofable=_SPOOFABLE[state.impersonation.answer],
                transport_protected=protected,
                mta_sts_phase=sts_phase(ctx, findings) if assessed else "",
                dmarc_policy=dmarc_policy(ctx) if assessed else "",
                clean_tlsrpt_days=clean[name].days if name in clean else None,
                tlsrpt_note=clean[name].note if name in clean else "",
                next_plan_date=when,
                next_step=step,
                changes=changes,
                regressions=regressions,
            )
        )
    return tuple(rows)


def summarise_run(run_dir: Path, *, country: str = "") -> ClientSummary:
    """The portfolio rows of one finished run, compared with the client's previous run."""
    run = RunFolder(Path(run_dir))
    info = run.read_info()
    evidence, findings = load_run(run.path)
    as_of = date.fromisoformat(info.assessed_on)
    domains = tuple(d.domain for d in evidence.domains)
    verdicts, clean = _tlsrpt(Path(info.data_dir), info.client, domains, as_of)
    posture = assess_posture(evidence, findings)
    plan = build_plan(
        evidence,
        findings,
        assessed_on=as_of,
        verdicts=verdicts,
        country=country or info.country,
    )
    found = since_last(run.path)
    diff = found[1] if found else None
    rows = domain_rows(info.client, evidence, findings, posture, plan, clean, diff)
    return ClientSummary(
        rows=rows,
        previous_run=str(found[0].path) if found else "",
        regressions=diff.regressions() if diff else (),
    )


def failed_row(client: str, domains: Sequence[str], error: str) -> tuple[DomainRow, ...]:
    """The rows of a client that could not be assessed: its domains, each saying why."""
    return tuple(
        DomainRow(client=client, domain=d, status="failed", changes=(f"not assessed: {error}",))
        for d in (domains or ("",))
    )
