"""The explorers: ipywidgets controls over the TLS-RPT and DMARC rows, a chart and a table.

Each control's ``observe`` handler rebuilds the frozen filter, refilters and redraws. The
controls are attributes (``explorer.mx``, ``explorer.dates`` ...) and so are the results
(``explorer.filter``, ``explorer.frame``, ``explorer.chart``, ``explorer.table``), so code and
tests drive an explorer exactly as a click does.

The chart is drawn as vl-convert SVG in both modes: a live Vega renderer in JupyterLab
(Altair's, vega-embed) loads its script from a CDN, and the kit's pages fetch nothing. Not
interactive (``interactive=False``, what the kit's runner passes under papermill) an
explorer displays the SVG and the filtered table only, which an executed notebook keeps as
a record; widgets need a live JupyterLab to mean anything.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, Final

import pandas as pd

from assessment.dmarc.inventory import classify
from assessment.explore.charts import chart_svg, stacked_daily_spec
from assessment.explore.messages import (
    FAILED,
    PASSED,
    DmarcFilter,
    dmarc_rows,
    filter_dmarc,
    messages_per_day,
    messages_summary,
)
from assessment.explore.sessions import (
    SUCCESS,
    TlsRptFilter,
    filter_tlsrpt,
    sessions_per_day,
    sessions_summary,
    tlsrpt_sessions,
)
from assessment.tlsrpt.analyze import STS
from assessment.tlsrpt.frames import Frames

EVERY: Final = ""
"""The value of a dropdown's first option: no restriction."""

SESSION_COLOURS: Final = {"successful": "#4c8c4a", "failed": "#c0392b"}
MESSAGE_COLOURS: Final = {PASSED: "#4c8c4a", FAILED: "#c0392b"}
TABLE_ROWS: Final = 50
"""Rows of the summary table shown under the chart (the whole table is ``explorer.table``)."""


def _ipython() -> Any:
    """IPython's display module (untyped)."""
    from IPython import display

    return display


def _show(shown: object) -> None:
    _ipython().display(shown)


def _days(values: pd.Series) -> list[date]:
    stamps = pd.to_datetime(values.dropna().unique())
    return sorted({stamp.date() for stamp in stamps})


def _choices(values: Iterable[object], every: str) -> list[tuple[str, str]]:
    names = sorted({str(v) for v in values if isinstance(v, str) and v})
    return [(every, EVERY), *((name, name) for name in names)]


def _by_volume(rows: pd.DataFrame, column: str, weight: str, every: str) -> list[tuple[str, str]]:
    """Choices busiest first: the services a consultant looks for, not forty bare addresses
    that sort before them."""
    if rows.empty:
        return [(every, EVERY)]
    totals = (
        rows.groupby(column, sort=False)[weight].sum().sort_values(ascending=False, kind="stable")
    )
    names = [str(n) for n in totals.index if isinstance(n, str) and n]
    return [(every, EVERY), *((name, name) for name in names)]


def _markdown_bold(text: str) -> str:
    """`describe()`'s one line of Markdown as HTML for the summary under the controls (its
    values came from report files: escaped)."""
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(text))


def _one(value: object) -> frozenset[str]:
    return frozenset({str(value)}) if value else frozenset()


