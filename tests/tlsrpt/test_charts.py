"""Charts render to self-contained, deterministic SVG; empty data says so."""

from __future__ import annotations

import importlib.util
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from assessment.report.locations import CHART_FONT_FILE
from assessment.tlsrpt.analyze import ALL_TYPES
from assessment.tlsrpt.charts import (
    daily_sessions_chart,
    failures_by_mx_chart,
    failures_by_type_chart,
    figure_to_svg,
    typeface,
)
from assessment.tlsrpt.frames import Frames, empty_frames
from assessment.tlsrpt.gate import enforce_verdict

SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
DOMAIN = "dentalgroup.example"

Chart = Callable[[Frames, str], Figure]
CHARTS: list[Chart] = [daily_sessions_chart, failures_by_mx_chart, failures_by_type_chart]


@pytest.fixture(scope="module")
def frames() -> Frames:
    path = Path(__file__).parents[1] / "fixtures" / "tlsrpt_analysis" / "builder.py"
    spec = importlib.util.spec_from_file_location("tlsrpt_analysis_builder", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    loaded: Frames = module.load_scenario("not_ready")
    return loaded


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [
        ax.get_title(loc="left") for ax in fig.axes
    ]


def assert_self_contained(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    assert not svg.lstrip().startswith("<?xml")
    assert "<!DOCTYPE" not in svg
    for element in root.iter():
        assert element.tag not in {f"{SVG_NS}script", f"{SVG_NS}foreignObject"}
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), name
            if name in {"href", XLINK_HREF}:
                assert value.startswith("#"), value
    urls = set(re.findall(r"https?://[^\"'\s<>)]+", svg))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert "url(http" not in svg and "@import" not in svg
    return root


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_is_valid_self_contained_svg(frames: Frames, chart: Chart) -> None:
    root = assert_self_contained(figure_to_svg(chart(frames, DOMAIN)))
    assert root.attrib["width"] == "482.4pt"  # 6.7 in: A4 text width
    # Glyphs as paths: WeasyPrint needs no font of its own.
    assert root.find(f".//{SVG_NS}text") is None


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_svg_is_deterministic(frames: Frames, chart: Chart) -> None:
    assert figure_to_svg(chart(frames, DOMAIN)) == figure_to_svg(chart(frames, DOMAIN))


AS_OF = date(2025, 11, 22)


def test_daily_chart_counts_sts_only_and_matches_the_verdict(frames: Frames) -> None:
    verdict = enforce_verdict(frames, DOMAIN, AS_OF)
    window = (verdict.window_start, verdict.window_end)
    fig = daily_sessions_chart(frames, DOMAIN, window=window)
    top, bottom = fig.axes
    days = (verdict.window_end - verdict.window_start).days + 1
    assert len(top.patches) == len(bottom.patches) == days  # one slot per day of the window
    ok = sum(p.get_height() for p in top.patches)
    failed = sum(p.get_height() for p in bottom.patches)
    assert (ok, failed) == (verdict.total_successful, verdict.total_failed)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [
        f"successful ({verdict.total_successful:,})",
        f"failed ({verdict.total_failed:,})",
    ]
    subtitle = top.get_title(loc="left")
    assert "sts policy only" in subtitle
    assert "8 November 2025 to 21 November 2025 (14 days)" in subtitle


def test_failures_are_visible_at_any_ratio(frames: Frames) -> None:
    # 1 failed session beside ~140 successful ones: a stacked bar would be a hairline.
    fig = daily_sessions_chart(frames, DOMAIN, window=(date(2025, 11, 8), date(2025, 11, 21)))
    _, bottom = fig.axes
    heights = [p.get_height() for p in bottom.patches]
    assert min(h for h in heights if h) == 1
    # Its own scale: the largest day fills most of the lower panel...
    assert max(heights) >= 0.6 * bottom.get_ylim()[1]
    # ...and every failing day carries its count as a label.
    labels = sorted(int(t.get_text()) for t in bottom.texts)
    assert labels == sorted(int(h) for h in heights if h)


def test_axis_names_months_and_the_year(frames: Frames) -> None:
    fig = daily_sessions_chart(frames, DOMAIN, window=(date(2025, 12, 24), date(2026, 1, 6)))
    ticks = [t.get_text() for t in fig.axes[1].get_xticklabels()]
    assert ticks[0] == "24 Dec 2025"
    assert "1 Jan 2026" in ticks
    assert all(re.fullmatch(r"\d{1,2} (Dec|Jan)( \d{4})?", t) for t in ticks), ticks


def test_days_without_reports_are_marked(frames: Frames) -> None:
    fig = daily_sessions_chart(frames, DOMAIN, window=(date(2025, 11, 20), date(2025, 11, 24)))
    top, _ = fig.axes
    assert [t.get_text() for t in top.texts].count("no report") == 3  # 22, 23 and 24 Nov


def test_all_policy_types_on_request(frames: Frames) -> None:
    fig = daily_sessions_chart(frames, DOMAIN, ALL_TYPES)
    assert "all policy types" in fig.axes[0].get_title(loc="left")


def test_typeface_sets_the_chart_font(frames: Frames) -> None:
    with typeface(CHART_FONT_FILE):
        fig = daily_sessions_chart(frames, DOMAIN)
        ticks = fig.axes[1].get_xticklabels()
        figure_to_svg(daily_sessions_chart(frames, DOMAIN))
    assert fig.axes[0].title.get_fontname() == "IBM Plex Sans"
    assert ticks[0].get_fontname() == "IBM Plex Sans"


def test_failures_by_mx_chart_names_the_host(frames: Frames) -> None:
    fig = failures_by_mx_chart(frames, DOMAIN)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["backup-mx.harbourit.example"]


def test_failures_by_type_chart_puts_the_largest_on_top(frames: Frames) -> None:
    fig = failures_by_type_chart(frames, DOMAIN)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["validation-failure", "certificate-host-mismatch"]


@pytest.mark.parametrize("chart", CHARTS)
def test_empty_frames_give_a_no_reports_chart(chart: Chart) -> None:
    fig = chart(empty_frames(), "brightsmiledental.example")
    assert "No reports for brightsmiledental.example" in _texts(fig)
    assert_self_contained(figure_to_svg(fig))


def test_no_failures_is_said_plainly(frames: Frames) -> None:
    fig = failures_by_mx_chart(frames, DOMAIN, policy_type="tlsa")
    assert "No failures reported" in _texts(fig)


def test_figure_to_svg_releases_a_pyplot_figure() -> None:
    import matplotlib.pyplot as plt

    fig = plt.figure()
    number = fig.number
    figure_to_svg(fig)
    assert not plt.fignum_exists(number)


def test_svg_carries_no_css_for_weasyprint_to_trip_on(frames: Frames) -> None:
    svg = figure_to_svg(daily_sessions_chart(frames, DOMAIN))
    assert " style=" not in svg and "<style" not in svg
    root = ET.fromstring(svg)
    assert root.attrib["stroke-linejoin"] == "round"
    assert root.find(f".//{SVG_NS}path[@fill='#4c9a6a']") is not None


def test_two_charts_inline_in_one_page_have_disjoint_ids(frames: Frames) -> None:
    ids = []
    for chart in CHARTS:
        root = ET.fromstring(figure_to_svg(chart(frames, DOMAIN)))
        ids.append({e.attrib["id"] for e in root.iter() if "id" in e.attrib})
    assert not ids[0] & ids[1] and not ids[1] & ids[2] and not ids[0] & ids[2]


def test_explicit_id_prefix_scopes_ids_and_references(frames: Frames) -> None:
    svg = figure_to_svg(failures_by_mx_chart(frames, DOMAIN), id_prefix="mxchart")
    root = assert_self_contained(svg)
    ids = {e.attrib["id"] for e in root.iter() if "id" in e.attrib}
    assert ids and all(i.startswith("mxchart-") for i in ids)
    refs = re.findall(r'href="#([^"]+)"|url\(#([^)]+)\)', svg)
    targets = {a or b for a, b in refs}
    assert targets and targets <= ids
