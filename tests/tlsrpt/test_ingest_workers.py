"""Parsing in worker processes changes nothing: same outcomes, same rows, same audit copies."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd

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
