"""TLS-RPT sessions as one long frame, the explorer's filter over it, and its tables.

RFC 8460 §4.3 gives successful sessions per policy block only (``total-successful-session-
count``); failures come per ``failure-details`` entry with the receiving MX and result type.
So the long frame has, per policy block, one ``success`` row (no MX: the report does not say
which MX the successful sessions reached) and one row per failure-details entry. Where a
block's failed total exceeds the sum of its details (Microsoft and Mail.ru omit details),
the remainder is a ``(no details)`` row, so the failed sessions add up to the block's own
total, or to the details' sum where that is larger (flagged elsewhere, never corrected).

Consequence a consultant sees: choosing one MX or one failure type leaves only failure rows.

``sts`` and ``tlsa`` blocks of one report can describe the same sessions (Microsoft), so the
explorer filters one policy type at a time; ``policy_type=""`` adds every type as reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Final

import pandas as pd

from assessment.tlsrpt.analyze import NOT_REPORTED, STS, day_timestamp, report_day
from assessment.tlsrpt.frames import Frames

SUCCESS: Final = "success"
"""The ``result`` of successful sessions."""
NO_DETAILS: Final = "(no details)"
"""The ``result`` of failed sessions the report counted but did not detail."""

SESSION_COLUMNS: Final[dict[str, str]] = {
    "day": "datetime64[ns]",
    "report_pk": "int64",
    "reporter": "str",
    "policy_domain": "str",
    "policy_type": "str",
    "result": "str",
    "receiving_mx_hostname": "str",
    "receiving_ip": "str",
    "sending_mta_ip": "str",
    "sessions": "int64",
}


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            name: frame[name].astype(pd.api.types.pandas_dtype(dtype))
            for name, dtype in SESSION_COLUMNS.items()
        }
    )
    return out.reset_index(drop=True)


def _host(values: pd.Series) -> pd.Series:
    text = values.astype("str").fillna("").str.strip().str.rstrip(".").str.lower()
    named: pd.Series = text.where(text != "", NOT_REPORTED)
    return named


def tlsrpt_sessions(frames: Frames) -> pd.DataFrame:
    """One row per policy block's successful sessions and per failure-details entry.

    Columns (``SESSION_COLUMNS``): ``day`` (UTC, tz-naive midnight), ``report_pk``,
    ``reporter`` (the report's organisation), ``policy_domain``, ``policy_type``, ``result``
    (``success``, a failure result type, or ``(no details)``), ``receiving_mx_hostname``,
    ``receiving_ip``, ``sending_mta_ip`` ("" on success rows, ``(not reported)`` where a
    failure left them out), ``sessions``. Rows with no sessions are dropped.
    """
    policies = frames.policies
    failures = frames.failures
    success = pd.DataFrame(
        {
            "day": report_day(policies["start"]),
            "report_pk": policies["report_pk"],
            "reporter": policies["org_name"].fillna(""),
            "policy_domain": policies["policy_domain"].fillna(""),
            "policy_type": policies["policy_type"].fillna(""),
            "result": SUCCESS,
            "receiving_mx_hostname": "",
            "receiving_ip": "",
            "sending_mta_ip": "",
            "sessions": policies["successful"],
        }
    )
    detailed = pd.DataFrame(
        {
            "day": report_day(failures["start"]),
            "report_pk": failures["report_pk"],
            "reporter": failures["org_name"].fillna(""),
            "policy_domain": failures["policy_domain"].fillna(""),
            "policy_type": failures["policy_type"].fillna(""),
            "result": failures["result_type"].fillna("").replace("", NOT_REPORTED),
            "receiving_mx_hostname": _host(failures["receiving_mx_hostname"]),
            "receiving_ip": failures["receiving_ip"].fillna(NOT_REPORTED),
            "sending_mta_ip": failures["sending_mta_ip"].fillna(NOT_REPORTED),
            "sessions": failures["failed_sessions"],
        }
    )
    missing = (policies["failed"] - policies["detail_failed_sum"]).clip(lower=0)
    undetailed = success.assign(
        result=NO_DETAILS,
        receiving_mx_hostname=NOT_REPORTED,
        receiving_ip=NOT_REPORTED,
        sending_mta_ip=NOT_REPORTED,
        sessions=missing,
    )
    rows = pd.concat(
        [frame for frame in (success, detailed, undetailed) if not frame.empty] or [success],
        ignore_index=True,
    )
    rows = rows[rows["sessions"] > 0]
    ordered = rows.sort_values(["day", "report_pk", "result"], kind="stable")
    return _typed(ordered)


@dataclass(frozen=True)
class TlsRptFilter:
    """What the TLS-RPT explorer shows. An empty set means every value; dates are inclusive
    UTC days, ``None`` for no bound. ``policy_type`` ``""`` means every type (which can count
    Microsoft's sessions twice, once per ``sts`` and ``tlsa`` block)."""

    since: date | None = None
    until: date | None = None
    domains: frozenset[str] = field(default_factory=frozenset)
    policy_type: str = STS
    mx_hosts: frozenset[str] = field(default_factory=frozenset)
    reporters: frozenset[str] = field(default_factory=frozenset)
    results: frozenset[str] = field(default_factory=frozenset)


def _within(values: pd.Series, chosen: Iterable[str]) -> pd.Series:
    kept: pd.Series = values.isin(list(chosen))
    return kept


def filter_tlsrpt(sessions: pd.DataFrame | Frames, chosen: TlsRptFilter) -> pd.DataFrame:
    """The rows of ``tlsrpt_sessions(...)`` (made here from `Frames`) that ``chosen`` keeps,
    index reset."""
    if isinstance(sessions, Frames):
        sessions = tlsrpt_sessions(sessions)
    keep = pd.Series(True, index=sessions.index)
    if chosen.since is not None:
        keep &= sessions["day"] >= day_timestamp(chosen.since)
    if chosen.until is not None:
        keep &= sessions["day"] <= day_timestamp(chosen.until)
    if chosen.policy_type:
        keep &= sessions["policy_type"] == chosen.policy_type
    if chosen.domains:
        keep &= _within(sessions["policy_domain"], chosen.domains)
    if chosen.mx_hosts:
        hosts = {h.strip().rstrip(".").lower() for h in chosen.mx_hosts}
        keep &= _within(sessions["receiving_mx_hostname"], hosts)
    if chosen.reporters:
        keep &= _within(sessions["reporter"], chosen.reporters)
    if chosen.results:
        keep &= _within(sessions["result"], chosen.results)
    return sessions[keep].reset_index(drop=True)


def outcome(result: pd.Series) -> pd.Series:
    """``successful`` or ``failed`` for each ``result``."""
    named: pd.Series = result.eq(SUCCESS).map({True: "successful", False: "failed"})
    return named.astype("str")


def sessions_per_day(sessions: pd.DataFrame) -> pd.DataFrame:
    """Sessions per day and outcome, long (``day``, ``outcome``, ``sessions``), for the chart.

    Days without rows are missing, as in the reports."""
    if sessions.empty:
        return pd.DataFrame(
            {
                "day": pd.Series(dtype="datetime64[ns]"),
                "outcome": pd.Series(dtype="str"),
                "sessions": pd.Series(dtype="int64"),
            }
        )
    return (
        sessions.assign(outcome=outcome(sessions["result"]))
        .groupby(["day", "outcome"], sort=True)["sessions"]
        .sum()
        .reset_index()
    )


SUMMARY_COLUMNS: Final = (
    "result",
    "receiving_mx_hostname",
    "sessions",
    "days",
    "reports",
    "reporters",
    "first_day",
    "last_day",
)


def sessions_summary(sessions: pd.DataFrame) -> pd.DataFrame:
    """Sessions per result and receiving MX in the filtered rows, most first."""
    if sessions.empty:
        return pd.DataFrame(
            {
                "result": pd.Series(dtype="str"),
                "receiving_mx_hostname": pd.Series(dtype="str"),
                "sessions": pd.Series(dtype="int64"),
                "days": pd.Series(dtype="int64"),
                "reports": pd.Series(dtype="int64"),
                "reporters": pd.Series(dtype="int64"),
                "first_day": pd.Series(dtype="datetime64[ns]"),
                "last_day": pd.Series(dtype="datetime64[ns]"),
            }
        )
    table = (
        sessions.groupby(["result", "receiving_mx_hostname"], sort=False)
        .agg(
            sessions=("sessions", "sum"),
            days=("day", "nunique"),
            reports=("report_pk", "nunique"),
            reporters=("reporter", "nunique"),
            first_day=("day", "min"),
            last_day=("day", "max"),
        )
        .reset_index()
        .sort_values(["sessions", "result", "receiving_mx_hostname"], ascending=[False, True, True])
    )
    return table.reset_index(drop=True).loc[:, list(SUMMARY_COLUMNS)]
