"""Session fixtures for the checks scenario: one running sandbox, one gather, one check run."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assessment.checks.registry import run_checks
from assessment.gather import gather
from assessment.model import Evidence, Finding, NetworkProfile
from assessment.sandbox import Sandbox

CHECKS_SCENARIO = Path(__file__).parents[1] / "fixtures" / "checks_scenario"


@dataclass(frozen=True)
class Assessed:
    """The checks scenario gathered once and checked once, with the profile that reached it."""

    sandbox: Sandbox
    profile: NetworkProfile
    evidence: Evidence
    findings: tuple[Finding, ...]

    def of(self, domain: str) -> list[Finding]:
        return [f for f in self.findings if f.domain == domain]


@pytest.fixture(scope="session")
def checks_sandbox() -> Iterator[Sandbox]:
    """tests/fixtures/checks_scenario (see its README), running."""
    with Sandbox(CHECKS_SCENARIO) as running:
        yield running


@pytest.fixture(scope="session")
def assessed(checks_sandbox: Sandbox) -> Assessed:
    # lab: the scenario's hosts live on 127.0.2.0/24 by design, which is not a client defect.
    profile = dataclasses.replace(checks_sandbox.profile, lab=True)
    evidence = gather(
        checks_sandbox.client, checks_sandbox.domains, profile, checks_sandbox.dkim_selectors
    )
    return Assessed(checks_sandbox, profile, evidence, run_checks(evidence))
