"""The rollout plan: every control, dated on working days, self-checked, for clients in every
phase."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from assessment.checks import run_checks
from assessment.gather import gather
from assessment.model import Evidence, Finding
from assessment.planning import (
    DmarcGate,
    DmarcReadiness,
    DomainPlan,
    Owner,
    RolloutPlan,
    SenderFix,
    StepKind,
    Track,
    build_plan,
    write_artifacts,
)
from assessment.planning.calendar import WorkCalendar
from assessment.planning.detect import StsPhase
from assessment.planning.verify import plan_problems
from assessment.recommended import PARKED_DKIM, PARKED_DMARC
from assessment.records.dmarc import parse_dmarc
from assessment.records.dmarc_tags import Policy
from assessment.records.mtasts import StsMode, parse_sts_policy, parse_sts_txt
from assessment.records.tlsrpt import parse_tlsrpt_txt
from assessment.report.plan_view import plan_section
from assessment.sandbox import Sandbox
from assessment.tlsrpt.gate import EnforceGates, EnforceStatus, EnforceVerdict

TODAY = date(2026, 10, 20)  # a Tuesday
DOMAINS = ("good.test", "expired.test", "redirect.test", "nullmx.test", "nostarttls.test")
DEMO = ("brightsmiledental.example", "brightsmile-dental.example")


@pytest.fixture(scope="module")
def scenario(sandbox: Sandbox) -> Evidence:
    return gather("Test client", DOMAINS, dataclasses.replace(sandbox.profile, lab=True))


@pytest.fixture(scope="module")
def demo(demo_sandbox: Sandbox) -> Evidence:
    return gather("Brightsmile", DEMO, dataclasses.replace(demo_sandbox.profile, lab=True))


def _plan(evidence: Evidence, **kwargs: object) -> tuple[RolloutPlan, tuple[Finding, ...]]:
    findings = run_checks(evidence)
    return build_plan(evidence, findings, assessed_on=TODAY, **kwargs), findings  # type: ignore[arg-type]


def _domain(plan: RolloutPlan, name: str) -> DomainPlan:
    return next(d for d in plan.domains if d.domain == name)


def _track(domain_plan: DomainPlan, track: Track) -> list[StepKind]:
    return [s.kind for s in domain_plan.steps if s.track is track]


def _artifact(domain_plan: DomainPlan, filename: str) -> str:
    return next(a.text for a in domain_plan.artifacts if a.filename == filename)


def _txt_value(zone_text: str) -> str:
    match = re.search(r'IN TXT "([^"]*)"', zone_text)
    assert match is not None
    return match.group(1)


def _with_policy(evidence: Evidence, domain: str, body: str) -> Evidence:
    """The same domain's evidence with another policy body (a client in another phase)."""
    source = evidence.domain(domain)
    fetch = source.mta_sts_policy
    assert fetch is not None
    changed = dataclasses.replace(source, mta_sts_policy=dataclasses.replace(fetch, body=body))
    return dataclasses.replace(evidence, domains=(changed,))


def _verdict(domain: str, status: EnforceStatus, days: int) -> EnforceVerdict:
    return EnforceVerdict(
        domain=domain,
        status=status,
        reasons=(),
        blockers=("sts-webpki-invalid on mx9.example",)
        if status is EnforceStatus.NOT_READY
        else (),
        window_start=TODAY - timedelta(days=14),
        window_end=TODAY - timedelta(days=1),
        days_covered=days,
        reporters=("Google", "Microsoft"),
        total_successful=1200,
        total_failed=0 if status is EnforceStatus.READY else 3,
        failure_rate=0.0,
        failing_mx=(),
        first_report=TODAY - timedelta(days=days),
        last_report=TODAY - timedelta(days=1),
    )


# ------------------------------------------------------------------------- phases


def test_phase_of_each_domain(scenario: Evidence, demo: Evidence) -> None:
    plan, _ = _plan(scenario)
    assert _domain(plan, "good.test").phase is StsPhase.ENFORCE
    assert _domain(plan, "expired.test").phase is StsPhase.NONE
    assert _domain(plan, "redirect.test").phase is StsPhase.BROKEN_ENFORCE
    parked = _domain(plan, "nullmx.test")
    assert parked.phase is None and not parked.receives_mail
    assert parked.steps == ()  # null MX, SPF -all and DMARC reject are all in place
    demo_plan, _ = _plan(demo)
    assert _domain(demo_plan, "brightsmiledental.example").phase is StsPhase.TESTING


