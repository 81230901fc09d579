"""Store faults: a full disk mid-import, two imports at once, stores of earlier layouts.

Each fault ends with the store as a correct import would leave it (or as it was), no report
lost or half-written, and a one-line `StoreError` naming the fault. The full disk is an
RLIMIT_FSIZE in a child process (SIGXFSZ ignored, so writes fail with EFBIG as on a full
filesystem, without root); concurrency is two real processes on one store file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from assessment.intake.storefile import NEW_STORE_PAGE_BYTES
from assessment.tlsrpt.ingest import import_sources
from assessment.tlsrpt.store import StoreError, TlsRptStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tlsrpt"
REPO = Path(__file__).resolve().parents[2]

# A child that imports one folder into one store and reports the outcome on stdout:
# "result <imported> <duplicate>" or "error <message>" (exit 3). Optional knobs:
# FSIZE_LIMIT (bytes, RLIMIT_FSIZE), WRITE_WAIT_MS, HOLD_S (sleep after each flush, to keep
# the write lock), BATCH (items per flush).
_CHILD = """
import os, resource, signal, sys, time
from pathlib import Path
import assessment.tlsrpt.batch as batch
import assessment.tlsrpt.ingest as ingest
import assessment.intake.storefile as store_module
from assessment.tlsrpt.store import StoreError, TlsRptStore
ingest.BATCH_ITEMS = int(os.environ.get("BATCH", "1000"))
if "WRITE_WAIT_MS" in os.environ:
    store_module.WRITE_WAIT_MS = int(os.environ["WRITE_WAIT_MS"])
hold = float(os.environ.get("HOLD_S", "0"))
flush = batch.ImportBatch.flush
def announced(self):
    logged = flush(self)
    print("flushed", flush=True)
    time.sleep(hold)
    return logged
batch.ImportBatch.flush = announced
if "FSIZE_LIMIT" in os.environ:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = int(os.environ["FSIZE_LIMIT"])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    with TlsRptStore(Path(sys.argv[1])) as store:
        result = ingest.import_sources(store, [sys.argv[2]], workers=0)
except StoreError as exc:
    print("error", exc, flush=True)
    sys.exit(3)
