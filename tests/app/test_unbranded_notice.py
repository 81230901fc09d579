"""A real run without the consultant's brand says so once, with the command that fixes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessment.run import _say_if_unbranded
from assessment.workspace import RunFolder, RunInfo, Workspace


def run_folder(data: Path, *, demo: bool = False) -> RunFolder:
    run = Workspace(data).client("Acme Dental").new_run()
    run.path.mkdir(parents=True)
    run.evidence.write_text("{}")
    run.write_info(RunInfo("Acme Dental", ("acme.example",), "2026-12-04", str(data), demo=demo))
    return run


def test_unbranded_real_run_prints_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _say_if_unbranded(run_folder(tmp_path))
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "the report is unbranded" in err[0]
    assert f"mailposture brand init --data {tmp_path}" in err[0]


def test_branded_or_demo_runs_say_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _say_if_unbranded(run_folder(tmp_path / "demo", demo=True))
    branded = tmp_path / "branded"
    branded.mkdir()
    (branded / "brand.toml").write_text('firm = "Lee"\n[contact]\nname = "Sam"\n')
    _say_if_unbranded(run_folder(branded))
    assert capsys.readouterr().err == ""