def test_parked_domain_gets_exactly_the_missing_records(demo: Evidence) -> None:
    plan, _ = _plan(demo)
    parked = _domain(plan, "brightsmile-dental.example")
    (step,) = parked.steps
    assert step.kind is StepKind.PARKED_KIT and step.owner is Owner.DNS_HOST
    assert [(r.name, r.rtype, r.value) for r in step.records] == [
        ("_dmarc.brightsmile-dental.example", "TXT", PARKED_DMARC),
        ("*._domainkey.brightsmile-dental.example", "TXT", PARKED_DKIM),
    ]
    assert "null MX" in step.actions[0] and "SPF -all" in step.actions[0]
    zone = _artifact(parked, "parked-domain.zone")
    assert f'_dmarc.brightsmile-dental.example. IN TXT "{PARKED_DMARC}"' in zone
    assert step.check and step.rollback


def test_none_phase_full_sts_schedule_on_working_days(scenario: Evidence) -> None:
    plan, _ = _plan(scenario)
    expired = _domain(plan, "expired.test")
    assert _track(expired, Track.MTA_STS) == [
        StepKind.PREREQUISITES,
        StepKind.TESTING,
        StepKind.WATCH,
        StepKind.ENFORCE,
        StepKind.MAX_AGE,
        StepKind.MAX_AGE,
        StepKind.MONITOR,
    ]
    sts = [s for s in expired.steps if s.track is Track.MTA_STS]
    calendar = plan.calendar
    assert all(calendar.is_working_day(s.start) for s in sts)
    prereq, testing, watch, enforce = sts[:4]
    assert prereq.start == TODAY and prereq.end == calendar.add_working_days(TODAY, 7)
    assert testing.start == prereq.end
    assert watch.start == testing.end and watch.end == watch.start + timedelta(days=21)
    assert enforce.switch and calendar.can_switch(enforce.start) and enforce.start >= watch.end
    assert any("mx.expired.test" in a and a.startswith("Fix") for a in prereq.actions)
    assert "at least 14 days of MTA-STS (sts) reports" in watch.check
    policies = [parse_sts_policy(s.policy) for s in sts if s.policy]
    assert [p.max_age for p in policies] == [86400, 604800, 1209600, 31557600]
    assert [p.mode for p in policies] == [StsMode.TESTING] + [StsMode.ENFORCE] * 3
    for step in sts:
        assert step.owner and step.effort.minutes > 0 and step.check


def test_watch_never_ends_before_the_verdict_could_be_ready(scenario: Evidence) -> None:
    plan, _ = _plan(scenario, gates=EnforceGates(min_days=30))
    watch = next(s for s in _domain(plan, "expired.test").steps if s.kind is StepKind.WATCH)
    assert watch.end is not None and (watch.end - watch.start).days == 31
    assert "at least 30 days" in watch.check


def _clean_testing(scenario: Evidence) -> Evidence:
    body = "version: STSv1\nmode: testing\nmx: mx1.good.test\nmx: mx2.good.test\nmax_age: 86400\n"
    return _with_policy(scenario, "good.test", body)


@pytest.mark.parametrize(
    ("status", "days", "watch_days"),
    [
        (EnforceStatus.READY, 14, 3),
        (EnforceStatus.INSUFFICIENT_DATA, 10, 5),
        (EnforceStatus.NOT_READY, 14, 8),
        (None, 0, 21),
    ],
)
def test_testing_phase_watch_follows_the_verdict(
    scenario: Evidence, status: EnforceStatus | None, days: int, watch_days: int
) -> None:
    verdicts = {} if status is None else {"good.test": _verdict("good.test", status, days)}
    plan, _ = _plan(_clean_testing(scenario), verdicts=verdicts)
    domain_plan = _domain(plan, "good.test")
    assert domain_plan.phase is StsPhase.TESTING
    sts = [s for s in domain_plan.steps if s.track is Track.MTA_STS]
    watch = next(s for s in sts if s.kind is StepKind.WATCH)
    # The watch lasts `watch_days`, its end moved to the next working day if it falls on none.
    assert watch.end == plan.calendar.working_day(watch.start + timedelta(days=watch_days))
    enforce = next(s for s in sts if s.kind is StepKind.ENFORCE)
    assert enforce.start == plan.calendar.switch_day(watch.end)
    if status is not None:
        assert any(f"{days} days with reports, 14 required" in a for a in watch.actions)
    if status is EnforceStatus.NOT_READY:
        assert sts[0].kind is StepKind.PREREQUISITES
        assert any("sts-webpki-invalid on mx9.example" in a for a in sts[0].actions)
        # Past failures cannot be cleared, only outlived: the step says so.
        assert any("stay in the reports" in a for a in sts[0].actions)
    if status is EnforceStatus.READY:
        assert sts[0].kind is StepKind.WATCH and watch.start == TODAY


