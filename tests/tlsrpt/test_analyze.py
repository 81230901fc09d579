"""Tables over TLS-RPT frames: sessions per day, failure breakdowns, gaps, oddities."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from assessment.tlsrpt.analyze import (
    ALL_TYPES,
    NOT_REPORTED,
    FailureKey,
    count_inconsistencies,
    daily_sessions,
    failures_by,
    foreign_domains,
    is_within,
    reporter_gaps,
    reporters_table,
    success_rate,
)
from assessment.tlsrpt.frames import Frames, empty_frames

AS_OF = date(2025, 11, 22)


def _builder() -> ModuleType:
    path = Path(__file__).parents[1] / "fixtures" / "tlsrpt_analysis" / "builder.py"
    spec = importlib.util.spec_from_file_location("tlsrpt_analysis_builder", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def scenario(name: str) -> Frames:
    frames: Frames = _builder().load_scenario(name)
    return frames


@pytest.fixture(scope="module")
def ready() -> Frames:
    return scenario("ready")


@pytest.fixture(scope="module")
def not_ready() -> Frames:
    return scenario("not_ready")


def test_daily_sessions_keeps_sts_and_tlsa_apart_and_never_adds_them(ready: Frames) -> None:
    daily = daily_sessions(ready, "harbourclinic.example")
    nov3 = daily[daily["day"] == pd.Timestamp("2025-11-03")].set_index("policy_type")
    # Google 60 sts; Microsoft 35 in sts and the same 35 again in tlsa.
    assert nov3.loc["sts", "successful"] == 95
    assert nov3.loc["tlsa", "successful"] == 35
    assert nov3.loc[ALL_TYPES, "successful"] == 95
    assert nov3.loc[ALL_TYPES, "reporters"] == 2
    nov10 = daily[daily["day"] == pd.Timestamp("2025-11-10")].set_index("policy_type")
    assert (nov10.loc[ALL_TYPES, "successful"], nov10.loc[ALL_TYPES, "failed"]) == (93, 2)
    assert nov10.loc["tlsa", "failed"] == 2


def test_daily_sessions_all_types_takes_the_larger_block_per_report() -> None:
    frames = scenario("ready")
    policies = frames.policies.copy()
    # Microsoft's tlsa block sees one extra session that its sts block does not.
    tlsa = policies["policy_type"] == "tlsa"
    policies.loc[tlsa, "successful"] = policies.loc[tlsa, "successful"] + 1
    daily = daily_sessions(Frames(frames.reports, policies, frames.failures))
    row = daily[(daily["day"] == pd.Timestamp("2025-11-03")) & (daily["policy_type"] == ALL_TYPES)]
    assert int(row["successful"].iloc[0]) == 60 + 36


def test_daily_sessions_filters_domain_and_has_stable_columns(ready: Frames) -> None:
    everything = daily_sessions(ready)
    assert set(everything["policy_domain"]) == {"harbourclinic.example", "otherclient.example"}
    only = daily_sessions(ready, "HarbourClinic.Example.")
    assert set(only["policy_domain"]) == {"harbourclinic.example"}
    assert list(only.columns) == list(daily_sessions(empty_frames()).columns)
    assert only["day"].min() == pd.Timestamp("2025-11-01")
    assert only["day"].max() == pd.Timestamp("2025-11-21")


def test_failures_by_mx_groups_per_policy_type(not_ready: Frames) -> None:
    table = failures_by(not_ready, FailureKey.RECEIVING_MX_HOSTNAME, "dentalgroup.example")
    assert list(table["receiving_mx_hostname"]) == ["backup-mx.harbourit.example"]
    row = table.iloc[0]
    # Google 6 + 5 * 3, Microsoft 21 * 1, Mail.ru 2 * 2 (its details, not its summary).
    assert row["failed_sessions"] == 6 + 15 + 21 + 4
    assert row["days_seen"] == 21
    assert row["reporters"] == 3


def test_failures_by_result_type_and_reporter(not_ready: Frames) -> None:
    by_type = failures_by(not_ready, "result_type").set_index("result_type")
    assert by_type.loc["validation-failure", "failed_sessions"] == 2
    assert by_type.loc["validation-failure", "days_seen"] == 1
    by_org = failures_by(not_ready, FailureKey.ORG_NAME, since=date(2025, 11, 16))
    assert by_org.iloc[0]["org_name"] == "Google Inc."
    assert by_org.set_index("org_name").loc["Microsoft Corporation", "days_seen"] == 6


def test_failures_by_labels_missing_keys() -> None:
    table = failures_by(scenario("fetch_error"), FailureKey.SENDING_MTA_IP)
    assert list(table["sending_mta_ip"]) == [NOT_REPORTED]
    assert table.iloc[0]["failed_sessions"] == 21 * 3 + 1


def test_failures_by_rejects_unknown_key(ready: Frames) -> None:
    with pytest.raises(ValueError):
        failures_by(ready, "policy_strings")


def test_reporter_gaps_finds_the_reporter_that_stopped(not_ready: Frames) -> None:
    gaps = reporter_gaps(not_ready, AS_OF)
    assert list(gaps["org_name"]) == ["Yahoo"]
    yahoo = gaps.iloc[0]
    assert yahoo["last_day"] == pd.Timestamp("2025-11-13")
    assert yahoo["silent_days"] == 8
    assert yahoo["longest_prior_silence_days"] == 1


def test_reporter_gaps_ignores_irregular_reporters_and_recent_silence(not_ready: Frames) -> None:
    # Mail.ru sent twice: not a regular reporter. On 16 Nov Yahoo had only been quiet 2 days.
    assert reporter_gaps(not_ready, date(2025, 11, 16)).empty
    assert list(reporter_gaps(not_ready, AS_OF, min_gap_days=9)["org_name"]) == []


def test_success_rate_per_type(ready: Frames) -> None:
    rates = success_rate(ready, "harbourclinic.example", date(2025, 11, 10), date(2025, 11, 10))
    rates = rates.set_index("policy_type")
    assert rates.loc["sts", "sessions"] == 95
    assert rates.loc["sts", "success_rate"] == pytest.approx(93 / 95)
    assert rates.loc["tlsa", "success_rate"] == pytest.approx(33 / 35)


def test_success_rate_without_sessions_is_nan() -> None:
    rates = success_rate(empty_frames(), "nothing.example")
    assert list(rates["policy_type"]) == [ALL_TYPES]
    assert pd.isna(rates["success_rate"].iloc[0])


def test_count_inconsistencies_flags_mail_ru(not_ready: Frames) -> None:
    table = count_inconsistencies(not_ready)
    assert list(table["org_name"]) == ["Mail.ru", "Mail.ru"]
    assert list(table["summary_failed"]) == [1, 1]
    assert list(table["detail_failed_sum"]) == [2, 2]
    assert list(table["difference"]) == [1, 1]


def test_foreign_domains(ready: Frames) -> None:
    table = foreign_domains(ready, ["harbourclinic.example"])
    assert list(table["policy_domain"]) == ["otherclient.example"]
    assert foreign_domains(ready, ["harbourclinic.example", "otherclient.example"]).empty


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("harbourclinic.example", True),
        ("mail.harbourclinic.example", True),
        ("HARBOURCLINIC.EXAMPLE.", True),
        ("xharbourclinic.example", False),
        ("harbourclinic.example.evil", False),
        ("", False),
    ],
)
def test_is_within_matches_whole_labels(name: str, expected: bool) -> None:
    assert is_within(name, ["harbourclinic.example"]) is expected


def test_reporters_table(not_ready: Frames) -> None:
    table = reporters_table(not_ready, "dentalgroup.example").set_index("org_name")
    assert table.loc["Yahoo", "days"] == 9
    assert table.loc["Google Inc.", "failed"] == 6 + 15


def test_everything_accepts_empty_frames() -> None:
    frames = empty_frames()
    assert daily_sessions(frames).empty
    for key in FailureKey:
        assert failures_by(frames, key).empty
    assert reporter_gaps(frames, AS_OF).empty
    assert count_inconsistencies(frames).empty
    assert foreign_domains(frames, ["a.example"]).empty
    assert reporters_table(frames).empty
