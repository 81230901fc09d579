"""MX hygiene and null MX (RFC 5321 §5.1, RFC 2181 §10.3, RFC 7505)."""

from __future__ import annotations

import ipaddress

from assessment.checks import describe
from assessment.checks.context import ABSENT, DomainContext
from assessment.checks.findings import FindingSink
from assessment.model import Outcome
from assessment.providers import (
    bypassed_provider,
    provider_for_host,
    providers_for_hosts,
    who_runs,
)


def _address_kind(text: str, lab: bool) -> str | None:
    """Why an address is unreachable from the internet, or None when it is public."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.is_loopback:
        # The sandbox serves every host on loopback; in a lab run that is the point.
        return None if lab else "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_private or address.is_reserved or address.is_unspecified:
        return "private or reserved range"
    return None


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _null_mx(ctx: DomainContext, out: FindingSink, evidence: list[str]) -> None:
    nulls = [e for e in ctx.mx_entries if e.exchange == ""]
    others = [e for e in ctx.mx_entries if e.exchange]
    for entry in nulls:
        if entry.preference != 0:
            out.add("NULL_MX_BAD_PREFERENCE", evidence=evidence, preference=entry.preference)
    if others:
        out.add(
            "NULL_MX_NOT_ALONE",
            evidence=evidence,
            others=", ".join(f"{e.preference} {e.exchange}" for e in others),
        )
        return
    if all(e.preference == 0 for e in nulls):
        out.add("NULL_MX_OK", evidence=evidence)
    published = [
        label
        for label, present in (
            ("MTA-STS", bool(ctx.sts_records)),
            ("TLS-RPT", bool(ctx.tlsrpt_records)),
        )
        if present
    ]
    if published:
        out.add("NULL_MX_WITH_TRANSPORT_POLICY", evidence=evidence, policies=", ".join(published))


def _hosts(ctx: DomainContext, out: FindingSink, lab: bool) -> None:
    unresolvable = []
    for host in ctx.mx_hosts:
        if _is_ip_literal(host):
            mx_evidence = [describe.lookup(ctx.mx_lookup)] if ctx.mx_lookup else []
            out.add("MX_IP_LITERAL", host=host, evidence=mx_evidence)
            unresolvable.append(host)
            continue
        cname = ctx.lookup(host, "CNAME")
        if cname is not None and cname.outcome is Outcome.OK and cname.answers:
            target = cname.answers[0].lower().rstrip(".")
            out.add("MX_IS_CNAME", host=host, evidence=[describe.lookup(cname)], target=target)
        a, aaaa = ctx.lookup(host, "A"), ctx.lookup(host, "AAAA")
        seen = [item for item in (a, aaaa) if item is not None]
        if seen and all(item.outcome in ABSENT for item in seen):
            out.add(
                "MX_UNRESOLVABLE",
                host=host,
                evidence=[describe.lookup(item) for item in seen],
                a_outcome=a.outcome.value if a else "not asked",
                aaaa_outcome=aaaa.outcome.value if aaaa else "not asked",
            )
            unresolvable.append(host)
            continue
        for item in seen:
            for address in item.answers:
                kind = _address_kind(address, lab)
                if kind is not None:
                    out.add(
                        "MX_PRIVATE_ADDRESS",
                        host=host,
                        evidence=[describe.lookup(item)],
                        address=address,
                        kind=kind,
                    )
    if ctx.mx_hosts and len(unresolvable) == len(ctx.mx_hosts):
        out.add("MX_ALL_UNRESOLVABLE", hosts=", ".join(ctx.mx_hosts))


def check(ctx: DomainContext, out: FindingSink) -> None:
    item = ctx.mx_lookup
    if item is None:
        return
    evidence = [describe.lookup(item)]
    if ctx.domain_missing:
        out.add("DOMAIN_NOT_FOUND", evidence=evidence)
        return
    if item.outcome.inconclusive:
        out.add(
            "MX_INCONCLUSIVE",
            evidence=evidence,
            name=item.name,
            rdtype="MX",
            outcome=item.outcome.value,
        )
        return
    if not ctx.mx_entries:
        failed = ctx.address_inconclusive
        if failed is not None:
            out.add(
                "MX_INCONCLUSIVE",
                evidence=[*evidence, describe.lookup(failed)],
                name=failed.name,
                rdtype=failed.rdtype,
                outcome=failed.outcome.value,
            )
        elif ctx.has_address:
            out.add(
                "MX_MISSING",
                evidence=evidence,
                fallback="; senders will try its web address instead",
            )
        else:
            out.add("PARKED_NO_NULL_MX", evidence=evidence)
        return
    if ctx.null_mx:
        _null_mx(ctx, out, evidence)
        if not ctx.mx_hosts:
            return
    exchanges = [e.exchange for e in ctx.mx_entries if e.exchange]
    for host in sorted(set(exchanges)):
        if exchanges.count(host) > 1:
            out.add("MX_DUPLICATE", host=host, evidence=evidence, count=exchanges.count(host))
    lab = ctx.snapshot is not None and ctx.snapshot.profile.lab
    _hosts(ctx, out, lab)
    for provider in providers_for_hosts(list(ctx.mx_hosts)):
        hosts = [h for h in ctx.mx_hosts if provider_for_host(h) == provider]
        out.add("MX_PROVIDER", evidence=evidence, provider=provider.name, hosts=", ".join(hosts))
    _bypass(ctx, out, evidence)


def _bypass(ctx: DomainContext, out: FindingSink, evidence: list[str]) -> None:
    """MX hosts beside a hosted provider's that mail can take instead of the provider's.

    The front door is a filtering gateway when one is listed (mail straight to the mailbox
    provider would skip it), else the mailbox provider.
    """
    front = bypassed_provider(ctx.mx_hosts)
    if front is None:
        return
    mine = [h for h in ctx.mx_hosts if provider_for_host(h) == front]
    for host in ctx.mx_hosts:
        if provider_for_host(host) != front:
            out.add(
                "MX_BYPASSES_PROVIDER",
                host=host,
                evidence=evidence,
                provider=front.short,
                provider_hosts=", ".join(mine),
                who=who_runs([host]),
            )
