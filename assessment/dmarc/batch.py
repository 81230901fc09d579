"""DMARC aggregate reports as store rows, and the import transaction that writes them.

The transaction logic (dedupe on the report key, the content hash telling an
identical copy from a reused report-id; bulk writes; all or nothing) is
``assessment.intake.batch``'s; this module gives it the DMARC tables. The key is
(reporter, policy domain, report-id): RFC 9990 §2.5.1 asks a Report-ID to be unique
only "among reports to the same domain", so a reporter may reuse one for two of a
client's domains.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from assessment.dmarc.model import AggregateReport
from assessment.intake import batch as intake_batch

Row = tuple[Any, ...]


class ReportRows(NamedTuple):
    """One parsed report as the store's rows, minus ``report_pk`` (given at commit).

    Plain tuples, so that it crosses back from a parse worker process cheaply.
    """

    org_name: str
    report_id: str
    policy_domain: str
    digest: str
    # The reports row after (report_pk, imported_at_us, source), in _REPORT_COLUMNS order.
    values: Row
    warning_text: str
    # (record_index, source_ip, messages, disposition, dkim, spf, reason_types,
    #  reason_comments, envelope_to, envelope_from, header_from)
    records: tuple[Row, ...]
    # (record_index, method, domain, selector, scope, result, human_result)
    auth: tuple[Row, ...]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.org_name, self.policy_domain, self.report_id)

    def children(self) -> tuple[Sequence[Row], ...]:
        return (self.records, self.auth)


_REPORT_COLUMNS = (
    "org_name",
    "report_id",
    "email",
    "extra_contact_info",
    "begin_us",
    "end_us",
    "policy_domain",
    "adkim",
    "aspf",
    "p",
    "sp",
    "np",
    "pct",
    "fo",
    "testing",
    "discovery_method",
    "schema",
    "version",
    "generator",
    "errors",
    "record_count",
    "message_count",
    "content_sha256",
    "raw",
    "warnings",
    "warning_count",
)


@lru_cache(maxsize=1024)
def _json_list(items: tuple[str, ...]) -> str:
    # Cached: the same few kinds of tolerance recur report after report.
    return json.dumps(items) if items else "[]"


def parsed_rows(report: AggregateReport, digest: str, raw: bytes) -> ReportRows:
    """The store rows of a parsed report (the hot path of an import: plain tuples only)."""
    policy = report.policy
    warnings = report.warnings
    records = report.records
    return ReportRows(
        report.org_name,
        report.report_id,
        policy.domain,
        digest,
        (
            report.org_name,
            report.report_id,
            report.email,
            report.extra_contact_info,
            report.begin_us,
            report.end_us,
            policy.domain,
            policy.adkim,
            policy.aspf,
            policy.p,
            policy.sp,
            policy.np,
            policy.pct,
            policy.fo,
            policy.testing,
            policy.discovery_method,
            report.schema.value,
            report.version,
            report.generator,
            _json_list(report.errors),
            len(records),
            sum(record[2] for record in records),
            digest,
            raw,
            _json_list(warnings),
            len(warnings),
        ),
        "; ".join(warnings),
        tuple(tuple(record) for record in records),
        tuple(tuple(entry) for entry in report.auth),
    )


class ImportBatch(intake_batch.ImportBatch):
    """One DMARC import's transaction (see ``assessment.intake.batch.ImportBatch``)."""

    KEY_COLUMNS = ("org_name", "policy_domain", "report_id")
    REPORT_INSERT = (
        "INSERT INTO reports (report_pk, imported_at_us, source, "  # noqa: S608 (fixed column names)
        + ", ".join(_REPORT_COLUMNS)
        + ") VALUES ("
        + ", ".join("?" * (len(_REPORT_COLUMNS) + 3))
        + ")"
    )
    CHILD_INSERTS = (
        "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "INSERT INTO auth_results VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
