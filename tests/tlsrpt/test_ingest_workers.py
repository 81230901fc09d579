"""Parsing in worker processes changes nothing: same outcomes, same rows, same audit copies."""

from __future__ import annotations

import gzip
import json
import signal
import sys
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest

from assessment.intake import workers
from assessment.tlsrpt import ingest
from assessment.tlsrpt.ingest import ImportResult, import_sources
from assessment.tlsrpt.store import Outcome, TlsRptStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tlsrpt"


def _corpus(folder: Path, count: int) -> None:
    """Gzip and plain reports, exact and same-id duplicates, and bad files, interleaved."""
    base = json.loads((FIXTURES / "google-style-sts.json").read_bytes())
    folder.mkdir()
    for n in range(count):
        base["report-id"] = f"workers-{n % (count - 40)}"  # the last 40 reuse early ids
        base["policies"][0]["summary"]["total-successful-session-count"] = n % 7
        body = json.dumps(base).encode()
        if n % 3 == 0:
            (folder / f"{n:05d}.json.gz").write_bytes(gzip.compress(body, mtime=0))
        elif n % 50 == 7:
            (folder / f"{n:05d}.json").write_bytes(b"{not json")
        else:
            (folder / f"{n:05d}.json").write_bytes(body)
        if n % 97 == 0:  # the same report delivered twice (two rua addresses)
            (folder / f"{n:05d}-copy.json").write_bytes(body)
    # Two gzip members: not stored as-is, must still read back exactly.
    (folder / "multi.json.gz").write_bytes(gzip.compress(body[:40]) + gzip.compress(body[40:]))


def _import(folder: Path, db: Path, workers: int) -> tuple[ImportResult, TlsRptStore]:
    store = TlsRptStore(db)
    return import_sources(store, [folder], workers=workers), store