print("result", result.imported, result.duplicate, flush=True)
"""


def _child(db: Path, folder: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(db), str(folder)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(child: subprocess.Popen[str]) -> tuple[int, list[str], str]:
    out, err = child.communicate(timeout=120)
    lines = [line for line in out.splitlines() if line != "flushed"]
    return child.returncode, lines, err


def _reports(folder: Path, ids: range, prefix: str = "r") -> list[Path]:
    folder.mkdir(exist_ok=True)
    base = json.loads((FIXTURES / "google-style-sts.json").read_bytes())
    paths = []
    for n in ids:
        base["report-id"] = f"{prefix}-{n:05d}"
        path = folder / f"{n:05d}.json"
        path.write_bytes(json.dumps(base).encode())
        paths.append(path)
    return paths


def _assert_whole(store: TlsRptStore, expected_ids: set[str]) -> None:
    """Exactly these reports, each with all its rows and its audit copy byte for byte."""
    assert store.integrity_ok()
    frames = store.frames()
    ids = list(frames.reports["report_id"])
    assert len(ids) == len(set(ids)), "a report is stored twice"
    assert set(ids) == expected_ids
    assert len(frames.policies) == len(ids)  # one policy block per fixture report
    assert len(frames.failures) == len(ids)  # one failure detail per fixture report
    for pk, source in zip(frames.reports["report_pk"], frames.reports["source"], strict=True):
        assert store.raw_report(int(pk)) == Path(source).read_bytes()


# ---------------------------------------------------------------------------- full disk


def test_full_disk_mid_import_keeps_the_store_as_it_was(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    paths = _reports(folder, range(3000))
    db = tmp_path / "s.sqlite"
    with TlsRptStore(db) as store:
        assert import_sources(store, paths[:500], workers=0).imported == 500
    # Room for a little more than the store holds now: the import's transaction (about
    # 2.5 MB of WAL for 2,500 reports) hits the limit after several flushes.
    limit = db.stat().st_size + 300_000
    code, lines, err = _finish(_child(db, folder, FSIZE_LIMIT=str(limit), BATCH="100"))
    assert code == 3, (lines, err)
    assert "Traceback" not in err
    (message,) = lines
    assert message.startswith("error import into the TLS-RPT store")
    assert "the disk refused a write" in message or "the disk is full" in message
    assert "nothing from this import was stored" in message
    assert "\n" not in message

    with TlsRptStore(db) as store:
        _assert_whole(store, {f"r-{n:05d}" for n in range(500)})
        assert len(store.import_log()) == 500
        # With room again, the same import stores everything, the first 500 as duplicates.
        again = import_sources(store, [folder], workers=0)
        assert (again.imported, again.duplicate) == (2500, 500)
        _assert_whole(store, {f"r-{n:05d}" for n in range(3000)})


def test_full_disk_when_opening_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    paths = _reports(folder, range(20))
    db = tmp_path / "s.sqlite"
    with TlsRptStore(db) as store:
        import_sources(store, paths[:10], workers=0)
    # No file may grow at all: not even the WAL index can be created.
    code, lines, err = _finish(_child(db, folder, FSIZE_LIMIT="1"))
    assert code == 3 and "Traceback" not in err, err
    (message,) = lines
    assert message.startswith("error ") and str(db) in message
    with TlsRptStore(db) as store:
        _assert_whole(store, {f"r-{n:05d}" for n in range(10)})


# ---------------------------------------------------------------- two imports at once


def test_a_second_import_waits_for_the_first_and_stores_no_duplicate(tmp_path: Path) -> None:
    first_folder, second_folder = tmp_path / "first", tmp_path / "second"
    _reports(first_folder, range(300))
    _reports(second_folder, range(200, 500))  # 100 reports in both folders
    db = tmp_path / "s.sqlite"
    TlsRptStore(db).close()
    first = _child(db, first_folder, BATCH="50", HOLD_S="0.3")
    assert first.stdout is not None
    assert first.stdout.readline() == "flushed\n"  # it holds the write lock now
    second = _child(db, second_folder)
    first_code, first_lines, first_err = _finish(first)
    second_code, second_lines, second_err = _finish(second)
    assert (first_code, first_lines) == (0, ["result 300 0"]), first_err
    # The second waited, then saw the first's 100 reports as already stored.
    assert (second_code, second_lines) == (0, ["result 200 100"]), second_err
    with TlsRptStore(db) as store:
        _assert_whole(store, {f"r-{n:05d}" for n in range(500)})
        assert len(store.import_log()) == 600


def test_a_second_import_that_cannot_wait_says_so_and_writes_nothing(tmp_path: Path) -> None:
    first_folder, second_folder = tmp_path / "first", tmp_path / "second"
    _reports(first_folder, range(300))
    _reports(second_folder, range(200, 500))
    db = tmp_path / "s.sqlite"
    TlsRptStore(db).close()
    first = _child(db, first_folder, BATCH="50", HOLD_S="0.5")
    assert first.stdout is not None
    assert first.stdout.readline() == "flushed\n"
    second = _child(db, second_folder, WRITE_WAIT_MS="200")
    second_code, second_lines, second_err = _finish(second)
    first_code, first_lines, _ = _finish(first)
    assert first_code == 0 and first_lines == ["result 300 0"]
    assert second_code == 3 and "Traceback" not in second_err, second_err
    (message,) = second_lines
    assert "another import into the TLS-RPT store" in message
    assert "nothing was imported" in message
    with TlsRptStore(db) as store:
        _assert_whole(store, {f"r-{n:05d}" for n in range(300)})
        # Run again once the first is done: only what was missing is added.
        again = import_sources(store, [second_folder], workers=0)
        assert (again.imported, again.duplicate) == (200, 100)
        _assert_whole(store, {f"r-{n:05d}" for n in range(500)})


# ------------------------------------------------------------------ earlier layouts

# The store as the first release wrote it (schema version 1, same tables): two more indexes
# on every import's path and a third added by a later change, audit copies in zlib.
_FIRST_RELEASE = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (1);
CREATE TABLE reports (
    report_pk INTEGER PRIMARY KEY, org_name TEXT NOT NULL, report_id TEXT NOT NULL,
    start_us INTEGER NOT NULL, end_us INTEGER NOT NULL, contact_info TEXT,
    content_sha256 TEXT NOT NULL UNIQUE, raw_zlib BLOB NOT NULL, imported_at_us INTEGER NOT NULL,
    source TEXT NOT NULL, warnings TEXT NOT NULL, warning_count INTEGER NOT NULL,
    UNIQUE (org_name, report_id));
CREATE TABLE policies (
    report_pk INTEGER NOT NULL REFERENCES reports (report_pk), policy_index INTEGER NOT NULL,
    policy_type TEXT NOT NULL, policy_domain TEXT NOT NULL, policy_strings TEXT NOT NULL,
    mx_hosts TEXT NOT NULL, successful INTEGER NOT NULL, failed INTEGER NOT NULL,
    detail_failed_sum INTEGER NOT NULL, counts_inconsistent INTEGER NOT NULL,
    PRIMARY KEY (report_pk, policy_index)) WITHOUT ROWID;
CREATE TABLE failure_details (
    report_pk INTEGER NOT NULL REFERENCES reports (report_pk), policy_index INTEGER NOT NULL,
    result_type TEXT NOT NULL, sending_mta_ip TEXT, receiving_mx_hostname TEXT,
    receiving_mx_helo TEXT, receiving_ip TEXT, failed_sessions INTEGER NOT NULL,
    failure_reason_code TEXT, additional_information TEXT);
CREATE TABLE import_log (
    log_pk INTEGER PRIMARY KEY, source TEXT NOT NULL, item TEXT NOT NULL, outcome TEXT NOT NULL,
    reason TEXT NOT NULL, report_pk INTEGER, logged_at_us INTEGER NOT NULL);
CREATE INDEX reports_start ON reports (start_us);
CREATE INDEX reports_report_id ON reports (report_id);
CREATE INDEX policies_domain ON policies (policy_domain, report_pk);
CREATE INDEX failure_details_report ON failure_details (report_pk, policy_index);
CREATE INDEX failure_details_result ON failure_details (result_type);
"""


