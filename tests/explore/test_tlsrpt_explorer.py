"""The TLS-RPT explorer over hand-written reports (tests/explore/reports.py has the figures)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import assessment as mp
from tests.explore.reports import MX1, MX2, write_tlsrpt


@pytest.fixture(scope="module")
def frames(tmp_path_factory: pytest.TempPathFactory) -> object:
    tmp = tmp_path_factory.mktemp("tlsrpt")
    loaded = mp.import_tlsrpt("Fixture", [write_tlsrpt(tmp / "reports")], tmp / "data")
    assert loaded.imported.imported == 3
    return loaded.frames


def _totals(frame: pd.DataFrame) -> tuple[int, int]:
    failed = int(frame.loc[frame["result"] != "success", "sessions"].sum())
    return int(frame["sessions"].sum()), failed


def _data(spec: dict[str, object]) -> list[object]:
    datasets = spec["datasets"]
    assert isinstance(datasets, dict) and len(datasets) == 1
    return next(iter(datasets.values()))


def test_the_long_frame_adds_up_to_the_reports(frames: object) -> None:
    sessions = mp.tlsrpt_sessions(frames)  # type: ignore[arg-type]
    sts = sessions[sessions["policy_type"] == "sts"]
    # 41+3 + 100+7 + 50+4; the 2 sessions m1 counted but did not detail are kept.
    assert _totals(sts) == (205, 14)
    assert int(sts.loc[sts["result"] == "(no details)", "sessions"].sum()) == 2
    # Successful sessions are per policy block: no MX on them.
    assert set(sts.loc[sts["result"] == "success", "receiving_mx_hostname"]) == {""}
    # MX names are normalised: g2's "mx1.fixture.example." is mx1.
    assert set(sts["receiving_mx_hostname"]) == {"", MX1, MX2, "(not reported)"}


def test_the_filter_is_frozen_and_pure(frames: object) -> None:
    chosen = mp.TlsRptFilter(mx_hosts=frozenset({MX1}))
    with pytest.raises(FrozenInstanceError):
        chosen.policy_type = "tlsa"  # type: ignore[misc]
    sessions = mp.tlsrpt_sessions(frames)  # type: ignore[arg-type]
    before = sessions.copy()
    assert _totals(mp.filter_tlsrpt(sessions, chosen)) == (7, 7)
    pd.testing.assert_frame_equal(sessions, before)
    # Frames are accepted as well as the long frame.
    assert _totals(mp.filter_tlsrpt(frames, chosen)) == (7, 7)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (mp.TlsRptFilter(), (205, 14)),
        (mp.TlsRptFilter(since=date(2025, 3, 1), until=date(2025, 3, 7)), (151, 10)),
        (mp.TlsRptFilter(since=date(2025, 3, 6)), (54, 4)),
        (mp.TlsRptFilter(mx_hosts=frozenset({"MX2.Fixture.Example."})), (5, 5)),
        (mp.TlsRptFilter(reporters=frozenset({"Microsoft Corporation"})), (107, 7)),
        (mp.TlsRptFilter(results=frozenset({"success"})), (191, 0)),
        (mp.TlsRptFilter(results=frozenset({"certificate-expired", "(no details)"})), (7, 7)),
        (mp.TlsRptFilter(policy_type="tlsa"), (100, 0)),
        (mp.TlsRptFilter(policy_type=""), (305, 14)),
        (mp.TlsRptFilter(domains=frozenset({"other.example"})), (0, 0)),
        (mp.TlsRptFilter(mx_hosts=frozenset({"mx9.fixture.example"})), (0, 0)),
    ],
)
def test_each_dimension_filters_exactly(
    frames: object, chosen: mp.TlsRptFilter, expected: tuple[int, int]
) -> None:
    assert _totals(mp.filter_tlsrpt(frames, chosen)) == expected  # type: ignore[arg-type]


def test_setting_controls_refilters_and_redraws(frames: object) -> None:
    explorer = mp.explore_tlsrpt(frames, domain="fixture.example", interactive=False)  # type: ignore[arg-type]
    assert explorer.domain.value == "fixture.example" and explorer.policy_type.value == "sts"
    assert _totals(explorer.frame) == (205, 14)
    chart_before = explorer.chart
    assert _data(chart_before) == [
        {"day": "2025-03-02", "outcome": "failed", "sessions": 3},
        {"day": "2025-03-02", "outcome": "successful", "sessions": 41},
        {"day": "2025-03-05", "outcome": "failed", "sessions": 7},
        {"day": "2025-03-05", "outcome": "successful", "sessions": 100},
        {"day": "2025-03-12", "outcome": "failed", "sessions": 4},
        {"day": "2025-03-12", "outcome": "successful", "sessions": 50},
    ]

    explorer.mx.value = MX1
    assert explorer.filter.mx_hosts == frozenset({MX1})
    assert _totals(explorer.frame) == (7, 7)
    assert explorer.chart != chart_before
    # Only failed sessions remain, one bar per day MX1 failed on.
    assert _data(explorer.chart) == [
        {"day": "2025-03-02", "outcome": "failed", "sessions": 3},
        {"day": "2025-03-12", "outcome": "failed", "sessions": 4},
    ]

    one_week = (date(2025, 3, 1), date(2025, 3, 7))
    explorer.dates.value = (date(2025, 3, 2), date(2025, 3, 5))
    assert (explorer.filter.since, explorer.filter.until) == (date(2025, 3, 2), date(2025, 3, 5))
    assert one_week[0] <= explorer.filter.since and explorer.filter.until <= one_week[1]
    assert _totals(explorer.frame) == (3, 3)
    assert list(explorer.table["receiving_mx_hostname"]) == [MX1]
    assert list(explorer.table["sessions"]) == [3]

    explorer.mx.value = ""
    explorer.result.value = ("success",)
    assert _totals(explorer.frame) == (141, 0)
    assert {row["outcome"] for row in _data(explorer.chart)} == {"successful"}  # type: ignore[index]


def test_every_policy_type_is_a_real_choice(frames: object) -> None:
    # Found in JupyterLab: a (label, value) pair among plain strings showed as a tuple and
    # filtered everything out.
    explorer = mp.explore_tlsrpt(frames, interactive=False)  # type: ignore[arg-type]
    options = dict(explorer.policy_type.options)
    assert options == {"sts": "sts", "tlsa": "tlsa", "(every type, may count twice)": ""}
    explorer.policy_type.value = ""
    assert _totals(explorer.frame) == (305, 14)


def test_the_axis_spans_the_chosen_days(frames: object) -> None:
    explorer = mp.explore_tlsrpt(frames, interactive=False)  # type: ignore[arg-type]
    explorer.dates.value = (date(2025, 3, 5), date(2025, 3, 12))
    x = explorer.chart["encoding"]["x"]
    # One bar per day across the whole choice, whatever days hold data; whole counts only.
    assert x["scale"]["domain"] == [f"2025-03-{day:02d}" for day in range(5, 13)]
    assert explorer.chart["encoding"]["y"]["axis"]["format"] == "d"
    # A few sessions get one tick per whole number, not Vega's halves printed as "0, 1, 1".
    explorer.mx.value = MX1
    explorer.dates.value = (date(2025, 3, 12), date(2025, 3, 12))
    assert explorer.chart["encoding"]["y"]["axis"]["values"] == [0, 1, 2, 3, 4]
    assert [label for label, _ in explorer.dates.options][:2] == ["2 Mar", "5 Mar"]


def test_summary_table_counts_per_result_and_mx(frames: object) -> None:
    explorer = mp.explore_tlsrpt(frames, interactive=False)  # type: ignore[arg-type]
    table = explorer.table.set_index(["result", "receiving_mx_hostname"])
    assert table.loc[("success", ""), "sessions"] == 191
    assert table.loc[("success", ""), "reports"] == 3
    assert table.loc[("validation-failure", MX1), "sessions"] == 3
    assert table.loc[("certificate-host-mismatch", MX1), "last_day"] == pd.Timestamp("2025-03-12")
    assert explorer.table["sessions"].is_monotonic_decreasing


def test_empty_store_gives_an_empty_explorer(tmp_path: Path) -> None:
    loaded = mp.import_tlsrpt("Nobody", [], tmp_path)
    explorer = mp.explore_tlsrpt(loaded.frames, interactive=False)
    assert explorer.frame.empty and explorer.table.empty
    assert explorer.dates.value == (None, None)
    assert explorer.svg.startswith("<svg")
