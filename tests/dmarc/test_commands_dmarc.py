"""``mailposture dmarc import|summary`` through the real CLI parser: output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from assessment.cli import main
from assessment.dmarc.demo import generate_demo_reports

from .builders import Report, Row

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples" / "dmarc"
REPO = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_import_json_exit_codes_and_reimport(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ("--data", str(tmp_path / "data"))
    good = tmp_path / "good.xml"
    good.write_bytes(Report((Row("192.0.2.1", 3),)).xml())
    code, out, _ = run(capsys, "dmarc", "import", *data, "--client", "Acme", str(good), "--json")
    assert code == 0
    assert json.loads(out) == {"imported": 1, "duplicate": 0, "rejected": [], "items": 1}
    code, out, _ = run(capsys, "dmarc", "import", *data, "--client", "Acme", str(good), "--json")
    assert code == 0 and json.loads(out)["duplicate"] == 1
    assert (tmp_path / "data" / "clients" / "acme" / "dmarc.sqlite").is_file()

    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<feedback><oops></feedback>")
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, _ = run(
        capsys, "dmarc", "import", *data, "--client", "Acme", str(bad), str(empty), "--json"
    )
    result = json.loads(out)
    assert code == 1
    assert result["rejected"] == [
        {"source": str(bad), "reason": "not well-formed XML: mismatched tag at line 1, column 18"},
        {"source": str(empty), "reason": "no report found in this source"},
    ]
    code, out, _ = run(capsys, "dmarc", "import", *data, "--client", "Acme", str(bad))
    assert code == 1 and "rejected 1" in out and "mismatched tag" in out


def test_unusable_store_and_missing_store_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")
    code, _, err = run(capsys, "dmarc", "import", "--data", str(blocker), "--client", "A", "x")
    assert code == 2 and err.startswith("mailposture dmarc: cannot open DMARC store")
    assert err.count("\n") == 1
    code, _, err = run(capsys, "dmarc", "summary", "--data", str(tmp_path), "--client", "Nobody")
    assert code == 2 and "no DMARC store" in err and err.count("\n") == 1


def test_summary_of_the_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reports = tmp_path / "reports"
    generate_demo_reports(reports, date(2025, 11, 22))
    data = ("--data", str(tmp_path / "data"))
    client = ("--client", "Brightsmile Dental Care")
    assert run(capsys, "dmarc", "import", *data, *client, str(reports))[0] == 0
    code, out, _ = run(
        capsys, "dmarc", "summary", *data, *client, "--as-of", "2025-11-22", "--json"
    )
    assert code == 0
    summary = json.loads(out)
    assert summary["reports"] > 80 and summary["messages"] > 3000
    mailchimp = next(s for s in summary["senders"] if s["source"] == "Mailchimp")
    assert mailchimp["service"] == "mailchimp" and mailchimp["aligned"] == 0
    assert mailchimp["messages"] == mailchimp["failing"] > 0
    verdict = summary["verdicts"]["brightsmiledental.example"]
    assert verdict["status"] == "not-ready"
    assert verdict["to_fix"][0]["sender"] == "Mailchimp"
    assert verdict["to_fix"][0]["records"][0] == (
        "k2._domainkey.brightsmiledental.example. IN CNAME dkim2.mcsv.net."
    )
    assert "brightsmile-dental.example" not in summary["verdicts"]  # no record, no reports

    code, out, _ = run(capsys, "dmarc", "summary", *data, *client, "--as-of", "2025-11-22")
    assert code == 0
    assert "== brightsmiledental.example" in out and "verdict: not ready to enforce DMARC" in out
    assert "fix 1. Mailchimp" in out and "k3._domainkey.brightsmiledental.example" in out
    code, out, _ = run(
        capsys, "dmarc", "summary", *data, *client, "--since", "2025-11-15", "--json"
    )
    assert code == 0 and json.loads(out)["reports"] < summary["reports"]


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared DMARC samples not present")
def test_every_shared_sample_imports_or_is_rejected_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = sorted(str(p) for p in SAMPLES.iterdir() if p.is_file() and p.name != "SOURCES.md")
    data = ("--data", str(tmp_path))
    code, out, _ = run(capsys, "dmarc", "import", *data, "--client", "s", *files, "--json")
    result = json.loads(out)
    assert code == 1  # invalid_xml.xml
    assert result["items"] == len(files)
    assert result["imported"] + result["duplicate"] + len(result["rejected"]) == len(files)
    assert [(Path(r["source"]).name, r["reason"]) for r in result["rejected"]] == [
        (
            "invalid_xml.xml",
            "not well-formed XML: not well-formed (invalid token) at line 5, column 17",
        )
    ]
    # invalid_utf_8.xml repeats the report-id of "!example.com!...": the first is kept.
    assert result["duplicate"] == 1
    again = json.loads(run(capsys, "dmarc", "import", *data, "--client", "s", *files, "--json")[1])
    assert (again["imported"], again["duplicate"]) == (0, len(files) - 1)
    alone = run(
        capsys, "dmarc", "import", *data, "--client", "t", str(SAMPLES / "invalid_utf_8.xml")
    )
    assert alone[0] == 0 and "imported 1" in alone[1]


def test_the_console_script_prints_no_traceback(tmp_path: Path) -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "assessment.cli",
            "dmarc",
            "summary",
            "--data",
            str(tmp_path),
            "--client",
            "X",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr and completed.stderr.count("\n") == 1
