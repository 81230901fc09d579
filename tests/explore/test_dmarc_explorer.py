"""The DMARC explorer over hand-written aggregate reports (figures in tests/explore/reports.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

import assessment as mp
from tests.explore.reports import write_dmarc


@pytest.fixture(scope="module")
def classified(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    tmp = tmp_path_factory.mktemp("dmarc")
    loaded = mp.import_dmarc("Fixture", [write_dmarc(tmp / "reports")], tmp / "data")
    assert loaded.imported.imported == 2
    return mp.classify_senders(loaded.frames)


def _messages(frame: pd.DataFrame) -> int:
    return int(frame["messages"].sum())


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (mp.DmarcFilter(), 38),
        (mp.DmarcFilter(since=date(2025, 3, 1), until=date(2025, 3, 7)), 13),
        (mp.DmarcFilter(since=date(2025, 3, 3)), 25),
        (mp.DmarcFilter(source_ips=frozenset({"198.51.100.9"})), 8),
        (mp.DmarcFilter(result="fail"), 8),
        (mp.DmarcFilter(result="pass"), 30),
        (mp.DmarcFilter(reporters=frozenset({"microsoft.com"})), 25),
        (mp.DmarcFilter(senders=frozenset({"spoof.example"})), 8),
        (mp.DmarcFilter(senders=frozenset({"192.0.2.1"})), 30),
        (mp.DmarcFilter(categories=frozenset({"aligned"})), 30),
        (mp.DmarcFilter(domains=frozenset({"other.example"})), 0),
        (mp.DmarcFilter(result="fail", reporters=frozenset({"google.com"})), 3),
    ],
)
def test_each_dimension_filters_exactly(
    classified: pd.DataFrame, chosen: mp.DmarcFilter, expected: int
) -> None:
    assert _messages(mp.filter_dmarc(classified, chosen)) == expected


def test_setting_controls_refilters_and_redraws(classified: pd.DataFrame) -> None:
    explorer = mp.explore_dmarc(classified, interactive=False)
    assert _messages(explorer.frame) == 38
    before = explorer.chart
    explorer.source_ip.value = "198.51.100.9"
    assert explorer.filter.source_ips == frozenset({"198.51.100.9"})
    assert _messages(explorer.frame) == 8
    assert explorer.chart != before
    data = next(iter(explorer.chart["datasets"].values()))
    assert data == [
        {"day": "2025-03-02", "outcome": "fail", "messages": 3},
        {"day": "2025-03-10", "outcome": "fail", "messages": 5},
    ]
    explorer.dates.value = (date(2025, 3, 2), date(2025, 3, 2))
    assert _messages(explorer.frame) == 3
    assert list(explorer.table["messages"]) == [3]
    explorer.result.value = "pass"
    assert explorer.frame.empty and explorer.table.empty
    assert explorer.svg.startswith("<svg")


def test_senders_are_offered_busiest_first(classified: pd.DataFrame) -> None:
    explorer = mp.explore_dmarc(classified, interactive=False)
    labels = [label for label, _ in explorer.sender.options]
    volumes = explorer.frame.groupby("sender")["messages"].sum()
    assert labels[0] == "(every sender)"
    assert [int(volumes[name]) for name in labels[1:]] == sorted(volumes, reverse=True)


def test_an_empty_selection_says_so_instead_of_an_empty_chart(
    classified: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    from IPython import display

    shown: list[object] = []
    monkeypatch.setattr(display, "display", lambda *items, **_: shown.extend(items))
    explorer = mp.explore_dmarc(classified, interactive=False)
    explorer.result.value = "pass"
    explorer.source_ip.value = "198.51.100.9"
    assert explorer.frame.empty
    explorer._ipython_display_()
    kinds = [type(item).__name__ for item in shown]
    assert kinds[:2] == ["Markdown", "Markdown"] and "SVG" not in kinds
    assert "No reports match this selection" in shown[1].data  # type: ignore[attr-defined]


def test_frames_are_classified_for_the_caller(tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.mktemp("dmarc-frames")
    loaded = mp.import_dmarc("Fixture", [write_dmarc(tmp / "reports")], tmp / "data")
    explorer = mp.explore_dmarc(loaded.frames, domain="fixture.example", interactive=False)
    assert explorer.domain.value == "fixture.example"
    assert _messages(explorer.frame) == 38