def test_demo_removes_the_bypass_mx_first_and_covers_only_what_stays(demo: Evidence) -> None:
    plan, _ = _plan(demo)
    dental = _domain(plan, "brightsmiledental.example")
    assert dental.planned_mx == ("brightsmiledental-example.mail.protection.outlook.com",)
    # Only lines for the MX hosts that stay: never the dead `*.mx.microsoft`.
    assert dental.patterns == ("*.mail.protection.outlook.com",)
    removal = next(s for s in dental.steps if s.kind is StepKind.REMOVE_MX)
    assert removal.title == "Remove the MX record for backup-mx.harbourit.example"
    assert removal.switch and removal.owner is Owner.IT_PROVIDER
    # Nothing else to prepare: the removal is a condition of the watch before enforcing.
    assert StepKind.PREREQUISITES not in {s.kind for s in dental.steps}
    watch = next(s for s in dental.steps if s.kind is StepKind.WATCH)
    assert watch.gates[0] == "The MX record for backup-mx.harbourit.example has been removed."
    assert not any("backup-mx" in line for s in dental.steps for line in s.actions if "Fix" in line)
    tls = _artifact(dental, "tls-rpt-record.zone")
    assert _txt_value(tls) == "v=TLSRPTv1; rua=mailto:tlsrpt@brightsmiledental.example"
    notes = _artifact(dental, "hosting-notes.txt")
    assert "Microsoft 365" in notes and "GitHub Pages" in notes
    assert "*.mx.microsoft matches none of them" in notes
    kinds = {s.kind for s in dental.steps}
    assert {StepKind.DKIM_ROTATE, StepKind.DMARC_SENDERS, StepKind.DMARC_QUARANTINE} <= kinds


def test_enforce_client_gets_max_age_steps_and_monitoring(scenario: Evidence) -> None:
    plan, _ = _plan(scenario)
    good = _domain(plan, "good.test")
    assert _track(good, Track.MTA_STS) == [StepKind.MAX_AGE, StepKind.MAX_AGE, StepKind.MONITOR]
    assert _artifact(good, "mta-sts.txt") == (
        "version: STSv1\r\nmode: enforce\r\nmx: mx1.good.test\r\nmx: mx2.good.test\r\n"
        "max_age: 1209600\r\n"
    )


def test_enforce_at_one_year_plans_no_raise(scenario: Evidence) -> None:
    body = (
        "version: STSv1\nmode: enforce\nmx: mx1.good.test\nmx: mx2.good.test\nmax_age: 31557600\n"
    )
    plan, _ = _plan(_with_policy(scenario, "good.test", body))
    assert _track(_domain(plan, "good.test"), Track.MTA_STS) == [StepKind.MONITOR]


def test_broken_enforce_unreadable_policy_switches_to_testing_now(scenario: Evidence) -> None:
    plan, _ = _plan(scenario)
    broken = _domain(plan, "redirect.test")
    first = broken.steps[0]
    assert first.kind is StepKind.IMMEDIATE and first.priority == 0
    assert first.start == TODAY
    assert first.policy is not None
    assert parse_sts_policy(first.policy).mode is StsMode.TESTING
    assert any("301" in a for a in first.actions)
    assert plan.first_actions[0] is first


def test_broken_enforce_missing_mx_line_fixed_in_place(scenario: Evidence) -> None:
    body = "version: STSv1\nmode: enforce\nmx: mx1.good.test\nmax_age: 604800\n"
    plan, findings = _plan(_with_policy(scenario, "good.test", body))
    assert "MTA_STS_MX_NOT_COVERED" in {f.code for f in findings}
    good = _domain(plan, "good.test")
    assert good.phase is StsPhase.BROKEN_ENFORCE
    first = good.steps[0]
    assert first.kind is StepKind.IMMEDIATE
    assert first.policy == (
        "version: STSv1\r\nmode: enforce\r\nmx: mx1.good.test\r\nmx: mx2.good.test\r\n"
        "max_age: 604800\r\n"
    )
    assert first.txt is not None
    assert parse_sts_txt(first.txt).id != "20261015T090000"


