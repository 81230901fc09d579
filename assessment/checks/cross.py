"""Findings that need more than one control (checklist section 11)."""

from __future__ import annotations

from assessment.checks import dkim, dmarc, spf
from assessment.checks.context import DomainContext
from assessment.checks.findings import FindingSink
from assessment.records.spf import parse_spf


def _spf_state(ctx: DomainContext) -> tuple[str, bool]:
    """How SPF reads to a receiver, and whether it can pass legitimate mail."""
    if len(ctx.spf_records) != 1:
        return ("absent" if not ctx.spf_records else "broken (several records)"), False
    record = parse_spf(ctx.spf_records[0])
    if not record.valid:
        return "broken (permerror)", False
    record = spf.final_record(ctx, record)
    qualifier = record.all_qualifier
    if qualifier is None and record.redirect is None:
        return "open (no all term)", True
    if qualifier is not None and qualifier.value in ("+", "?"):
        return f"open ({qualifier.value}all)", True
    return "present", True


def check(ctx: DomainContext, out: FindingSink) -> None:
    if ctx.domain_missing:
        return
    lookup = ctx.dmarc_lookup
    if lookup is None or lookup.outcome.inconclusive:
        return
    spf_state, spf_can_pass = _spf_state(ctx)
    if spf_can_pass and out.codes() & spf.SPF_BROKEN:
        spf_state, spf_can_pass = "broken (permerror)", False
    eff = dmarc.effective_policy(ctx)
    enforcing = eff is not None and eff.enforcing
    spf_open = spf_state == "absent" or spf_state.startswith("open")
    if not enforcing and spf_open and ctx.receives_mail:
        dmarc_state = "absent" if eff is None else f"p={eff.policy.value}"
        out.add("DOMAIN_SPOOFABLE", dmarc_state=dmarc_state, spf_state=spf_state)
    if (
        enforcing
        and eff is not None
        and not spf_can_pass
        and not any(key.usable for _, _, key in dkim.found_keys(ctx))
        and ctx.receives_mail
    ):
        out.add("DMARC_ENFORCED_WITHOUT_AUTH", policy=eff.policy.value, spf_state=spf_state)
