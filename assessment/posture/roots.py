"""Findings that share one root cause, so the report shows one card and the grade counts one
problem: fix the root and the symptoms go with it.

The rules are few and named:

- a second MX that bypasses the hosted provider (`MX_BYPASSES_PROVIDER`) is the root of every
  other finding about that host: removing the MX removes them all;
- an incomplete parked-domain kit (null MX, `v=spf1 -all`, DMARC reject) is one fix;
- a provider line that can never match is the root of the coverage gap it leaves;
- otherwise one code on one domain is one problem, whichever hosts it names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from assessment.model import Finding, Severity

BYPASS = "MX_BYPASSES_PROVIDER"
PARKED_KIT = ("PARKED_NO_NULL_MX", "SPF_PARKED_NOT_REJECTING", "DMARC_PARKED_NOT_REJECTING")
DEAD_PATTERN = "MTA_STS_PATTERN_NEVER_MATCHES"
_COVERAGE = ("MTA_STS_MX_NOT_COVERED", "MTA_STS_ENFORCE_MATCHES_NO_MX")


@dataclass(frozen=True)
class FindingGroup:
    """One root cause: the finding to act on, and what it causes."""

    root: Finding
    symptoms: tuple[Finding, ...] = ()

    @property
    def findings(self) -> tuple[Finding, ...]:
        return (self.root, *self.symptoms)

    @property
    def severity(self) -> Severity:
        """The worst severity in the group: the root's fix resolves all of it."""
        return min((f.severity for f in self.findings), key=lambda s: s.rank)

    @property
    def domain(self) -> str:
        return self.root.domain

    @property
    def hosts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.host for f in self.findings if f.host))

    @property
    def counts(self) -> bool:
        """Whether the group counts against the grade: a real problem, not an observation
        or a check that could not be completed."""
        return any(not f.inconclusive and f.severity is not Severity.INFO for f in self.findings)


def _key(finding: Finding) -> tuple[str, str]:
    return (finding.domain, finding.code)


def group_findings(findings: Iterable[Finding]) -> tuple[FindingGroup, ...]:
    """Every finding in exactly one group, in the order of each group's first finding.

    Informational and inconclusive findings are never folded into a real problem.
    """
    items = list(findings)
    real = [f for f in items if not f.inconclusive and f.severity is not Severity.INFO]
    owner: dict[int, int] = {}
    roots: list[Finding] = []

    def adopt(root: Finding, member: Finding) -> None:
        if id(member) in owner:
            return
        if id(root) not in owner:
            owner[id(root)] = len(roots)
            roots.append(root)
        owner[id(member)] = owner[id(root)]

    for bypass in (f for f in real if f.code == BYPASS):
        adopt(bypass, bypass)
        for other in real:
            if other.domain == bypass.domain and other.host == bypass.host:
                adopt(bypass, other)
    for dead in (f for f in real if f.code == DEAD_PATTERN):
        adopt(dead, dead)
        for other in real:
            if other.domain == dead.domain and other.code in _COVERAGE:
                adopt(dead, other)
    by_domain_kit: dict[str, Finding] = {}
    for finding in real:
        if finding.code in PARKED_KIT:
            root = by_domain_kit.setdefault(finding.domain, finding)
            adopt(root, finding)
    first_of_code: dict[tuple[str, str], Finding] = {}
    for finding in items:
        if id(finding) in owner:
            continue
        if finding.inconclusive or finding.severity is Severity.INFO:
            owner[id(finding)] = len(roots)
            roots.append(finding)
            continue
        root = first_of_code.setdefault(_key(finding), finding)
        adopt(root, finding)
    members: dict[int, list[Finding]] = {}
    for finding in items:
        members.setdefault(owner[id(finding)], []).append(finding)
    return tuple(
        FindingGroup(root, tuple(f for f in members[index] if f is not root))
        for index, root in enumerate(roots)
    )
