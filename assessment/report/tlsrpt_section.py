"""The TLS-RPT part of the report: verdicts, charts and tables from the client's store."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date

import pandas as pd

from assessment.report.formatting import plural
from assessment.report.locations import CHART_FONT_FILE
from assessment.report.sections import Chart, TableView, TlsRptSection, VerdictStatus, VerdictView
from assessment.tlsrpt import analyze, charts
from assessment.tlsrpt.frames import Frames
from assessment.tlsrpt.gate import EnforceStatus, EnforceVerdict

_STATUS = {
    EnforceStatus.READY: VerdictStatus.READY,
    EnforceStatus.NOT_READY: VerdictStatus.NOT_READY,
    EnforceStatus.INSUFFICIENT_DATA: VerdictStatus.INSUFFICIENT_DATA,
}
_TABLE_ROWS = 12
_EPOCH = date(1970, 1, 1)


def verdict_view(verdict: EnforceVerdict) -> VerdictView:
    return VerdictView(
        domain=verdict.domain,
        status=_STATUS[verdict.status],
        reasons=verdict.reasons,
        blockers=verdict.blockers,
        days_covered=verdict.days_covered,
        reporters=verdict.reporters,
        total_successful=verdict.total_successful,
        total_failed=verdict.total_failed,
        failure_rate=verdict.failure_rate or 0.0,
        failing_mx=verdict.failing_mx,
    )


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "unknown"
    if isinstance(value, date | pd.Timestamp):
        return f"{value.day} {value:%b %Y}"
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _failures_table(
    frames: Frames, domain: str, key: analyze.FailureKey, title: str, summary_failed: int
) -> TableView:
    # MTA-STS failures only: the verdict is about the sts policy, and a Microsoft tlsa block
    # repeats the same sessions.
    table = analyze.failures_by(frames, key, domain=domain)
    table = table.loc[table["policy_type"] == analyze.STS]
    columns = (
        (key.value, "MX host" if key is analyze.FailureKey.RECEIVING_MX_HOSTNAME else "Result"),
        ("failed_sessions", "Failed sessions"),
        ("days_seen", "Days seen"),
        ("reporters", "Reporters"),
        ("last_day", "Last seen"),
    )
    rows = tuple(
        tuple(_cell(record.get(column)) for column, _ in columns)
        for record in table.head(_TABLE_ROWS).to_dict("records")
    )
    detail_total = int(table["failed_sessions"].sum())
    shown = f" (of all {len(table)} rows)" if len(table) > len(rows) else ""
    total_row = (f"Total{shown}", f"{detail_total:,}", "", "", "")
    return TableView(
        title=title,
        columns=tuple(label for _, label in columns),
        rows=(*rows, total_row),
        caption=_reconcile(frames, domain, detail_total, summary_failed),
    )


def _reconcile(frames: Frames, domain: str, detail_total: int, summary_failed: int) -> str:
    """Why a table's total differs from the verdict's failed sessions, or "" when it does not.

    The verdict counts each report's own total of failed sessions; the tables add up the
    failure details. RFC 8460 does not make reports keep the two in step (Mail.ru's details
    can exceed their total; a report may give a total with no details), and both are printed
    as sent, so the difference is explained, never hidden.
    """
    if detail_total == summary_failed:
        return ""
    policies = frames.policies
    mine = policies.loc[
        (policies["policy_domain"] == domain) & (policies["policy_type"] == analyze.STS)
    ]
    gap = mine["detail_failed_sum"] - mine["failed"]
    parts = []
    for rows, word in ((mine.loc[gap > 0], "more"), (mine.loc[gap < 0], "fewer")):
        if rows.empty:
            continue
        names = ", ".join(sorted(str(n) for n in rows["org_name"].unique()))
        amount = int((rows["detail_failed_sum"] - rows["failed"]).abs().sum())
        one = len(rows) == 1
        parts.append(
            f"{plural(len(rows), 'report')} from {names} list{'s' if one else ''} "
            f"{amount:,} {word} in {'its' if one else 'their'} details than in "
            f"{'its' if one else 'their'} total"
        )
    why = "; ".join(parts) if parts else "the reports differ"
    return (
        f"The failure details add up to {detail_total:,} failed sessions; the reports' own "
        f"totals, used for the verdict above, give {summary_failed:,}: {why}. We show both "
        "figures as the providers reported them."
    )


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _has_details(frames: Frames, domain: str) -> bool:
    failures = frames.failures
    mask = (failures["policy_domain"] == domain) & (failures["policy_type"] == analyze.STS)
    return bool(mask.any())


def _scoped(frames: Frames, domains: Sequence[str], start: date, end: date) -> Frames:
    """The audited domains' rows in the verdict window [start, end] (whole UTC days).

    Every chart, table and note of the section reads this one subset, so its numbers agree
    with the verdict printed above them.
    """
    low = pd.Timestamp(start, tz="UTC")
    high = pd.Timestamp(end, tz="UTC") + pd.Timedelta(days=1)

    def keep(frame: pd.DataFrame, by_domain: bool) -> pd.DataFrame:
        mask = (frame["start"] >= low) & (frame["start"] < high)
        if by_domain:
            mask &= frame["policy_domain"].isin(list(domains))
        return frame.loc[mask]

    policies = keep(frames.policies, True)
    reports = frames.reports.loc[frames.reports["report_pk"].isin(policies["report_pk"])]
    return Frames(reports, policies, keep(frames.failures, True))


def build_tlsrpt_section(
    frames: Frames,
    verdicts: Mapping[str, EnforceVerdict],
    domains: Sequence[str],
    as_of: date,
) -> TlsRptSection | None:
    """None when the store holds nothing for the audited domains: the report omits it."""
    audited = [d for d in domains if d in verdicts]
    if frames.reports.empty or not audited:
        return None
    window_start = min(verdicts[d].window_start for d in audited)
    window_end = max(verdicts[d].window_end for d in audited)
    history = frames
    frames = _scoped(frames, audited, window_start, window_end)
    chart_list: list[Chart] = []
    tables: list[TableView] = []
    for domain in audited:
        verdict = verdicts[domain]
        with charts.typeface(CHART_FONT_FILE):
            daily = charts.daily_sessions_chart(
                frames, domain, analyze.STS, window=(verdict.window_start, verdict.window_end)
            )
            svg = charts.figure_to_svg(daily, id_prefix=f"d{len(chart_list)}")
        chart_list.append(
            Chart(
                f"MTA-STS (sts) sessions per day for {domain}",
                svg,
                f"The verdict's window, {_day(verdict.window_start)} to "
                f"{_day(verdict.window_end)}, and the policy type it counts (sts): "
                f"{verdict.total_successful:,} successful and {verdict.total_failed:,} failed "
                "sessions, as the reports' own totals give them. Failures have their own scale "
                "in the lower panel.",
            )
        )
        if verdict.total_failed or _has_details(frames, domain):
            by_mx = _failures_table(
                frames,
                domain,
                analyze.FailureKey.RECEIVING_MX_HOSTNAME,
                f"Failures by receiving MX ({domain})",
                verdict.total_failed,
            )
            by_type = _failures_table(
                frames,
                domain,
                analyze.FailureKey.RESULT_TYPE,
                f"Failures by type ({domain})",
                verdict.total_failed,
            )
            # Both tables add up the same details: the difference is explained once, last.
            tables += [dataclasses.replace(by_mx, caption=""), by_type]
    notes: list[str] = []
    # Gaps need the history before the window to know a reporter's usual rhythm.
    gaps = analyze.reporter_gaps(_scoped(history, audited, _EPOCH, window_end), as_of)
    for record in gaps.to_dict("records"):
        notes.append(
            f"{record.get('org_name')} has sent no report since {_cell(record.get('last_day'))} "
            f"({record.get('silent_days')} days): check that the TLS-RPT mailbox still accepts "
            "its mail."
        )
    # Reports whose details disagree with their totals are explained under the tables.
    stored = history.policies.loc[history.policies["policy_domain"].isin(audited), "start"]
    period = (
        f"the verdict reads the {(window_end - window_start).days + 1} days from "
        f"{_day(window_start)} to {_day(window_end)}; we hold your reports "
        f"from {_day(stored.min().date())} to {_day(stored.max().date())}"
    )
    return TlsRptSection(
        verdicts=tuple(verdict_view(verdicts[d]) for d in audited),
        charts=tuple(chart_list),
        tables=tuple(tables),
        notes=tuple(notes),
        period=period,
    )
