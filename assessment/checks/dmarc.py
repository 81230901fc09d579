"""DMARC (RFC 7489, DMARCbis RFC 9989): discovery, syntax, policy strength, report URIs."""

from __future__ import annotations

from dataclasses import dataclass

from assessment.checks import describe
from assessment.checks.context import DomainContext
from assessment.checks.findings import FindingSink
from assessment.model import DnsLookup, Outcome
from assessment.records.dmarc import DmarcRecord, Policy, PsdFlag, is_dmarc_record, parse_dmarc
from assessment.records.orgdomain import is_public_suffix, organizational_domain, tree_walk
from assessment.records.problem import DmarcCode, ProblemLevel

_STRENGTH = {Policy.NONE: 0, Policy.QUARANTINE: 1, Policy.REJECT: 2}
# URI problems become DMARC_BAD_URI with the address named, not a generic syntax finding.
_URI_CODES = frozenset({DmarcCode.BAD_URI, DmarcCode.URI_NO_SCHEME, DmarcCode.URI_NOT_MAILTO})


@dataclass(frozen=True)
class Effective:
    """The DMARC record that governs the domain and where it was found."""

    record: DmarcRecord
    source: str
    """The `_dmarc.` name the record sits at."""
    inherited: bool

    @property
    def policy(self) -> Policy:
        if self.inherited and self.record.sp is not None:
            return self.record.sp
        return self.record.policy_or_default

    @property
    def enforcing(self) -> bool:
        # pct=0 is the known trick for "enforce nothing" (RFC 7489 §6.3), like t=y in DMARCbis.
        return (
            self.policy is not Policy.NONE
            and self.record.t is not True
            and (self.record.pct is None or self.record.pct > 0)
        )


def _single_record(ctx: DomainContext, name: str) -> DmarcRecord | None:
    records = [t for t in ctx.txt(f"_dmarc.{name}") if is_dmarc_record(t)]
    return parse_dmarc(records[0]) if len(records) == 1 else None


def _near_miss(text: str) -> bool:
    """Meant as DMARC (v=DMARC1 in any case or spacing) though receivers do not select it."""
    return "".join(text.split()).lower().startswith("v=dmarc1") and not is_dmarc_record(text)


def effective_policy(ctx: DomainContext) -> Effective | None:
    """The record a receiver applies: the domain's own, else the organizational domain's."""
    if ctx.dmarc is not None:
        return Effective(ctx.dmarc, f"_dmarc.{ctx.domain}", inherited=False)
    if ctx.dmarc_records:
        return None  # several records at the domain: no policy applies
    org = organizational_domain(ctx.domain)
    if org != ctx.domain:
        record = _single_record(ctx, org)
        if record is not None:
            return Effective(record, f"_dmarc.{org}", inherited=True)
    for name in tree_walk(ctx.domain)[1:]:
        record = _single_record(ctx, name)
        if record is not None:
            return Effective(record, f"_dmarc.{name}", inherited=True)
    return None


def _walk_org_domain(ctx: DomainContext) -> str | None:
    """RFC 9989 §4.10: psd=n marks the org domain, psd=y the level above it, else the
    record with the fewest labels."""
    found: list[tuple[str, DmarcRecord]] = []
    for name in tree_walk(ctx.domain):
        record = _single_record(ctx, name)
        if record is None:
            continue
        if record.psd is PsdFlag.NO:
            return name
        found.append((name, record))
    for name, record in found:
        if record.psd is PsdFlag.YES:
            labels = ctx.domain.split(".")
            depth = len(name.split(".")) + 1
            return ".".join(labels[-depth:]) if depth <= len(labels) else ctx.domain
    return found[-1][0] if found else None


_PROBLEM_CODES = {
    ProblemLevel.ERROR: "DMARC_SYNTAX_ERROR",
    ProblemLevel.WARNING: "DMARC_SYNTAX_WARNING",
    ProblemLevel.INFO: "DMARC_NOTE",
}


