"""The demo end to end through the same path as a real run: sandbox, papermill, PDF."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from assessment.cli import main
from assessment.gather import load_evidence
from assessment.report.proofing import proofread, prose, unexplained
from assessment.workspace import RunFolder

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("data")
    out = tmp_path_factory.mktemp("run")
    assert main(["demo", "--data", str(data), "--out", str(out)]) == 0
    return out


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_run_folder_holds_everything(demo_run: Path) -> None:
    for name in (
        "evidence.json",
        "findings.json",
        "report.pdf",
        "assess.ipynb",
        "tlsrpt.ipynb",
        "dmarc.ipynb",
        "report.ipynb",
        "run.json",
    ):
        assert (demo_run / name).is_file(), name
    evidence = load_evidence(demo_run / "evidence.json")
    assert evidence.client == "Brightsmile Dental Care"
    assert json.loads((demo_run / "findings.json").read_text())
    assert not (demo_run / "render-warnings.txt").exists()
    info = json.loads((demo_run / "run.json").read_text())
    assert [s["kind"] for s in info["sources"]] == ["tlsrpt", "dmarc"]
    for source in info["sources"]:
        assert source["imported"] > 0
        assert source["rejected"] == 0 and source["error"] == ""
    # The demo client is in Britain: its plan avoids UK bank holidays, its frameworks are UK.
    assert info["country"] == "GB"


def test_pdf_names_the_client_and_findings(demo_run: Path) -> None:
    text = _pdf_text(demo_run / "report.pdf")
    findings = json.loads((demo_run / "findings.json").read_text())
    assert "Brightsmile Dental Care" in text
    flat = " ".join(text.split())
    # Every problem the checks found is in the report, by its title.
    assert all(f["title"] in flat for f in findings if f["severity"] in ("high", "medium"))
    assert "backup-mx.harbourit.example" in flat
    assert "DEMO" in text or "Demonstration report" in flat
    assert (demo_run / "evidence.pdf").is_file()


def test_rerender_without_network(demo_run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "run"
    shutil.copytree(demo_run, copy)
    (copy / "report.pdf").unlink()
    # The sandbox is gone by now; re-rendering needs only the saved run and the store.
    assert main(["report", "--run", str(copy)]) == 0
    assert (copy / "report.pdf").stat().st_size > 10_000


def _plain_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_demo_cover_says_demo_and_names_the_demo_firm(demo_run: Path) -> None:
    assert RunFolder(demo_run).read_info().demo
    pages = _plain_text(demo_run / "report.pdf").split("\f")
    assert "DEMO" in pages[0] and "Northwind Security Partners" in pages[0]
    assert "DEMO · Northwind Security Partners" in pages[1]


def test_demo_pdf_shows_no_sandbox_banner_or_test_ca(demo_run: Path) -> None:
    # The banners the servers sent are evidence: in the evidence file, as realistic ones.
    evidence = _plain_text(demo_run / "evidence.pdf")
    assert "Microsoft ESMTP MAIL Service ready" in " ".join(evidence.split())
    for path in (demo_run / "report.pdf", demo_run / "evidence.pdf"):
        text = _plain_text(path)
        slips = [s for s in proofread(text) if s.rule in ("sandbox banner", "test CA")]
        assert slips == []


def test_demo_pdf_text_has_no_slips(demo_run: Path) -> None:
    assert [str(s) for s in proofread(_plain_text(demo_run / "report.pdf"), real_run=False)] == []


def test_every_term_the_demo_uses_is_in_the_glossary(demo_run: Path) -> None:
    assert unexplained(prose(_plain_text(demo_run / "report.pdf"))) == frozenset()


def test_demo_report_is_a_dozen_pages_and_the_evidence_is_beside_it(demo_run: Path) -> None:
    # The main report is what a client reads; the full evidence is a separate file.
    pages = _plain_text(demo_run / "report.pdf").count("\f")
    assert pages <= 12, pages
    evidence = _plain_text(demo_run / "evidence.pdf")
    assert "E1" in evidence and "brightsmiledental.example" in evidence


def test_pdf_says_who_sends_mail_as_the_client(demo_run: Path) -> None:
    flat = " ".join(_pdf_text(demo_run / "report.pdf").split())
    # The demo's DMARC reports are imported and read: a named service to fix, with its records.
    assert "Who sends mail as you" in flat
    assert "Mailchimp" in flat and "dkim2.mcsv.net" in flat
    assert "Cyber Essentials" in flat
