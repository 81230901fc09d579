"""One SQLite store of TLS-RPT reports per client.

Reports are deduplicated on (organization-name, report-id), and the SHA-256 of the
report JSON tells an identical copy (the same report delivered to two ``rua``
addresses, or imported twice) from a different report reusing a report-id; either
way the report is stored once. The raw JSON is kept compressed for audit (column
``raw_zlib``, named before it held more than zlib): a zstd frame, or the original
bytes when the input file was a single gzip member (``raw_report`` reads both,
and the zlib of older stores).

Writes go through :class:`ImportBatch`: one transaction per import, so an import
is all or nothing (a killed one leaves the store as it was before it).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from assessment.intake.storefile import ReportStoreFile, StoreSchema
from assessment.tlsrpt.batch import (
    ImportBatch,
    LoggedItem,
    Outcome,
    StoreError,
    decompress_raw,
)

if TYPE_CHECKING:
    import pandas as pd

    from assessment.tlsrpt.frames import Frames

# numpy, pandas and the frame types are imported by the methods that build frames: an import
# (`mailposture tlsrpt import`) never needs them, and they cost ~0.5 s to import.

SCHEMA_VERSION: Final = 1

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS reports (
    report_pk INTEGER PRIMARY KEY,
    org_name TEXT NOT NULL,
    report_id TEXT NOT NULL,
    start_us INTEGER NOT NULL,
    end_us INTEGER NOT NULL,
    contact_info TEXT,
    -- Not UNIQUE: identical bytes have the same key, so the key's UNIQUE index
    -- already refuses them and a second index cost every import (stores made
    -- before keep theirs; assessment.intake.batch looks it up for them).
    content_sha256 TEXT NOT NULL,
    raw_zlib BLOB NOT NULL,
    imported_at_us INTEGER NOT NULL,
    source TEXT NOT NULL,
    warnings TEXT NOT NULL,
    warning_count INTEGER NOT NULL,
    UNIQUE (org_name, report_id)
);
CREATE TABLE IF NOT EXISTS policies (
    report_pk INTEGER NOT NULL REFERENCES reports (report_pk),
    policy_index INTEGER NOT NULL,
    policy_type TEXT NOT NULL,
    policy_domain TEXT NOT NULL,
    policy_strings TEXT NOT NULL,
    mx_hosts TEXT NOT NULL,
    successful INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    detail_failed_sum INTEGER NOT NULL,
    counts_inconsistent INTEGER NOT NULL,
    PRIMARY KEY (report_pk, policy_index)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS failure_details (
    report_pk INTEGER NOT NULL REFERENCES reports (report_pk),
    policy_index INTEGER NOT NULL,
    result_type TEXT NOT NULL,
    sending_mta_ip TEXT,
    receiving_mx_hostname TEXT,
    receiving_mx_helo TEXT,
    receiving_ip TEXT,
    failed_sessions INTEGER NOT NULL,
    failure_reason_code TEXT,
    additional_information TEXT
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
CREATE INDEX IF NOT EXISTS policies_domain ON policies (policy_domain, report_pk);
CREATE INDEX IF NOT EXISTS failure_details_report ON failure_details (report_pk, policy_index);
-- Every index costs each import. These served no query worth it: duplicate checks
-- use the UNIQUE (org_name, report_id) index, no query filters on result_type, and
-- a date window over even 100k reports scans them in milliseconds. Dropping them
-- took 40% off the write time. Stores made before lose them here.
DROP INDEX IF EXISTS reports_report_id;
DROP INDEX IF EXISTS failure_details_result;
DROP INDEX IF EXISTS reports_start;
"""
_STORE: Final = StoreSchema(
    label="TLS-RPT store",
    script=_SCHEMA,
    version=SCHEMA_VERSION,
    required_indexes=frozenset({"policies_domain", "failure_details_report"}),
    # The first release's indexes (schema 1 as first shipped), dropped by the script.
    legacy_indexes=frozenset({"reports_report_id", "failure_details_result", "reports_start"}),
)

