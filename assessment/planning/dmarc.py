"""The DMARC track of one mail-sending domain: reports first, then the senders, then
`p=quarantine` and `p=reject`, each switch gated on evidence that legitimate mail passes.

The gate is the DMARC aggregate-report verdict when the kit has reports (`DmarcGate`); without
them, an observation window of reports read by the consultant, who confirms in writing that every
legitimate sender passes aligned. A switch never lands where nobody watches (planning.calendar).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from assessment.checks.context import DomainContext
from assessment.checks.dmarc import effective_policy
from assessment.dmarc.gate import DmarcVerdict, GateStatus
from assessment.planning.calendar import WorkCalendar
from assessment.planning.steps import Effort, Owner, PlanStep, PlanTiming, Record, StepKind, Track
from assessment.planning.texts import long_day
from assessment.records.dmarc import DmarcRecord
from assessment.records.dmarc_tags import Policy

_DROPPED = frozenset({"v", "p", "pct", "t"})
"""Tags a planned record rewrites: the policy and the partial-enforcement tags DMARCbis removed
(`pct`) or that turn enforcement off (`t=y`)."""


class DmarcReadiness(StrEnum):
    """What the aggregate reports support today (`assessment.dmarc` gate, in plan terms)."""

    REJECT = "reject"
    QUARANTINE = "quarantine"
    NOT_READY = "not-ready"
    NOT_ENOUGH_DATA = "not-enough-data"


@dataclass(frozen=True)
class SenderFix:
    """One sending service to fix before a switch, with the exact fix."""

    sender: str
    fix: str
    owner: Owner = Owner.MAIL_ADMIN
    records: tuple[Record, ...] = ()
    """DNS records the fix publishes, when their values are known."""


@dataclass(frozen=True)
class DmarcGate:
    """The aggregate-report evidence for one domain, as the plan uses it."""

    readiness: DmarcReadiness
    summary: str
    """One sentence with the figures: days, reporters, share of legitimate mail aligned."""
    fixes: tuple[SenderFix, ...] = ()


@dataclass(frozen=True)
class DmarcTrack:
    steps: tuple[PlanStep, ...]
    records: dict[str, str]
    """Artifact file name -> zone text, for every record the track prints."""


_READINESS = {
    GateStatus.READY_FOR_REJECT: DmarcReadiness.REJECT,
    GateStatus.READY_FOR_QUARANTINE: DmarcReadiness.QUARANTINE,
    GateStatus.NOT_READY: DmarcReadiness.NOT_READY,
    GateStatus.INSUFFICIENT_DATA: DmarcReadiness.NOT_ENOUGH_DATA,
}


def gate_from_verdict(verdict: DmarcVerdict) -> DmarcGate:
    """The aggregate-report verdict of `assessment.dmarc.gate` in the plan's terms."""
    share = (
        f"{verdict.aligned_share:.1%} of {verdict.legitimate_messages:,} legitimate messages "
        "passing DMARC"
        if verdict.aligned_share is not None
        else "no legitimate mail"
    )
    summary = (
        f"{verdict.days_covered} days of reports from {len(verdict.reporters)} reporting "
        f"organisations ({long_day(verdict.window_start)} to {long_day(verdict.window_end)}), "
        f"{share}; verdict: {verdict.status.label}."
    )
    fixes = tuple(
        SenderFix(
            fix.sender,
            fix.action,
            records=tuple(r for line in fix.records if (r := Record.from_zone_line(line))),
        )
        for fix in verdict.to_fix
    )
    return DmarcGate(_READINESS[verdict.status], summary, fixes)


def rewrite(record: DmarcRecord | None, policy: Policy, rua: str) -> str:
    """The client's record with a new `p`: every other tag kept as written (rua, sp, adkim...),
    `pct` and `t` dropped, `rua` added when absent, and an `sp` weaker than the new policy
    raised to it (subdomains would otherwise stay open)."""
    tags: list[tuple[str, str]] = []
    if record is not None:
        for name, value in record.tags:
            key = name.strip().lower()
            if key in _DROPPED:
                continue
            if key == "sp" and _strength(value) < _strength(policy.value):
                value = policy.value
            tags.append((key, value.strip()))
    if not any(name == "rua" for name, _ in tags):
        tags.insert(0, ("rua", rua))
    return "; ".join([f"v=DMARC1; p={policy.value}"] + [f"{n}={v}" for n, v in tags])


