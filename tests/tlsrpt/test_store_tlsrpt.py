"""TlsRptStore: frames contract, filters, per-client paths, crash consistency."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from assessment.tlsrpt.frames import empty_frames
from assessment.tlsrpt.ingest import import_sources
from assessment.tlsrpt.store import StoreError, TlsRptStore, client_slug, store_path

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


def test_client_slug_and_store_path(tmp_path: Path) -> None:
    assert client_slug("  ACME Widgets, Inc. ") == "acme-widgets-inc"
    assert store_path(tmp_path, "Bäcker & Sons") == (
        tmp_path / "clients" / "b-cker-sons" / "tlsrpt.sqlite"
    )
    with pytest.raises(ValueError, match="no letters"):
        client_slug("!!!")


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
import assessment.tlsrpt.ingest as ingest
from assessment.tlsrpt.store import TlsRptStore
ingest.BATCH_ITEMS = 25
with TlsRptStore(Path(sys.argv[1])) as store:
    ingest.import_sources(store, [sys.argv[2]])
"""


def test_sigkill_mid_import_leaves_consistent_store(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    base = json.loads((FIXTURES / "google-style-sts.json").read_bytes())
    total = 3000
    for n in range(total):
        base["report-id"] = f"kill-{n:05d}"
        (folder / f"{n:05d}.json").write_bytes(json.dumps(base).encode())
    db_path = tmp_path / "s.sqlite"
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(db_path), str(folder)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        deadline = time.monotonic() + 60
        stored = 0
        while time.monotonic() < deadline and child.poll() is None:
            if db_path.exists():
                try:
                    with sqlite3.connect(db_path, timeout=1) as probe:
                        stored = probe.execute("SELECT count(*) FROM reports").fetchone()[0]
                except sqlite3.OperationalError:
                    stored = 0
            if stored >= 100:
                break
            time.sleep(0.005)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL, "import finished before it could be killed"

    with TlsRptStore(db_path) as store:
        assert store.integrity_ok()
        frames = store.frames()
        partial = len(frames.reports)
        assert 0 < partial < total
        # Every stored report has exactly its one policy and one failure row.
        assert frames.policies.groupby("report_pk").size().eq(1).all()
        assert len(frames.policies) == partial
        assert len(frames.failures) == partial
        result = import_sources(store, [folder])
        assert result.imported == total - partial
        assert result.duplicate == partial
        assert store.summary()["reports"] == total