class _Explorer:
    """What both explorers share: the date slider, the redraw, the two display modes."""

    title: str
    frame: pd.DataFrame
    table: pd.DataFrame
    chart: dict[str, Any]

    def __init__(self, days: Sequence[date], *, interactive: bool) -> None:
        import ipywidgets as w

        self.interactive = interactive
        self._widgets = w
        # Short labels: the slider's readout has room for two of them; the summary line
        # under the controls gives the full dates.
        options: list[tuple[str, date | None]] = [(f"{d.day} {d:%b}", d) for d in days]
        options = options or [("(no reports)", None)]
        self.dates = w.SelectionRangeSlider(
            options=options,
            index=(0, len(options) - 1),
            description="Dates",
            continuous_update=False,
            layout=w.Layout(width="640px"),
        )
        self._summary = w.HTML()
        self._chart_out = w.Output()
        self._table_out = w.Output()
        self._rows: pd.DataFrame = pd.DataFrame()

    def _date_bounds(self) -> tuple[date | None, date | None]:
        first, last = self.dates.value
        return first, last

    def _watch(self, controls: Iterable[Any], refresh: Callable[[], None]) -> None:
        for control in controls:
            control.observe(lambda _change: self._redraw(refresh), names="value")

    def _redraw(self, refresh: Callable[[], None]) -> None:
        refresh()
        if not self.interactive:
            return
        self._summary.value = _markdown_bold(self.describe())
        with self._chart_out:
            self._chart_out.clear_output(wait=True)
            self._show_chart()
        with self._table_out:
            self._table_out.clear_output(wait=True)
            self._show_table()

    def _show_chart(self) -> None:
        if self.frame.empty:
            # An empty chart draws a lone "0" tick; say it in words instead.
            _show(_ipython().Markdown("*No reports match this selection.*"))
        else:
            _show(_ipython().SVG(self.svg))

    def _show_table(self) -> None:
        # Every column: pandas would cut a wide table down the middle with "...".
        with pd.option_context("display.max_columns", None, "display.width", None):
            _show(self.table.head(TABLE_ROWS))

    @property
    def svg(self) -> str:
        """The current chart as SVG (vl-convert, offline)."""
        return chart_svg(self.chart)

    def describe(self) -> str:
        raise NotImplementedError

    def controls(self) -> list[Any]:
        raise NotImplementedError

    def widget(self) -> Any:
        """The controls, the chart and the table in one box (what JupyterLab shows)."""
        w = self._widgets
        return w.VBox([*self.controls(), self._summary, self._chart_out, self._table_out])

    def _ipython_display_(self) -> None:
        if self.interactive:
            _show(self.widget())
            return
        _show(_ipython().Markdown(self.describe()))
        self._show_chart()
        self._show_table()


class TlsRptExplorer(_Explorer):
    """TLS-RPT sessions by day, narrowed by date, policy domain and type, MX, reporter and
    result. ``frame`` holds the filtered rows of `tlsrpt_sessions`."""

    title = "TLS-RPT sessions per day"

    def __init__(self, frames: Frames, *, domain: str = "", interactive: bool = True) -> None:
        sessions = tlsrpt_sessions(frames)
        super().__init__(_days(sessions["day"]), interactive=interactive)
        w = self._widgets
        self._rows = sessions
        domains = _choices(sessions["policy_domain"], "(every domain)")
        self.domain = w.Dropdown(
            options=domains,
            value=domain if (domain, domain) in domains else EVERY,
            description="Domain",
        )
        types = sorted(set(sessions["policy_type"]))
        self.policy_type = w.Dropdown(
            options=[*((t, t) for t in types), ("(every type, may count twice)", EVERY)]
            if types
            else [("(none)", EVERY)],
            value=STS if STS in types else (types[0] if types else EVERY),
            description="Policy type",
        )
        failed = sessions[sessions["result"] != SUCCESS]
        self.mx = w.Dropdown(
            options=_choices(failed["receiving_mx_hostname"], "(every MX)"), description="MX"
        )
        self.reporter = w.Dropdown(
            options=_choices(sessions["reporter"], "(every reporter)"), description="Reporter"
        )
        results = sorted(set(failed["result"]))
        self.result = w.SelectMultiple(
            options=[SUCCESS, *results],
            value=(),
            description="Result",
            rows=min(6, len(results) + 1),
        )
        self.filter = TlsRptFilter()
        self._refresh()
        self._watch(self.controls(), self._refresh)
        self._redraw(lambda: None)

    def controls(self) -> list[Any]:
        return [self.dates, self.domain, self.policy_type, self.mx, self.reporter, self.result]

    def _refresh(self) -> None:
        since, until = self._date_bounds()
        self.filter = TlsRptFilter(
            since=since,
            until=until,
            domains=_one(self.domain.value),
            policy_type=str(self.policy_type.value),
            mx_hosts=_one(self.mx.value),
            reporters=_one(self.reporter.value),
            results=frozenset(str(r) for r in self.result.value),
        )
        self.frame = filter_tlsrpt(self._rows, self.filter)
        self.daily = sessions_per_day(self.frame)
        self.table = sessions_summary(self.frame)
        self.chart = stacked_daily_spec(
            self.daily,
            value="sessions",
            colours=SESSION_COLOURS,
            title=self.title,
            days=(since, until),
        )

    def describe(self) -> str:
        f = self.filter
        parts = [
            f"days {f.since or 'first'} to {f.until or 'last'}",
            f"domain {_named(f.domains, 'every')}",
            f"policy type {f.policy_type or 'every'}",
            f"MX {_named(f.mx_hosts, 'every')}",
            f"reporter {_named(f.reporters, 'every')}",
            f"result {_named(f.results, 'every')}",
        ]
        sessions = int(self.frame["sessions"].sum())
        failed = int(self.frame.loc[self.frame["result"] != SUCCESS, "sessions"].sum())
        return f"**{self.title}**: {'; '.join(parts)}. Sessions: {sessions:,}, failed: {failed:,}."