def _strength(value: str) -> int:
    order = {"none": 0, "quarantine": 1, "reject": 2}
    return order.get(value.strip().lower(), 0)


def plan_dmarc(
    ctx: DomainContext,
    start: date,
    gate: DmarcGate | None,
    timing: PlanTiming,
    calendar: WorkCalendar,
    spf_senders: tuple[str, ...] = (),
    other_switches: tuple[date, ...] = (),
) -> DmarcTrack:
    """The DMARC steps of a domain that sends mail, from its current policy to p=reject."""
    domain = ctx.domain
    name = f"_dmarc.{domain}"
    effective = effective_policy(ctx)
    own = ctx.dmarc
    current = own.policy_or_default if own is not None else None
    pct = own.pct if own is not None and own.pct is not None else 100
    placeholder = f"mailto:dmarc-reports@{domain}"
    rua = ",".join(u.raw for u in own.rua if u.valid) if own is not None and own.rua else ""
    steps: list[PlanStep] = []
    files: dict[str, str] = {}
    cursor = calendar.working_day(start)
    if effective is not None and effective.inherited and own is None:
        # Governed by the organisational domain's record: the plan for that domain covers it.
        return DmarcTrack((), {})
    if current is Policy.REJECT and pct == 100 and own is not None and own.t is not True:
        return DmarcTrack((), {})
    previous = own.text if own is not None else ""
    rollback_text = (
        f'Publish the previous record again: {name} TXT "{previous}".'
        if previous
        else f"Remove the {name} record again."
    )

    if own is None or not rua:
        value = rewrite(own, current or Policy.NONE, placeholder)
        files["dmarc-reports.zone"] = _zone(
            Record(name, "TXT", value),
            f"Replace dmarc-reports@{domain} with the mailbox your consultant reads "
            "(or a DMARC reporting service's address) before publishing.",
        )
        steps.append(
            PlanStep(
                StepKind.DMARC_REPORTS,
                f"Publish a DMARC record for {domain} that asks for daily reports"
                if own is None
                else f"Add a report address to the DMARC record of {domain}",
                cursor,
                calendar.add_working_days(cursor, 1),
                (
                    "Publish the new DMARC record. It changes nothing for your mail "
                    "(the policy stays as it is) but makes every large mailbox provider send a "
                    "daily report of who sent mail as the domain.",
                ),
                track=Track.DMARC,
                domain=domain,
                owner=Owner.DNS_HOST,
                effort=Effort(15),
                records=(Record(name, "TXT", value),),
                check=f"Re-test with the kit: {name} carries a valid rua address; reports "
                "arrive within two days.",
                rollback=rollback_text,
                priority=15,
            )
        )
        cursor = calendar.add_working_days(cursor, 1)

    senders_days = timing.dmarc_observe_days
    if gate is not None and gate.readiness in (DmarcReadiness.QUARANTINE, DmarcReadiness.REJECT):
        senders_days = timing.dmarc_ready_days
    fixes = gate.fixes if gate is not None else ()
    if fixes:
        actions = tuple(
            f.fix if f.fix.startswith(f.sender) else f"{f.sender}: {f.fix}" for f in fixes
        )
        fix_records = tuple(r for f in fixes for r in f.records)
        sender_title = f"Fix the services that fail DMARC when they send as {domain}"
    else:
        listed = ", ".join(spf_senders) if spf_senders else "none besides the mail provider"
        actions = (
            f"List every service that sends mail as {domain}: the mail provider, website "
            "forms, newsletters, invoicing, the CRM, scanners and printers.",
            "For each, turn on DKIM signing with the domain (the service's own help page "
            "names the DNS record to add) or make sure SPF covers it. The SPF record today "
            f"authorises: {listed}.",
            "Read the aggregate reports each week: every legitimate service must pass SPF or "
            "DKIM aligned with the domain.",
        )
        sender_title = f"Make every service that sends as {domain} pass DMARC"
        fix_records = ()
    done_when = (
        f"Done when the aggregate reports show every legitimate service passing aligned. Today: "
        f"{gate.summary}"
        if gate is not None
        else f"Done when the consultant has read {senders_days} days of aggregate reports (none "
        "were analysed for this assessment) and confirms in writing that every legitimate "
        "service passes aligned."
    )
    # Every date the plan prints is a working day, ends included.
    senders_end = calendar.working_day(cursor + timedelta(days=senders_days))
    steps.append(
        PlanStep(
            StepKind.DMARC_SENDERS,
            sender_title,
            cursor,
            senders_end,
            actions,
            track=Track.DMARC,
            domain=domain,
            owner=Owner.MAIL_ADMIN,
            effort=Effort(60 * max(1, len(fixes))),
            records=fix_records,
            check=done_when,
            rollback="Nothing to undo: the policy does not change in this step.",
            priority=25,
        )
    )
    cursor = senders_end

    if current is not Policy.REJECT and (current is not Policy.QUARANTINE or pct < 100):
        day = calendar.switch_day(cursor, other_switches)
        value = rewrite(own, Policy.QUARANTINE, rua or placeholder)
        files["dmarc-quarantine.zone"] = _zone(Record(name, "TXT", value), "")
        files["dmarc-rollback.zone"] = (
            _zone(Record(name, "TXT", previous), "The record as it was before the plan.")
            if previous
            else "; There was no DMARC record before the plan: delete the record to roll back.\n"
        )
        steps.append(
            PlanStep(
                StepKind.DMARC_QUARANTINE,
                f"Switch the DMARC policy of {domain} to quarantine",
                day,
                calendar.working_day(day + timedelta(days=timing.dmarc_quarantine_days)),
                (
                    "Publish the new DMARC record. Mail that fails DMARC then goes to the junk "
                    "folder instead of the inbox.",
                    "Read the aggregate reports twice a week for the first two weeks.",
                ),
                _switch_gate(gate, "quarantine"),
                track=Track.DMARC,
                domain=domain,
                owner=Owner.DNS_HOST,
                effort=Effort(15),
                records=(Record(name, "TXT", value),),
                check=f"Re-test with the kit: {name} shows p=quarantine; no legitimate service "
                "appears as failing in the next reports.",
                rollback=rollback_text + " (dmarc-rollback.zone)",
                switch=True,
                priority=30,
            )
        )
        cursor = day + timedelta(days=timing.dmarc_quarantine_days)

    quarantine_start = cursor - timedelta(days=timing.dmarc_quarantine_days)
    day = calendar.switch_day(cursor, other_switches)
    value = rewrite(own, Policy.REJECT, rua or placeholder)
    files["dmarc-reject.zone"] = _zone(Record(name, "TXT", value), "")
    steps.append(
        PlanStep(
            StepKind.DMARC_REJECT,
            f"Switch the DMARC policy of {domain} to reject",
            day,
            None,
            (
                "Publish the new DMARC record. Receivers then refuse mail that fails DMARC, "
                "so nobody can send mail that looks like it comes from the domain.",
                "Keep reading the aggregate reports monthly; a new service must be set up to "
                "pass DMARC before it sends.",
            ),
            (
                f"Quarantine has run since {long_day(quarantine_start)} without legitimate mail "
                "failing."
                if current is not Policy.QUARANTINE
                else "The reports since the last change show no legitimate mail failing.",
                *_switch_gate(gate, "reject"),
            ),
            track=Track.DMARC,
            domain=domain,
            owner=Owner.DNS_HOST,
            effort=Effort(15),
            records=(Record(name, "TXT", value),),
            check=f"Re-test with the kit: {name} shows p=reject.",
            rollback="Publish dmarc-quarantine.zone again if legitimate mail is refused.",
            switch=True,
            priority=35,
        )
    )
    if "dmarc-quarantine.zone" not in files:
        files["dmarc-quarantine.zone"] = _zone(
            Record(name, "TXT", rewrite(own, Policy.QUARANTINE, rua or placeholder)),
            "The rollback for the reject step.",
        )
    return DmarcTrack(tuple(steps), files)


def _switch_gate(gate: DmarcGate | None, level: str) -> tuple[str, ...]:
    if gate is None:
        return (
            "The consultant has read the aggregate reports of the whole observation window and "
            f"confirms that every legitimate service passes aligned, so {level} only affects "
            "forged mail.",
        )
    ready = {
        "quarantine": (DmarcReadiness.QUARANTINE, DmarcReadiness.REJECT),
        "reject": (DmarcReadiness.REJECT,),
    }[level]
    state = "already met" if gate.readiness in ready else "not yet met today"
    return (
        f"The aggregate-report gate for {level} is met (it is {state}; see 'Who sends mail as "
        "you').",
    )


def _zone(record: Record, comment: str) -> str:
    head = "".join(f"; {line}\n" for line in comment.splitlines() if line)
    return head + record.zone_line + "\n"
