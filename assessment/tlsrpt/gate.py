"""Is it safe to switch a domain's MTA-STS policy from ``testing`` to ``enforce``?

The verdict reads only ``sts`` policy blocks and their failure-details: ``tlsa`` blocks are
DANE's business, and counting them too would double the sessions Microsoft reports under
both types.

Window: ``as_of`` is the day of the assessment. A day's reports arrive the following day,
so the window is the ``window_days`` full UTC days *before* ``as_of``.

Status: any failing gate about failures makes the domain NOT_READY, because a known
failure is enough to say no whatever the coverage. Otherwise a failing coverage gate
(days, reporters) gives INSUFFICIENT_DATA; otherwise READY.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

import pandas as pd

from assessment.tlsrpt.analyze import (
    NOT_REPORTED,
    STS,
    day_timestamp,
    normalise_domain,
    report_day,
)
from assessment.tlsrpt.frames import Frames

POLICY_FAILURES: Final[Mapping[str, str]] = {
    "sts-policy-fetch-error": "senders could not fetch the policy file",
    "sts-webpki-invalid": "the policy host's certificate did not validate",
    "sts-policy-invalid": "senders could not parse the policy file",
}


class EnforceStatus(StrEnum):
    READY = "ready"
    NOT_READY = "not-ready"
    INSUFFICIENT_DATA = "insufficient-data"

    @property
    def label(self) -> str:
        """The verdict in words, as the plan and the questionnaire notes print it."""
        return {
            EnforceStatus.READY: "ready to enforce",
            EnforceStatus.NOT_READY: "not ready to enforce",
            EnforceStatus.INSUFFICIENT_DATA: "not enough report data yet",
        }[self]


@dataclass(frozen=True)
class EnforceGates:
    """The conditions for recommending ``mode: enforce``; the rollout plan quotes them."""

    min_days: int = 14
    min_reporters: int = 2
    clean_mx_days: int = 7
    blocking_result_types: tuple[str, ...] = tuple(POLICY_FAILURES)

    def describe(self) -> tuple[str, ...]:
        """The gates as sentences for a rollout plan."""
        return (
            f"At least {self.min_days} days of MTA-STS (sts) reports in the review window.",
            f"Reports from at least {self.min_reporters} different reporting organisations.",
            f"No failed sessions on any MX host in the last {self.clean_mx_days} days.",
            "No " + ", ".join(self.blocking_result_types) + " results in the review window.",
        )


@dataclass(frozen=True)
class EnforceVerdict:
    domain: str
    status: EnforceStatus
    reasons: tuple[str, ...]
    blockers: tuple[str, ...]
    window_start: date
    window_end: date
    days_covered: int
    reporters: tuple[str, ...]
    total_successful: int
    total_failed: int
    failure_rate: float | None
    failing_mx: tuple[str, ...]
    first_report: date | None
    last_report: date | None
    gates: EnforceGates = field(default_factory=EnforceGates)


@dataclass(frozen=True)
class _FailureGroup:
    mx: str
    result_type: str
    failed: int
    days: int
    recent_failed: int
    last_day: date
    reporters: tuple[str, ...]


@dataclass(frozen=True)
class _DomainFigures:
    days_covered: int = 0
    reporters: tuple[str, ...] = ()
    successful: int = 0
    failed: int = 0
    recent_unattributed: int = 0
    inconsistent_reports: int = 0
    first_report: date | None = None
    last_report: date | None = None
    failures: tuple[_FailureGroup, ...] = ()


UNNAMED_MX: Final = "an MX the reporter did not name"
"""How a blocker names a failure whose report left out the receiving MX."""


def enforce_verdict(
    frames: Frames,
    domain: str,
    as_of: date,
    window_days: int = 14,
    mx_hosts: Sequence[str] = (),
    gates: EnforceGates | None = None,
) -> EnforceVerdict:
    """The MTA-STS enforce verdict for one policy domain.

    ``mx_hosts`` are the domain's current MX names (from the assessment evidence); they are
    named in the verdict and failures on other hosts are pointed out as such.
    """
    name = normalise_domain(domain)
    figures = _figures(frames, as_of, window_days, gates or EnforceGates(), [name])
    return _verdict(name, figures.get(name, _DomainFigures()), as_of, window_days, mx_hosts, gates)


def enforce_verdicts(
    frames: Frames,
    as_of: date,
    window_days: int = 14,
    mx_hosts: Mapping[str, Sequence[str]] | None = None,
    gates: EnforceGates | None = None,
) -> dict[str, EnforceVerdict]:
    """Verdicts for every policy domain that has ``sts`` reports, sorted by domain."""
    policies = frames.policies
    sts = policies[(policies["policy_type"] == STS) & (policies["policy_domain"] != "")]
    domains = sorted(str(d) for d in sts["policy_domain"].dropna().unique())
    rules = gates or EnforceGates()
    figures = _figures(frames, as_of, window_days, rules, domains)
    hosts = mx_hosts or {}
    return {
        name: _verdict(
            name,
            figures.get(name, _DomainFigures()),
            as_of,
            window_days,
            hosts.get(name, ()),
            rules,
        )
        for name in domains
    }


def _window(as_of: date, window_days: int) -> tuple[date, date]:
    end = as_of - timedelta(days=1)
    return end - timedelta(days=max(window_days, 1) - 1), end


def _figures(
    frames: Frames,
    as_of: date,
    window_days: int,
    gates: EnforceGates,
    domains: Sequence[str],
) -> dict[str, _DomainFigures]:
    """Per-domain aggregates, computed once for all domains so 1M failure rows stay cheap."""
    start, end = _window(as_of, window_days)
    recent_start = day_timestamp(end - timedelta(days=max(gates.clean_mx_days, 1) - 1))
    lo, hi, cutoff = day_timestamp(start), day_timestamp(end), day_timestamp(as_of)
    wanted = set(domains)

    policies = frames.policies
    pol_mask = (policies["policy_type"] == STS) & policies["policy_domain"].isin(wanted)
    pol = policies.loc[
        pol_mask,
        [
            "report_pk",
            "org_name",
            "policy_domain",
            "successful",
            "failed",
            "detail_failed_sum",
            "counts_inconsistent",
        ],
    ].assign(day=report_day(policies.loc[pol_mask, "start"]))
    pol = pol[pol["day"] < cutoff]

    span = pol.groupby("policy_domain", sort=False)["day"].agg(["min", "max"])
    first = {str(k): _as_date(v) for k, v in span["min"].items()}
    last = {str(k): _as_date(v) for k, v in span["max"].items()}

    win = pol[(pol["day"] >= lo) & (pol["day"] <= hi)]
    unattributed = (win["failed"] - win["detail_failed_sum"]).clip(lower=0)
    win = win.assign(unattributed=unattributed.where(win["day"] >= recent_start, 0))
    totals = win.groupby("policy_domain", sort=False).agg(
        days=("day", "nunique"),
        successful=("successful", "sum"),
        failed=("failed", "sum"),
        unattributed=("unattributed", "sum"),
    )
    inconsistent = (
        win[win["counts_inconsistent"]].groupby("policy_domain", sort=False)["report_pk"].nunique()
    )
    reporters = _names_by(win.groupby(["policy_domain", "org_name"], sort=True).size().index)

    groups = _failure_groups(frames.failures, wanted, lo, hi, recent_start)

    rows = totals.to_dict("index")
    out: dict[str, _DomainFigures] = {}
    for name in domains:
        if name not in first:
            continue
        row = rows.get(name, {})
        out[name] = _DomainFigures(
            days_covered=int(row.get("days", 0)),
            reporters=reporters.get(name, ()),
            successful=int(row.get("successful", 0)),
            failed=int(row.get("failed", 0)),
            recent_unattributed=int(row.get("unattributed", 0)),
            inconsistent_reports=int(inconsistent.get(name, 0)),
            first_report=first[name],
            last_report=last[name],
            failures=groups.get(name, ()),
        )
    return out


def _failure_groups(
    failures: pd.DataFrame,
    wanted: set[str],
    lo: pd.Timestamp,
    hi: pd.Timestamp,
    recent_start: pd.Timestamp,
) -> dict[str, tuple[_FailureGroup, ...]]:
    mask = (failures["policy_type"] == STS) & failures["policy_domain"].isin(wanted)
    day = report_day(failures.loc[mask, "start"])
    in_window = (day >= lo) & (day <= hi)
    sub = failures.loc[mask, ["policy_domain", "org_name", "result_type", "failed_sessions"]]
    sub = sub.assign(
        mx=failures.loc[mask, "receiving_mx_hostname"]
        .fillna(NOT_REPORTED)
        .replace("", NOT_REPORTED),
        day=day,
    )[in_window]
    if sub.empty:
        return {}
    sub = sub.assign(recent=sub["failed_sessions"].where(sub["day"] >= recent_start, 0))
    keys = ["policy_domain", "mx", "result_type"]
    stats = sub.groupby(keys, sort=True).agg(
        failed=("failed_sessions", "sum"),
        days=("day", "nunique"),
        recent=("recent", "sum"),
        last_day=("day", "max"),
    )
    names = _names_by(sub.groupby([*keys, "org_name"], sort=True).size().index)
    out: dict[str, list[_FailureGroup]] = {}
    for row in stats.reset_index().to_dict("records"):
        key = (row["policy_domain"], row["mx"], row["result_type"])
        out.setdefault(str(row["policy_domain"]), []).append(
            _FailureGroup(
                mx=str(row["mx"]),
                result_type=str(row["result_type"]),
                failed=int(row["failed"]),
                days=int(row["days"]),
                recent_failed=int(row["recent"]),
                last_day=_as_date(row["last_day"]),
                reporters=names.get(key, ()),
            )
        )
    return {
        k: tuple(sorted(v, key=lambda g: (-g.failed, g.mx, g.result_type))) for k, v in out.items()
    }


def _names_by(index: pd.Index) -> dict[object, tuple[str, ...]]:
    """Group the last level of a sorted MultiIndex of (key..., org_name) into name tuples."""
    grouped: dict[object, list[str]] = {}
    for entry in index:
        *key, name = tuple(entry)
        grouped.setdefault(key[0] if len(key) == 1 else tuple(key), []).append(str(name))
    return {k: tuple(v) for k, v in grouped.items()}


def _as_date(value: object) -> date:
    return pd.Timestamp(value).date()  # type: ignore[arg-type]


def _fmt_day(day: date, as_of: date) -> str:
    return f"{day.day} {day:%b}" if day.year == as_of.year else f"{day.day} {day:%b %Y}"


def _and(names: Iterable[str]) -> str:
    items = list(names)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _verdict(
    domain: str,
    fig: _DomainFigures,
    as_of: date,
    window_days: int,
    mx_hosts: Sequence[str],
    gates: EnforceGates | None,
) -> EnforceVerdict:
    rules = gates or EnforceGates()
    start, end = _window(as_of, window_days)
    recent_start = end - timedelta(days=max(rules.clean_mx_days, 1) - 1)

    def fmt(day: date) -> str:
        return _fmt_day(day, as_of)

    period = f"the last {window_days} days ({fmt(start)} to {fmt(end)})"
    hosts = tuple(normalise_domain(h) for h in mx_hosts)

    summary: list[str] = []
    reasons: list[str] = []
    blockers: list[str] = []
    coverage: list[str] = []

    sessions = fig.successful + fig.failed
    rate = fig.failed / sessions if sessions else None
    if fig.days_covered == 0:
        coverage.append(
            f"No sts reports for {domain} in {period}; TLS-RPT reports must arrive for at "
            f"least {rules.min_days} days before a decision."
        )
    else:
        summary.append(
            f"{_plural(fig.days_covered, 'day')} of sts reports in {period} from "
            f"{_plural(len(fig.reporters), 'reporter')} ({_and(fig.reporters)}): "
            f"{fig.successful:,} successful and {fig.failed:,} failed sessions"
            + (f" ({rate:.2%} failed)." if rate is not None else ".")
        )
        if fig.days_covered < rules.min_days:
            coverage.append(
                f"Only {_plural(fig.days_covered, 'day')} of sts reports in {period}; "
                f"at least {rules.min_days} are needed."
            )
        if len(fig.reporters) < rules.min_reporters:
            coverage.append(
                f"Only {_plural(len(fig.reporters), 'reporter')} ({_and(fig.reporters)}) sent "
                f"sts reports in the window; at least {rules.min_reporters} are needed."
            )
    if window_days < rules.min_days:
        coverage.append(
            f"The {window_days}-day window is shorter than the {rules.min_days} days the "
            "enforce gate requires."
        )

    failing: list[str] = []
    for group in fig.failures:
        reporters = _and(group.reporters)
        where = UNNAMED_MX if group.mx == NOT_REPORTED else group.mx
        detail = (
            f"{group.result_type} on {where} reported by {reporters} on {group.days} of "
            f"the last {window_days} days ({_plural(group.failed, 'failed session')}, "
            f"last on {fmt(group.last_day)})"
        )
        if group.result_type in rules.blocking_result_types:
            blockers.append(
                f"{group.result_type} reported by {reporters} on {group.days} of the last "
                f"{window_days} days ({_plural(group.failed, 'failed session')}, last on "
                f"{fmt(group.last_day)}): "
                f"{POLICY_FAILURES.get(group.result_type, 'a policy failure')}."
            )
        elif group.recent_failed > 0:
            blockers.append(detail + ".")
            if group.mx != NOT_REPORTED and group.mx not in failing:
                failing.append(group.mx)
            if hosts and group.mx != NOT_REPORTED and group.mx not in hosts:
                reasons.append(
                    f"{group.mx} is not one of the current MX hosts ({', '.join(hosts)}); "
                    "senders may still hold an older MX set or policy."
                )
        else:
            reasons.append(
                f"{detail}; none in the last {rules.clean_mx_days} days, since {fmt(recent_start)}."
            )
    if fig.recent_unattributed:
        blockers.append(
            f"{_plural(fig.recent_unattributed, 'failed session')} since {fmt(recent_start)} "
            "came without failure details, so the MX hosts involved are unknown."
        )
    if fig.inconsistent_reports:
        reasons.append(
            f"{_plural(fig.inconsistent_reports, 'report')} in the window list failure "
            "details that disagree with their own summary count (shown, not corrected)."
        )

    if blockers:
        status = EnforceStatus.NOT_READY
        reasons.append(f"Not ready: {_plural(len(blockers), 'blocker')} to clear before enforce.")
    elif coverage:
        status = EnforceStatus.INSUFFICIENT_DATA
        reasons.append("Not enough evidence yet to recommend enforce.")
    else:
        status = EnforceStatus.READY
        on = "/".join(hosts) if hosts else "any MX"
        reasons.append(
            f"{_plural(fig.days_covered, 'day')} of sts reports from "
            f"{_plural(len(fig.reporters), 'reporter')}, 0 failures on {on} since "
            f"{fmt(recent_start)}; ready."
        )
    return EnforceVerdict(
        domain=domain,
        status=status,
        reasons=tuple(summary + coverage + reasons),
        blockers=tuple(blockers + coverage),
        window_start=start,
        window_end=end,
        days_covered=fig.days_covered,
        reporters=fig.reporters,
        total_successful=fig.successful,
        total_failed=fig.failed,
        failure_rate=rate,
        failing_mx=tuple(failing),
        first_report=fig.first_report,
        last_report=fig.last_report,
        gates=rules,
    )