def _first_release_store(db: Path, report: Path) -> None:
    body = report.read_bytes()
    with sqlite3.connect(db) as conn:
        conn.executescript(_FIRST_RELEASE)
        conn.execute(
            "INSERT INTO reports VALUES (1, 'Google Inc.', 'old-1', 1741305600000000, "
            "1741391999000000, 'smtp-tls-reporting@google.com', ?, ?, 1741400000000000, ?, "
            "'[]', 0)",
            (hashlib.sha256(body).hexdigest(), zlib.compress(body), str(report)),
        )
        conn.execute(
            "INSERT INTO policies VALUES (1, 0, 'sts', 'fixture.example', '', '', 10, 1, 1, 0)"
        )
        conn.execute(
            "INSERT INTO failure_details VALUES (1, 0, 'certificate-expired', NULL, NULL, "
            "NULL, NULL, 1, NULL, NULL)"
        )
        conn.execute(
            "INSERT INTO import_log VALUES (1, ?, ?, 'imported', '', 1, 1741400000000000)",
            (str(report), str(report)),
        )
    conn.close()


def _first_release_with_report(tmp_path: Path) -> tuple[Path, Path]:
    """A first-release store holding one report ("old-1"), and that report's file."""
    report = tmp_path / "old.json"
    base = json.loads((FIXTURES / "google-style-sts.json").read_bytes())
    base["report-id"] = "old-1"
    report.write_bytes(json.dumps(base).encode())
    db = tmp_path / "s.sqlite"
    _first_release_store(db, report)
    return db, report


def _indexes(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        names = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")
        }
    conn.close()
    return {name for name in names if not name.startswith("sqlite_")}


def test_a_first_release_store_is_migrated_in_place(tmp_path: Path) -> None:
    db, report = _first_release_with_report(tmp_path)
    with TlsRptStore(db) as store:
        assert store.integrity_ok()
        assert _indexes(db) == {"policies_domain", "failure_details_report"}
        frames = store.frames()
        assert list(frames.reports["report_id"]) == ["old-1"]
        assert store.raw_report(1) == report.read_bytes()  # the zlib audit copy reads back
        # The old report is recognised (same content), new ones are added beside it.
        again = import_sources(store, [report, *_reports(tmp_path / "new", range(3))], workers=0)
        assert (again.imported, again.duplicate) == (3, 1)
        assert store.summary()["reports"] == 4
    with TlsRptStore(db) as store:  # opening a migrated store changes nothing more
        assert store.summary()["reports"] == 4
    # It keeps the page size it was made with: only new stores get the larger one.
    assert _page_size(db) == 4096


def test_a_store_with_a_unique_content_hash_still_finds_an_identical_report(
    tmp_path: Path,
) -> None:
    # New stores find duplicates by key alone (an identical report has the same key);
    # stores made before also refuse a second row with the same hash. Were the key of a
    # stored report read differently by the release that stored it, only the hash finds
    # it: the import must call it a duplicate, not fail on the UNIQUE index.
    db, report = _first_release_with_report(tmp_path)
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE reports SET report_id = ' old-1 (as read before)'")
    with TlsRptStore(db) as store:
        again = import_sources(store, [report], workers=0)
        assert (again.imported, again.duplicate) == (0, 1)
        assert again.items[0].reason == "identical report already stored (report 1)"
        assert store.summary()["reports"] == 1


