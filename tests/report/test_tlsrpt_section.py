"""The TLS-RPT section: every total it prints agrees with the verdict, or says why not."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import pytest

from assessment.report.tlsrpt_section import build_tlsrpt_section
from assessment.tlsrpt.frames import Frames
from assessment.tlsrpt.gate import enforce_verdicts

DOMAIN = "dentalgroup.example"
AS_OF = date(2025, 11, 22)


def scenario(name: str) -> Frames:
    path = Path(__file__).parents[1] / "fixtures" / "tlsrpt_analysis" / "builder.py"
    spec = importlib.util.spec_from_file_location("tlsrpt_analysis_builder", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    frames: Frames = module.load_scenario(name)
    return frames


def without(frames: Frames, org: str) -> Frames:
    keep = [f.loc[f["org_name"] != org] for f in (frames.reports, frames.policies, frames.failures)]
    return Frames(*keep)


@pytest.fixture(scope="module")
def not_ready() -> Frames:
    return scenario("not_ready")


def test_table_totals_and_the_difference_from_the_verdict_are_stated(not_ready: Frames) -> None:
    # One Mail.ru report lists 2 failures in its details and 1 in its total: the tables add
    # the details (37), the verdict the totals (36). Both stand, and the report says why.
    verdicts = enforce_verdicts(not_ready, AS_OF)
    section = build_tlsrpt_section(not_ready, verdicts, [DOMAIN], AS_OF)
    assert section is not None
    verdict = section.verdicts[0]
    assert verdict.total_failed == 36
    by_mx, by_type = section.tables
    for table in (by_mx, by_type):
        total = table.rows[-1]
        assert total[0] == "Total" and total[1] == "37"
        assert sum(int(row[1]) for row in table.rows[:-1]) == 37
    assert by_mx.caption == ""  # explained once, under the last table
    assert "add up to 37" in by_type.caption and "give 36" in by_type.caption
    assert "1 report from Mail.ru lists 1 more" in by_type.caption
    # The chart's caption restates the verdict's own figures and window.
    (chart,) = section.charts
    assert "sts" in chart.title
    assert "8 November 2025 to 21 November 2025" in chart.caption
    assert f"{verdict.total_successful:,} successful and 36 failed" in chart.caption
    assert not any("do not add up" in note for note in section.notes)


def test_no_difference_no_explanation(not_ready: Frames) -> None:
    frames = without(not_ready, "Mail.ru")
    verdicts = enforce_verdicts(frames, AS_OF)
    section = build_tlsrpt_section(frames, verdicts, [DOMAIN], AS_OF)
    assert section is not None
    failed = section.verdicts[0].total_failed
    for table in section.tables:
        assert table.rows[-1][1] == f"{failed:,}"
        assert table.caption == ""


def test_dates_are_written_in_full(not_ready: Frames) -> None:
    section = build_tlsrpt_section(not_ready, enforce_verdicts(not_ready, AS_OF), [DOMAIN], AS_OF)
    assert section is not None
    assert "from 8 November 2025 to 21 November 2025" in section.period
    assert "from 1 November 2025" in section.period  # the store's span, no zero padding
    assert section.tables[0].rows[0][-1] == "21 Nov 2025"
