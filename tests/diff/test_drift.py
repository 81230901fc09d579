"""The drift rules against the sandbox: the book's Google Workspace client (Hartley & Finch,
MTA-STS enforced) assessed once as published, then again from an edited copy of the scenario,
each edit playing one change a client makes between two quarterly assessments. A second
sandbox start means a new CA and new certificates, so every test also shows that a plain
re-issue is not reported as a change."""

from __future__ import annotations

import base64
import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from assessment.checks import run_checks
from assessment.diff import DriftRule, RecordKind, RunDiff, diff_runs
from assessment.gather import gather
from assessment.model import Evidence, Finding
from assessment.sandbox import Sandbox, demo_scenario_dir

CLIENT = "Hartley & Finch Solicitors"
DOMAINS = ("hartleyfinch.example", "hartleyfinch-law.example")
MAIN = DOMAINS[0]
Run = tuple[Evidence, tuple[Finding, ...]]


def _assess(sandbox: Sandbox) -> Run:
    evidence = gather(CLIENT, DOMAINS, dataclasses.replace(sandbox.profile, lab=True), ["google"])
    return evidence, run_checks(evidence)


@pytest.fixture(scope="module")
def before(demo_sandbox: Sandbox) -> Run:
    return _assess(demo_sandbox)


def _after(tmp_path: Path, edit: Callable[[Path], None]) -> Run:
    scenario = tmp_path / "scenario"
    shutil.copytree(demo_scenario_dir(), scenario)
    edit(scenario)
    with Sandbox(scenario) as running:
        return _assess(running)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _zone(scenario: Path) -> Path:
    return scenario / "zones" / f"{MAIN}.zone"


def _policy(scenario: Path) -> Path:
    return scenario / "policies" / f"mta-sts.{MAIN}.txt"


def _diff(before: Run, after: Run) -> RunDiff:
    return diff_runs(before[0], before[1], after[0], after[1])


def _rules(diff: RunDiff) -> list[tuple[DriftRule, str, str]]:
    return [(d.rule, d.domain, d.subject) for d in diff.drift]


def _kinds(diff: RunDiff) -> set[RecordKind]:
    return {r.record for r in diff.records}


def test_nothing_changed(before: Run, tmp_path: Path) -> None:
    diff = _diff(before, _after(tmp_path, lambda scenario: None))
    assert diff.empty, diff
    assert not diff.regressed


def test_policy_changed_but_id_did_not(before: Run, tmp_path: Path) -> None:
    def edit(scenario: Path) -> None:
        _replace(_policy(scenario), "max_age: 604800", "max_age: 1209600")

    diff = _diff(before, _after(tmp_path, edit))
    assert _rules(diff) == [(DriftRule.POLICY_CHANGED_ID_SAME, MAIN, f"_mta-sts.{MAIN}")]
    assert "max_age 604800 -> 1209600" in diff.drift[0].detail
    assert "20260302T101500" in diff.drift[0].detail
    assert _kinds(diff) == {RecordKind.MTA_STS_POLICY}
    assert diff.regressed


def test_policy_and_id_changed_together_is_no_drift(before: Run, tmp_path: Path) -> None:
    def edit(scenario: Path) -> None:
        _replace(_policy(scenario), "max_age: 604800", "max_age: 1209600")
        _replace(_zone(scenario), "id=20260302T101500", "id=20261201T090000")

    diff = _diff(before, _after(tmp_path, edit))
    assert diff.drift == ()
    assert _kinds(diff) == {RecordKind.MTA_STS_POLICY, RecordKind.MTA_STS_ID}
    ids = [r for r in diff.records if r.record is RecordKind.MTA_STS_ID]
    assert (ids[0].before, ids[0].after) == ("20260302T101500", "20261201T090000")
    assert not diff.regressed


def test_reordered_policy_lines_are_the_same_policy(before: Run, tmp_path: Path) -> None:
    def edit(scenario: Path) -> None:
        _policy(scenario).write_text(
            "version: STSv1\nmx: *.aspmx.l.google.com\nmax_age:604800\nmode: enforce\n"
            "mx: aspmx.l.google.com\n\n"
        )

    diff = _diff(before, _after(tmp_path, edit))
    # Not a policy change (the checks may still remark on the layout: that is their business).
    assert (diff.records, diff.drift) == ((), ())