def test_a_new_store_finds_duplicates_by_key_without_a_content_hash_index(
    tmp_path: Path,
) -> None:
    db = tmp_path / "new.sqlite"
    first = _reports(tmp_path / "a", range(3))
    with TlsRptStore(db) as store:
        assert import_sources(store, first, workers=0).imported == 3
    with contextlib.closing(sqlite3.connect(db)) as conn:
        unique = [
            [info[2] for info in conn.execute("SELECT * FROM pragma_index_info(?)", (row[1],))]
            for row in conn.execute("PRAGMA index_list(reports)")
            if row[2]
        ]
    assert unique == [["org_name", "report_id"]]
    changed = tmp_path / "changed.json"
    body = json.loads(first[0].read_bytes())
    body["policies"][0]["summary"]["total-successful-session-count"] += 1
    changed.write_bytes(json.dumps(body).encode())
    with TlsRptStore(db) as store:
        again = import_sources(store, [first[1], changed, first[2], first[2]], workers=0)
        reasons = [item.reason for item in again.items]
        assert reasons == [
            "identical report already stored (report 2)",
            f"report-id {body['report-id']!r} from {body['organization-name']!r} already "
            "stored (report 1) with different content; kept the first",
            "identical report already stored (report 3)",
            "identical report already stored (report 3)",
        ]
        assert store.summary()["reports"] == 3


def _page_size(db: Path) -> int:
    with contextlib.closing(sqlite3.connect(db)) as connection:
        return int(connection.execute("PRAGMA page_size").fetchone()[0])


def test_a_new_store_gets_large_pages(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite"
    with TlsRptStore(db) as store:
        assert import_sources(store, _reports(tmp_path / "r", range(3)), workers=0).imported == 3
        assert store.integrity_ok()
    assert _page_size(db) == NEW_STORE_PAGE_BYTES


@pytest.mark.parametrize(
    ("script", "why"),
    [
        pytest.param(
            "CREATE TABLE schema_version (version INTEGER NOT NULL);"
            "INSERT INTO schema_version VALUES (0);"
            "CREATE TABLE reports (report_pk INTEGER PRIMARY KEY, org_name TEXT, "
            "report_id TEXT, raw_json TEXT);"
            "INSERT INTO reports VALUES (1, 'Google Inc.', 'x', '{}');",
            "its tables reports have other columns",
            id="schema-0-other-columns",
        ),
        pytest.param(
            "CREATE TABLE schema_version (version INTEGER NOT NULL);"
            "INSERT INTO schema_version VALUES (0);",
            "schema version 0, which no release of this kit wrote",
            id="schema-0-same-tables",
        ),
        pytest.param(
            "CREATE TABLE reports (report_pk INTEGER PRIMARY KEY, org_name TEXT);",
            "its tables reports have other columns",
            id="no-version-other-columns",
        ),
        pytest.param(
            "CREATE TABLE mailbox (id INTEGER);",
            "tables this kit does not know (mailbox)",
            id="not-a-tlsrpt-store",
        ),
    ],
)
def test_a_store_of_an_unknown_layout_is_refused_unchanged(
    tmp_path: Path, script: str, why: str
) -> None:
    db = tmp_path / "s.sqlite"
    with sqlite3.connect(db) as conn:
        conn.executescript(script)
    conn.close()
    before = db.read_bytes()
    with pytest.raises(StoreError) as raised:
        TlsRptStore(db)
    message = str(raised.value)
    assert "\n" not in message
    assert why in message
    assert "cannot be used or migrated" in message and "was not changed" in message
    assert db.read_bytes() == before
    assert not Path(f"{db}-wal").exists()


def test_a_newer_store_is_refused_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    TlsRptStore(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO schema_version VALUES (2)")
    conn.close()
    before = db.read_bytes()
    with pytest.raises(StoreError, match=r"schema version 2, newer than this kit's 1"):
        TlsRptStore(db)
    assert db.read_bytes() == before


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    db.write_bytes(b"these are my notes, not a database" * 100)
    with pytest.raises(StoreError, match="cannot open TLS-RPT store"):
        TlsRptStore(db)
    assert db.read_bytes() == b"these are my notes, not a database" * 100
