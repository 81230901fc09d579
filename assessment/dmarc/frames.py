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

UTC_NS: Final = "datetime64[ns, UTC]"

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


def typed_frame(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """``frame`` restricted to ``columns`` in order, cast to the contract dtypes.

    Timestamp columns given as numbers are epoch microseconds (as SQLite stores them).
    """
    out = pd.DataFrame(index=frame.index)
    for name, dtype in columns.items():
        column = frame[name]
        if dtype == UTC_NS:
            if pd.api.types.is_numeric_dtype(column.dtype):
                out[name] = pd.to_datetime(column, unit="us", utc=True).astype(UTC_NS)
            else:
                out[name] = pd.to_datetime(column, utc=True).astype(UTC_NS)
        else:
            out[name] = column.astype(pd.api.types.pandas_dtype(dtype))
    return out.reset_index(drop=True)


def _empty(columns: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def empty_frames() -> Frames:
    """Three empty frames with the contract columns and dtypes."""
    return Frames(
        reports=_empty(REPORT_COLUMNS),
        records=_empty(RECORD_COLUMNS),
        auth=_empty(AUTH_COLUMNS),
    )
