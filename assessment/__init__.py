"""mailposture: email transport-security assessment kit (import package `assessment`).

The names below are the notebook-facing API; everything else is reachable by module.
Heavy layers (gather, report, tlsrpt) load on first use so `import assessment` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assessment.model import (
    Control,
    DnsLookup,
    DomainEvidence,
    Endpoint,
    Evidence,
    Finding,
    NetworkProfile,
    Outcome,
    Severity,
)

__version__ = "0.1.0"

# name -> module that defines it; imported lazily by __getattr__. The subpackages `gather` and
# `report` are deliberately not shadowed by same-named functions.
_LAZY = {
    "save_evidence": "assessment.gather",
    "load_evidence": "assessment.gather",
    "run_checks": "assessment.checks",
    "load_findings": "assessment.pipeline",
    "assess": "assessment.pipeline",
    "load_run": "assessment.pipeline",
    "run_assessment": "assessment.run",
    "import_sources": "assessment.tlsrpt.ingest",
    "TlsRptStore": "assessment.tlsrpt.store",
    "enforce_verdicts": "assessment.tlsrpt.gate",
    "build_plan": "assessment.planning",
    "assess_readiness": "assessment.readiness",
    "Sandbox": "assessment.sandbox",
}

if TYPE_CHECKING:
    from assessment.checks import run_checks
    from assessment.gather import load_evidence, save_evidence
    from assessment.pipeline import assess, load_findings, load_run
    from assessment.planning import build_plan
    from assessment.readiness import assess_readiness
    from assessment.run import run_assessment
    from assessment.sandbox import Sandbox
    from assessment.tlsrpt.gate import enforce_verdicts
    from assessment.tlsrpt.ingest import import_sources
    from assessment.tlsrpt.store import TlsRptStore


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'assessment' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "Control",
    "DnsLookup",
    "DomainEvidence",
    "Endpoint",
    "Evidence",
    "Finding",
    "NetworkProfile",
    "Outcome",
    "Sandbox",
    "Severity",
    "TlsRptStore",
    "__version__",
    "assess",
    "assess_readiness",
    "build_plan",
    "enforce_verdicts",
    "import_sources",
    "load_evidence",
    "load_findings",
    "load_run",
    "run_assessment",
    "run_checks",
    "save_evidence",
]
