"""The portfolio's parts on their own: days since the last clean TLS-RPT day, CSV cells a
spreadsheet would run, a worker that dies, the exit status, and the progress display."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from assessment.model import NetworkProfile
from assessment.portfolio.executors import _collect, _Worker
from assessment.portfolio.jobs import ClientJob, ClientOutcome
from assessment.portfolio.output import PortfolioFiles, csv_text
from assessment.portfolio.runner import PortfolioResult
from assessment.portfolio.summary import DomainRow, clean_tlsrpt_days
from assessment.progress import Phase, ProgressDisplay, ProgressEvent, is_live
from assessment.tlsrpt.frames import POLICY_COLUMNS
from assessment.typed_frames import typed_frame

AS_OF = date(2026, 3, 10)


def _policies(rows: list[tuple[str, str, int, int]]) -> pd.DataFrame:
    """(policy_domain, day, successful, failed) -> a policies frame as the store gives it."""
    records = [
        {
            "report_pk": i,
            "org_name": "Google LLC",
            "report_id": str(i),
            "start": pd.Timestamp(f"{day}T00:00:00Z"),
            "end": pd.Timestamp(f"{day}T23:59:59Z"),
            "policy_index": 0,
            "policy_type": "sts",
            "policy_domain": domain,
            "policy_strings": "",
            "mx_hosts": "",
            "successful": ok,
            "failed": bad,
            "detail_failed_sum": bad,
            "counts_inconsistent": False,
        }
        for i, (domain, day, ok, bad) in enumerate(rows)
    ]
    return typed_frame(pd.DataFrame(records), POLICY_COLUMNS)


def test_days_since_the_last_clean_day() -> None:
    frame = _policies(
        [
            ("a.example", "2026-03-05", 120, 0),
            ("a.example", "2026-03-07", 100, 3),
            # Two reports on one day: clean only if neither failed.
            ("a.example", "2026-03-08", 80, 0),
            ("a.example", "2026-03-08", 10, 1),
            ("b.example", "2026-03-09", 50, 0),
            ("c.example", "2026-03-09", 50, 2),
            # A day with no sessions at all is not evidence of a clean day.
            ("d.example", "2026-03-09", 0, 0),
            # Reports for the assessment day itself are not complete yet.
            ("e.example", "2026-03-10", 10, 0),
        ]
    )
    found = clean_tlsrpt_days(
        frame, ["a.example", "b.example", "c.example", "d.example", "e.example", "f.example"], AS_OF
    )
    assert found["a.example"].days == 5
    assert found["b.example"].days == 1
    assert (found["c.example"].days, found["c.example"].note) == (
        None,
        "no clean day in the reports",
    )
    assert found["d.example"].days is None
    assert (found["e.example"].days, found["e.example"].note) == (None, "no reports")
    assert (found["f.example"].days, found["f.example"].note) == (None, "no reports")


def _outcome(client: str, **row: object) -> ClientOutcome:
    return ClientOutcome(
        "slug",
        client,
        (DomainRow(client=client, domain="x.example", status="assessed", **row),),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "\tx"])
def test_csv_cells_never_run_as_formulas(text: str) -> None:
    out = csv_text([_outcome(text, next_step=text)])
    line = out.splitlines()[1]
    assert not line.startswith(text)
    assert line.count("'" + text[:2]) == 2


def test_exit_status() -> None:
    files = PortfolioFiles(Path(), Path(), Path(), Path(), ())
    fine = _outcome("Fine")
    regressed = ClientOutcome("r", "R", fine.rows, regressions=("Grade lowered",))
    failed = ClientOutcome("f", "F", fine.rows, error="no client.toml")
    assert PortfolioResult(files, (fine,)).exit_code == 0
    assert PortfolioResult(files, (fine, regressed)).exit_code == 1
    assert PortfolioResult(files, (regressed, failed)).exit_code == 2


def test_a_worker_that_dies_is_that_clients_error(tmp_path: Path) -> None:
    job = ClientJob("acme", "Acme", str(tmp_path), NetworkProfile())
    with (tmp_path / "log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", "import sys; print('Segmentation fault'); sys.exit(139)"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    process.wait()
    outcome = _collect(_Worker(job, process, tmp_path / "missing.json", tmp_path / "log"))
    assert outcome.failed
    assert "exit status 139; Segmentation fault" in outcome.error
    assert outcome.rows[0].status == "failed"


# ------------------------------------------------------------------ progress


def test_plain_progress_lines() -> None:
    stream = io.StringIO()
    with ProgressDisplay("Assessing 2 clients", 2, stream=stream) as progress:
        progress(ProgressEvent("Acme", Phase.STARTED))
        progress(ProgressEvent("Acme", Phase.DONE, "acme.example B"))
        progress(ProgressEvent("Broken", Phase.STARTED))
        progress(ProgressEvent("Broken", Phase.FAILED, "no client.toml"))
    lines = stream.getvalue().splitlines()
    assert lines[0] == "Assessing 2 clients: 2 to do"
    assert lines[1] == "  started   Acme"
    assert lines[2].startswith("[1/2] done   Acme (") and lines[2].endswith("s): acme.example B")
    assert lines[4].startswith("[2/2] FAILED Broken (")
    assert lines[-1] == "Assessing 2 clients: 2 of 2 finished, 1 failed"


def test_nothing_is_drawn_for_work_that_never_started() -> None:
    # A run refused before any work says only its one-line reason.
    stream = io.StringIO()
    with ProgressDisplay("Assessing Acme", 3, stream=stream):
        pass
    assert stream.getvalue() == ""


def test_a_pipe_is_not_a_terminal() -> None:
    assert not is_live(io.StringIO())


def test_live_progress_on_a_terminal_from_many_threads() -> None:
    stream = io.StringIO()
    names = [f"client {i}" for i in range(20)]

    def work(name: str, progress: ProgressDisplay) -> None:
        progress(ProgressEvent(name, Phase.STARTED))
        progress(ProgressEvent(name, Phase.DONE, "ok"))

    with ProgressDisplay("Assessing 20 clients", 20, stream=stream, live=True) as progress:
        threads = [threading.Thread(target=work, args=(n, progress)) for n in names]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert progress.finished == 20
    text = stream.getvalue()
    assert "\x1b[" in text  # drawn with terminal control sequences
    for name in names:
        assert f"done   {name} (" in text
