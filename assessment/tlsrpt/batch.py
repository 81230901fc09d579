"""TLS-RPT reports as store rows, and the import transaction that writes them.

The transaction logic (dedupe on (organization-name, report-id), the content hash
telling an identical copy from a reused report-id; bulk writes; all or nothing) is
``assessment.intake.batch``'s; this module gives it the TLS-RPT tables.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from assessment.intake import batch as intake_batch
from assessment.intake.audit import compress_raw, content_digest, decompress_raw
from assessment.intake.batch import LoggedItem, Outcome, Pending, StoreError, micros
from assessment.tlsrpt.report import ParsedReport

__all__ = [
    "ImportBatch",
    "LoggedItem",
    "Outcome",
    "Pending",
    "ReportRows",
    "StoreError",
    "compress_raw",
    "content_digest",
    "decompress_raw",
    "micros",
    "parsed_rows",
]


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

    @property
    def key(self) -> tuple[str, str]:
        return (self.org_name, self.report_id)

    def children(self) -> tuple[Sequence[tuple[Any, ...]], ...]:
        return (self.policies, self.failures)


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


class ImportBatch(intake_batch.ImportBatch):
    """One TLS-RPT import's transaction (see ``assessment.intake.batch.ImportBatch``)."""

    REPORT_INSERT = (
        "INSERT INTO reports (report_pk, imported_at_us, source, org_name, report_id, "
        "start_us, end_us, contact_info, content_sha256, raw_zlib, warnings, "
        "warning_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    CHILD_INSERTS = (
        "INSERT INTO policies VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "INSERT INTO failure_details VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
