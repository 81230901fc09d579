"""The tlsrpt CLI handlers, driven through argparse as the main CLI would."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from assessment.tlsrpt.commands import add_tlsrpt_parser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tlsrpt"
SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples" / "tlsrpt"


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="mailposture")
    parser.add_argument("--data", type=Path, required=True)
    add_tlsrpt_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


def test_import_json_then_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data", str(tmp_path)]
    missing = tmp_path / "nope.json"
    # A source that gave nothing: the good ones are imported all the same, and the exit
    # status says the import is incomplete.
    assert (
        run([*data, "tlsrpt", "import", "--client", "Acme", str(FIXTURES), str(missing), "--json"])
        == 1
    )
    out = json.loads(capsys.readouterr().out)
    assert out["imported"] == 7 and out["duplicate"] == 0
    assert out["rejected"] == [{"source": str(missing), "reason": "no such file or folder"}]
    by_source = {s["source"]: s for s in out["sources"]}
    assert by_source[str(missing)]["error"] == "no such file or folder"
    assert by_source[str(FIXTURES)]["imported"] == 7 and by_source[str(FIXTURES)]["error"] == ""
    assert (tmp_path / "clients" / "acme" / "tlsrpt.sqlite").exists()

    # Only duplicates: every source was read, nothing rejected.
    assert run([*data, "tlsrpt", "import", "--client", "Acme", str(FIXTURES)]) == 0
    text = capsys.readouterr().out
    assert "imported 0, duplicate 7, rejected 0" in text

    empty = tmp_path / "empty"
    empty.mkdir()
    assert run([*data, "tlsrpt", "import", "--client", "Acme", str(empty)]) == 1
    assert "no report files found" in capsys.readouterr().out

    assert run([*data, "tlsrpt", "summary", "--client", "Acme", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["reports"] == 7 and summary["failure_details"] == 6
    assert "fixture.example" in summary["verdicts"]
    verdict = summary["verdicts"]["fixture.example"]
    assert {"status", "reasons", "blockers"} <= set(verdict)

    assert run([*data, "tlsrpt", "summary", "--client", "Acme", "--since", "2025-03-06"]) == 0
    assert "reports" in capsys.readouterr().out


def test_unusable_store_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")
    assert run(["--data", str(blocker), "tlsrpt", "import", "--client", "Acme", str(FIXTURES)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mailposture tlsrpt: cannot open TLS-RPT store") and "\n" not in err
    assert run(["--data", str(tmp_path), "tlsrpt", "summary", "--client", "Nobody"]) == 2
    assert "no TLS-RPT store" in capsys.readouterr().err


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared TLS-RPT samples not present")
def test_every_shared_sample_imports_or_is_rejected_with_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = sorted(str(p) for p in SAMPLES.iterdir() if p.is_file())
    # SOURCES.md is rejected: exit status 1, the reports are imported all the same.
    assert (
        run(["--data", str(tmp_path), "tlsrpt", "import", "--client", "s", *files, "--json"]) == 1
    )
    out = json.loads(capsys.readouterr().out)
    assert out["items"] == len(files)
    assert out["imported"] + out["duplicate"] + len(out["rejected"]) == len(files)
    assert all(r["reason"] for r in out["rejected"])
    # Only the provenance notes are not a report; every JSON sample is taken.
    assert [Path(r["source"]).name for r in out["rejected"]] == ["SOURCES.md"]
