"""DNSSEC awareness from the resolver's AD bit (RFC 4035 §3.2.3).

Only meaningful with a validating resolver; the resolver used is in the evidence.
"""

from __future__ import annotations

from assessment.checks import describe
from assessment.checks.context import DomainContext
from assessment.checks.findings import FindingSink
from assessment.model import Outcome

BOGUS_SHOWN = 4
"""Lookups quoted as evidence of a bogus zone; the rest are counted."""


def _bogus(ctx: DomainContext, out: FindingSink) -> bool:
    """A validating resolver withholds the domain's data: say so, once, as what it is."""
    bogus = ctx.bogus_lookups
    if not bogus:
        return False
    reasons = sorted({code for item in bogus for code in item.ede})
    said = f" (the resolver gave {', '.join(reasons)})" if reasons else ""
    names = sorted({item.name for item in bogus})
    shown = ", ".join(names[:BOGUS_SHOWN])
    more = f" and {len(names) - BOGUS_SHOWN} more" if len(names) > BOGUS_SHOWN else ""
    out.add(
        "DNSSEC_BOGUS",
        evidence=[describe.lookup(item) for item in bogus[:BOGUS_SHOWN]],
        count=len(bogus),
        names=shown + more,
        said=said,
    )
    return True


def check(ctx: DomainContext, out: FindingSink) -> None:
    if ctx.domain_missing:
        return
    if _bogus(ctx, out):
        return
    apex = [
        item
        for rdtype in ("SOA", "DNSKEY", "MX", "TXT", "A")
        if (item := ctx.lookup(ctx.domain, rdtype)) is not None
        and item.outcome in (Outcome.OK, Outcome.NODATA)
    ]
    if not apex:
        return
    evidence = [describe.lookup(item) for item in apex[:2]]
    if all(item.ad for item in apex):
        out.add("DNSSEC_SIGNED", evidence=evidence)
        return
    # An AD bit anywhere in the snapshot shows the resolver validates; with none at all, an
    # unsigned zone and a non-validating resolver look the same.
    validates = ctx.facts.any_authenticated
    resolver = (
        "The resolver validates DNSSEC (it authenticated other answers in this assessment), "
        "so the zone is most likely unsigned."
        if validates
        else "No answer in this assessment was authenticated, so either the zone is unsigned "
        "or the resolver used does not validate DNSSEC."
    )
    out.add("DNSSEC_UNSIGNED", evidence=evidence, resolver=resolver)
