"""One write transaction of an import: outcomes decided in bulk, rows written in bulk.

Items are buffered; ``commit`` looks up every buffered report's content hash and
(organization-name, report-id) with a few ``IN`` queries, decides imported or
duplicate in arrival order (so duplicates inside one batch are caught too), then
writes reports, policies, failure details and the import log with ``executemany``
and commits. Nothing is written per row, and a killed process loses at most the
uncommitted batch, never part of a report.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any, Final, NamedTuple

from assessment.tlsrpt.report import ParsedReport

_IN_CHUNK: Final = 500
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


class Outcome(StrEnum):
    IMPORTED = "imported"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class StoreError(Exception):
    """The store cannot be opened or written (permissions, corruption, newer schema)."""


@dataclass(frozen=True)
class StoreResult:
    """What happened to one item offered to the store."""

    outcome: Outcome
    reason: str
    report_pk: int | None


@dataclass(frozen=True)
class LoggedItem:
    source: str
    item: str
    result: StoreResult


def micros(moment: datetime) -> int:
    """Epoch microseconds, exact (no float rounding)."""
    delta = moment.astimezone(UTC) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def content_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def compress_raw(raw: bytes) -> bytes:
    # Level 1: reports are small and repetitive; speed matters more than the last bytes.
    return zlib.compress(raw, 1)


class ReportRows(NamedTuple):
    """One parsed report as the store's rows, minus ``report_pk`` (given at commit).

    Built where the report is parsed (possibly a worker process): a tuple of
    tuples pickles back to the importing process far more cheaply than the
    nested frozen dataclasses, and the importing process then only prefixes
    ``report_pk`` to each row.
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


class _Pending(NamedTuple):
    source: str
    item: str
    rows: ReportRows | None
    reason: str


class ImportBatch:
    """Buffered items of one transaction (``BEGIN IMMEDIATE`` on creation)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._pending: list[_Pending] = []
        self._now = micros(datetime.now(UTC))
        self._db.execute("BEGIN IMMEDIATE")

    def __len__(self) -> int:
        return len(self._pending)

    def add_rows(self, rows: ReportRows, source: str, item: str) -> None:
        """Add a report already flattened (and hashed and compressed) by ``parsed_rows``."""
        self._pending.append(_Pending(source, item, rows, ""))

    def reject(self, source: str, item: str, reason: str) -> None:
        self._pending.append(_Pending(source, item, None, reason))

    def _existing(self) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
        digests = [p.rows.digest for p in self._pending if p.rows is not None]
        ids = sorted({p.rows.report_id for p in self._pending if p.rows is not None})
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
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start : start + _IN_CHUNK]
            marks = ",".join("?" * len(chunk))
            for org, report_id, pk in self._db.execute(
                "SELECT org_name, report_id, report_pk FROM reports WHERE report_id IN ("  # noqa: S608 (only placeholders)
                + marks
                + ")",
                chunk,
            ):
                by_key[(org, report_id)] = pk
        return by_hash, by_key

    def commit(self) -> list[LoggedItem]:
        """Decide every buffered item, write it all, commit; outcomes in arrival order."""
        by_hash, by_key = self._existing()
        next_pk = self._db.execute("SELECT coalesce(max(report_pk), 0) + 1 FROM reports")
        pk: int = next_pk.fetchone()[0]
        reports: list[tuple[Any, ...]] = []
        policies: list[tuple[Any, ...]] = []
        failures: list[tuple[Any, ...]] = []
        logged: list[LoggedItem] = []
        now = self._now
        for pending in self._pending:
            rows = pending.rows
            if rows is None:
                result = StoreResult(Outcome.REJECTED, pending.reason, None)
            elif rows.digest in by_hash:
                same = by_hash[rows.digest]
                result = StoreResult(
                    Outcome.DUPLICATE, f"identical report already stored (report {same})", same
                )
            elif (rows.org_name, rows.report_id) in by_key:
                same = by_key[(rows.org_name, rows.report_id)]
                result = StoreResult(
                    Outcome.DUPLICATE,
                    f"report-id {rows.report_id!r} from {rows.org_name!r} already stored "
                    f"(report {same}) with different content; kept the first",
                    same,
                )
            else:
                by_hash[rows.digest] = pk
                by_key[(rows.org_name, rows.report_id)] = pk
                key = (pk,)
                reports.append((pk, now, pending.item, *rows.values))
                key = (pk,)
                policies.extend(key + row for row in rows.policies)
                failures.extend(key + row for row in rows.failures)
                result = StoreResult(Outcome.IMPORTED, rows.warning_text, pk)
                pk += 1
            logged.append(LoggedItem(pending.source, pending.item, result))
        db = self._db
        db.executemany(
            "INSERT INTO reports (report_pk, imported_at_us, source, org_name, report_id, "
            "start_us, end_us, contact_info, content_sha256, raw_zlib, warnings, "
            "warning_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            reports,
        )
        db.executemany("INSERT INTO policies VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", policies)
        db.executemany(
            "INSERT INTO failure_details VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", failures
        )
        db.executemany(
            "INSERT INTO import_log (source, item, outcome, reason, report_pk, logged_at_us) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    entry.source,
                    entry.item,
                    entry.result.outcome.value,
                    entry.result.reason,
                    entry.result.report_pk,
                    self._now,
                )
                for entry in logged
            ],
        )
        db.execute("COMMIT")
        self._pending.clear()
        return logged

    def rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")
