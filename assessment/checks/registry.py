"""The ordered list of checks and the entry point that runs them over an evidence snapshot."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from assessment.checks import (
    cross,
    dane,
    describe,
    dkim,
    dmarc,
    dnssec,
    hygiene,
    mtasts,
    mx,
    spf,
    starttls,
    tlsrpt_record,
)
from assessment.checks.context import DomainContext, SnapshotFacts
from assessment.checks.findings import FindingSink
from assessment.codec import from_json, to_json
from assessment.model import DomainEvidence, Evidence, Finding

Check = Callable[[DomainContext, FindingSink], None]

# Order matters only where a check reads earlier findings (cross reads SPF's).
CHECKS: tuple[Check, ...] = (
    mx.check,
    spf.check,
    dkim.check,
    dmarc.check,
    mtasts.check,
    tlsrpt_record.check,
    starttls.check,
    dane.check,
    dnssec.check,
    hygiene.check,
    cross.check,
)


def check_domain(
    domain: DomainEvidence, snapshot: Evidence | None = None, facts: SnapshotFacts | None = None
) -> list[Finding]:
    ctx = DomainContext(domain, snapshot, facts)
    sink = FindingSink(domain.domain)
    for check in CHECKS:
        check(ctx, sink)
    return _unique(_explained_by_dnssec(ctx, sink.items))


def _explained_by_dnssec(ctx: DomainContext, items: list[Finding]) -> list[Finding]:
    """Drop inconclusive findings resting on lookups that DNSSEC_BOGUS already explains.

    A zone with broken DNSSEC fails every lookup through a validating resolver; one critical
    finding that says why beats a generic "could not be checked" for every control.
    """
    bogus = {describe.lookup(item) for item in ctx.bogus_lookups}
    if not bogus:
        return items
    return [
        f
        for f in items
        if not (f.inconclusive and f.evidence and any(e in bogus for e in f.evidence))
    ]


def _unique(items: list[Finding]) -> list[Finding]:
    seen: set[Finding] = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def run_checks(evidence: Evidence) -> tuple[Finding, ...]:
    """Every finding for every domain, in a stable order (severity, domain, code, host)."""
    facts = SnapshotFacts(evidence)
    findings = [f for domain in evidence.domains for f in check_domain(domain, evidence, facts)]
    return tuple(sorted(findings, key=lambda f: f.sort_key))


def findings_to_json(findings: Sequence[Finding]) -> str:
    return json.dumps([to_json(f) for f in findings], indent=2, ensure_ascii=False) + "\n"


def findings_from_json(text: str) -> tuple[Finding, ...]:
    """The inverse of `findings_to_json`; ValueError for anything else."""
    data = json.loads(text)
    if not isinstance(data, list):
        raise ValueError("expected a JSON array of findings")
    return tuple(from_json(Finding, item) for item in data)
