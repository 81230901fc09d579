"""The pandas contract between the DMARC store and the analysis.

Three frames:

- ``reports``: one row per stored report, with the policy the reporter saw;
- ``records``: one row per ``record`` (messages from one source IP with one set of
  results), carrying its report's reporter, dates and published policy so it can be
  grouped on its own;
- ``auth``: one row per ``auth_results`` entry (a DKIM signature or an SPF check)
  of a record, keyed by (report_pk, record_index).

String columns use pandas' ``str`` dtype; a missing value is NA there (test with
``pd.isna``). ``pct`` is a nullable integer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd

from assessment.typed_frames import UTC_NS, empty_frame

REPORT_COLUMNS: Final[dict[str, str]] = {
    "report_pk": "int64",
    "org_name": "str",
    "report_id": "str",
    "email": "str",
    "begin": UTC_NS,
    "end": UTC_NS,
    "policy_domain": "str",
    "adkim": "str",
    "aspf": "str",
    "p": "str",
    "sp": "str",
    "np": "str",
    "pct": "Int64",
    "testing": "str",
    "schema": "str",
    "record_count": "int64",
    "message_count": "int64",
    "imported_at": UTC_NS,
    "source": "str",
    "warnings": "int64",
}

RECORD_COLUMNS: Final[dict[str, str]] = {
    "report_pk": "int64",
    "org_name": "str",
    "email": "str",
    "begin": UTC_NS,
    "end": UTC_NS,
    "policy_domain": "str",
    "adkim": "str",
    "aspf": "str",
    "p": "str",
    "sp": "str",
    "pct": "Int64",
    "testing": "str",
    "record_index": "int64",
    "source_ip": "str",
    "messages": "int64",
    "disposition": "str",
    "dkim": "str",
    "spf": "str",
    "reason_types": "str",
    "reason_comments": "str",
    "envelope_to": "str",
    "envelope_from": "str",
    "header_from": "str",
}

AUTH_COLUMNS: Final[dict[str, str]] = {
    "report_pk": "int64",
    "record_index": "int64",
    "method": "str",
    "domain": "str",
    "selector": "str",
    "scope": "str",
    "result": "str",
    "human_result": "str",
}


@dataclass(frozen=True)
class Frames:
    """The three analysis frames of one DMARC store (or a filtered view of it)."""

    reports: pd.DataFrame
    records: pd.DataFrame
    auth: pd.DataFrame


def empty_frames() -> Frames:
    """Three empty frames with the contract columns and dtypes."""
    return Frames(
        reports=empty_frame(REPORT_COLUMNS),
        records=empty_frame(RECORD_COLUMNS),
        auth=empty_frame(AUTH_COLUMNS),
    )
