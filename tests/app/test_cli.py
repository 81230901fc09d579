"""The command line against the live sandbox: shapes of output and exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assessment.cli import main
from assessment.sandbox import Sandbox

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


def _flags(sandbox: Sandbox) -> list[str]:
    profile = sandbox.profile
    return [
        "--nameserver",
        str(profile.resolvers[0]),
        "--smtp-port",
        str(profile.smtp_port),
        "--https-port",
        str(profile.https_port),
        "--ca-bundle",
        str(profile.ca_bundle),
        "--timeout",
        "1.5",
        "--lab",
    ]


def test_check_json_for_every_demo_domain(
    demo_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", *demo_sandbox.domains, "--json", *_flags(demo_sandbox)])
    assert code == 0
    findings = json.loads(capsys.readouterr().out)
    assert isinstance(findings, list) and findings
    for item in findings:
        assert set(item) == FINDING_KEYS
        assert item["severity"] in {"critical", "high", "medium", "low", "info"}
        assert item["domain"] in demo_sandbox.domains
    codes = {item["code"] for item in findings}
    assert {"TLS_CERT_NAME_MISMATCH", "MTA_STS_MX_NOT_COVERED", "DMARC_POLICY_NONE"} <= codes


def test_check_says_each_domain_as_it_finishes(
    demo_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", *demo_sandbox.domains, "--json", *_flags(demo_sandbox)]) == 0
    out, err = capsys.readouterr()
    json.loads(out)  # progress never mixes into what a script reads
    count = len(demo_sandbox.domains)
    lines = err.splitlines()
    assert lines[0] == f"Checking {count} domains: {count} to do"
    for domain in demo_sandbox.domains:
        assert any(
            re.match(rf"\[\d/{count}\] done   {re.escape(domain)} \(", line) for line in lines
        )
    assert lines[-1] == f"Checking {count} domains: {count} of {count} finished"


def test_check_table(demo_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "brightsmiledental.example", *_flags(demo_sandbox)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:4] == ["SEVERITY", "DOMAIN", "HOST/RECORD", "CODE"]
    assert "TLS_CERT_NAME_MISMATCH" in out
    # Two keys of one domain are two rows that say which selector each is about.
    dkim = [line.split()[2] for line in out.splitlines() if " DKIM_KEY_" in line]
    assert {"selector1._domainkey", "selector2._domainkey"} <= set(dkim), out


def test_check_test_scenario_domains(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    domains = ["good.test", "servfail.test", "redirect.test", "nostarttls.test"]
    assert main(["check", *domains, "--json", *_flags(sandbox)]) == 0
    findings = json.loads(capsys.readouterr().out)
    by_domain = {d: {f["code"] for f in findings if f["domain"] == d} for d in domains}
    assert "MTA_STS_POLICY_REDIRECT" in by_domain["redirect.test"]
    assert any(code.endswith("_INCONCLUSIVE") for code in by_domain["servfail.test"])
    assert "STARTTLS_NOT_OFFERED" in by_domain["nostarttls.test"]
    worst = {f["severity"] for f in findings if f["domain"] == "good.test"}
    assert worst <= {"low", "info"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "x.test", "--smtp-port", "0"], "not a TCP port"),
        (["check", "x.test", "--ca-bundle", "/nonexistent.pem"], "no such file"),
        (["check", "x.test", "--nameserver", "1.2.3.4:notaport"], "bad --nameserver"),
        (["report", "--run", "/nonexistent-run"], "no such folder"),
    ],
)
def test_tool_errors_exit_2_with_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err


def test_unreadable_brand_file_is_a_tool_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    client_dir = tmp_path / "clients" / "acme"
    client_dir.mkdir(parents=True)
    (client_dir / "brand.toml").write_text("this is = = not toml")
    code = main(["assess", "--client", "Acme", "acme.test", "--data", str(tmp_path)])
    assert code == 2
    assert "brand" in capsys.readouterr().err


def test_imap_password_in_url_is_refused_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "assess",
            "--client",
            "Acme",
            "acme.test",
            "--data",
            str(tmp_path),
            "--tlsrpt",
            "imaps://bob:hunter2@mail.acme.test/INBOX",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "MAILPOSTURE_IMAP_PASSWORD" in err and "hunter2" not in err
    assert not (tmp_path / "clients").exists() or not any((tmp_path / "clients").rglob("*.ipynb"))


@pytest.mark.slow
def test_assess_says_what_each_report_source_yielded(
    demo_sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import UTC, datetime

    from assessment.tlsrpt.demo import generate_demo_reports
    from assessment.workspace import RunFolder

    reports = tmp_path / "reports"
    generate_demo_reports(reports, datetime.now(UTC).date(), days=5)
    (reports / "junk.json").write_text("{not a report")
    empty = tmp_path / "empty"
    empty.mkdir()
    # An IMAP server that is not there (a closed loopback port): the source fails, the run goes on.
    monkeypatch.setenv("MAILPOSTURE_IMAP_PASSWORD", "secret")
    unreachable = "imaps://reports@127.0.0.1:9/INBOX"
    code = main(
        [
            "assess",
            "--client",
            demo_sandbox.client,
            *demo_sandbox.domains,
            "--data",
            str(tmp_path / "data"),
            "--tlsrpt",
            str(reports),
            "--tlsrpt",
            str(empty),
            "--tlsrpt",
            unreachable,
            *_flags(demo_sandbox),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 1, err
    run = RunFolder(Path(out.strip()))
    assert run.report.is_file()
    lines = err.splitlines()
    assert any(str(reports) in line and "1 rejected" in line for line in lines), err
    assert any(str(empty) in line and "no report files found" in line for line in lines), err
    assert any(unreachable in line and "not read" in line for line in lines), err
    sources = {s.source: s for s in run.read_info().sources}
    assert sources[str(reports)].imported > 0 and sources[str(reports)].rejected == 1
    assert sources[str(empty)].failed and sources[unreachable].error
    # Each notebook of the run is announced as it starts and finishes.
    assert f"Assessing {demo_sandbox.client}: 3 to do" in lines
    for name in ("DNS, MTA-STS policy and mail servers", "TLS-RPT reports", "report PDF"):
        assert any(line.startswith("[") and f"done   {name} (" in line for line in lines), err