# Timestamps are stored as epoch microseconds; the frames cast them back.
_REPORTS_SQL: Final = (
    "SELECT r.report_pk AS report_pk, r.org_name AS org_name, r.report_id AS report_id, "
    'r.start_us AS start, r.end_us AS "end", '
    "r.contact_info, r.imported_at_us AS imported_at, r.source, "
    "r.warning_count AS warnings FROM reports r "
    "WHERE (:since IS NULL OR r.start_us >= :since) AND (:until IS NULL OR r.start_us < :until) "
    "AND (:domain IS NULL OR r.report_pk IN "
    "(SELECT report_pk FROM policies WHERE policy_domain = :domain)) ORDER BY r.report_pk"
)
_POLICIES_SQL: Final = (
    "SELECT r.report_pk AS report_pk, r.org_name AS org_name, r.report_id AS report_id, "
    'r.start_us AS start, r.end_us AS "end", '
    "p.policy_index, p.policy_type, p.policy_domain, "
    "p.policy_strings, p.mx_hosts, p.successful, p.failed, p.detail_failed_sum, "
    "p.counts_inconsistent FROM policies p JOIN reports r USING (report_pk) "
    "WHERE (:since IS NULL OR r.start_us >= :since) AND (:until IS NULL OR r.start_us < :until) "
    "AND (:domain IS NULL OR p.policy_domain = :domain) ORDER BY p.report_pk, p.policy_index"
)
# Only the failure-details' own columns: the report key and policy columns are
# taken from the (small) policies frame by vectorised lookup. Fetching them per row
# made the cursor build six more Python objects per failure row, most of the
# ~12 s that 1M failure rows used to take. The joins stay, for the filters only.
_FAILURES_SQL: Final = (
    "SELECT f.report_pk, f.policy_index, "
    "f.result_type, f.sending_mta_ip, f.receiving_mx_hostname, f.receiving_mx_helo, "
    "f.receiving_ip, f.failed_sessions, f.failure_reason_code, f.additional_information "
    "FROM failure_details f "
    "JOIN policies p ON p.report_pk = f.report_pk AND p.policy_index = f.policy_index "
    "JOIN reports r ON r.report_pk = f.report_pk "
    "WHERE (:since IS NULL OR r.start_us >= :since) AND (:until IS NULL OR r.start_us < :until) "
    "AND (:domain IS NULL OR p.policy_domain = :domain) ORDER BY f.rowid"
)
# Unfiltered (the usual notebook call): no joins needed, as foreign keys guarantee
# every failure row its policy block and report; saves ~1 s per million rows.
_ALL_FAILURES_SQL: Final = (
    "SELECT report_pk, policy_index, result_type, sending_mta_ip, receiving_mx_hostname, "
    "receiving_mx_helo, receiving_ip, failed_sessions, failure_reason_code, "
    "additional_information FROM failure_details ORDER BY rowid"
)
_FAILURE_OWN_COLUMNS: Final = (
    "report_pk",
    "policy_index",
    "result_type",
    "sending_mta_ip",
    "receiving_mx_hostname",
    "receiving_mx_helo",
    "receiving_ip",
    "failed_sessions",
    "failure_reason_code",
    "additional_information",
)
_SUMMARY_REPORTS_SQL: Final = (
    "SELECT count(*) FROM reports r WHERE :since IS NULL OR r.start_us >= :since"
)
_SUMMARY_POLICIES_SQL: Final = (
    "SELECT count(*), coalesce(sum(p.successful), 0), coalesce(sum(p.failed), 0) "
    "FROM policies p JOIN reports r USING (report_pk) "
    "WHERE :since IS NULL OR r.start_us >= :since"
)
_SUMMARY_FAILURES_SQL: Final = (
    "SELECT count(*) FROM failure_details f JOIN reports r USING (report_pk) "
    "WHERE :since IS NULL OR r.start_us >= :since"
)