class DmarcExplorer(_Explorer):
    """DMARC messages by day, narrowed by date, domain, sender, category, source IP, result
    and reporter. ``frame`` holds the filtered rows of `classify_senders` (with ``sender``
    and ``result``)."""

    title = "DMARC messages per day"

    def __init__(
        self, classified: pd.DataFrame, *, domain: str = "", interactive: bool = True
    ) -> None:
        rows = dmarc_rows(classified)
        super().__init__(_days(rows["day"]) if not rows.empty else [], interactive=interactive)
        w = self._widgets
        self._rows = rows
        domains = _choices(rows["policy_domain"], "(every domain)")
        self.domain = w.Dropdown(
            options=domains,
            value=domain if (domain, domain) in domains else EVERY,
            description="Domain",
        )
        self.sender = w.Dropdown(
            options=_by_volume(rows, "sender", "messages", "(every sender)"),
            description="Sender",
        )
        self.category = w.Dropdown(
            options=_choices(rows["category"], "(every category)"), description="Category"
        )
        self.source_ip = w.Dropdown(
            options=_by_volume(rows, "source_ip", "messages", "(every address)"),
            description="Source IP",
        )
        self.result = w.Dropdown(
            options=[("(pass and fail)", EVERY), ("pass", PASSED), ("fail", FAILED)],
            description="DMARC",
        )
        self.reporter = w.Dropdown(
            options=_choices(rows["reporter"], "(every reporter)"), description="Reporter"
        )
        self.filter = DmarcFilter()
        self._refresh()
        self._watch(self.controls(), self._refresh)
        self._redraw(lambda: None)

    def controls(self) -> list[Any]:
        return [
            self.dates,
            self.domain,
            self.sender,
            self.category,
            self.source_ip,
            self.result,
            self.reporter,
        ]

    def _refresh(self) -> None:
        since, until = self._date_bounds()
        self.filter = DmarcFilter(
            since=since,
            until=until,
            domains=_one(self.domain.value),
            senders=_one(self.sender.value),
            categories=_one(self.category.value),
            source_ips=_one(self.source_ip.value),
            result=str(self.result.value),
            reporters=_one(self.reporter.value),
        )
        self.frame = filter_dmarc(self._rows, self.filter)
        self.daily = messages_per_day(self.frame)
        self.table = messages_summary(self.frame)
        self.chart = stacked_daily_spec(
            self.daily,
            value="messages",
            colours=MESSAGE_COLOURS,
            title=self.title,
            days=(since, until),
        )

    def describe(self) -> str:
        f = self.filter
        parts = [
            f"days {f.since or 'first'} to {f.until or 'last'}",
            f"domain {_named(f.domains, 'every')}",
            f"sender {_named(f.senders, 'every')}",
            f"category {_named(f.categories, 'every')}",
            f"source IP {_named(f.source_ips, 'every')}",
            f"DMARC {f.result or 'pass and fail'}",
            f"reporter {_named(f.reporters, 'every')}",
        ]
        messages = int(self.frame["messages"].sum()) if not self.frame.empty else 0
        failing = (
            int(self.frame.loc[self.frame["result"] == FAILED, "messages"].sum())
            if not self.frame.empty
            else 0
        )
        totals = f"Messages: {messages:,}, failing: {failing:,}."
        return f"**{self.title}**: {'; '.join(parts)}. {totals}"


def _named(values: frozenset[str], every: str) -> str:
    return ", ".join(sorted(values)) if values else every


def explore_tlsrpt(frames: Frames, *, domain: str = "", interactive: bool = True) -> TlsRptExplorer:
    """An explorer over a client's TLS-RPT frames (``mp.import_tlsrpt(...).frames``)."""
    return TlsRptExplorer(frames, domain=domain, interactive=interactive)


def explore_dmarc(
    data: pd.DataFrame | Any, *, domain: str = "", interactive: bool = True
) -> DmarcExplorer:
    """An explorer over DMARC rows: ``mp.classify_senders(frames)``, or the frames themselves
    (``mp.import_dmarc(...).frames``), classified here."""
    classified = data if isinstance(data, pd.DataFrame) else classify(data)
    return DmarcExplorer(classified, domain=domain, interactive=interactive)
