"""The MTA-STS enforce verdict: each status reached, with sentences carrying real figures."""

from __future__ import annotations

import importlib.util
from dataclasses import FrozenInstanceError
from datetime import date
from pathlib import Path

import pytest

from assessment.tlsrpt.frames import Frames, empty_frames
from assessment.tlsrpt.gate import (
    EnforceGates,
    EnforceStatus,
    enforce_verdict,
    enforce_verdicts,
)

AS_OF = date(2025, 11, 22)


def scenario(name: str) -> Frames:
    path = Path(__file__).parents[1] / "fixtures" / "tlsrpt_analysis" / "builder.py"
    spec = importlib.util.spec_from_file_location("tlsrpt_analysis_builder", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    frames: Frames = module.load_scenario(name)
    return frames


def test_ready_when_every_gate_passes() -> None:
    verdict = enforce_verdict(
        scenario("ready"),
        "harbourclinic.example",
        AS_OF,
        mx_hosts=["mx1.harbourclinic.example", "mx2.harbourclinic.example"],
    )
    assert verdict.status is EnforceStatus.READY
    assert verdict.blockers == ()
    assert (verdict.window_start, verdict.window_end) == (date(2025, 11, 8), date(2025, 11, 21))
    assert verdict.days_covered == 14
    assert verdict.reporters == ("Google Inc.", "Microsoft Corporation")
    # sts only: the tlsa copies of Microsoft's sessions are not added.
    assert verdict.total_successful == 14 * 60 + 13 * 35 + 33
    assert verdict.total_failed == 2
    assert verdict.failure_rate == pytest.approx(2 / (14 * 95))
    assert verdict.first_report == date(2025, 11, 1)
    assert verdict.last_report == date(2025, 11, 21)
    assert verdict.reasons[-1] == (
        "14 days of sts reports from 2 reporters, 0 failures on "
        "mx1.harbourclinic.example/mx2.harbourclinic.example since 15 Nov; ready."
    )
    # The old blip is explained, not hidden.
    assert any(
        "certificate-expired on mx2.harbourclinic.example" in r and "last on 10 Nov" in r
        for r in verdict.reasons
    )


def test_not_ready_names_the_failing_mx_and_reporters() -> None:
    verdict = enforce_verdict(scenario("not_ready"), "dentalgroup.example", AS_OF)
    assert verdict.status is EnforceStatus.NOT_READY
    assert verdict.failing_mx == ("backup-mx.harbourit.example",)
    assert verdict.blockers[0] == (
        "certificate-host-mismatch on backup-mx.harbourit.example reported by Google Inc., "
        "Mail.ru and Microsoft Corporation on 14 of the last 14 days "
        "(35 failed sessions, last on 21 Nov)."
    )
    assert any(
        "validation-failure" in b and "on 1 of the last 14 days" in b for b in verdict.blockers
    )
    assert any("disagree with their own summary" in r for r in verdict.reasons)
    assert verdict.reporters == ("Google Inc.", "Mail.ru", "Microsoft Corporation", "Yahoo")


def test_not_ready_points_out_failures_on_hosts_outside_the_mx_set() -> None:
    verdict = enforce_verdict(
        scenario("not_ready"),
        "dentalgroup.example",
        AS_OF,
        mx_hosts=["dentalgroup-example.mail.protection.outlook.com"],
    )
    assert any(
        "backup-mx.harbourit.example is not one of the current MX" in r for r in verdict.reasons
    )


def test_clean_period_boundary() -> None:
    frames = scenario("ready")
    # The 10 Nov failure is inside the last seven days of a window ending 16 Nov ...
    early = enforce_verdict(frames, "harbourclinic.example", date(2025, 11, 17))
    assert early.status is EnforceStatus.NOT_READY
    assert early.failing_mx == ("mx2.harbourclinic.example",)
    # ... and just outside it for a window ending 17 Nov.
    later = enforce_verdict(frames, "harbourclinic.example", date(2025, 11, 18))
    assert later.status is EnforceStatus.READY


def test_policy_fetch_errors_block_even_without_an_mx() -> None:
    verdict = enforce_verdict(scenario("fetch_error"), "fetcherr.example", AS_OF)
    assert verdict.status is EnforceStatus.NOT_READY
    assert verdict.failing_mx == ()
    assert verdict.blockers == (
        "sts-policy-fetch-error reported by Mail.ru and Microsoft Corporation on 14 of the "
        "last 14 days (43 failed sessions, last on 21 Nov): senders could not fetch the "
        "policy file.",
    )


def test_insufficient_data_with_too_few_days_and_one_reporter() -> None:
    verdict = enforce_verdict(scenario("insufficient"), "newclient.example", AS_OF)
    assert verdict.status is EnforceStatus.INSUFFICIENT_DATA
    assert verdict.days_covered == 10
    assert verdict.blockers == (
        "Only 10 days of sts reports in the last 14 days (8 Nov to 21 Nov); at least 14 "
        "are needed.",
        "Only 1 reporter (Google Inc.) sent sts reports in the window; at least 2 are needed.",
    )
    assert verdict.failure_rate == 0.0


def test_insufficient_data_on_empty_frames() -> None:
    verdict = enforce_verdict(empty_frames(), "brightsmiledental.example", AS_OF)
    assert verdict.status is EnforceStatus.INSUFFICIENT_DATA
    assert verdict.days_covered == 0
    assert verdict.failure_rate is None
    assert verdict.first_report is None
    assert verdict.reasons[0].startswith(
        "No sts reports for brightsmiledental.example in the last 14 days (8 Nov to 21 Nov)"
    )
    assert enforce_verdicts(empty_frames(), AS_OF) == {}


def test_reports_after_as_of_are_ignored() -> None:
    verdict = enforce_verdict(scenario("ready"), "harbourclinic.example", date(2025, 11, 5))
    assert verdict.last_report == date(2025, 11, 4)
    assert verdict.status is EnforceStatus.INSUFFICIENT_DATA


def test_short_window_cannot_be_ready() -> None:
    verdict = enforce_verdict(scenario("ready"), "harbourclinic.example", AS_OF, window_days=7)
    assert verdict.status is EnforceStatus.INSUFFICIENT_DATA
    assert any("7-day window is shorter" in b for b in verdict.blockers)


def test_custom_gates_are_applied_and_quoted() -> None:
    gates = EnforceGates(min_days=10, min_reporters=1)
    verdict = enforce_verdict(scenario("insufficient"), "newclient.example", AS_OF, gates=gates)
    assert verdict.status is EnforceStatus.READY
    assert verdict.gates == gates
    assert gates.describe()[0].startswith("At least 10 days")
    with pytest.raises(FrozenInstanceError):
        gates.min_days = 3  # type: ignore[misc]


def test_verdicts_for_every_sts_domain() -> None:
    frames = scenario("ready")
    verdicts = enforce_verdicts(frames, AS_OF)
    # otherclient.example only has a no-policy-found block: no sts verdict for it.
    assert list(verdicts) == ["harbourclinic.example"]
    single = enforce_verdict(frames, "harbourclinic.example", AS_OF)
    assert verdicts["harbourclinic.example"] == single
