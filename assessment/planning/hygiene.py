"""The one-off steps of the plan: remove an MX that bypasses the provider, publish the
parked-domain records, fix SPF, turn on or strengthen DKIM. Each a single dated change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from assessment.checks.context import DomainContext
from assessment.checks.spf import SPF_BROKEN
from assessment.model import Finding
from assessment.planning.calendar import WorkCalendar
from assessment.planning.steps import Effort, Owner, PlanStep, Record, StepKind, Track
from assessment.posture.roots import BYPASS
from assessment.providers import ProviderId, provider_for_host, providers_for_hosts
from assessment.recommended import NULL_MX, PARKED_DKIM, PARKED_DMARC, PARKED_SPF
from assessment.records.dmarc_tags import Policy

SPF_FIX_FIRST = SPF_BROKEN | {"SPF_PASS_ALL"}
"""SPF problems that make SPF fail or authorise everyone: fixed before any DMARC switch."""
SPF_WEAK = frozenset({"SPF_NEUTRAL_ALL", "SPF_NO_ALL", "SPF_BROAD_RANGE", "SPF_PTR_USED"})


def bypass_hosts(ctx: DomainContext, findings: Sequence[Finding]) -> tuple[str, ...]:
    """MX hosts the plan removes: those that let mail bypass the hosted provider."""
    return tuple(f.host for f in findings if f.code == BYPASS and f.domain == ctx.domain and f.host)


def remove_mx(
    ctx: DomainContext, hosts: Sequence[str], start: date, calendar: WorkCalendar
) -> PlanStep | None:
    if not hosts:
        return None
    keep = [h for h in ctx.mx_hosts if h not in hosts]
    provider = provider_for_host(keep[0]) if keep else None
    via = provider.short if provider else "the remaining MX"
    listed = ", ".join(hosts)
    day = calendar.switch_day(start)
    return PlanStep(
        StepKind.REMOVE_MX,
        f"Remove the MX record for {listed}",
        day,
        calendar.add_working_days(day, 2),
        (
            f"Ask whoever runs {listed} whether anything still depends on it (a mail archive, "
            "a scanner relay); move that to the provider first.",
            f"Delete the MX record for {listed} at the DNS host. Mail then arrives only through "
            f"{via} ({', '.join(keep)}).",
        ),
        track=Track.MX,
        domain=ctx.domain,
        owner=Owner.IT_PROVIDER,
        effort=Effort(30),
        check=f"Re-test with the kit: the MX set of {ctx.domain} is {', '.join(keep)} only.",
        rollback=f"Publish the MX record for {listed} again (same preference as before).",
        switch=True,
        priority=20,
    )


def parked_records(ctx: DomainContext) -> tuple[tuple[Record, ...], tuple[str, ...]]:
    """The parked-domain records still to publish, and those already in place."""
    domain = ctx.domain
    missing: list[Record] = []
    present: list[str] = []
    if ctx.null_mx:
        present.append("null MX")
    else:
        missing.append(Record(domain, "MX", NULL_MX))
    if ctx.spf_records == (PARKED_SPF,):
        present.append("SPF -all")
    else:
        missing.append(Record(domain, "TXT", PARKED_SPF))
    dmarc = ctx.dmarc
    if dmarc is not None and dmarc.p is Policy.REJECT and dmarc.sp in (None, Policy.REJECT):
        present.append("DMARC p=reject")
    else:
        missing.append(Record(f"_dmarc.{domain}", "TXT", PARKED_DMARC))
    if missing:
        # Optional but free: a revoked key at every selector means no signature can verify.
        missing.append(Record(f"*._domainkey.{domain}", "TXT", PARKED_DKIM))
    return tuple(missing), tuple(present)


def _parked_rollback(records: Sequence[Record]) -> str:
    published = [
        f"{r.name} {r.rtype}" for r in records if r.name.startswith(("_dmarc.", "*._domainkey."))
    ]
    if any(r.rtype == "MX" for r in records):
        published.append("the null MX")
    return (
        f"If mail from the domain turns out to be legitimate: delete {' and '.join(published)}, "
        "then follow the DMARC steps for a domain that sends mail."
        if published
        else "Publish the previous SPF record again."
    )


def parked_kit(ctx: DomainContext, start: date, calendar: WorkCalendar) -> PlanStep | None:
    records, present = parked_records(ctx)
    if not records:
        return None
    domain = ctx.domain
    # A switch: if the domain sends mail after all, p=reject blocks it, so it lands on a
    # day someone is there to read the bounces (never a Friday or before a holiday).
    day = calendar.switch_day(start)
    already = f" Already in place: {', '.join(present)}." if present else ""
    return PlanStep(
        StepKind.PARKED_KIT,
        f"Publish the parked-domain records for {domain}",
        day,
        calendar.add_working_days(day, 1),
        (
            "Publish the parked-domain records so that receivers refuse any mail claiming to come "
            f"from {domain}, which receives no mail ({ctx.no_mail_reason})." + already,
            "If the domain does send mail after all (check with whoever registered it), "
            "tell the consultant before publishing: it then follows the DMARC steps instead.",
        ),
        track=Track.PARKED,
        domain=domain,
        owner=Owner.DNS_HOST,
        effort=Effort(15),
        records=records,
        check=f"Re-test with the kit: {domain} shows a null MX, SPF -all and DMARC p=reject.",
        rollback=_parked_rollback(records),
        switch=True,
        priority=10,
    )


def spf_fix(
    ctx: DomainContext, findings: Sequence[Finding], start: date, calendar: WorkCalendar
) -> PlanStep | None:
    """A missing or broken SPF record on a mail domain: fixed before any DMARC switch."""
    mine = [f for f in findings if f.domain == ctx.domain and not f.inconclusive]
    missing = any(f.code == "SPF_MISSING" for f in mine)
    broken = [f for f in mine if f.code in SPF_FIX_FIRST]
    weak = [f for f in mine if f.code in SPF_WEAK]
    if not (missing or broken or weak):
        return None
    records: tuple[Record, ...] = ()
    actions: list[str] = []
    if missing:
        value = suggested_spf(ctx)
        records = (Record(ctx.domain, "TXT", value),)
        actions.append(
            f"Publish the SPF record in spf.zone ({value}) after adding any other service that "
            "sends mail as the domain (newsletter, invoicing, CRM)."
        )
    actions += [f"{f.title}: {f.remediation}" for f in (*broken, *weak)]
    day = calendar.working_day(start)
    return PlanStep(
        StepKind.SPF_FIX,
        f"Fix the SPF record of {ctx.domain}" if not missing else f"Publish SPF for {ctx.domain}",
        day,
        calendar.add_working_days(day, 2),
        tuple(actions),
        track=Track.SPF,
        domain=ctx.domain,
        owner=Owner.IT_PROVIDER,
        effort=Effort(60),
        records=records,
        check=f"Re-test with the kit: the SPF record of {ctx.domain} is valid and ends in -all.",
        rollback="Publish the previous SPF record again.",
        priority=18 if (missing or broken) else 45,
    )


def suggested_spf(ctx: DomainContext) -> str:
    includes = [p.spf_include for p in providers_for_hosts(list(ctx.mx_hosts)) if p.spf_include]
    return "v=spf1 " + " ".join([*includes, "-all"])


def dkim_step(
    ctx: DomainContext, findings: Sequence[Finding], start: date, calendar: WorkCalendar
) -> PlanStep | None:
    mine = [f for f in findings if f.domain == ctx.domain and not f.inconclusive]
    weak = [f for f in mine if f.code in ("DKIM_KEY_WEAK", "DKIM_KEY_TOO_SHORT")]
    missing = any(f.code in ("DKIM_NOT_VERIFIED", "DKIM_REVOKED_NO_OTHER_KEY") for f in mine)
    microsoft = any(p.id is ProviderId.MICROSOFT_365 for p in providers_for_hosts(ctx.mx_hosts))
    google = any(p.id is ProviderId.GOOGLE_WORKSPACE for p in providers_for_hosts(ctx.mx_hosts))
    day = calendar.working_day(start)
    if weak:
        names = ", ".join(dict.fromkeys(f.detail.partition(":")[0] for f in weak))
        how = (
            "In Microsoft 365: Defender portal, Email authentication settings, DKIM, select the "
            "domain and choose Rotate DKIM keys with a 2048-bit key (or in Exchange Online "
            f"PowerShell: Rotate-DkimSigningConfig -Identity {ctx.domain} -KeySize 2048). "
            "Microsoft switches to the other selector and re-keys; repeat once the new key is "
            "active so both selectors hold 2048-bit keys."
            if microsoft
            else "Generate a 2048-bit key in the sending service, publish it under a new "
            "selector, switch signing to it, then revoke the old selector (publish p= empty)."
        )
        return PlanStep(
            StepKind.DKIM_ROTATE,
            f"Replace the 1024-bit DKIM key of {ctx.domain} with a 2048-bit key",
            day,
            calendar.add_working_days(day, 5),
            (f"Weak key(s): {names}.", how),
            track=Track.DKIM,
            domain=ctx.domain,
            owner=Owner.MAIL_ADMIN,
            effort=Effort(30),
            check=f"Re-test with the kit: every published selector of {ctx.domain} holds an RSA "
            "key of at least 2048 bits.",
            rollback="None needed: the previous selector stays published until the rotation "
            "completes.",
            priority=38,
        )
    if missing:
        how = (
            "In Microsoft 365: Defender portal, Email authentication settings, DKIM: publish the "
            "two CNAME records it shows (selector1 and selector2), then enable signing."
            if microsoft
            else "In Google Workspace: Admin console, Apps, Gmail, Authenticate email: generate "
            "a 2048-bit key, publish the TXT record at google._domainkey, then start "
            "authentication."
            if google
            else "In each service that sends as the domain, turn on DKIM signing with the domain "
            "and publish the record it gives."
        )
        return PlanStep(
            StepKind.DKIM_ENABLE,
            f"Turn on DKIM signing for {ctx.domain}",
            day,
            calendar.add_working_days(day, 2),
            (
                "We found no DKIM key at the selectors we tried; if a service already signs, "
                "give the consultant its selector (the s= tag of a sent message's "
                "DKIM-Signature header) instead.",
                how,
            ),
            track=Track.DKIM,
            domain=ctx.domain,
            owner=Owner.MAIL_ADMIN,
            effort=Effort(30),
            check=f"Re-test with the kit: a DKIM key is found for {ctx.domain}.",
            rollback="Turn signing off again in the service.",
            priority=22,
        )
    return None
