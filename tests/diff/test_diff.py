"""The comparison on hand-built evidence: pairing findings, what counts as a regression, unknown
values never reported as changes, the JSON shape, and reading run folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assessment.checks import findings_to_json
from assessment.diff import (
    DiffError,
    DriftRule,
    RecordKind,
    diff_folders,
    diff_runs,
    previous_run,
    since_last,
)
from assessment.gather import save_evidence
from assessment.model import (
    ConnOutcome,
    Control,
    DnsLookup,
    DomainEvidence,
    Evidence,
    Finding,
    HttpsFetch,
    NetworkProfile,
    Outcome,
    Severity,
)
from assessment.workspace import RunFolder, RunInfo, Workspace

D = "example.test"
FINDING_KEYS = {
    "code",
    "severity",
    "control",
    "domain",
    "host",
    "title",
    "detail",
    "evidence",
    "remediation",
    "references",
    "why",
    "inconclusive",
}


def finding(
    code: str,
    severity: Severity = Severity.MEDIUM,
    *,
    host: str | None = None,
    detail: str = "",
    inconclusive: bool = False,
    domain: str = D,
) -> Finding:
    return Finding(
        code=code,
        severity=severity,
        control=Control.SPF,
        domain=domain,
        host=host,
        title=code.title(),
        detail=detail or code,
        evidence=(),
        remediation="",
        references=(),
        inconclusive=inconclusive,
    )


def lookup(name: str, rdtype: str, *answers: str, outcome: Outcome = Outcome.OK) -> DnsLookup:
    if outcome is Outcome.OK and not answers:
        outcome = Outcome.NODATA
    return DnsLookup(name, rdtype, outcome, answers=answers)


POLICY = "version: STSv1\nmode: enforce\nmx: mx1.example.test\nmax_age: 604800\n"


def evidence(
    *,
    mx: tuple[str, ...] = ("10 mx1.example.test.",),
    mx_outcome: Outcome = Outcome.OK,
    spf: str = "v=spf1 mx -all",
    sts_id: str = "1",
    policy: str | None = POLICY,
    policy_outcome: ConnOutcome = ConnOutcome.OK,
    started: str = "2026-01-05T10:00:00Z",
) -> Evidence:
    dns = (
        lookup(D, "MX", *mx, outcome=mx_outcome),
        lookup(D, "TXT", spf),
        lookup(D, "A", "192.0.2.1"),
        lookup(f"_dmarc.{D}", "TXT", "v=DMARC1; p=reject"),
        lookup(f"_mta-sts.{D}", "TXT", f"v=STSv1; id={sts_id};"),
    )
    fetch = HttpsFetch(
        url=f"https://mta-sts.{D}/.well-known/mta-sts.txt",
        host=f"mta-sts.{D}",
        port=443,
        outcome=policy_outcome,
        status=200 if policy_outcome is ConnOutcome.OK else None,
        body=policy if policy_outcome is ConnOutcome.OK else None,
    )
    return Evidence(
        client="Example",
        started_at=started,
        finished_at=started,
        network="",
        profile=NetworkProfile(),
        domains=(DomainEvidence(D, dns, fetch if policy is not None else None),),
    )


# ------------------------------------------------------------------ findings


def test_findings_pair_by_code_domain_and_host() -> None:
    before = [
        finding("A_CODE"),
        finding("HOST_CODE", host="mx1.example.test"),
        finding("GONE", Severity.LOW),
        finding("SOFTER", Severity.HIGH),
    ]
    after = [
        # Same finding, new wording (days left, a count): not new.
        finding("A_CODE", detail="now with 3 days left"),
        # Same code on another host: new; the old host's: resolved.
        finding("HOST_CODE", host="mx2.example.test"),
        finding("SOFTER", Severity.LOW),
        finding("FRESH", Severity.HIGH),
    ]
    diff = diff_runs(evidence(), before, evidence(), after)
    assert [(f.code, f.host) for f in diff.new] == [
        ("FRESH", None),
        ("HOST_CODE", "mx2.example.test"),
    ]
    assert [(f.code, f.host) for f in diff.resolved] == [
        ("HOST_CODE", "mx1.example.test"),
        ("GONE", None),
    ]
    assert [(c.before.severity, c.after.severity, c.raised) for c in diff.changed] == [
        (Severity.HIGH, Severity.LOW, False)
    ]


def test_repeated_findings_pair_by_detail_then_in_order() -> None:
    before = [finding("SPF_TERM", detail="term 1"), finding("SPF_TERM", detail="term 2")]
    after = [
        finding("SPF_TERM", Severity.HIGH, detail="term 2"),
        finding("SPF_TERM", detail="term 1"),
        finding("SPF_TERM", detail="term 3"),
    ]
    diff = diff_runs(evidence(), before, evidence(), after)
    assert [f.detail for f in diff.new] == ["term 3"]
    assert diff.resolved == ()
    assert [(c.before.detail, c.after.severity) for c in diff.changed] == [
        ("term 2", Severity.HIGH)
    ]


@pytest.mark.parametrize(
    ("before", "after", "regressed"),
    [
        ([], [finding("NEW_MEDIUM", Severity.MEDIUM)], True),
        ([], [finding("NEW_CRITICAL", Severity.CRITICAL)], True),
        ([], [finding("NEW_LOW", Severity.LOW)], False),
        ([], [finding("NEW_INFO", Severity.INFO)], False),
        # A lookup that timed out this time is not the client's regression.
        ([], [finding("TIMED_OUT", Severity.HIGH, inconclusive=True)], False),
        ([finding("X", Severity.LOW)], [finding("X", Severity.MEDIUM)], True),
        ([finding("X", Severity.INFO)], [finding("X", Severity.LOW)], True),
        ([finding("X", Severity.HIGH)], [finding("X", Severity.MEDIUM)], False),
        # Resolving one problem does not offset a new one.
        ([finding("OLD", Severity.HIGH)], [finding("NEW", Severity.HIGH)], True),
        ([finding("OLD", Severity.HIGH)], [], False),
    ],
)
def test_what_counts_as_a_regression(
    before: list[Finding], after: list[Finding], regressed: bool
) -> None:
    assert diff_runs(evidence(), before, evidence(), after).regressed is regressed


# ------------------------------------------------------------------ records and drift


def test_records_that_changed() -> None:
    diff = diff_runs(
        evidence(),
        [],
        evidence(spf="v=spf1 mx ~all", mx=("10 mx1.example.test.", "20 mx2.example.test.")),
        [],
    )
    assert [(r.record, r.before, r.after) for r in diff.records] == [
        (RecordKind.SPF, "v=spf1 mx -all", "v=spf1 mx ~all"),
        (RecordKind.MX, "10 mx1.example.test", "10 mx1.example.test, 20 mx2.example.test"),
    ]
    # mx2 is not in the unchanged policy: a reviewer's drift rule.
    assert [d.rule for d in diff.drift] == [DriftRule.MX_CHANGED_POLICY_SAME]


def test_a_lookup_that_failed_is_never_a_change() -> None:
    diff = diff_runs(
        evidence(),
        [],
        evidence(mx=(), mx_outcome=Outcome.TIMEOUT, policy_outcome=ConnOutcome.TIMEOUT),
        [],
    )
    assert diff.records == ()
    assert diff.drift == ()


def test_a_policy_that_went_away_is_a_change() -> None:
    diff = diff_runs(evidence(), [], evidence(policy=None), [])
    assert [(r.record, r.after) for r in diff.records] == [(RecordKind.MTA_STS_POLICY, None)]


def test_policy_changed_without_id_and_with() -> None:
    changed = POLICY.replace("604800", "86400")
    same_id = diff_runs(evidence(), [], evidence(policy=changed), [])
    assert [d.rule for d in same_id.drift] == [DriftRule.POLICY_CHANGED_ID_SAME]
    new_id = diff_runs(evidence(), [], evidence(policy=changed, sts_id="2"), [])
    assert new_id.drift == ()


# ------------------------------------------------------------------ JSON


def test_json_shape() -> None:
    before = [finding("KEPT", Severity.LOW), finding("GONE")]
    after = [finding("KEPT", Severity.HIGH), finding("FRESH")]
    diff = diff_runs(evidence(), before, evidence(policy=POLICY.replace("604800", "1")), after)
    data = json.loads(json.dumps(diff.to_json()))
    assert set(data) == {"new", "resolved", "changed", "records", "drift"}
    assert set(data["new"][0]) == FINDING_KEYS
    assert set(data["resolved"][0]) == FINDING_KEYS
    assert set(data["changed"][0]) == {"before", "after"}
    assert data["changed"][0]["before"]["severity"] == "low"
    assert data["changed"][0]["after"]["severity"] == "high"
    assert data["records"][0] == {
        "domain": D,
        "record": "mta-sts-policy",
        "name": f"https://mta-sts.{D}/.well-known/mta-sts.txt",
        "before": POLICY.strip(),
        "after": POLICY.replace("604800", "1").strip(),
    }
    assert data["drift"][0]["rule"] == "policy-changed-id-same"
    assert set(data["drift"][0]) == {"rule", "domain", "subject", "detail", "headline"}


# ------------------------------------------------------------------ run folders


def _write_run(folder: Path, ev: Evidence, findings: list[Finding], data: Path) -> Path:
    folder.mkdir(parents=True)
    save_evidence(ev, folder / "evidence.json")
    (folder / "findings.json").write_text(findings_to_json(findings))
    RunFolder(folder).write_info(RunInfo("Example", (D,), "2026-01-05", str(data)))
    return folder


def test_run_folders_and_the_previous_run(tmp_path: Path) -> None:
    runs = Workspace(tmp_path).client("Example").runs_dir
    first = _write_run(runs / "20260105-100000", evidence(), [finding("OLD")], tmp_path)
    second = _write_run(runs / "20260405-100000", evidence(), [finding("NEW")], tmp_path)
    assert previous_run(first) is None
    assert since_last(first) is None
    found = since_last(second)
    assert found is not None
    earlier, diff = found
    assert earlier.path == first
    assert [f.code for f in diff.new] == ["NEW"]
    assert diff_folders(first, second) == diff


def test_unreadable_run_folders_are_one_line_errors(tmp_path: Path) -> None:
    good = _write_run(tmp_path / "good", evidence(), [], tmp_path)
    with pytest.raises(DiffError, match="no such folder"):
        diff_folders(tmp_path / "missing", good)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DiffError, match="not a run folder"):
        diff_folders(tmp_path / "empty", good)
    broken = tmp_path / "broken"
    shutil.copytree(good, broken)
    (broken / "evidence.json").write_text("{not json")
    with pytest.raises(DiffError, match="cannot read the run"):
        diff_folders(broken, good)
    unfinished = tmp_path / "unfinished"
    shutil.copytree(good, unfinished)
    (unfinished / "findings.json").unlink()
    with pytest.raises(DiffError, match="did not finish"):
        diff_folders(good, unfinished)
