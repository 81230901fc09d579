"""Scorecard cells: one status per domain and control, derived only from the findings."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from assessment.model import Control, DomainEvidence, Finding, Outcome, Severity

# A null MX (RFC 7505) says "this domain receives no mail", so inbound transport controls have
# nothing to protect; reporting them as failures would send the client chasing non-problems.
# A domain with a null MX receives no mail and, by the parked-domain advice, sends none: no
# key to sign with is expected (a DKIM finding on it still shows).
NULL_MX_NOT_APPLICABLE = frozenset(
    {Control.DKIM, Control.MTA_STS, Control.TLS_RPT, Control.STARTTLS, Control.DANE}
)


# Optional protections whose absence is an observation, not a defect: neither "Pass" (it is
# not there) nor a failure (nothing requires it).
NOT_DEPLOYED = frozenset({"DANE_NOT_DEPLOYED", "DNSSEC_UNSIGNED"})


class CellStatus(StrEnum):
    PASS = "pass"  # noqa: S105  (a scorecard status, not a password)
    WARNING = "warning"
    FAIL = "fail"
    NOT_APPLICABLE = "not-applicable"
    NOT_USED = "not-used"
    INCONCLUSIVE = "inconclusive"

    @property
    def label(self) -> str:
        return {
            CellStatus.PASS: "Pass",
            CellStatus.WARNING: "Warning",
            CellStatus.FAIL: "Fail",
            CellStatus.NOT_APPLICABLE: "N/A",
            CellStatus.NOT_USED: "Not used",
            CellStatus.INCONCLUSIVE: "Inconclusive",
        }[self]


FAILING = frozenset({Severity.CRITICAL, Severity.HIGH})
WARNING = frozenset({Severity.MEDIUM, Severity.LOW})


def has_null_mx(domain: DomainEvidence) -> bool:
    lookup = domain.lookup(domain.domain, "MX")
    if lookup is None or lookup.outcome is not Outcome.OK or len(lookup.answers) != 1:
        return False
    parts = lookup.answers[0].split()
    return len(parts) == 2 and parts[0] == "0" and parts[1] == "."


def cell_status(findings: Iterable[Finding], *, applicable: bool = True) -> CellStatus:
    """Fail beats warning beats inconclusive beats pass; info never moves a cell."""
    findings = list(findings)
    relevant = [f for f in findings if f.severity is not Severity.INFO]
    if any(f.severity in FAILING and not f.inconclusive for f in relevant):
        return CellStatus.FAIL
    if any(f.severity in WARNING and not f.inconclusive for f in relevant):
        return CellStatus.WARNING
    if any(f.inconclusive for f in relevant):
        return CellStatus.INCONCLUSIVE
    if not applicable:
        return CellStatus.NOT_APPLICABLE
    if any(f.code in NOT_DEPLOYED for f in findings):
        return CellStatus.NOT_USED
    return CellStatus.PASS