def test_workers_give_the_same_result_as_in_process(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    _corpus(folder, ingest.PARALLEL_MIN_UNITS + 300)
    serial, serial_store = _import(folder, tmp_path / "serial.sqlite", workers=0)
    parallel, parallel_store = _import(folder, tmp_path / "parallel.sqlite", workers=2)
    with serial_store, parallel_store:
        assert serial.imported > 0 and serial.duplicate > 0 and serial.rejected
        assert parallel == serial
        a, b = serial_store.frames(), parallel_store.frames()
        pd.testing.assert_frame_equal(
            a.reports.drop(columns="imported_at"), b.reports.drop(columns="imported_at")
        )
        pd.testing.assert_frame_equal(a.policies, b.policies)
        pd.testing.assert_frame_equal(a.failures, b.failures)
        for outcome in serial.items:
            if outcome.outcome is Outcome.IMPORTED:
                assert outcome.report_pk is not None
                raw = serial_store.raw_report(outcome.report_pk)
                assert raw == parallel_store.raw_report(outcome.report_pk)
                path = Path(outcome.item)
                data = path.read_bytes()
                assert raw == (gzip.decompress(data) if path.suffix == ".gz" else data)
        again = import_sources(parallel_store, [folder], workers=2)
        assert again.imported == 0
        assert again.duplicate == serial.imported + serial.duplicate


def _rows(store: TlsRptStore) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    frames = store.frames()
    return frames.reports.drop(columns="imported_at"), frames.policies, frames.failures


class _KillingPool(workers.WorkerPool):
    """Kills its first worker right after giving it its third chunk."""

    def send(self, worker: workers.Worker, chunk: int, task: object) -> None:
        super().send(worker, chunk, task)
        if worker is self.workers[0] and len(worker.owed) == 3:
            worker.process.kill()


def test_a_worker_killed_mid_import_only_hands_its_chunks_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "reports"
    _corpus(folder, ingest.PARALLEL_MIN_UNITS + 700)
    serial, serial_store = _import(folder, tmp_path / "serial.sqlite", workers=0)
    monkeypatch.setattr(ingest, "WorkerPool", _KillingPool)
    killed, killed_store = _import(folder, tmp_path / "killed.sqlite", workers=1)
    with serial_store, killed_store:
        assert killed == serial
        for mine, theirs in zip(_rows(serial_store), _rows(killed_store), strict=True):
            pd.testing.assert_frame_equal(mine, theirs)


def test_workers_that_cannot_start_or_import_leave_the_work_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "reports"
    _corpus(folder, ingest.PARALLEL_MIN_UNITS + 100)
    serial, serial_store = _import(folder, tmp_path / "serial.sqlite", workers=0)
    missing = ingest.PREPARER._replace(worker_module="assessment.tlsrpt.no_such_module")
    monkeypatch.setattr(ingest, "PREPARER", missing)
    broken, broken_store = _import(folder, tmp_path / "broken.sqlite", workers=2)
    assert "No module named" in capfd.readouterr().err
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    unstarted, unstarted_store = _import(folder, tmp_path / "unstarted.sqlite", workers=2)
    with serial_store, broken_store, unstarted_store:
        assert broken == serial
        assert unstarted == serial


def test_a_worker_reports_its_errors_and_keeps_serving() -> None:
    pool = workers.WorkerPool(1, "assessment.tlsrpt.worker")
    try:
        (worker,) = pool.workers
        pool.send(worker, 0, [("src", "/nowhere", "not-a-unit-kind")])
        pool.send(worker, 1, [("src", "/nowhere/at-all.json", "file")])
        answers = []
        for chunk in (0, 1):
            while (answer := pool.take(worker, chunk)) is None:
                assert pool.owes(worker)
                pool.pump(10)
            answers.append(answer)
        (status, text), (status_after, items) = answers
        assert status == "error" and "not-a-unit-kind" in text
        # The next task is served as usual: the missing file is a per-item rejection.
        assert status_after == "ok"
        ((_, item, rows, reason),) = items
        assert item == "/nowhere/at-all.json" and rows is None and "cannot read" in reason
    finally:
        pool.close()
    assert all(w.process.returncode == 0 for w in pool.workers)


class _CountingPool(workers.WorkerPool):
    sent_chunks: ClassVar[list[int]] = []

    def send(self, worker: workers.Worker, chunk: int, task: object) -> None:
        self.sent_chunks.append(chunk)
        super().send(worker, chunk, task)


def test_workers_parse_while_the_sources_are_still_walked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "reports"
    _corpus(folder, ingest.PARALLEL_MIN_UNITS + 600)
    serial, serial_store = _import(folder, tmp_path / "serial.sqlite", workers=0)
    monkeypatch.setattr(ingest, "WorkerPool", _CountingPool)
    store = TlsRptStore(tmp_path / "streamed.sqlite")
    opened = store.batch
    sent_before_writing: list[int] = []

    def batch() -> object:
        sent_before_writing.extend(_CountingPool.sent_chunks)
        return opened()

    monkeypatch.setattr(store, "batch", batch)
    monkeypatch.setattr(_CountingPool, "sent_chunks", [])
    streamed = import_sources(store, [folder], workers=1)
    with serial_store, store:
        assert streamed == serial
        # Chunks complete during the walk went out before the write transaction began.
        assert sent_before_writing[:2] == [0, 1]
        for mine, theirs in zip(_rows(serial_store), _rows(store), strict=True):
            pd.testing.assert_frame_equal(mine, theirs)


def test_workers_started_early_are_used_for_a_big_import_and_reaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "default_workers", lambda: 1)  # also on a 1-core machine
    folder = tmp_path / "reports"
    _corpus(folder, ingest.PARALLEL_MIN_UNITS + 300)
    expected, reference = _import(folder, tmp_path / "reference.sqlite", workers=0)
    reference.close()
    started = workers.start_early([folder], "assessment.tlsrpt.worker")
    assert started is not None and len(started.workers) == 1
    with TlsRptStore(tmp_path / "early.sqlite") as store:
        result = import_sources(store, [folder], workers=1, started=started)
    assert result == expected
    assert all(w.used for w in started.workers)  # the import parsed with them
    assert all(w.process.returncode == 0 for w in started.workers)  # exited, reaped
    started.close()  # again: nothing left to do