# ------------------------------------------------------------------------- DMARC track


def test_dmarc_none_goes_through_senders_quarantine_reject(demo: Evidence) -> None:
    plan, _ = _plan(demo)
    dental = _domain(plan, "brightsmiledental.example")
    steps = [s for s in dental.steps if s.track is Track.DMARC]
    assert [s.kind for s in steps] == [
        StepKind.DMARC_SENDERS,
        StepKind.DMARC_QUARANTINE,
        StepKind.DMARC_REJECT,
    ]
    senders, quarantine, reject = steps
    assert senders.end == senders.start + timedelta(days=28)
    assert quarantine.switch and plan.calendar.can_switch(quarantine.start)
    assert quarantine.start >= senders.end
    # Kept apart from every other switch of the domain, so a failure can be traced.
    others = [s.start for s in dental.steps if s.switch and s.track is not Track.DMARC]
    assert all(abs((quarantine.start - o).days) >= 7 for o in others)
    q = parse_dmarc(quarantine.records[0].value)
    r = parse_dmarc(reject.records[0].value)
    assert (q.p, r.p) == (Policy.QUARANTINE, Policy.REJECT)
    # The client's own report address is kept, as written.
    assert [u.raw for u in q.rua] == ["mailto:dmarc@brightsmiledental.example"]
    assert "none were analysed" in senders.check
    rollback = _artifact(dental, "dmarc-rollback.zone")
    assert "p=none" in rollback


def test_dmarc_gate_sets_the_pace_and_names_the_senders(demo: Evidence) -> None:
    gate = DmarcGate(
        DmarcReadiness.NOT_READY,
        "21 days of reports from 3 reporters; 91% of legitimate mail aligned.",
        (SenderFix("Mailchimp", "Publish the CNAME k1._domainkey to dkim.mcsv.net."),),
    )
    plan, _ = _plan(demo, dmarc_gates={"brightsmiledental.example": gate})
    senders = next(
        s
        for s in _domain(plan, "brightsmiledental.example").steps
        if s.kind is StepKind.DMARC_SENDERS
    )
    assert senders.actions == ("Mailchimp: Publish the CNAME k1._domainkey to dkim.mcsv.net.",)
    assert gate.summary in senders.check
    ready = dataclasses.replace(gate, readiness=DmarcReadiness.QUARANTINE, fixes=())
    plan, _ = _plan(demo, dmarc_gates={"brightsmiledental.example": ready})
    senders = next(
        s
        for s in _domain(plan, "brightsmiledental.example").steps
        if s.kind is StepKind.DMARC_SENDERS
    )
    assert senders.end == senders.start + timedelta(days=7)


def test_dmarc_rewrite_keeps_tags_and_raises_a_weak_sp() -> None:
    from assessment.planning.dmarc import rewrite

    record = parse_dmarc(
        "v=DMARC1; p=none; sp=none; pct=50; rua=mailto:a@example.com; adkim=s; fo=1"
    )
    text = rewrite(record, Policy.REJECT, "mailto:placeholder@example.com")
    assert text == "v=DMARC1; p=reject; sp=reject; rua=mailto:a@example.com; adkim=s; fo=1"
    assert parse_dmarc(text).valid
    assert rewrite(None, Policy.NONE, "mailto:r@example.com") == (
        "v=DMARC1; p=none; rua=mailto:r@example.com"
    )


# ------------------------------------------------------------------------- calendar


def test_calendar_working_days_and_switch_days() -> None:
    uk = WorkCalendar("GB")
    assert not uk.is_working_day(date(2026, 12, 28))  # Boxing Day (observed)
    assert not uk.is_working_day(date(2026, 4, 6))  # Easter Monday (England)
    assert uk.working_day(date(2026, 12, 25)) == date(2026, 12, 29)
    # No switch in the end-of-year holidays, nor on a Monday or Friday.
    assert uk.switch_day(date(2026, 12, 16)) == date(2026, 12, 16)
    assert uk.switch_day(date(2026, 12, 18)) == date(2027, 1, 7)
    assert uk.switch_day(date(2026, 10, 23)) == date(2026, 10, 27)
    assert uk.switch_day(date(2026, 10, 20), [date(2026, 10, 21)]) == date(2026, 10, 28)
    assert "public holidays in England and Wales (United Kingdom)" in uk.description
    assert "not counted" in WorkCalendar("").description
    assert "not known" in WorkCalendar("ZZ").description


