"""The write transaction of one import: outcomes decided in bulk, rows written in bulk.

Items are buffered; ``flush`` looks up every buffered report's content hash and
(organization-name, report-id) with a few ``IN`` queries, decides imported or
duplicate in arrival order (so duplicates among the buffered items are caught
too, and the transaction sees its own earlier flushes), then writes reports,
policies, failure details and the import log with ``executemany``. ``commit``
flushes and commits. Nothing is written per row, and a killed process leaves the
store exactly as it was before the import.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import zlib
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any, Final, NamedTuple

import zstandard

from assessment.tlsrpt.report import ParsedReport

_IN_CHUNK: Final = 500
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


class Outcome(StrEnum):
    IMPORTED = "imported"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class StoreError(Exception):
    """The store cannot be opened or written (permissions, corruption, newer schema)."""


class LoggedItem(NamedTuple):
    """What happened to one item offered to the store (an import-log row).

    A NamedTuple, not a frozen dataclass: one is made per item of imports of
    100k reports, and a dataclass's ``__init__`` cost several microseconds each.
    """

    source: str
    item: str
    outcome: Outcome
    reason: str
    report_pk: int | None


def micros(moment: datetime) -> int:
    """Epoch microseconds, exact (no float rounding)."""
    delta = moment.astimezone(UTC) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def content_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


_ZSTD: Final = threading.local()


def compress_raw(raw: bytes) -> bytes:
    """The audit copy of a report: one zstd frame (``raw_report`` reads it by its magic).

    zstd, not zlib: a reused zstd context compresses a typical 600-byte report in
    ~5 us, where ``zlib.compress`` spent ~20 us setting up its state every call
    (measured on the 2-core VM); the ratio is the same (~0.55).
    """
    compressor = getattr(_ZSTD, "compressor", None)
    if compressor is None:
        # One per thread: a compression context must not be shared between threads.
        compressor = _ZSTD.compressor = zstandard.ZstdCompressor(level=1)
    return compressor.compress(raw)


_ZSTD_MAGIC: Final = b"\x28\xb5\x2f\xfd"


def decompress_raw(stored: bytes) -> bytes:
    """A stored audit copy back as the report bytes.

    Three forms occur: a zstd frame (``compress_raw``), the original file of a
    single-member gzip input (kept as it came), and zlib (stores written before
    zstd was used).
    """
    if stored.startswith(_ZSTD_MAGIC):
        return zstandard.ZstdDecompressor().decompress(stored)
    # wbits 47: a zlib or a gzip header, detected.
    return zlib.decompress(stored, 47)


class ReportRows(NamedTuple):
    """One parsed report as the store's rows, minus ``report_pk`` (given at commit).

    Built where the report is parsed (possibly a worker process): as plain tuples
    it crosses back to the importing process cheaply, and the importing process
    then only prefixes ``report_pk`` to each row.
    """

    org_name: str
    report_id: str
    digest: str
    # The reports row after (report_pk, imported_at_us, source): org_name, report_id,
    # start_us, end_us, contact_info, content_sha256, raw_zlib, warnings (JSON),
    # warning_count; ready-made so the writing process only prefixes three values.
    values: tuple[Any, ...]
    # The import-log reason of an imported report: its warnings joined.
    warning_text: str
    # (policy_index, policy_type, policy_domain, policy_strings, mx_hosts,
    #  successful, failed, detail_failed_sum, counts_inconsistent)
    policies: tuple[tuple[Any, ...], ...]
    # (policy_index, result_type, sending_mta_ip, receiving_mx_hostname,
    #  receiving_mx_helo, receiving_ip, failed_sessions, failure_reason_code,
    #  additional_information)
    failures: tuple[tuple[Any, ...], ...]


@lru_cache(maxsize=1024)
def _warnings_json(warnings: tuple[str, ...]) -> str:
    # Cached: the same few kinds of tolerance recur report after report.
    return json.dumps(warnings) if warnings else "[]"


def parsed_rows(report: ParsedReport, digest: str, raw_zlib: bytes) -> ReportRows:
    """The store rows of a ``parse_plain`` result, built without dataclasses (hot path)."""
    policies: list[tuple[Any, ...]] = []
    failures: list[tuple[Any, ...]] = []
    for index, policy in enumerate(report.policies):
        policies.append(
            (
                index,
                policy.policy_type,
                policy.policy_domain,
                "\n".join(policy.policy_strings),
                " ".join(policy.mx_hosts),
                policy.successful,
                policy.failed,
                policy.detail_failed_sum,
                int(policy.counts_inconsistent),
            )
        )
        if policy.details:
            key = (index,)
            failures.extend(key + detail for detail in policy.details)
    warnings = report.warnings
    return ReportRows(
        report.org_name,
        report.report_id,
        digest,
        (
            report.org_name,
            report.report_id,
            report.start_us,
            report.end_us,
            report.contact_info,
            digest,
            raw_zlib,
            _warnings_json(warnings),
            len(warnings),
        ),
        "; ".join(warnings),
        tuple(policies),
        tuple(failures),
    )


class Pending(NamedTuple):
    """One item waiting in a batch: its rows, or (``rows`` is None) why it was rejected."""

    source: str
    item: str
    rows: ReportRows | None
    reason: str


_INSERT_REPORTS: Final = (
    "INSERT INTO reports (report_pk, imported_at_us, source, org_name, report_id, "
    "start_us, end_us, contact_info, content_sha256, raw_zlib, warnings, "
    "warning_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_LOG: Final = (
    "INSERT INTO import_log (source, item, outcome, reason, report_pk, logged_at_us) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


class ImportBatch:
    """One import's transaction (``BEGIN IMMEDIATE`` on creation) and its buffered items.

    One transaction per import, not per few thousand reports: an import is then
    all or nothing (re-running a killed one simply does it again), and it is
    much faster, because each commit rewrites every index page touched since the
    last one, and the random-key indexes (content hash, report-id) are touched
    everywhere: 100k reports in batches of 5,000 took ~80 us per report to
    write, in one transaction ~50 (2-core VM).
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._pending: list[Pending] = []
        self._now = micros(datetime.now(UTC))
        self._db.execute("BEGIN IMMEDIATE")

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, entry: Pending) -> None:
        """Add an item; its rows already flattened (hashed, compressed) by ``parsed_rows``."""
        self._pending.append(entry)

    def _existing(self) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
        """Reports already stored with a buffered item's content hash, or org and report-id."""
        digests = [p.rows.digest for p in self._pending if p.rows is not None]
        keys = list({(p.rows.org_name, p.rows.report_id) for p in self._pending if p.rows})
        by_hash: dict[str, int] = {}
        by_key: dict[tuple[str, str], int] = {}
        for start in range(0, len(digests), _IN_CHUNK):
            chunk = digests[start : start + _IN_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                "SELECT content_sha256, report_pk FROM reports WHERE content_sha256 IN ("  # noqa: S608 (only placeholders)
                + marks
                + ")",
                chunk,
            )
            by_hash.update(rows)
        for start in range(0, len(keys), _IN_CHUNK):
            chunk_keys = keys[start : start + _IN_CHUNK]
            # A join driven by the VALUES list searches the UNIQUE (org_name,
            # report_id) index per key; "(org_name, report_id) IN (VALUES ...)"
            # would scan the whole table (SQLite 3.40's plan).
            marks = ",".join(["(?, ?)"] * len(chunk_keys))
            flat = [value for key in chunk_keys for value in key]
            for org, report_id, pk in self._db.execute(
                "SELECT r.org_name, r.report_id, r.report_pk FROM (VALUES "  # noqa: S608 (only placeholders)
                + marks
                + ") AS k JOIN reports r ON r.org_name = k.column1 AND r.report_id = k.column2",
                flat,
            ):
                by_key[(org, report_id)] = pk
        return by_hash, by_key

    def flush(self) -> list[LoggedItem]:
        """Decide every buffered item and write it (not committed); outcomes in arrival order."""
        by_hash, by_key = self._existing()
        next_pk = self._db.execute("SELECT coalesce(max(report_pk), 0) + 1 FROM reports")
        pk: int = next_pk.fetchone()[0]
        reports: list[tuple[Any, ...]] = []
        policies: list[tuple[Any, ...]] = []
        failures: list[tuple[Any, ...]] = []
        logged: list[LoggedItem] = []
        now = self._now
        imported, duplicate = Outcome.IMPORTED, Outcome.DUPLICATE
        for source, item, rows, reason in self._pending:
            if rows is None:
                logged.append(LoggedItem(source, item, Outcome.REJECTED, reason, None))
                continue
            same = by_hash.get(rows.digest)
            if same is not None:
                why = f"identical report already stored (report {same})"
                logged.append(LoggedItem(source, item, duplicate, why, same))
                continue
            key = (rows.org_name, rows.report_id)
            same = by_key.get(key)
            if same is not None:
                why = (
                    f"report-id {rows.report_id!r} from {rows.org_name!r} already stored "
                    f"(report {same}) with different content; kept the first"
                )
                logged.append(LoggedItem(source, item, duplicate, why, same))
                continue
            by_hash[rows.digest] = by_key[key] = pk
            reports.append((pk, now, item, *rows.values))
            prefix = (pk,)
            policies.extend([prefix + row for row in rows.policies])
            if rows.failures:
                failures.extend([prefix + row for row in rows.failures])
            logged.append(LoggedItem(source, item, imported, rows.warning_text, pk))
            pk += 1
        db = self._db
        db.executemany(_INSERT_REPORTS, reports)
        db.executemany("INSERT INTO policies VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", policies)
        db.executemany(
            "INSERT INTO failure_details VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", failures
        )
        db.executemany(_INSERT_LOG, [(*entry, now) for entry in logged])
        self._pending.clear()
        return logged

    def commit(self) -> list[LoggedItem]:
        """``flush``, then commit the whole transaction."""
        logged = self.flush()
        self._db.execute("COMMIT")
        return logged

    def rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")
