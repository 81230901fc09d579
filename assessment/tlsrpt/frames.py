"""The pandas contract between the TLS-RPT store and the analysis.

Three frames, every row carrying the full report key so that any frame can be
filtered or grouped on its own without joins:

- ``reports``: one row per stored report;
- ``policies``: one row per ``policies[]`` block of a report;
- ``failures``: one row per ``failure-details[]`` entry of a policy block.

String columns use pandas' default ``str`` dtype; a missing value (JSON null or
absent field) is NA there, so test it with ``pd.isna`` rather than ``is None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd

from assessment.typed_frames import UTC_NS, empty_frame

KEY_COLUMNS: Final[dict[str, str]] = {
    "report_pk": "int64",
    "org_name": "str",
    "report_id": "str",
    "start": UTC_NS,
    "end": UTC_NS,
}

REPORT_COLUMNS: Final[dict[str, str]] = {
    **KEY_COLUMNS,
    "contact_info": "str",
    "imported_at": UTC_NS,
    "source": "str",
    "warnings": "int64",
}

POLICY_COLUMNS: Final[dict[str, str]] = {
    **KEY_COLUMNS,
    "policy_index": "int64",
    "policy_type": "str",
    "policy_domain": "str",
    "policy_strings": "str",
    "mx_hosts": "str",
    "successful": "int64",
    "failed": "int64",
    "detail_failed_sum": "int64",
    "counts_inconsistent": "bool",
}

FAILURE_COLUMNS: Final[dict[str, str]] = {
    **KEY_COLUMNS,
    "policy_index": "int64",
    "policy_type": "str",
    "policy_domain": "str",
    "result_type": "str",
    "sending_mta_ip": "str",
    "receiving_mx_hostname": "str",
    "receiving_mx_helo": "str",
    "receiving_ip": "str",
    "failed_sessions": "int64",
    "failure_reason_code": "str",
    "additional_information": "str",
}


@dataclass(frozen=True)
class Frames:
    """The three analysis frames of one TLS-RPT store (or a filtered view of it)."""

    reports: pd.DataFrame
    policies: pd.DataFrame
    failures: pd.DataFrame


def empty_frames() -> Frames:
    """Three empty frames with the contract columns and dtypes."""
    return Frames(
        reports=empty_frame(REPORT_COLUMNS),
        policies=empty_frame(POLICY_COLUMNS),
        failures=empty_frame(FAILURE_COLUMNS),
    )