@pytest.mark.parametrize("assessed_on", [TODAY, date(2026, 12, 4), date(2027, 3, 26)])
def test_plan_dates_follow_the_clients_country(demo: Evidence, assessed_on: date) -> None:
    findings = run_checks(demo)
    plan = build_plan(demo, findings, assessed_on=assessed_on, country="GB")
    for step in (s for d in plan.domains for s in d.steps):
        # Ends too: a step "to 1 Jan 2027" asked for work on New Year's Day.
        for day in (step.start, step.end):
            assert day is None or plan.calendar.is_working_day(day), (step.title, day)
        if step.switch:
            assert plan.calendar.can_switch(step.start), step.title


# ------------------------------------------------------------------------- artifacts


def test_artifacts_exact_and_parse_back_cleanly(scenario: Evidence) -> None:
    plan, _ = _plan(scenario)
    expired = _domain(plan, "expired.test")
    names = [a.filename for a in expired.artifacts]
    for name in (
        "mta-sts.txt",
        "mta-sts-record.zone",
        "mta-sts-enforce.txt",
        "mta-sts-enforce-record.zone",
        "mta-sts-rollback.txt",
        "mta-sts-rollback-record.zone",
        "tls-rpt-record.zone",
        "hosting-notes.txt",
    ):
        assert name in names
    assert _artifact(expired, "mta-sts.txt") == (
        "version: STSv1\r\nmode: testing\r\nmx: mx.expired.test\r\nmax_age: 86400\r\n"
    )
    assert _artifact(expired, "mta-sts-enforce.txt") == (
        "version: STSv1\r\nmode: enforce\r\nmx: mx.expired.test\r\nmax_age: 604800\r\n"
    )
    assert _artifact(expired, "mta-sts-rollback.txt") == (
        "version: STSv1\r\nmode: testing\r\nmx: mx.expired.test\r\nmax_age: 86400\r\n"
    )
    ids = []
    for name in (
        "mta-sts-record.zone",
        "mta-sts-enforce-record.zone",
        "mta-sts-rollback-record.zone",
    ):
        parsed = parse_sts_txt(_txt_value(_artifact(expired, name)))
        assert parsed.problems == () and parsed.valid
        ids.append(parsed.id)
    assert len(set(ids)) == 3
    tls = _artifact(expired, "tls-rpt-record.zone")
    assert tls.startswith("; Replace tlsrpt@expired.test")
    assert parse_tlsrpt_txt(_txt_value(tls)).problems == ()


def test_every_published_id_is_new_and_the_plan_checks_itself(
    scenario: Evidence, demo: Evidence
) -> None:
    for evidence in (scenario, demo):
        plan, _ = _plan(evidence)
        assert plan_problems(plan) == []
        for domain_plan in plan.domains:
            txts = [s.txt for s in domain_plan.steps if s.txt]
            ids = [parse_sts_txt(t).id for t in txts]
            assert all(parse_sts_txt(t).valid for t in txts)
            assert len(ids) == len(set(ids))
            assert "20261015T090000" not in ids


def test_write_artifacts(scenario: Evidence, tmp_path: Path) -> None:
    plan, _ = _plan(scenario)
    paths = write_artifacts(plan, tmp_path)
    assert len(paths) == sum(len(d.artifacts) for d in plan.domains)
    policy = tmp_path / "artifacts" / "expired.test" / "mta-sts.txt"
    assert policy in paths
    assert policy.read_bytes() == (
        b"version: STSv1\r\nmode: testing\r\nmx: mx.expired.test\r\nmax_age: 86400\r\n"
    )
    assert not (tmp_path / "artifacts" / "nullmx.test").exists()


def test_plan_section_numbers_steps_in_date_order(scenario: Evidence) -> None:
    plan, _ = _plan(scenario)
    section = plan_section(plan)
    assert [s.number for s in section.steps] == list(range(1, len(section.steps) + 1))
    starts = [s.start for s in section.steps]
    assert starts == sorted(starts)
    testing = next(s for s in section.steps if s.title.startswith("Publish an MTA-STS policy"))
    assert "expired.test/mta-sts.txt" in testing.files
    assert testing.policy.startswith("version: STSv1\nmode: testing")
    assert any(a.filename == "expired.test/mta-sts.txt" for a in section.artifacts)
    assert "Monday to Friday" in section.calendar