def test_workers_are_started_early_only_for_a_big_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "default_workers", lambda: 1)
    start = workers.start_early
    # Files under folders count (hidden ones do not); a Maildir source is one unit.
    nested = tmp_path / "nested"
    (nested / "a" / "b").mkdir(parents=True)
    for n in range(ingest.PARALLEL_MIN_UNITS - 1):
        (nested / ("a" if n % 2 else "a/b") / f"{n}.json").write_bytes(b"{}")
    (nested / ".hidden.json").write_bytes(b"{}")
    assert start([nested], "assessment.tlsrpt.worker") is None
    (nested / "last.json").write_bytes(b"{}")
    pool = start([nested], "assessment.tlsrpt.worker")
    assert pool is not None
    pool.close()
    report = tmp_path / "one.json"
    report.write_bytes((FIXTURES / "google-style-sts.json").read_bytes())
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    imap = "imaps://reports@127.0.0.1:1/INBOX"
    assert start([report, maildir, imap, tmp_path / "missing"], "x") is None
    # With no spare core there is nothing to start.
    monkeypatch.setattr(workers, "default_workers", lambda: 0)
    assert start([nested], "assessment.tlsrpt.worker") is None


def test_workers_started_for_an_import_that_stays_small_are_killed_unused(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "few"
    _corpus(folder, 60)
    started = workers.WorkerPool(1, "assessment.tlsrpt.worker")
    with TlsRptStore(tmp_path / "s.sqlite") as store:
        result = import_sources(store, [folder], workers=1, started=started)
    assert result.imported > 0
    assert not any(w.used for w in started.workers)
    # Killed while still loading its modules, not left to start up for nothing.
    assert [w.process.returncode for w in started.workers] == [-signal.SIGKILL]


def test_workers_started_early_are_not_used_when_the_import_asks_for_none(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "reports"
    _corpus(folder, ingest.PARALLEL_MIN_UNITS + 10)
    started = workers.WorkerPool(1, "assessment.tlsrpt.worker")
    with TlsRptStore(tmp_path / "s.sqlite") as store:
        assert import_sources(store, [folder], workers=0, started=started).imported > 0
    assert not any(w.used for w in started.workers)
    assert all(w.process.returncode is not None for w in started.workers)


def test_a_batch_size_below_one_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "BATCH_ITEMS", 0)
    with TlsRptStore(tmp_path / "s.sqlite") as store, pytest.raises(ValueError, match="at least 1"):
        import_sources(store, [FIXTURES / "google-style-sts.json"], workers=0)


def test_a_worker_leaves_ctrl_c_to_the_importing_process(tmp_path: Path) -> None:
    # Ctrl-C reaches the whole process group; the importing process handles it and
    # closes the pipes. A worker that died of it would print a traceback of its own.
    report = tmp_path / "one.json"
    report.write_bytes((FIXTURES / "google-style-sts.json").read_bytes())
    pool = workers.WorkerPool(1, "assessment.tlsrpt.worker")
    try:
        (worker,) = pool.workers
        pool.send(worker, 0, [("src", str(report), "file")])
        while (answer := pool.take(worker, 0)) is None:
            pool.pump(10)
        assert answer[0] == "ok"  # it is running its loop: SIGINT is now ignored
        worker.process.send_signal(signal.SIGINT)
        pool.send(worker, 1, [("src", str(report), "file")])
        while (answer := pool.take(worker, 1)) is None:
            assert pool.owes(worker), "the worker died of SIGINT"
            pool.pump(10)
        assert answer[0] == "ok"
    finally:
        pool.close()
    assert worker.process.returncode == 0
