"""The explorer's chart: one Altair specification, shown live in JupyterLab and turned into
SVG by vl-convert for executed notebooks, from the same dict.

Offline by construction: the data goes inline into the specification (a few rows per day),
vl-convert is told to allow no base URL at all (``allowed_base_urls=[]``, so a specification
that names remote data fails instead of fetching it), and the text uses the generic
``sans-serif`` family, which vl-convert resolves from its own bundled fonts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import pandas as pd

WIDTH: Final = 640
HEIGHT: Final = 220
FONT: Final = "sans-serif"


def stacked_daily_spec(
    per_day: pd.DataFrame, *, value: str, colours: Mapping[str, str], title: str
) -> dict[str, Any]:
    """A Vega-Lite specification: ``value`` per day, stacked by ``outcome`` (long frame with
    ``day``, ``outcome`` and ``value`` columns), colours in the order of ``colours``."""
    import altair as alt

    data = pd.DataFrame(
        {
            "day": per_day["day"].dt.strftime("%Y-%m-%d").astype("str"),
            "outcome": per_day["outcome"].astype("str"),
            value: per_day[value].astype("int64"),
        }
    )
    order = list(colours)
    chart = (
        alt.Chart(data, title=title, width=WIDTH, height=HEIGHT)
        .mark_bar()
        .encode(
            x=alt.X("utcyearmonthdate(day):T", title="day (UTC)"),
            y=alt.Y(f"sum({value}):Q", title=value, stack="zero"),
            color=alt.Color(
                "outcome:N",
                scale=alt.Scale(domain=order, range=[colours[o] for o in order]),
                title=None,
            ),
            order=alt.Order("outcome_rank:Q"),
            tooltip=[
                alt.Tooltip("utcyearmonthdate(day):T", title="day"),
                alt.Tooltip("outcome:N"),
                alt.Tooltip(f"sum({value}):Q", title=value),
            ],
        )
        .transform_calculate(
            outcome_rank=" + ".join(
                f"(datum.outcome === {name!r} ? {rank} : 0)" for rank, name in enumerate(order)
            )
            or "0"
        )
        .configure(font=FONT)
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec


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
