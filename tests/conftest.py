"""Shared fixtures: live loopback sandboxes for the test scenario and the demo client."""

from __future__ import annotations

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