def _uris(ctx: DomainContext, out: FindingSink, record: DmarcRecord, evidence: list[str]) -> None:
    org = organizational_domain(ctx.domain)
    for tag, uris in (("rua", record.rua), ("ruf", record.ruf)):
        if len(uris) > 2:
            out.add("DMARC_TOO_MANY_URIS", evidence=evidence, tag=tag, count=len(uris))
        for uri in uris:
            if not uri.valid or uri.scheme != "mailto":
                problem = (
                    "no mailto: scheme"
                    if not uri.scheme
                    else f"scheme {uri.scheme}: is not mailto:"
                    if uri.scheme != "mailto"
                    else "not a valid address"
                )
                out.add("DMARC_BAD_URI", evidence=evidence, uri=uri.raw, tag=tag, problem=problem)
                continue
            if not uri.host or organizational_domain(uri.host) == org:
                continue
            auth_name = f"{ctx.domain}._report._dmarc.{uri.host}"
            item = ctx.lookup(auth_name, "TXT")
            if item is None or item.outcome.inconclusive:
                continue
            if not any(is_dmarc_record(t) for t in item.answers):
                out.add(
                    "DMARC_EXTERNAL_UNAUTHORISED",
                    evidence=[*evidence, describe.lookup(item)],
                    uri=uri.raw,
                    org=org,
                    auth_name=auth_name,
                    outcome=item.outcome.value,
                )
    if not record.rua:
        out.add("DMARC_NO_RUA", evidence=evidence)
    if record.ruf:
        out.add("DMARC_RUF_PRIVACY", evidence=evidence)


def _strength(ctx: DomainContext, out: FindingSink, eff: Effective, evidence: list[str]) -> None:
    record = eff.record
    policy = eff.policy
    if not ctx.receives_mail and policy is not Policy.REJECT:
        out.add(
            "DMARC_PARKED_NOT_REJECTING",
            evidence=evidence,
            reason=ctx.no_mail_reason,
            dmarc_state=f"p={policy.value}",
        )
    elif policy is Policy.NONE:
        pct_note = f", pct={record.pct}" if record.pct is not None else ""
        out.add("DMARC_POLICY_NONE", evidence=evidence, pct_note=pct_note)
    if policy is not Policy.NONE and record.pct is not None and record.pct < 100:
        out.add("DMARC_PARTIAL_PCT", evidence=evidence, policy=policy.value, pct=record.pct)
    if record.t is True:
        out.add("DMARC_TESTING", evidence=evidence)
    if record.sp is not None and _STRENGTH[record.sp] < _STRENGTH[record.policy_or_default]:
        out.add(
            "DMARC_WEAK_SUBDOMAIN",
            evidence=evidence,
            policy=record.policy_or_default.value,
            sp=record.sp.value,
        )
    subdomain_policy = record.sp or record.policy_or_default
    if (
        policy is not Policy.NONE
        and record.np is None
        and subdomain_policy is not Policy.REJECT
        and not eff.inherited
    ):
        out.add("DMARC_NO_NP", evidence=evidence, policy=policy.value)
    if record.psd is PsdFlag.YES and not is_public_suffix(eff.source.removeprefix("_dmarc.")):
        out.add("DMARC_PSD_MISUSE", evidence=evidence, name=eff.source)
    if eff.enforcing and (record.pct is None or record.pct == 100) and ctx.receives_mail:
        out.add("DMARC_OK", evidence=evidence, record=record.text)


