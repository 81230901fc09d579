"""One SQLite store of DMARC aggregate reports per client, beside its TLS-RPT store.

Reports are deduplicated on (reporter, policy domain, report-id), and the SHA-256 of
the report XML tells an identical copy (the same report delivered to two ``rua``
addresses, or imported twice) from a different report reusing a report-id; either
way the report is stored once. The raw XML is kept for audit (column ``raw``): a zstd
frame, or the original bytes when the input file was a single gzip member
(``raw_report`` reads both).

Writes go through :class:`ImportBatch`: one transaction per import, so an import
is all or nothing (a killed one leaves the store as it was before it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

import pandas as pd

from assessment.dmarc.batch import ImportBatch
from assessment.dmarc.frames import (
    AUTH_COLUMNS,
    RECORD_COLUMNS,
    REPORT_COLUMNS,
    Frames,
)
from assessment.intake.audit import decompress_raw
from assessment.intake.batch import StoreError
from assessment.intake.storefile import ReportStoreFile, StoreSchema
from assessment.typed_frames import typed_frame

SCHEMA_VERSION: Final = 1
STORE_FILE: Final = "dmarc.sqlite"

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS reports (
    report_pk INTEGER PRIMARY KEY,
    org_name TEXT NOT NULL,
    report_id TEXT NOT NULL,
    email TEXT NOT NULL,
    extra_contact_info TEXT,
    begin_us INTEGER NOT NULL,
    end_us INTEGER NOT NULL,
    policy_domain TEXT NOT NULL,
    adkim TEXT NOT NULL,
    aspf TEXT NOT NULL,
    p TEXT NOT NULL,
    sp TEXT,
    np TEXT,
    pct INTEGER,
    fo TEXT,
    testing TEXT,
    discovery_method TEXT,
    schema TEXT NOT NULL,
    version TEXT,
    generator TEXT,
    errors TEXT NOT NULL,
    record_count INTEGER NOT NULL,
    message_count INTEGER NOT NULL,
    -- Not UNIQUE: identical bytes have the same key, so the key's UNIQUE index
    -- already refuses them and a second index cost every import (stores made
    -- before keep theirs; assessment.intake.batch looks it up for them).
    content_sha256 TEXT NOT NULL,
    raw BLOB NOT NULL,
    imported_at_us INTEGER NOT NULL,
    source TEXT NOT NULL,
    warnings TEXT NOT NULL,
    warning_count INTEGER NOT NULL,
    UNIQUE (org_name, policy_domain, report_id)
);
CREATE TABLE IF NOT EXISTS records (
    report_pk INTEGER NOT NULL REFERENCES reports (report_pk),
    record_index INTEGER NOT NULL,
    source_ip TEXT NOT NULL,
    messages INTEGER NOT NULL,
    disposition TEXT NOT NULL,
    dkim TEXT NOT NULL,
    spf TEXT NOT NULL,
    reason_types TEXT NOT NULL,
    reason_comments TEXT NOT NULL,
    envelope_to TEXT,
    envelope_from TEXT,
    header_from TEXT NOT NULL,
    PRIMARY KEY (report_pk, record_index)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS auth_results (
    report_pk INTEGER NOT NULL REFERENCES reports (report_pk),
    record_index INTEGER NOT NULL,
    method TEXT NOT NULL,
    domain TEXT NOT NULL,
    selector TEXT,
    scope TEXT,
    result TEXT NOT NULL,
    human_result TEXT
);
CREATE TABLE IF NOT EXISTS import_log (
    log_pk INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    item TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL,
    report_pk INTEGER,
    logged_at_us INTEGER NOT NULL
);
"""

_STORE: Final = StoreSchema(label="DMARC store", script=_SCHEMA, version=SCHEMA_VERSION)

