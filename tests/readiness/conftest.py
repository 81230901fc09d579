"""Evidence for the readiness tests, gathered once per session from the loopback sandboxes:
the checks scenario (one domain per behaviour) and the demo client."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assessment.checks.context import DomainContext
from assessment.checks.registry import run_checks
from assessment.gather import gather
from assessment.model import Evidence, Finding
from assessment.readiness.rules import DomainFacts
from assessment.sandbox import Sandbox

CHECKS_SCENARIO = Path(__file__).parents[1] / "fixtures" / "checks_scenario"
DEMO = ("brightsmiledental.example", "brightsmile-dental.example")
# The scenario domains the rule tests read; the slow ones (8 s stalls) are left out.
SCENARIO = (
    "ok.test",
    "spf-missing.test",
    "spf-multi.test",
    "spf-plusall.test",
    "spf-lookups.test",
    "spf-softfail.test",
    "spf-neutral.test",
    "spf-noall.test",
    "spf-include-servfail.test",
    "parked.test",
    "parked-weak.test",
    "nullmx.test",
    "mx-missing.test",
    "mx-unresolvable.test",
    "mx-provider.test",
    "servfail-all.test",
    "nosuch.test",
    "dkim-weak.test",
    "dkim-short.test",
    "dkim-sha1.test",
    "dkim-multi.test",
    "dkim-none.test",
    "dkim-revoked.test",
    "dmarc-none.test",
    "dmarc-missing.test",
    "dmarc-multi.test",
    "dmarc-syntax.test",
    "dmarc-pct.test",
    "dmarc-weak-sp.test",
    "dmarc-testing.test",
    "dmarc-no-np.test",
    "dmarc-no-rua.test",
    "sub.inherit.test",
    "smtp-nostarttls.test",
    "smtp-starttls-refused.test",
    "smtp-closed.test",
    "sts-certnames.test",
    "sts-none.test",
    "sts-testing.test",
    "sts-uncovered-testing.test",
    "sts-404.test",
    "sts-mode-none.test",
    "rpt-missing.test",
    "rpt-none.test",
    "rpt-multi.test",
    "rpt-bad.test",
    "dane-mismatch.test",
    "dane-insecure.test",
    "dane-usage.test",
    "dane-badparam.test",
    "dane-nostarttls.test",
    "dane-servfail.test",
)


@dataclass(frozen=True)
class Gathered:
    evidence: Evidence
    findings: tuple[Finding, ...]

    def only(self, *names: str) -> Evidence:
        return dataclasses.replace(
            self.evidence, domains=tuple(self.evidence.domain(n) for n in names)
        )

    def facts(self, name: str) -> DomainFacts:
        return DomainFacts(DomainContext(self.evidence.domain(name), self.evidence), self.findings)


@pytest.fixture(scope="session")
def scenario() -> Iterator[Gathered]:
    with Sandbox(CHECKS_SCENARIO) as sandbox:
        # lab: the scenario's hosts live on 127.0.2.0/24 by design, not a client defect.
        profile = dataclasses.replace(sandbox.profile, lab=True)
        evidence = gather(sandbox.client, SCENARIO, profile, sandbox.dkim_selectors)
    yield Gathered(evidence, run_checks(evidence))


@pytest.fixture(scope="session")
def demo(demo_sandbox: Sandbox) -> Gathered:
    profile = dataclasses.replace(demo_sandbox.profile, lab=True)
    evidence = gather(demo_sandbox.client, DEMO, profile, demo_sandbox.dkim_selectors)
    return Gathered(evidence, run_checks(evidence))
