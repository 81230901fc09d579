"""DNSSEC awareness from the resolver's AD bit (RFC 4035 §3.2.3).

Only meaningful with a validating resolver; the resolver used is in the evidence.
"""

from __future__ import annotations

from assessment.checks import describe
from assessment.checks.context import DomainContext
from assessment.checks.findings import FindingSink
from assessment.model import Outcome


def check(ctx: DomainContext, out: FindingSink) -> None:
    if ctx.domain_missing:
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
    validates = ctx.snapshot is not None and any(
        item.ad for domain in ctx.snapshot.domains for item in domain.dns
    )
    resolver = (
        "The resolver validates DNSSEC (it authenticated other answers in this assessment), "
        "so the zone is most likely unsigned."
        if validates
        else "No answer in this assessment was authenticated, so either the zone is unsigned "
        "or the resolver used does not validate DNSSEC."
    )
    out.add("DNSSEC_UNSIGNED", evidence=evidence, resolver=resolver)
