"""Static output: the same chart specification as SVG, rendered offline; plain tables."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import assessment as mp
from assessment.explore.charts import chart_svg, inline_only
from tests.explore.reports import write_tlsrpt

# The only URLs an SVG may carry: its XML namespaces (names, never fetched).
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


@pytest.fixture(scope="module")
def explorer(tmp_path_factory: pytest.TempPathFactory) -> object:
    tmp = tmp_path_factory.mktemp("static")
    loaded = mp.import_tlsrpt("Fixture", [write_tlsrpt(tmp / "reports")], tmp / "data")
    return mp.explore_tlsrpt(loaded.frames, interactive=False)


def test_svg_of_the_chart_spec_is_self_contained(explorer: object) -> None:
    spec = explorer.chart  # type: ignore[attr-defined]
    assert inline_only(spec)
    svg = explorer.svg  # type: ignore[attr-defined]
    assert svg.startswith("<svg")
    assert set(re.findall(r"https?://[^\s\"'<>)]+", svg)) <= NAMESPACES
    assert "<image" not in svg and "@font-face" not in svg and "@import" not in svg
    # The figures of the bars are in it (y axis up to 141 sessions on Mar 5 in sts).
    assert "sessions" in svg


def test_a_spec_naming_remote_data_is_refused_not_fetched(explorer: object) -> None:
    spec = dict(explorer.chart)  # type: ignore[attr-defined]
    spec["data"] = {"url": "https://example.com/data.json"}
    assert not inline_only(spec)
    with pytest.raises(ValueError, match=r"(?i)url|access|allowed|denied"):
        chart_svg(spec)


def test_static_display_shows_the_filter_svg_and_table(
    explorer: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from IPython.core.formatters import format_display_data

    displayed: list[dict[str, object]] = []
    import IPython.display

    original = IPython.display.display

    def record(*objects: object, **_: object) -> None:
        displayed.extend(format_display_data(o)[0] for o in objects)

    IPython.display.display = record  # type: ignore[assignment]
    try:
        explorer._ipython_display_()  # type: ignore[attr-defined]
    finally:
        IPython.display.display = original
    kinds = [sorted(d) for d in displayed]
    assert "text/markdown" in kinds[0] and "image/svg+xml" in kinds[1] and "text/html" in kinds[2]
    assert "policy type sts; MX every" in str(displayed[0]["text/markdown"])
    assert not any("application/vnd.jupyter.widget-view+json" in d for d in displayed)


def test_searchable_table_is_the_frame_when_not_interactive() -> None:
    frame = pd.DataFrame({"a": [1, 2]})
    assert mp.searchable_table(frame, interactive=False) is frame


def test_itables_html_loads_nothing_from_a_cdn() -> None:
    from itables import to_html_datatable

    html = to_html_datatable(pd.DataFrame({"a": [1]}), connected=False)
    assert "unpkg" not in html and "cdn" not in html.lower()


def test_chart_renders_under_no_network(tmp_path: Path, explorer: object) -> None:
    # Run inside `unshare -n` (the suite's rule) this proves vl-convert needs no network at all.
    (tmp_path / "chart.svg").write_text(explorer.svg)  # type: ignore[attr-defined]
    assert (tmp_path / "chart.svg").stat().st_size > 1000
