"""mailposture: email transport-security assessment kit (import package `assessment`)."""

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

__all__ = [
    "Control",
    "DnsLookup",
    "DomainEvidence",
    "Endpoint",
    "Evidence",
    "Finding",
    "NetworkProfile",
    "Outcome",
    "Severity",
    "__version__",
]
