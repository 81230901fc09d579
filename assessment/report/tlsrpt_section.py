"""The TLS-RPT part of the report: verdicts, charts and tables from the client's store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import pandas as pd

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
    if hasattr(value, "strftime"):
        return f"{value:%d %b %Y}"
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _failures_table(frames: Frames, domain: str, key: analyze.FailureKey, title: str) -> TableView:
    # MTA-STS failures only: the verdict is about the sts policy, and a Microsoft tlsa block
    # repeats the same sessions.
    table = analyze.failures_by(frames, key, domain=domain)
    table = table.loc[table["policy_type"] == "sts"]
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
    return TableView(title=title, columns=tuple(label for _, label in columns), rows=rows)


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
        daily = charts.daily_sessions_chart(frames, domain)
        chart_list.append(
            Chart(
                f"Daily TLS sessions reported for {domain}",
                charts.figure_to_svg(daily, id_prefix=f"d{len(chart_list)}"),
                "Successful and failed sessions per day as reported by every reporter, in the "
                "verdict window.",
            )
        )
        if verdicts[domain].total_failed:
            by_mx = charts.failures_by_mx_chart(frames, domain)
            chart_list.append(
                Chart(
                    f"Failed sessions by receiving MX for {domain}",
                    charts.figure_to_svg(by_mx, id_prefix=f"d{len(chart_list)}"),
                    "Which of your mail servers the failures were reported against.",
                )
            )
            tables.append(
                _failures_table(
                    frames,
                    domain,
                    analyze.FailureKey.RECEIVING_MX_HOSTNAME,
                    f"Failures by receiving MX ({domain})",
                )
            )
            tables.append(
                _failures_table(
                    frames, domain, analyze.FailureKey.RESULT_TYPE, f"Failures by type ({domain})"
                )
            )
    notes: list[str] = []
    # Gaps need the history before the window to know a reporter's usual rhythm.
    gaps = analyze.reporter_gaps(_scoped(history, audited, _EPOCH, window_end), as_of)
    for record in gaps.to_dict("records"):
        notes.append(
            f"{record.get('org_name')} has sent no report since {_cell(record.get('last_day'))} "
            f"({record.get('silent_days')} days): check that the TLS-RPT mailbox still accepts "
            "its mail."
        )
    inconsistent = analyze.count_inconsistencies(frames)
    if not inconsistent.empty:
        notes.append(
            f"{len(inconsistent)} report(s) in the window list failure details that do not add "
            "up to their own summary; they are shown as reported, not corrected."
        )
    stored = history.policies.loc[history.policies["policy_domain"].isin(audited), "start"]
    period = (
        f"the verdict reads the {(window_end - window_start).days + 1} days from "
        f"{window_start:%d %b %Y} to {window_end:%d %b %Y}; the client's store holds reports "
        f"from {stored.min():%d %b %Y} to {stored.max():%d %b %Y}"
    )
    return TlsRptSection(
        verdicts=tuple(verdict_view(verdicts[d]) for d in audited),
        charts=tuple(chart_list),
        tables=tuple(tables),
        notes=tuple(notes),
        period=period,
    )