_WHERE: Final = (
    "(:since IS NULL OR r.begin_us >= :since) AND (:until IS NULL OR r.begin_us < :until) "
    "AND (:domain IS NULL OR r.policy_domain = :domain)"
)
_REPORTS_SQL: Final = (
    "SELECT r.report_pk, r.org_name, r.report_id, r.email, r.begin_us AS begin, "  # noqa: S608 (constant text)
    'r.end_us AS "end", r.policy_domain, r.adkim, r.aspf, r.p, r.sp, r.np, r.pct, r.testing, '
    "r.schema, r.record_count, r.message_count, r.imported_at_us AS imported_at, r.source, "
    "r.warning_count AS warnings FROM reports r WHERE " + _WHERE + " ORDER BY r.report_pk"
)
_RECORDS_SQL: Final = (
    'SELECT r.report_pk, r.org_name, r.email, r.begin_us AS begin, r.end_us AS "end", '
    "r.policy_domain, r.adkim, r.aspf, r.p, r.sp, r.pct, r.testing, c.record_index, "
    "c.source_ip, c.messages, c.disposition, c.dkim, c.spf, c.reason_types, "
    "c.reason_comments, c.envelope_to, c.envelope_from, c.header_from "
    "FROM records c JOIN reports r USING (report_pk) WHERE "
    + _WHERE
    + " ORDER BY c.report_pk, c.record_index"
)
_AUTH_SQL: Final = (
    "SELECT a.report_pk, a.record_index, a.method, a.domain, a.selector, a.scope, a.result, "  # noqa: S608 (constant text)
    "a.human_result FROM auth_results a JOIN reports r USING (report_pk) WHERE "
    + _WHERE
    + " ORDER BY a.rowid"
)
_SUMMARY_SQL: Final = (
    "SELECT count(*), coalesce(sum(r.record_count), 0), coalesce(sum(r.message_count), 0), "  # noqa: S608 (constant text)
    "count(DISTINCT r.policy_domain), count(DISTINCT r.org_name), min(r.begin_us), "
    "max(r.end_us) FROM reports r WHERE " + _WHERE
)


class DmarcStore(ReportStoreFile):
    """A client's DMARC aggregate report store; use as a context manager."""

    schema = _STORE

    def batch(self) -> ImportBatch:
        """Open a write transaction; ``ImportBatch.commit`` decides and writes it.

        Waits for an import running in another process, then gives up with a one-line
        `StoreError` (see `assessment.intake.storefile`).
        """
        return self._begin(ImportBatch)

    def raw_report(self, report_pk: int) -> bytes:
        """The report XML exactly as imported."""
        row = self._db.execute("SELECT raw FROM reports WHERE report_pk = ?", (report_pk,))
        found = row.fetchone()
        if found is None:
            raise KeyError(report_pk)
        return decompress_raw(found[0])

    def report_warnings(self) -> pd.DataFrame:
        """Reports imported with tolerances: reporter, report-id and the warnings (JSON)."""
        return pd.read_sql_query(
            "SELECT report_pk, org_name, report_id, policy_domain, warnings FROM reports "
            "WHERE warning_count > 0 ORDER BY report_pk",
            self._db,
        )

    def frames(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        domain: str | None = None,
    ) -> Frames:
        """The analysis frames: reports beginning in [since, until), optionally one domain."""
        params = self._params(since, until, domain)
        return Frames(
            reports=typed_frame(
                pd.read_sql_query(_REPORTS_SQL, self._db, params=params), REPORT_COLUMNS
            ),
            records=typed_frame(
                pd.read_sql_query(_RECORDS_SQL, self._db, params=params), RECORD_COLUMNS
            ),
            auth=typed_frame(pd.read_sql_query(_AUTH_SQL, self._db, params=params), AUTH_COLUMNS),
        )

    def summary(self, since: datetime | None = None) -> dict[str, Any]:
        """Counts for the command line: reports beginning at or after ``since``."""
        params = self._params(since, None, None)
        row = self._db.execute(_SUMMARY_SQL, params).fetchone()
        return {
            "reports": int(row[0]),
            "records": int(row[1]),
            "messages": int(row[2]),
            "domains": int(row[3]),
            "reporters": int(row[4]),
            "first": None if row[5] is None else _iso(row[5]),
            "last": None if row[6] is None else _iso(row[6]),
        }


def _iso(us: int) -> str:
    return datetime.fromtimestamp(us / 1_000_000, UTC).isoformat()


__all__ = ["DmarcStore", "StoreError"]
