"""TLS-RPT charts for the notebook and the PDF, as matplotlib figures and inline SVG.

Figures are built with the object API on an Agg canvas and never registered with pyplot:
no global backend switch (which would break a notebook's inline backend) and nothing left
open when a figure is dropped. Sizes fit the text width of an A4 page with 20 mm margins.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Final

import matplotlib as mpl
import pandas as pd
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from assessment.tlsrpt.analyze import (
    ALL_TYPES,
    STS,
    FailureKey,
    daily_sessions,
    failures_by,
)
from assessment.tlsrpt.frames import Frames

A4_TEXT_WIDTH_IN: Final = 6.7
CHART_HEIGHT_IN: Final = 3.0
DAILY_CHART_HEIGHT_IN: Final = 2.7
"""Two panels, and still small enough to sit under the verdict on the section's first page."""
SUCCESS_COLOUR: Final = "#4c9a6a"
FAILURE_COLOUR: Final = "#c8413b"
BAR_COLOUR: Final = "#3b6ea8"
MUTED_COLOUR: Final = "#5f6b7a"
SVG_HASH_SALT: Final = "mailposture-tlsrpt"

_PROLOGUE = re.compile(r"\A\s*(?:<\?xml[^>]*\?>\s*)?(?:<!DOCTYPE[^>]*>\s*)?", re.DOTALL)
_STYLE_ATTRIBUTE = re.compile(r' style="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"\s*<style[^>]*>\s*\*\s*\{([^}]*)\}\s*</style>")
_SVG_OPEN = re.compile(r"<svg\b")
_ID_USE = re.compile(r'(\bid="|href="#|url\(#)([^"()]+)')


def _as_attributes(declarations: str) -> str:
    pairs = (item.split(":", 1) for item in declarations.split(";") if ":" in item)
    return "".join(f' {name.strip()}="{value.strip()}"' for name, value in pairs)


def _presentation_attributes(svg: str) -> str:
    """Move matplotlib's CSS into SVG presentation attributes.

    Inline in HTML, WeasyPrint reads ``style`` attributes and ``<style>`` rules as page CSS
    and warns on every ``fill``/``stroke``; presentation attributes mean the same to any
    SVG renderer and are not CSS. The catch-all ``*{...}`` rule holds inherited properties,
    so it moves to the root element.
    """
    root_rule = _STYLE_ELEMENT.search(svg)
    svg = _STYLE_ELEMENT.sub("", svg)
    svg = _STYLE_ATTRIBUTE.sub(lambda m: _as_attributes(m.group(1)), svg)
    if root_rule is not None:
        svg = _SVG_OPEN.sub("<svg" + _as_attributes(root_rule.group(1)), svg, count=1)
    return svg


def _figure(height: float = CHART_HEIGHT_IN) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(A4_TEXT_WIDTH_IN, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _message(ax: Axes, title: str, text: str) -> None:
    ax.set_title(title, fontsize=10, loc="left")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=11, transform=ax.transAxes)
    ax.set_axis_off()


@contextmanager
def typeface(font_file: Path | None) -> Iterator[None]:
    """Charts built *and saved* inside this block draw their text in `font_file`'s family.

    matplotlib makes tick labels while it draws, so the saving must be inside the block too.
    The file is registered with matplotlib's font manager once per process; with None the
    block changes nothing (matplotlib's default, DejaVu Sans).
    """
    if font_file is None:
        yield
        return
    with mpl.rc_context({"font.family": _registered(str(font_file))}):
        yield


@functools.lru_cache(maxsize=8)
def _registered(font_file: str) -> str:
    font_manager.fontManager.addfont(font_file)
    return str(font_manager.FontProperties(fname=font_file).get_name())


def _day_label(day: pd.Timestamp, first: bool, year_changes: bool) -> str:
    # Full dates with the month's name: "20 Nov"; the year on the first tick (and on each
    # 1 January), so a window across New Year reads unambiguously.
    with_year = first or (year_changes and day.month == 1 and day.day == 1)
    return f"{day.day} {day:%b %Y}" if with_year else f"{day.day} {day:%b}"


def _span(label: str, first: date, last: date) -> str:
    days = (last - first).days + 1
    return f"{label}, {first.day} {first:%B %Y} to {last.day} {last:%B %Y} ({days} days)"


def daily_sessions_chart(
    frames: Frames,
    domain: str,
    policy_type: str = STS,
    *,
    window: tuple[date, date] | None = None,
) -> Figure:
    """Sessions per UTC day in two panels: successful above, failed below on its own scale.

    Failures are a sliver of all sessions (20 of 1,636 in the demo), so a stacked bar hides
    them; the lower panel has its own axis and prints every non-zero day's count. Each day
    of `window` (default: the days with reports) gets a slot, so a day without any report
    shows as a gap marked "no report", not as a quiet day. `policy_type` defaults to ``sts``,
    the type the enforce verdict counts; ``ALL_TYPES`` combines types without double counts.
    """
    daily = daily_sessions(frames, domain)
    daily = daily[daily["policy_type"] == policy_type]
    label = "all policy types" if policy_type == ALL_TYPES else f"{policy_type} policy only"
    title = f"TLS sessions per day reported for {domain}"
    if daily.empty and window is None:
        fig, ax = _figure()
        _message(ax, title, f"No reports for {domain}")
        return fig
    if window is None:
        window = (daily["day"].min().date(), daily["day"].max().date())
    first, last = window
    days = pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="D")
    per_day = daily.set_index("day").reindex(days)
    reported = per_day["reports"].notna().to_numpy()
    ok = per_day["successful"].fillna(0).astype("int64").to_numpy()
    failed = per_day["failed"].fillna(0).astype("int64").to_numpy()

    fig = Figure(figsize=(A4_TEXT_WIDTH_IN, DAILY_CHART_HEIGHT_IN), layout="constrained")
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1.7))
    # Bars sit at day indexes 0..n-1 and the ticks name the days: no date arithmetic needed.
    x = list(range(len(days)))
    top.bar(x, ok, width=0.8, color=SUCCESS_COLOUR, label=f"successful ({int(ok.sum()):,})")
    bottom.bar(x, failed, width=0.8, color=FAILURE_COLOUR, label=f"failed ({int(failed.sum()):,})")
    for day, count in zip(x, failed, strict=True):
        if count:
            bottom.annotate(
                f"{count:,}",
                (day, count),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7.5,
                color=FAILURE_COLOUR,
            )
    for day, seen in zip(x, reported, strict=True):
        if not seen:
            top.annotate(
                "no report",
                (day, 0),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                rotation=90,
                fontsize=6.5,
                color=MUTED_COLOUR,
            )
    peak = int(failed.max()) if len(failed) else 0
    bottom.set_ylim(0, max(peak * 1.35, 1.5))
    bottom.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
    top.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    if not failed.any():
        bottom.text(
            0.5,
            0.5,
            "No failed sessions",
            ha="center",
            va="center",
            transform=bottom.transAxes,
            fontsize=8.5,
            color=MUTED_COLOUR,
        )
    step = max(1, -(-len(days) // 8))  # at most about 8 labelled days
    ticks = days[::step]
    year_changes = first.year != last.year
    bottom.set_xticks(x[::step], [_day_label(d, i == 0, year_changes) for i, d in enumerate(ticks)])
    bottom.set_xlim(-0.6, len(x) - 0.4)
    top.set_ylabel("successful")
    bottom.set_ylabel("failed")
    fig.suptitle(title, fontsize=10, x=0.0, ha="left")
    top.set_title(_span(label, first, last), fontsize=8, loc="left", color=MUTED_COLOUR)
    for ax in (top, bottom):
        ax.grid(axis="y", linewidth=0.4, alpha=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=8)
    fig.align_ylabels((top, bottom))
    fig.legend(loc="outside lower center", fontsize=8, frameon=False, ncols=2)
    return fig


def _failure_bars(frames: Frames, domain: str, key: FailureKey, policy_type: str) -> Figure:
    table = failures_by(frames, key, domain)
    table = table[table["policy_type"] == policy_type]
    what = "MX host" if key is FailureKey.RECEIVING_MX_HOSTNAME else "result type"
    title = f"Failed sessions by {what} for {domain} ({policy_type} policy)"
    rows = len(table)
    fig, ax = _figure(max(CHART_HEIGHT_IN * 0.6, 0.9 + 0.32 * rows))
    if table.empty:
        has_reports = bool((frames.policies["policy_domain"] == domain).any())
        _message(
            ax,
            title,
            "No failures reported" if has_reports else f"No reports for {domain}",
        )
        return fig
    # Largest at the top: barh draws the first row at the bottom.
    table = table.iloc[::-1]
    labels = [str(v) for v in table[key.value]]
    values = table["failed_sessions"].to_numpy()
    bars = ax.barh(labels, values, height=0.6, color=BAR_COLOUR)
    ax.bar_label(
        bars,
        labels=[
            f"{v} on {d} day{'s' if d != 1 else ''}"
            for v, d in zip(values, table["days_seen"], strict=True)
        ],
        padding=3,
        fontsize=8,
    )
    ax.set_xlabel("failed sessions")
    ax.set_title(title, fontsize=10, loc="left")
    ax.margins(x=0.25)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="y", labelsize=8)
    return fig


def failures_by_mx_chart(frames: Frames, domain: str, policy_type: str = STS) -> Figure:
    """Failed sessions per receiving MX host, labelled with the days each was seen."""
    return _failure_bars(frames, domain, FailureKey.RECEIVING_MX_HOSTNAME, policy_type)


def failures_by_type_chart(frames: Frames, domain: str, policy_type: str = STS) -> Figure:
    """Failed sessions per RFC 8460 result type, labelled with the days each was seen."""
    return _failure_bars(frames, domain, FailureKey.RESULT_TYPE, policy_type)


def _scoped_ids(svg: str, prefix: str | None) -> str:
    """Prefix every id and reference so several charts can be inlined in one HTML page.

    matplotlib numbers ids per figure (``figure_1``, glyph ``DejaVuSans-30``), so two inline
    charts would collide. The default prefix is a digest of the chart, hence stable.
    """
    scope = prefix or "c" + hashlib.sha256(svg.encode("utf-8")).hexdigest()[:10]
    return _ID_USE.sub(lambda m: f"{m.group(1)}{scope}-{m.group(2)}", svg)


def figure_to_svg(fig: Figure, id_prefix: str | None = None) -> str:
    """Self-contained SVG text for ``fig`` (ready to inline in HTML); the figure is released.

    Glyphs are written as paths (``svg.fonttype = "path"``): WeasyPrint's SVG renderer then
    needs no font of its own and cannot substitute one, at the cost of unselectable chart
    text. Styling is written as presentation attributes (no CSS). The hash salt and the
    dropped date make the output byte-stable; the XML prologue (with its DTD URL) and the
    metadata (with its RDF URLs) are left out so the text holds no external reference.
    Ids are scoped by ``id_prefix`` (default: a digest of the chart).
    """
    buffer = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "path", "svg.hashsalt": SVG_HASH_SALT}):
        fig.savefig(
            buffer,
            format="svg",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        # A caller may have made the figure through pyplot; don't leave it registered.
        pyplot.close(fig)
    fig.clear()
    svg = _presentation_attributes(_PROLOGUE.sub("", buffer.getvalue(), count=1))
    return _scoped_ids(svg, id_prefix)
