"""Rollout plan: phase detection, dates, artifacts, for clients in every MTA-STS phase."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from assessment.checks import run_checks
from assessment.gather import gather
from assessment.model import Evidence, Finding
from assessment.planning import DomainPlan, RolloutPlan, build_plan, write_artifacts
from assessment.planning.detect import StsPhase
from assessment.planning.schedule import StepKind
from assessment.recommended import PARKED_DMARC
from assessment.records.mtasts import StsMode, parse_sts_policy, parse_sts_txt
from assessment.records.tlsrpt import parse_tlsrpt_txt
from assessment.report.plan_view import plan_section
from assessment.sandbox import Sandbox
from assessment.tlsrpt.gate import EnforceGates, EnforceStatus, EnforceVerdict

TODAY = date(2026, 10, 20)
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


def _artifact(domain_plan: DomainPlan, filename: str) -> str:
    return next(a.text for a in domain_plan.artifacts if a.filename == filename)


def _txt_value(zone_text: str) -> str:
    match = re.search(r'IN TXT "([^"]*)"', zone_text)
    assert match is not None
    return match.group(1)


def _with_policy(evidence: Evidence, domain: str, body: str, rename: str) -> Evidence:
    """The same domain's evidence with another policy body, under a new name (a hand-built
    client in a different phase)."""
    source = evidence.domain(domain)
    fetch = source.mta_sts_policy
    assert fetch is not None
    dns = tuple(
        dataclasses.replace(item, name=item.name.replace(domain, rename)) for item in source.dns
    )
    changed = dataclasses.replace(
        source, domain=rename, dns=dns, mta_sts_policy=dataclasses.replace(fetch, body=body)
    )
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


def test_phase_of_each_client(scenario: Evidence, demo: Evidence) -> None:
    plan, _ = _plan(scenario)
    assert _domain(plan, "good.test").phase is StsPhase.ENFORCE
    assert _domain(plan, "expired.test").phase is StsPhase.NONE
    assert _domain(plan, "redirect.test").phase is StsPhase.BROKEN_ENFORCE
    assert [n.domain for n in plan.no_mail] == ["nullmx.test"]
    assert plan.no_mail[0].missing == ()
    demo_plan, _ = _plan(demo)
    assert _domain(demo_plan, "brightsmiledental.example").phase is StsPhase.TESTING


def test_parked_domain_gets_a_note_with_the_missing_record(demo: Evidence) -> None:
    plan, _ = _plan(demo)
    assert [d.domain for d in plan.domains] == ["brightsmiledental.example"]
    (note,) = plan.no_mail
    assert note.domain == "brightsmile-dental.example"
    assert note.missing == (f'_dmarc.brightsmile-dental.example. IN TXT "{PARKED_DMARC}"',)
    assert "null MX" in note.text and "no MTA-STS" in note.text


def test_none_phase_full_schedule(scenario: Evidence) -> None:
    plan, _ = _plan(scenario)
    expired = _domain(plan, "expired.test")
    kinds = [s.kind for s in expired.steps]
    assert kinds == [
        StepKind.PREREQUISITES,
        StepKind.TESTING,
        StepKind.WATCH,
        StepKind.ENFORCE,
        StepKind.MAX_AGE,
        StepKind.MAX_AGE,
        StepKind.MONITOR,
        StepKind.ROLLBACK,
    ]
    d = TODAY
    dates = [(s.start, s.end) for s in expired.steps]
    assert dates[0] == (d, d + timedelta(days=7))
    assert dates[1] == (d + timedelta(days=7), d + timedelta(days=8))
    assert dates[2] == (d + timedelta(days=8), d + timedelta(days=29))
    # enforce at one week for 14 days, two weeks for 28 days, then a year, ongoing
    assert dates[3] == (d + timedelta(days=29), d + timedelta(days=43))
    assert dates[4] == (d + timedelta(days=43), d + timedelta(days=71))
    assert dates[5] == (d + timedelta(days=71), None)
    assert dates[6] == (d + timedelta(days=29), None)
    prereq = expired.steps[0]
    assert any("mx.expired.test" in a and "Fix" in a for a in prereq.actions)
    assert any("mta-sts.expired.test" in a for a in prereq.actions)
    watch = expired.steps[2]
    assert watch.gates == EnforceGates().describe()
    policies = [parse_sts_policy(s.policy) for s in expired.steps if s.policy]
    assert [p.max_age for p in policies] == [86400, 604800, 1209600, 31557600]
    assert [p.mode for p in policies] == [StsMode.TESTING] + [StsMode.ENFORCE] * 3


def test_watch_never_ends_before_the_verdict_could_be_ready(scenario: Evidence) -> None:
    gates = EnforceGates(min_days=30)
    plan, _ = _plan(scenario, gates=gates)
    watch = next(s for s in _domain(plan, "expired.test").steps if s.kind is StepKind.WATCH)
    assert watch.end is not None and (watch.end - watch.start).days == 31
    assert "At least 30 days" in watch.gates[0]


def _clean_testing(scenario: Evidence) -> Evidence:
    body = "version: STSv1\nmode: testing\nmx: mx1.good.test\nmx: mx2.good.test\nmax_age: 86400\n"
    return _with_policy(scenario, "good.test", body, "good.test")


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
    evidence = _clean_testing(scenario)
    verdicts = {} if status is None else {"good.test": _verdict("good.test", status, days)}
    plan, _ = _plan(evidence, verdicts=verdicts)
    domain_plan = _domain(plan, "good.test")
    assert domain_plan.phase is StsPhase.TESTING
    watch = next(s for s in domain_plan.steps if s.kind is StepKind.WATCH)
    assert watch.end is not None and (watch.end - watch.start).days == watch_days
    enforce = next(s for s in domain_plan.steps if s.kind is StepKind.ENFORCE)
    assert enforce.start == watch.end
    if status is not None:
        assert any(f"{days} days with reports (14 required)" in a for a in watch.actions)
    if status is EnforceStatus.NOT_READY:
        assert domain_plan.steps[0].kind is StepKind.PREREQUISITES
        assert any("sts-webpki-invalid on mx9.example" in a for a in domain_plan.steps[0].actions)
    if status is EnforceStatus.READY:
        assert domain_plan.steps[0].kind is StepKind.WATCH and watch.start == TODAY


def test_testing_demo_covers_every_mx_and_names_the_failing_host(demo: Evidence) -> None:
    plan, _ = _plan(demo)
    dental = _domain(plan, "brightsmiledental.example")
    # Only lines that match a live MX: never the dead `*.mx.microsoft`.
    assert dental.patterns == ("*.mail.protection.outlook.com", "backup-mx.harbourit.example")
    prereq = dental.steps[0]
    assert prereq.kind is StepKind.PREREQUISITES
    assert any(
        a.startswith("Fix backup-mx.harbourit.example") and "mail.harbourit.example" in a
        for a in prereq.actions
    )
    assert dental.steps[1].kind is StepKind.TESTING
    tls = _artifact(dental, "tls-rpt-record.zone")
    assert _txt_value(tls) == "v=TLSRPTv1; rua=mailto:tlsrpt@brightsmiledental.example"
    notes = _artifact(dental, "hosting-notes.txt")
    assert "Microsoft 365" in notes and "GitHub Pages" in notes and "nginx" in notes


def test_enforce_client_gets_max_age_steps_and_monitoring_only(scenario: Evidence) -> None:
    plan, _ = _plan(scenario)
    good = _domain(plan, "good.test")
    assert [s.kind for s in good.steps] == [
        StepKind.MAX_AGE,
        StepKind.MAX_AGE,
        StepKind.MONITOR,
        StepKind.ROLLBACK,
    ]
    first, last = good.steps[0], good.steps[1]
    assert (first.start, first.end) == (TODAY, TODAY + timedelta(days=28))
    assert (last.start, last.end) == (TODAY + timedelta(days=28), None)
    assert _artifact(good, "mta-sts.txt") == (
        "version: STSv1\r\nmode: enforce\r\nmx: mx1.good.test\r\nmx: mx2.good.test\r\n"
        "max_age: 1209600\r\n"
    )


def test_enforce_at_one_year_plans_no_raise(scenario: Evidence) -> None:
    body = (
        "version: STSv1\nmode: enforce\nmx: mx1.good.test\nmx: mx2.good.test\nmax_age: 31557600\n"
    )
    plan, _ = _plan(_with_policy(scenario, "good.test", body, "good.test"))
    good = _domain(plan, "good.test")
    assert [s.kind for s in good.steps] == [StepKind.MONITOR, StepKind.ROLLBACK]
    assert "no further raise" in good.notes[0]


def test_broken_enforce_unreadable_policy_switches_to_testing_now(scenario: Evidence) -> None:
    plan, _ = _plan(scenario)
    broken = _domain(plan, "redirect.test")
    first = broken.steps[0]
    assert first.kind is StepKind.IMMEDIATE
    assert (first.start, first.end) == (TODAY, TODAY + timedelta(days=1))
    assert first.policy is not None
    assert parse_sts_policy(first.policy).mode is StsMode.TESTING
    assert any("301" in a for a in first.actions)
    assert [s.kind for s in broken.steps][1:4] == [
        StepKind.PREREQUISITES,
        StepKind.WATCH,
        StepKind.ENFORCE,
    ]


def test_broken_enforce_missing_mx_line_fixed_in_place(scenario: Evidence) -> None:
    body = "version: STSv1\nmode: enforce\nmx: mx1.good.test\nmax_age: 604800\n"
    plan, findings = _plan(_with_policy(scenario, "good.test", body, "good.test"))
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
    raises = [s for s in good.steps if s.kind is StepKind.MAX_AGE]
    assert [parse_sts_policy(s.policy or "").max_age for s in raises] == [1209600, 31557600]


# ------------------------------------------------------------------------- artifacts


def test_artifacts_exact_and_parse_back_cleanly(scenario: Evidence) -> None:
    plan, _ = _plan(scenario)
    expired = _domain(plan, "expired.test")
    assert [a.filename for a in expired.artifacts] == [
        "mta-sts.txt",
        "mta-sts-record.zone",
        "mta-sts-enforce.txt",
        "mta-sts-enforce-record.zone",
        "tls-rpt-record.zone",
        "mta-sts-rollback.txt",
        "mta-sts-rollback-record.zone",
        "hosting-notes.txt",
    ]
    assert _artifact(expired, "mta-sts.txt") == (
        "version: STSv1\r\nmode: testing\r\nmx: mx.expired.test\r\nmax_age: 86400\r\n"
    )
    assert _artifact(expired, "mta-sts-enforce.txt") == (
        "version: STSv1\r\nmode: enforce\r\nmx: mx.expired.test\r\nmax_age: 604800\r\n"
    )
    assert _artifact(expired, "mta-sts-rollback.txt") == (
        "version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n"
    )
    assert _artifact(expired, "mta-sts-record.zone") == (
        '_mta-sts.expired.test. IN TXT "v=STSv1; id=20261027090000"\n'
    )
    for name in ("mta-sts.txt", "mta-sts-enforce.txt", "mta-sts-rollback.txt"):
        assert parse_sts_policy(_artifact(expired, name)).problems == ()
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


def test_every_published_id_is_new_and_valid(scenario: Evidence, demo: Evidence) -> None:
    for evidence in (scenario, demo):
        plan, _ = _plan(evidence)
        for domain_plan in plan.domains:
            txts = [s.txt for s in domain_plan.steps if s.txt]
            ids = [parse_sts_txt(t).id for t in txts]
            assert all(parse_sts_txt(t).valid for t in txts)
            assert len(ids) == len(set(ids))
            assert "20261015T090000" not in ids


def test_write_artifacts(scenario: Evidence, tmp_path: Path) -> None:
    plan, _ = _plan(scenario)
    paths = write_artifacts(plan, tmp_path)
    expected = sum(len(d.artifacts) for d in plan.domains)
    assert len(paths) == expected
    policy = tmp_path / "artifacts" / "expired.test" / "mta-sts.txt"
    assert policy in paths
    assert policy.read_bytes() == (
        b"version: STSv1\r\nmode: testing\r\nmx: mx.expired.test\r\nmax_age: 86400\r\n"
    )
    assert not (tmp_path / "artifacts" / "nullmx.test").exists()


def test_plan_section(scenario: Evidence) -> None:
    plan, _ = _plan(scenario)
    section = plan_section(plan)
    assert len(section.phases) == sum(len(d.steps) for d in plan.domains)
    assert section.phases[0].name.startswith(plan.domains[0].domain + ": ")
    assert any(a.filename == "expired.test/mta-sts.txt" for a in section.artifacts)
    assert any("nullmx.test receives no mail" in n for n in section.notes)
    ongoing = [p for p in section.phases if p.end is None]
    assert all(p.start >= TODAY for p in section.phases) and ongoing
