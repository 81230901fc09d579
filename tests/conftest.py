"""Shared fixtures: live loopback sandboxes for the test scenario and the demo client."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from assessment.sandbox import Sandbox, demo_scenario_dir

SANDBOX_SCENARIO = Path(__file__).parent / "fixtures" / "sandbox" / "scenario"


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """The test scenario (tests/fixtures/sandbox/scenario, see its README), running."""
    with Sandbox(SANDBOX_SCENARIO) as running:
        yield running


@pytest.fixture(scope="session")
def demo_sandbox() -> Iterator[Sandbox]:
    """The demo client's scenario (data/demo/sandbox), running."""
    with Sandbox(demo_scenario_dir()) as running:
        yield running


# Under CI every test must run: a skip there means a missing install step (Dovecot,
# poppler-utils, the shared samples), and a judged behaviour would go untested unnoticed.
_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI") and _skipped and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if os.environ.get("CI") and _skipped:
        terminalreporter.write_line(
            f"CI: {len(_skipped)} test(s) skipped, which CI treats as a failure: "
            + ", ".join(_skipped[:5]),
            red=True,
        )
