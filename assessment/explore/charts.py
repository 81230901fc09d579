"""The explorer's chart: one Vega-Lite specification, shown live in JupyterLab and turned into
SVG by vl-convert for executed notebooks, from the same dict.

Offline by construction: the data goes inline into the specification (a few rows per day),
vl-convert is told to allow no base URL at all (``allowed_base_urls=[]``, so a specification
that names remote data fails instead of fetching it), and the text uses the generic
``sans-serif`` family, which vl-convert resolves from its own bundled fonts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, Final

import pandas as pd

WIDTH: Final = 640
HEIGHT: Final = 220
FONT: Final = "sans-serif"
SCHEMA: Final = "https://vega.github.io/schema/vega-lite/v5.json"
"""Names the grammar version; vl-convert reads it and never fetches it."""
DATASET: Final = "rows"


def stacked_daily_spec(
    per_day: pd.DataFrame,
    *,
    value: str,
    colours: Mapping[str, str],
    title: str,
    days: tuple[date | None, date | None] = (None, None),
) -> dict[str, Any]:
    """A Vega-Lite specification: ``value`` per day, stacked by ``outcome`` (long frame with
    ``day``, ``outcome`` and ``value`` columns), colours in the order of ``colours``.
    ``days``: the first and last day chosen; the axis has a slot for every day between them
    whatever the data holds, so one day of data is one day's bar, not the whole plot.

    Written as the dict Vega-Lite reads rather than through Altair: the chart is one bar mark,
    and importing Altair cost 1.3 s in every notebook kernel that drew it."""
    rows = [
        {"day": day, "outcome": outcome, value: int(count)}
        for day, outcome, count in zip(
            per_day["day"].dt.strftime("%Y-%m-%d").astype("str"),
            per_day["outcome"].astype("str"),
            per_day[value],
            strict=True,
        )
    ]
    order = list(colours)
    # Days as an ordered list, one slot and one centred label each (a time axis labelled
    # each bar's left edge and added a label for the day after the last).
    first, last = days
    if first is not None and last is not None:
        slots = [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    else:
        slots = sorted({str(row["day"]) for row in rows})
    day = {"field": "day", "type": "ordinal"}
    tallest = max(_stacked_totals(rows, value).values(), default=0)
    total = {"aggregate": "sum", "field": value, "type": "quantitative", "title": value}
    rank = " + ".join(
        f"(datum.outcome === {name!r} ? {index} : 0)" for index, name in enumerate(order)
    )
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": WIDTH,
        "height": HEIGHT,
        "config": {"font": FONT},
        "datasets": {DATASET: rows},
        "data": {"name": DATASET},
        "transform": [{"calculate": rank or "0", "as": "outcome_rank"}],
        "mark": {"type": "bar"},
        "encoding": {
            "x": {
                **day,
                "title": "day (UTC)",
                "scale": {"domain": slots},
                "axis": {
                    "labelExpr": "utcFormat(toDate(datum.value), '%d %b')",
                    "labelAngle": 0,
                    "labelOverlap": "parity",
                },
            },
            "y": {**total, "stack": "zero", "axis": _count_axis(tallest)},
            "color": {
                "field": "outcome",
                "type": "nominal",
                "scale": {"domain": order, "range": [colours[o] for o in order]},
                "title": None,
            },
            "order": {"field": "outcome_rank", "type": "quantitative"},
            "tooltip": [
                {**day, "title": "day"},
                {"field": "outcome", "type": "nominal"},
                total,
            ],
        },
    }


def _stacked_totals(rows: list[dict[str, Any]], value: str) -> dict[str, int]:
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["day"]] = totals.get(row["day"], 0) + int(row[value])
    return totals


def _count_axis(tallest: int) -> dict[str, Any]:
    """Whole numbers only: for a few messages Vega's own ticks fell on halves, printed as
    "0, 1, 1"."""
    if tallest <= 5:
        return {"format": "d", "values": list(range(tallest + 1))}
    return {"format": "d", "tickMinStep": 1}


def kernel_warm_up() -> None:
    """Run by a notebook kernel while it starts (`assessment.kernel.preload`): vl-convert's
    first conversion starts its JavaScript engine, ~0.6 s that the first chart would pay."""
    chart_svg(
        {
            "data": {"values": [{"n": 1}]},
            "mark": "bar",
            "encoding": {"x": {"field": "n", "type": "quantitative"}},
        }
    )


def chart_svg(spec: Mapping[str, Any]) -> str:
    """The specification as self-contained SVG, rendered offline by vl-convert."""
    import vl_convert

    svg: str = vl_convert.vegalite_to_svg(dict(spec), allowed_base_urls=[])
    return svg


def inline_only(spec: Mapping[str, Any]) -> bool:
    """True when no ``url`` appears anywhere in the specification's data (nothing to fetch)."""

    def walk(node: object) -> bool:
        if isinstance(node, Mapping):
            return "url" not in node and all(walk(v) for v in node.values())
        if isinstance(node, list):
            return all(walk(v) for v in node)
        return True

    return walk({k: v for k, v in spec.items() if k != "$schema"})
