"""Loopback sandbox: DNS, HTTPS and SMTP servers for fictional domains (demo and tests).

Everything listens on 127.0.0.0/8 only; `Sandbox.profile` is the `NetworkProfile` that reaches it.
"""

from assessment.sandbox.sandbox import Sandbox, demo_scenario_dir, run_foreground
from assessment.sandbox.scenario import (
    CertKind,
    DnsBehaviour,
    HttpsBehaviour,
    Scenario,
    ScenarioClient,
    ScenarioError,
    SmtpBehaviour,
    load_scenario,
)

__all__ = [
    "CertKind",
    "DnsBehaviour",
    "HttpsBehaviour",
    "Sandbox",
    "Scenario",
    "ScenarioClient",
    "ScenarioError",
    "SmtpBehaviour",
    "demo_scenario_dir",
    "load_scenario",
    "run_foreground",
]