def check(ctx: DomainContext, out: FindingSink) -> None:
    lookup = ctx.dmarc_lookup
    if lookup is None or ctx.domain_missing:
        return
    evidence = [describe.lookup(lookup)]
    if lookup.outcome.inconclusive:
        out.add(
            "DMARC_INCONCLUSIVE", evidence=evidence, name=lookup.name, outcome=lookup.outcome.value
        )
        return
    if len(ctx.dmarc_records) > 1:
        out.add(
            "DMARC_MULTIPLE_RECORDS",
            evidence=evidence,
            count=len(ctx.dmarc_records),
            name=lookup.name,
        )
        return
    if ctx.dmarc is not None:
        out.add_problems(
            ctx.dmarc.problems, _PROBLEM_CODES, name=lookup.name, evidence=evidence, skip=_URI_CODES
        )
        if not ctx.dmarc.version_ok:
            return
    near_misses = [t for t in ctx.txt(lookup.name) if _near_miss(t)]
    if not ctx.dmarc_records and near_misses:
        # A record meant as DMARC that receivers discard (e.g. `v=dmarc1`): say why, rather
        # than "no DMARC policy" to a client who can see a record in their DNS.
        parsed = parse_dmarc(near_misses[0])
        problem = next(
            (p.message for p in parsed.problems if p.level is ProblemLevel.ERROR),
            "it does not start with exactly v=DMARC1",
        )
        out.add(
            "DMARC_SYNTAX_ERROR",
            evidence=evidence,
            problem=f'"{near_misses[0]}" is discarded by receivers: {problem}',
            position="1",
            name=lookup.name,
        )
        return
    eff = effective_policy(ctx)
    failed = _failed_parent_lookup(ctx) if eff is None else None
    if failed is not None:
        # The record a receiver would fall back to could not be read: never "missing".
        out.add(
            "DMARC_INCONCLUSIVE",
            evidence=[*evidence, describe.lookup(failed)],
            name=failed.name,
            outcome=failed.outcome.value,
        )
        return
    if eff is None:
        org = organizational_domain(ctx.domain)
        org_note = f" or at the organizational domain _dmarc.{org}" if org != ctx.domain else ""
        if not ctx.receives_mail:
            out.add(
                "DMARC_PARKED_NOT_REJECTING",
                evidence=evidence,
                reason=ctx.no_mail_reason,
                dmarc_state="absent",
            )
        else:
            out.add("DMARC_MISSING", evidence=evidence, org_note=org_note)
        return
    if eff.inherited:
        source = ctx.lookup(eff.source, "TXT")
        if source is not None:
            evidence.append(describe.lookup(source))
        out.add(
            "DMARC_INHERITED",
            evidence=evidence,
            source=eff.source,
            policy_tag="sp" if eff.record.sp is not None else "p",
            policy=eff.policy.value,
        )
    _strength(ctx, out, eff, evidence)
    if not eff.inherited:
        _uris(ctx, out, eff.record, evidence)
    psl_org = organizational_domain(ctx.domain)
    walk_org = _walk_org_domain(ctx)
    if walk_org is not None and walk_org != psl_org and _has_walk_evidence(ctx):
        out.add(
            "DMARC_ORG_DOMAIN_DIVERGENCE", evidence=evidence, psl_org=psl_org, walk_org=walk_org
        )


def _failed_parent_lookup(ctx: DomainContext) -> DnsLookup | None:
    """A failed `_dmarc` lookup at the organizational domain or between it and the domain.

    Names above the organizational domain (public suffixes) only matter for PSD DMARC, which
    no small business publishes; a failure there is not a reason to withhold a verdict.
    """
    org = organizational_domain(ctx.domain)
    for name in tree_walk(ctx.domain)[1:]:
        if name != org and not name.endswith("." + org):
            continue
        item = ctx.lookup(f"_dmarc.{name}", "TXT")
        if item is not None and item.outcome.inconclusive:
            return item
    return None


def _has_walk_evidence(ctx: DomainContext) -> bool:
    return all(
        (item := ctx.lookup(f"_dmarc.{name}", "TXT")) is not None
        and item.outcome in (Outcome.OK, Outcome.NXDOMAIN, Outcome.NODATA)
        for name in tree_walk(ctx.domain)
    )
