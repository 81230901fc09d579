"""TlsRptStore: frames contract, filters, per-client paths, crash consistency."""

from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from assessment.tlsrpt import ingest
from assessment.tlsrpt.batch import compress_raw, decompress_raw
from assessment.tlsrpt.frames import empty_frames
from assessment.tlsrpt.ingest import import_sources
from assessment.tlsrpt.store import StoreError, TlsRptStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tlsrpt"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def loaded(tmp_path: Path) -> TlsRptStore:
    store = TlsRptStore(tmp_path / "s.sqlite")
    result = import_sources(store, [FIXTURES])
    assert result.imported == 7 and not result.rejected
    return store


def test_frames_match_contract_dtypes(loaded: TlsRptStore) -> None:
    with loaded:
        frames = loaded.frames()
    empty = empty_frames()
    for got, want in (
        (frames.reports, empty.reports),
        (frames.policies, empty.policies),
        (frames.failures, empty.failures),
    ):
        assert list(got.columns) == list(want.columns)
        assert got.dtypes.tolist() == want.dtypes.tolist()
    assert len(frames.reports) == 7
    assert len(frames.policies) == 9
    assert len(frames.failures) == 6
    mailru = frames.policies[frames.policies["org_name"] == "Mail.ru"].iloc[0]
    assert bool(mailru["counts_inconsistent"]) and mailru["detail_failed_sum"] == 3
    tlsa = frames.policies[frames.policies["policy_type"] == "tlsa"].iloc[0]
    assert len(str(tlsa["policy_strings"]).split("\n")) == 2
    quirky = frames.reports[frames.reports["org_name"] == "Quirky Reporter"].iloc[0]
    assert quirky["warnings"] >= 5
    assert quirky["start"] == pd.Timestamp("2025-03-07T22:00:00Z")
    stalwart = frames.reports[frames.reports["org_name"] == "mx.reporter.example"].iloc[0]
    assert pd.isna(stalwart["contact_info"])
    google_failure = frames.failures[frames.failures["org_name"] == "Google Inc."].iloc[0]
    assert google_failure["receiving_mx_hostname"] == "mx1.fixture.example"
    assert google_failure["policy_domain"] == "fixture.example"


def test_frames_filters(loaded: TlsRptStore) -> None:
    with loaded:
        window = loaded.frames(
            since=datetime(2025, 3, 4, tzinfo=UTC), until=datetime(2025, 3, 6, tzinfo=UTC)
        )
        assert set(window.reports["org_name"]) == {"Microsoft Corporation"}
        assert len(window.policies) == 3
        none = loaded.frames(domain="other.example")
        assert none.reports.empty and none.policies.empty and none.failures.empty
        domain = loaded.frames(domain="FIXTURE.example.")
        assert len(domain.reports) == 7
        assert (len(domain.policies), len(domain.failures)) == (8, 5)
        assert set(domain.policies["policy_domain"]) == {"fixture.example"}
        summary = loaded.summary(since=datetime(2025, 3, 6, tzinfo=UTC))
    assert summary == {
        "reports": 3,
        "policies": 4,
        "failure_details": 4,
        "successful_sessions": 44,
        "failed_sessions": 7,
    }


def test_store_refuses_newer_schema_and_reports_unwritable(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    TlsRptStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO schema_version VALUES (99)")
    with pytest.raises(StoreError, match="schema version 99"):
        TlsRptStore(path)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot open"):
        TlsRptStore(blocker / "sub" / "s.sqlite")


_CHILD = """
import sys
from pathlib import Path
import assessment.tlsrpt.batch as batch
import assessment.tlsrpt.ingest as ingest
from assessment.tlsrpt.store import TlsRptStore
ingest.BATCH_ITEMS = 25
flush = batch.ImportBatch.flush
def announced(self):
    logged = flush(self)
    print("flushed", flush=True)
    return logged
batch.ImportBatch.flush = announced
with TlsRptStore(Path(sys.argv[1])) as store:
    ingest.import_sources(store, [sys.argv[2]], workers=0)
"""


def test_sigkill_mid_import_leaves_the_store_as_before(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    base = json.loads((FIXTURES / "google-style-sts.json").read_bytes())
    total, earlier = 3000, 500
    for n in range(total):
        base["report-id"] = f"kill-{n:05d}"
        (folder / f"{n:05d}.json").write_bytes(json.dumps(base).encode())
    db_path = tmp_path / "s.sqlite"
    with TlsRptStore(db_path) as store:
        first = import_sources(store, sorted(folder.iterdir())[:earlier])
        assert first.imported == earlier
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(db_path), str(folder)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        # Several flushes of the import's transaction written, not committed.
        for _ in range(8):
            assert child.stdout.readline() == "flushed\n", "import ended before it was killed"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
        assert child.stdout is not None
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL, "import finished before it could be killed"

    with TlsRptStore(db_path) as store:
        assert store.integrity_ok()
        # The killed import left nothing; the earlier one is untouched.
        frames = store.frames()
        assert len(frames.reports) == earlier
        assert len(frames.policies) == earlier
        assert len(frames.failures) == earlier
        assert len(store.import_log()) == earlier
        result = import_sources(store, [folder])
        assert result.imported == total - earlier
        assert result.duplicate == earlier
        assert store.summary()["reports"] == total


def test_audit_copies_read_back_in_every_stored_form(tmp_path: Path) -> None:
    """zstd (written now), gzip as it came, and zlib (written by earlier versions)."""
    body = (FIXTURES / "google-style-sts.json").read_bytes()
    assert decompress_raw(compress_raw(body)) == body
    assert compress_raw(body).startswith(b"\x28\xb5\x2f\xfd")
    assert decompress_raw(gzip.compress(body)) == body
    assert decompress_raw(zlib.compress(body)) == body
    with TlsRptStore(tmp_path / "s.sqlite") as store:
        (outcome,) = import_sources(store, [FIXTURES / "google-style-sts.json"]).items
        assert outcome.report_pk is not None
        store._db.execute(
            "UPDATE reports SET raw_zlib = ? WHERE report_pk = ?",
            (zlib.compress(body), outcome.report_pk),
        )
        assert store.raw_report(outcome.report_pk) == body


def test_an_import_is_one_transaction_that_sees_its_own_writes(tmp_path: Path) -> None:
    """Duplicates across flushes of one import are caught; a failed import leaves nothing."""
    folder = tmp_path / "reports"
    folder.mkdir()
    base = json.loads((FIXTURES / "google-style-sts.json").read_bytes())
    for n in range(12):
        base["report-id"] = f"tx-{n % 5}"  # ids repeat across flushes of 2 items
        base["policies"][0]["summary"]["total-successful-session-count"] = n
        (folder / f"{n:02d}.json").write_bytes(json.dumps(base).encode())
    with TlsRptStore(tmp_path / "s.sqlite") as store:
        original, ingest.BATCH_ITEMS = ingest.BATCH_ITEMS, 2
        try:
            result = import_sources(store, [folder], workers=0)
        finally:
            ingest.BATCH_ITEMS = original
        assert (result.imported, result.duplicate) == (5, 7)
        assert store.summary()["reports"] == 5

        def broken(done: int, total: int) -> None:
            raise KeyboardInterrupt

        (folder / "new.json").write_bytes(json.dumps({**base, "report-id": "tx-new"}).encode())
        with pytest.raises(KeyboardInterrupt):
            import_sources(store, [folder], broken, workers=0)
        assert store.summary()["reports"] == 5
        assert len(store.import_log()) == 12
