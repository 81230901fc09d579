"""DMARC charts for the notebook (and the PDF section the lead adds), as matplotlib figures.

Same conventions as ``assessment.tlsrpt.charts`` (object API on an Agg canvas, A4 text
width, SVG through ``figure_to_svg``).
"""

from __future__ import annotations

from typing import Final

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure

from assessment.dmarc.inventory import daily
from assessment.tlsrpt.charts import A4_TEXT_WIDTH_IN, CHART_HEIGHT_IN, figure_to_svg

ALIGNED_COLOUR: Final = "#4c9a6a"
FAILING_COLOUR: Final = "#c8413b"
FORWARDED_COLOUR: Final = "#8da0cb"
UNAUTHENTICATED_COLOUR: Final = "#b0b0b0"

__all__ = ["daily_chart", "figure_to_svg"]


def daily_chart(classified: pd.DataFrame, domain: str) -> Figure:
    """Messages per day for ``domain``, stacked: passing, failing (senders to fix), the rest."""
    fig = Figure(figsize=(A4_TEXT_WIDTH_IN, CHART_HEIGHT_IN), layout="constrained")
    ax = fig.add_subplot()
    table = daily(classified, domain)
    title = f"Messages per day sent as {domain}, by DMARC result"
    if table.empty:
        ax.set_axis_off()
        ax.set_title(title, fontsize=10, loc="left")
        ax.text(0.5, 0.5, f"No reports for {domain}", ha="center", va="center", fontsize=9)
        return fig
    days = pd.to_datetime(table["day"])
    bottom = pd.Series(0, index=table.index)
    layers = (
        ("aligned", "passes DMARC", ALIGNED_COLOUR),
        ("failing", "fails: recognised senders to fix", FAILING_COLOUR),
        ("forwarded", "forwarded / mailing lists", FORWARDED_COLOUR),
        ("unauthenticated", "unauthenticated (unknown, spoofing)", UNAUTHENTICATED_COLOUR),
    )
    for column, label, colour in layers:
        ax.bar(days, table[column], bottom=bottom, width=0.8, color=colour, label=label)
        bottom = bottom + table[column]
    ax.set_title(title, fontsize=10, loc="left")
    ax.set_ylabel("messages")
    # A tick a week (on Mondays): daily ticks ran into each other over a 30-day window.
    ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO))  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))  # type: ignore[no-untyped-call]
    ax.tick_params(labelsize=8)
    fig.legend(loc="outside lower center", fontsize=8, frameon=False, ncols=2)
    ax.grid(axis="y", linewidth=0.4, alpha=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    return fig