def test_mx_moved_but_policy_did_not(before: Run, tmp_path: Path) -> None:
    """Google moved the tenant to smtp.google.com; nobody touched the policy."""

    def edit(scenario: Path) -> None:
        text = _zone(scenario).read_text()
        kept = [line for line in text.splitlines() if "IN MX" not in line]
        kept.append("@\tIN MX 1 smtp.google.com.")
        _zone(scenario).write_text("\n".join(kept) + "\n")

    diff = _diff(before, _after(tmp_path, edit))
    assert _rules(diff) == [(DriftRule.MX_CHANGED_POLICY_SAME, MAIN, MAIN)]
    detail = diff.drift[0].detail
    assert "it matches no line for smtp.google.com" in detail
    assert "mx: aspmx.l.google.com, mx: *.aspmx.l.google.com matched only removed" in detail
    assert RecordKind.MX in _kinds(diff)
    # The checks see it too: an enforced policy that matches no MX is new, and critical.
    assert ("MTA_STS_ENFORCE_MATCHES_NO_MX", "critical") in {
        (f.code, f.severity.value) for f in diff.new
    }
    assert diff.regressed


def test_mx_change_the_policy_already_covers_is_no_drift(before: Run, tmp_path: Path) -> None:
    def edit(scenario: Path) -> None:
        _replace(_zone(scenario), "@\tIN MX 10 alt4.aspmx.l.google.com.\n", "")

    diff = _diff(before, _after(tmp_path, edit))
    assert diff.drift == ()
    mx = [r for r in diff.records if r.record is RecordKind.MX]
    assert len(mx) == 1 and mx[0].before and "alt4" in mx[0].before
    assert mx[0].after and "alt4" not in mx[0].after
    assert not diff.regressed


def test_certificate_expiring_within_max_age(before: Run, tmp_path: Path) -> None:
    def edit(scenario: Path) -> None:
        _replace(
            scenario / "scenario.toml",
            '[smtp."aspmx.l.google.com"]\n',
            '[smtp."aspmx.l.google.com"]\ncert = "expiring"\n',
        )

    diff = _diff(before, _after(tmp_path, edit))
    assert _rules(diff) == [
        (DriftRule.CERT_EXPIRES_WITHIN_MAX_AGE, MAIN, "aspmx.l.google.com"),
    ]
    assert "inside the enforced policy's max_age of 7 days" in diff.drift[0].detail
    certs = [r for r in diff.records if r.record is RecordKind.CERTIFICATE]
    assert [r.name for r in certs] == ["aspmx.l.google.com"]
    assert diff.regressed


def _new_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def _dkim_lines(zone: Path) -> tuple[str, str]:
    text = zone.read_text()
    start = text.index("google._domainkey")
    end = text.index(")", start) + 1
    return text[:start], text[end:]


def test_dkim_key_replaced(before: Run, tmp_path: Path) -> None:
    def edit(scenario: Path) -> None:
        head, tail = _dkim_lines(_zone(scenario))
        key = _new_key()
        record = f'google._domainkey\tIN TXT ( "v=DKIM1; k=rsa; p={key[:200]}" "{key[200:]}" )'
        _zone(scenario).write_text(head + record + tail)

    diff = _diff(before, _after(tmp_path, edit))
    assert _rules(diff) == [(DriftRule.DKIM_KEY_REPLACED, MAIN, "google")]
    assert _kinds(diff) == {RecordKind.DKIM}
    assert diff.regressed


def test_dkim_key_gone(before: Run, tmp_path: Path) -> None:
    def edit(scenario: Path) -> None:
        head, tail = _dkim_lines(_zone(scenario))
        _zone(scenario).write_text(head + tail)

    diff = _diff(before, _after(tmp_path, edit))
    assert _rules(diff) == [(DriftRule.DKIM_KEY_GONE, MAIN, "google")]
    assert "is no longer published" in diff.drift[0].detail
    dkim = [r for r in diff.records if r.record is RecordKind.DKIM]
    assert dkim[0].after is None and dkim[0].before and "2048-bit" in dkim[0].before


def test_grade_lowered_and_findings_new(before: Run, tmp_path: Path) -> None:
    """DMARC weakened from quarantine to none: a new medium finding and a lower grade."""

    def edit(scenario: Path) -> None:
        _replace(_zone(scenario), "p=quarantine", "p=none")

    diff = _diff(before, _after(tmp_path, edit))
    assert _kinds(diff) == {RecordKind.DMARC}
    assert [(g.domain, g.before, g.after) for g in diff.grades] == [(MAIN, "B", "C")]
    assert "DMARC_POLICY_NONE" in {f.code for f in diff.new}
    reasons = diff.regressions()
    assert any("Grade of hartleyfinch.example lowered from B to C" in r for r in reasons)
    assert any("DMARC_POLICY_NONE" in r for r in reasons)
