"""The demo end to end through the same path as a real run: sandbox, papermill, PDF."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from assessment.cli import main
from assessment.gather import load_evidence

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
        "report.ipynb",
        "run.json",
    ):
        assert (demo_run / name).is_file(), name
    evidence = load_evidence(demo_run / "evidence.json")
    assert evidence.client == "Brightsmile Dental Care"
    assert json.loads((demo_run / "findings.json").read_text())
    assert not (demo_run / "render-warnings.txt").exists()
    info = json.loads((demo_run / "run.json").read_text())
    (source,) = info["sources"]
    assert source["kind"] == "tlsrpt" and source["imported"] > 0
    assert source["rejected"] == 0 and source["error"] == ""


def test_pdf_names_the_client_and_findings(demo_run: Path) -> None:
    text = _pdf_text(demo_run / "report.pdf")
    findings = json.loads((demo_run / "findings.json").read_text())
    assert "Brightsmile Dental Care" in text
    flat = " ".join(text.split())
    assert any(f["title"] in flat for f in findings if f["severity"] == "high")
    assert "backup-mx.harbourit.example" in flat


def test_rerender_without_network(demo_run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "run"
    shutil.copytree(demo_run, copy)
    (copy / "report.pdf").unlink()
    # The sandbox is gone by now; re-rendering needs only the saved run and the store.
    assert main(["report", "--run", str(copy)]) == 0
    assert (copy / "report.pdf").stat().st_size > 10_000