class TlsRptStore(ReportStoreFile):
    """A client's TLS-RPT store; use as a context manager."""

    schema = _STORE

    def batch(self) -> ImportBatch:
        """Open a write transaction; ``ImportBatch.commit`` decides and writes it.

        Waits for an import running in another process, then gives up with a one-line
        `StoreError` (see `assessment.intake.storefile`).
        """
        return self._begin(ImportBatch)

    def raw_report(self, report_pk: int) -> bytes:
        """The report JSON exactly as imported."""
        row = self._db.execute(
            "SELECT raw_zlib FROM reports WHERE report_pk = ?", (report_pk,)
        ).fetchone()
        if row is None:
            raise KeyError(report_pk)
        return decompress_raw(row[0])

    def frames(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        domain: str | None = None,
    ) -> Frames:
        """The analysis frames: reports starting in [since, until), optionally one domain.

        With ``domain``, policies and failures are those of that policy-domain and
        reports are those having at least one such policy block.
        """
        import pandas as pd

        from assessment.tlsrpt.frames import POLICY_COLUMNS, REPORT_COLUMNS, Frames
        from assessment.typed_frames import typed_frame

        params = self._params(since, until, domain)
        policies = typed_frame(
            pd.read_sql_query(_POLICIES_SQL, self._db, params=params), POLICY_COLUMNS
        )
        return Frames(
            reports=typed_frame(
                pd.read_sql_query(_REPORTS_SQL, self._db, params=params), REPORT_COLUMNS
            ),
            policies=policies,
            failures=self._failures(params, policies),
        )

    def _failures(self, params: dict[str, Any], policies: pd.DataFrame) -> pd.DataFrame:
        """Failure rows, their key and policy columns looked up in ``policies``.

        Same filters as ``policies`` (one SQL WHERE), so every failure row's
        (report_pk, policy_index) is in it.
        """
        import numpy as np
        import pandas as pd

        from assessment.tlsrpt.frames import FAILURE_COLUMNS
        from assessment.typed_frames import typed_frame

        unfiltered = all(value is None for value in params.values())
        sql = _ALL_FAILURES_SQL if unfiltered else _FAILURES_SQL
        rows = self._db.execute(sql, params).fetchall()
        # One 2-D object array (built in C), then one typed array per column:
        # no per-row Python work after the fetch.
        table = np.array(rows, dtype=object).reshape(len(rows), len(_FAILURE_OWN_COLUMNS))
        del rows
        own = {name: table[:, n] for n, name in enumerate(_FAILURE_OWN_COLUMNS)}
        pk = own["report_pk"].astype("int64")
        index = own["policy_index"].astype("int64")
        span = int(policies["policy_index"].max()) + 1 if len(policies) else 1
        # report_pk * span + policy_index identifies a policy block exactly.
        wanted = pd.Index(
            policies["report_pk"].to_numpy("int64") * span
            + policies["policy_index"].to_numpy("int64")
        )
        at = wanted.get_indexer(pk * span + index)
        if (at < 0).any():
            raise StoreError(f"store {self.path}: failure rows without their policy block")
        data: dict[str, Any] = {}
        for name, dtype in FAILURE_COLUMNS.items():
            if name not in own:
                # Typed take from the policies frame: shares its values, keeps dtypes.
                data[name] = policies[name].array.take(at)
            elif dtype == "int64":
                data[name] = own[name].astype("int64")
            else:
                data[name] = pd.array(own[name], dtype=pd.StringDtype(na_value=np.nan))
        return typed_frame(pd.DataFrame(data, copy=False), FAILURE_COLUMNS)

    def summary(self, since: datetime | None = None) -> dict[str, int]:
        """Counts for the command line: reports starting at or after ``since``."""
        params = self._params(since, None, None)
        reports = self._db.execute(_SUMMARY_REPORTS_SQL, params).fetchone()
        policy_row = self._db.execute(_SUMMARY_POLICIES_SQL, params).fetchone()
        details = self._db.execute(_SUMMARY_FAILURES_SQL, params).fetchone()
        return {
            "reports": int(reports[0]),
            "policies": int(policy_row[0]),
            "failure_details": int(details[0]),
            "successful_sessions": int(policy_row[1]),
            "failed_sessions": int(policy_row[2]),
        }


__all__ = [
    "ImportBatch",
    "LoggedItem",
    "Outcome",
    "StoreError",
    "TlsRptStore",
]
