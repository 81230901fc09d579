"""Tables over TLS-RPT frames: sessions per day, failure breakdowns, gaps, oddities.

Pure pandas over `Frames`; no I/O. Every function accepts empty frames and returns an
empty table with the same columns.

Days: a report belongs to the UTC calendar day its ``start`` falls on. Google and
Microsoft send 00:00:00Z-23:59:59Z, Mail.ru and Stalwart-style reporters end at the next
midnight; both start on the day they describe.

Double counting (RFC 8460 reports, observed at Microsoft): one report can carry an ``sts``
and a ``tlsa`` block for the *same* sessions. Sessions are therefore only ever added up
within one policy type. Where a total over all types is wanted (``ALL_TYPES`` rows), each
report contributes, per policy domain, the largest per-type session total, and the largest
per-type failure count; successes are the remainder. That can only over-state failures,
never invent successes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Final

import pandas as pd

from assessment.names import normalise
from assessment.tlsrpt.frames import Frames

ALL_TYPES: Final = "all"
"""`policy_type` label of the rows that combine every policy type without double counting."""

NOT_REPORTED: Final = "(not reported)"
"""Label for a failure key the reporter left out (Microsoft and Mail.ru fetch errors)."""

STS: Final = "sts"


class FailureKey(StrEnum):
    """Failure-details columns a breakdown can be grouped by."""

    RESULT_TYPE = "result_type"
    ORG_NAME = "org_name"
    RECEIVING_MX_HOSTNAME = "receiving_mx_hostname"
    SENDING_MTA_IP = "sending_mta_ip"
    RECEIVING_IP = "receiving_ip"


DAILY_COLUMNS: Final = (
    "day",
    "policy_domain",
    "policy_type",
    "successful",
    "failed",
    "reports",
    "reporters",
)


def report_day(start: pd.Series) -> pd.Series:
    """UTC calendar day of each timestamp, as tz-naive midnight (plots and compares cleanly)."""
    day: pd.Series = start.dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
    return day


def day_timestamp(day: date) -> pd.Timestamp:
    """A `date` in the same representation as `report_day` produces."""
    return pd.Timestamp(day.year, day.month, day.day)


def _for_domain(frame: pd.DataFrame, domain: str | None) -> pd.DataFrame:
    if domain is None:
        return frame
    return frame[frame["policy_domain"] == normalise_domain(domain)]


def _between(frame: pd.DataFrame, since: date | None, until: date | None) -> pd.DataFrame:
    if since is None and until is None:
        return frame
    day = report_day(frame["start"])
    keep = pd.Series(True, index=frame.index)
    if since is not None:
        keep &= day >= day_timestamp(since)
    if until is not None:
        keep &= day <= day_timestamp(until)
    return frame[keep]


def normalise_domain(domain: str) -> str:
    """Lower-case A-label without a trailing dot, the form reports use (RFC 8460 §4.4)."""
    return normalise(domain)


def daily_sessions(frames: Frames, domain: str | None = None) -> pd.DataFrame:
    """Sessions per day, policy domain and policy type, plus an ``ALL_TYPES`` row per day.

    Columns: ``day`` (tz-naive UTC midnight), ``policy_domain``, ``policy_type``,
    ``successful``, ``failed``, ``reports`` (distinct reports), ``reporters`` (distinct
    organisations). Per-type rows add sessions across reports and reporters; the
    ``ALL_TYPES`` row takes, for each report and domain, the largest per-type figure
    instead of adding ``sts`` and ``tlsa`` blocks that describe the same sessions.
    """
    policies = _for_domain(frames.policies, domain)
    if policies.empty:
        return _empty_daily()
    base = pd.DataFrame(
        {
            "report_pk": policies["report_pk"],
            "org_name": policies["org_name"],
            "day": report_day(policies["start"]),
            "policy_domain": policies["policy_domain"],
            "policy_type": policies["policy_type"],
            "successful": policies["successful"],
            "failed": policies["failed"],
        }
    )
    # Several blocks of one type and domain in one report describe different sessions
    # (e.g. one tlsa block per MX): those add up.
    per_report = base.groupby(
        ["report_pk", "org_name", "day", "policy_domain", "policy_type"], sort=False
    )[["successful", "failed"]].sum()
    per_report = per_report.reset_index()
    per_report["sessions"] = per_report["successful"] + per_report["failed"]

    combined = per_report.groupby(["report_pk", "org_name", "day", "policy_domain"], sort=False)[
        ["sessions", "failed"]
    ].max()
    combined = combined.reset_index()
    combined["successful"] = combined["sessions"] - combined["failed"]
    combined["policy_type"] = ALL_TYPES

    stacked = pd.concat(
        [per_report.drop(columns="sessions"), combined.drop(columns="sessions")],
        ignore_index=True,
    )
    daily = stacked.groupby(["day", "policy_domain", "policy_type"], sort=True).agg(
        successful=("successful", "sum"),
        failed=("failed", "sum"),
        reports=("report_pk", "nunique"),
        reporters=("org_name", "nunique"),
    )
    return daily.reset_index().loc[:, list(DAILY_COLUMNS)]


def _empty_daily() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "day": pd.Series(dtype="datetime64[ns]"),
            "policy_domain": pd.Series(dtype="str"),
            "policy_type": pd.Series(dtype="str"),
            "successful": pd.Series(dtype="int64"),
            "failed": pd.Series(dtype="int64"),
            "reports": pd.Series(dtype="int64"),
            "reporters": pd.Series(dtype="int64"),
        }
    )


def failures_by(
    frames: Frames,
    key: FailureKey | str,
    domain: str | None = None,
    *,
    since: date | None = None,
    until: date | None = None,
) -> pd.DataFrame:
    """Failed sessions grouped by one failure-details column and the policy type.

    Columns: the key column, ``policy_type``, ``failed_sessions``, ``days_seen``,
    ``reports``, ``reporters``, ``first_day``, ``last_day``; largest first. The policy type
    stays in the grouping so that a failure Microsoft lists under both ``sts`` and ``tlsa``
    is shown twice rather than counted twice. A key the reporter left out is shown as
    ``NOT_REPORTED``.
    """
    column = FailureKey(key).value
    failures = _between(_for_domain(frames.failures, domain), since, until)
    columns = [
        column,
        "policy_type",
        "failed_sessions",
        "days_seen",
        "reports",
        "reporters",
        "first_day",
        "last_day",
    ]
    if failures.empty:
        empty = {name: pd.Series(dtype="int64") for name in columns}
        empty[column] = pd.Series(dtype="str")
        empty["policy_type"] = pd.Series(dtype="str")
        empty["first_day"] = pd.Series(dtype="datetime64[ns]")
        empty["last_day"] = pd.Series(dtype="datetime64[ns]")
        return pd.DataFrame(empty)
    base = pd.DataFrame(
        {
            column: failures[column].fillna(NOT_REPORTED).replace("", NOT_REPORTED),
            "policy_type": failures["policy_type"],
            "failed_sessions": failures["failed_sessions"],
            "day": report_day(failures["start"]),
            "report_pk": failures["report_pk"],
            "org_name": failures["org_name"],
        }
    )
    table = base.groupby([column, "policy_type"], sort=False).agg(
        failed_sessions=("failed_sessions", "sum"),
        days_seen=("day", "nunique"),
        reports=("report_pk", "nunique"),
        reporters=("org_name", "nunique"),
        first_day=("day", "min"),
        last_day=("day", "max"),
    )
    table = table.reset_index().sort_values(
        ["failed_sessions", column, "policy_type"], ascending=[False, True, True]
    )
    return table.reset_index(drop=True).loc[:, columns]


def reporter_gaps(frames: Frames, as_of: date, min_gap_days: int = 3) -> pd.DataFrame:
    """Reporters that used to send about daily and have gone quiet (RAN-11).

    A reporter qualifies when it sent on at least three days with a median interval of
    at most two days. It is listed when the full days since its last report before
    ``as_of`` (``silent_days``) reach ``min_gap_days`` and exceed the longest silence it
    had before, so a reporter whose normal rhythm is irregular is not flagged for it.
    Columns: ``org_name``, ``first_day``, ``last_day``, ``report_days``,
    ``median_interval_days``, ``longest_prior_silence_days``, ``silent_days``.
    """
    columns = {
        "org_name": "str",
        "first_day": "datetime64[ns]",
        "last_day": "datetime64[ns]",
        "report_days": "int64",
        "median_interval_days": "float64",
        "longest_prior_silence_days": "int64",
        "silent_days": "int64",
    }
    cutoff = day_timestamp(as_of)
    days = pd.DataFrame(
        {"org_name": frames.reports["org_name"], "day": report_day(frames.reports["start"])}
    )
    days = days[days["day"] < cutoff].drop_duplicates().sort_values(["org_name", "day"])
    if days.empty:
        return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})
    interval = days.groupby("org_name", sort=False)["day"].diff().dt.days
    days = days.assign(interval=interval)
    summary = days.groupby("org_name", sort=True).agg(
        first_day=("day", "min"),
        last_day=("day", "max"),
        report_days=("day", "size"),
        median_interval_days=("interval", "median"),
        longest_interval=("interval", "max"),
    )
    summary["longest_prior_silence_days"] = (summary["longest_interval"].fillna(1) - 1).astype(
        "int64"
    )
    summary["silent_days"] = (cutoff - summary["last_day"]).dt.days.astype("int64") - 1
    regular = (summary["report_days"] >= 3) & (summary["median_interval_days"] <= 2)
    quiet = (summary["silent_days"] >= min_gap_days) & (
        summary["silent_days"] > summary["longest_prior_silence_days"]
    )
    gaps = summary[regular & quiet].reset_index()
    return gaps.loc[:, list(columns)].astype(columns)


def success_rate(
    frames: Frames,
    domain: str,
    since: date | None = None,
    until: date | None = None,
) -> pd.DataFrame:
    """Sessions and success rate per policy type, plus an ``ALL_TYPES`` row, for one domain.

    Columns: ``policy_type``, ``successful``, ``failed``, ``sessions``, ``success_rate``
    (NaN when there were no sessions). ``since`` and ``until`` are inclusive UTC days.
    """
    daily = daily_sessions(frames, domain)
    if since is not None:
        daily = daily[daily["day"] >= day_timestamp(since)]
    if until is not None:
        daily = daily[daily["day"] <= day_timestamp(until)]
    totals = daily.groupby("policy_type", sort=True)[["successful", "failed"]].sum()
    totals = totals.reset_index()
    if totals.empty:
        totals = pd.DataFrame(
            {
                "policy_type": pd.Series([ALL_TYPES], dtype="str"),
                "successful": pd.Series([0], dtype="int64"),
                "failed": pd.Series([0], dtype="int64"),
            }
        )
    totals["sessions"] = totals["successful"] + totals["failed"]
    rate = totals["successful"].astype("float64") / totals["sessions"].astype("float64")
    totals["success_rate"] = rate.where(totals["sessions"] > 0)
    return totals


def count_inconsistencies(frames: Frames) -> pd.DataFrame:
    """Policy blocks whose failure-details disagree with their summary count (RIN-18).

    Flagged, not fixed: both figures are shown as the reporter sent them. Columns:
    ``org_name``, ``report_id``, ``day``, ``policy_domain``, ``policy_type``,
    ``summary_failed``, ``detail_failed_sum``, ``difference`` (details minus summary).
    """
    flagged = frames.policies[frames.policies["counts_inconsistent"]]
    table = pd.DataFrame(
        {
            "org_name": flagged["org_name"],
            "report_id": flagged["report_id"],
            "day": report_day(flagged["start"]),
            "policy_domain": flagged["policy_domain"],
            "policy_type": flagged["policy_type"],
            "summary_failed": flagged["failed"],
            "detail_failed_sum": flagged["detail_failed_sum"],
            "difference": flagged["detail_failed_sum"] - flagged["failed"],
        }
    )
    return table.sort_values(["day", "org_name", "report_id"]).reset_index(drop=True)


def is_within(domain: str, audited: Sequence[str]) -> bool:
    """True when ``domain`` is one of ``audited`` or a subdomain of one (label-wise)."""
    name = normalise_domain(domain)
    if not name:
        return False
    for parent in audited:
        base = normalise_domain(parent)
        if name == base or name.endswith("." + base):
            return True
    return False


def foreign_domains(frames: Frames, audited_domains: Sequence[str]) -> pd.DataFrame:
    """Policy domains in the reports that are not audited domains or their subdomains (RAN-01).

    A shared rua mailbox or someone pointing their reports at the client both show up here.
    An empty ``policy_domain`` (reporter left it out) counts as foreign. Columns:
    ``policy_domain``, ``reports``, ``reporters``, ``first_day``, ``last_day``.
    """
    policies = frames.policies
    domains = pd.Series(policies["policy_domain"].unique(), dtype="str")
    foreign = [name for name in domains if not is_within(str(name), audited_domains)]
    subset = policies[policies["policy_domain"].isin(foreign)]
    table = (
        pd.DataFrame(
            {
                "policy_domain": subset["policy_domain"],
                "report_pk": subset["report_pk"],
                "org_name": subset["org_name"],
                "day": report_day(subset["start"]),
            }
        )
        .groupby("policy_domain", sort=True)
        .agg(
            reports=("report_pk", "nunique"),
            reporters=("org_name", "nunique"),
            first_day=("day", "min"),
            last_day=("day", "max"),
        )
    )
    return table.reset_index()


def reporters_table(frames: Frames, domain: str | None = None) -> pd.DataFrame:
    """Per reporter and policy type: reports, days, sessions, first and last day."""
    policies = _for_domain(frames.policies, domain)
    base = pd.DataFrame(
        {
            "org_name": policies["org_name"],
            "policy_type": policies["policy_type"],
            "report_pk": policies["report_pk"],
            "day": report_day(policies["start"]),
            "successful": policies["successful"],
            "failed": policies["failed"],
        }
    )
    table = base.groupby(["org_name", "policy_type"], sort=True).agg(
        reports=("report_pk", "nunique"),
        days=("day", "nunique"),
        successful=("successful", "sum"),
        failed=("failed", "sum"),
        first_day=("day", "min"),
        last_day=("day", "max"),
    )
    return table.reset_index()


def failure_details(
    frames: Frames,
    domain: str | None = None,
    mx: str | None = None,
    *,
    since: date | None = None,
    until: date | None = None,
) -> pd.DataFrame:
    """The failure-details rows as reported (a drill-down), newest first, optionally one MX."""
    failures = _between(_for_domain(frames.failures, domain), since, until)
    if mx is not None:
        failures = failures[failures["receiving_mx_hostname"] == normalise_domain(mx)]
    table = pd.DataFrame(
        {
            "day": report_day(failures["start"]),
            "org_name": failures["org_name"],
            "policy_domain": failures["policy_domain"],
            "policy_type": failures["policy_type"],
            "result_type": failures["result_type"],
            "receiving_mx_hostname": failures["receiving_mx_hostname"],
            "receiving_ip": failures["receiving_ip"],
            "sending_mta_ip": failures["sending_mta_ip"],
            "failed_sessions": failures["failed_sessions"],
            "failure_reason_code": failures["failure_reason_code"],
        }
    )
    return table.sort_values(["day", "org_name"], ascending=[False, True]).reset_index(drop=True)
