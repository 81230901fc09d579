"""Questionnaire and framework readiness: what the public evidence shows for each item that
insurers, frameworks and mailbox providers ask about, under a security and a deliverability
lens, plus the checklist of things only the client can confirm.

Pure. The items themselves are data in `assessment.questionnaires`. Every sentence here
describes evidence; none suggests what to write on a signed application.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from assessment.checks.context import DomainContext
from assessment.model import Evidence, Finding
from assessment.planning.detect import StsPhase, detect_state
from assessment.providers import ProviderId, providers_for_hosts
from assessment.questionnaires import (
    CONFIRMATIONS,
    FRAMEWORKS,
    ITEMS,
    Confirmation,
    Framework,
    Lens,
    QuestionItem,
    Rule,
)
from assessment.records.dmarc import DmarcRecord, is_dmarc_record, parse_dmarc
from assessment.records.dmarc_tags import Policy
from assessment.report.sections import (
    AnswerStatus,
    FrameworkView,
    ReadinessItemView,
    ReadinessSection,
)
from assessment.tlsrpt.verdict import ReadinessVerdict

__all__ = [
    "RULES",
    "ConfirmationItem",
    "FrameworkResult",
    "ItemResult",
    "Readiness",
    "assess_readiness",
    "readiness_section",
    "status_label",
]

CISA_RUA = "reports@dmarc.cyber.dhs.gov"
_ORDER = (AnswerStatus.NO, AnswerStatus.PARTIAL, AnswerStatus.CONFIRM, AnswerStatus.YES)
_LABELS = {
    AnswerStatus.YES: "Ready",
    AnswerStatus.PARTIAL: "Partially ready",
    AnswerStatus.NO: "Not ready",
    AnswerStatus.CONFIRM: "Needs your confirmation",
    AnswerStatus.NOT_APPLICABLE: "Not applicable",
}
SPF_BROKEN = frozenset(
    {
        "SPF_MULTIPLE_RECORDS",
        "SPF_INCLUDE_NO_RECORD",
        "SPF_LOOP",
        "SPF_MX_TOO_MANY_NAMES",
        "SPF_REDIRECT_NO_RECORD",
        "SPF_SYNTAX_ERROR",
        "SPF_TOO_MANY_LOOKUPS",
        "SPF_VOID_LOOKUPS",
        "SPF_PASS_ALL",
    }
)
DMARC_BROKEN = frozenset({"DMARC_MULTIPLE_RECORDS", "DMARC_SYNTAX_ERROR", "DMARC_MISSING"})
_DKIM_WEAK_WORDS = {
    "DKIM_KEY_WEAK": "a 1024-bit key",
    "DKIM_KEY_TOO_SHORT": "a key shorter than 1024 bits",
    "DKIM_SHA1_ONLY": "a key limited to SHA-1",
}
DKIM_WEAK = frozenset(_DKIM_WEAK_WORDS)
LEGACY_VERSIONS = frozenset({"SSLv2", "SSLv3", "TLSv1", "TLSv1.1"})
_LEGACY_CIPHER = re.compile(r"RC4|3DES|DES-CBC3|DES_EDE", re.IGNORECASE)


def status_label(status: AnswerStatus) -> str:
    """The readiness category for a status, as the report words it."""
    return _LABELS[status]


@dataclass(frozen=True)
class ItemResult:
    item: QuestionItem
    status: AnswerStatus
    """The verdict under the item's own lens."""
    security_status: AnswerStatus
    deliverability_status: AnswerStatus
    evidence: str
    codes: tuple[str, ...]
    """Finding codes the verdict rests on."""
    observed_at: str
    security_lens: str
    deliverability_lens: str


@dataclass(frozen=True)
class FrameworkResult:
    framework: Framework
    items: tuple[ItemResult, ...]


@dataclass(frozen=True)
class ConfirmationItem:
    confirmation: Confirmation
    seen: str
    """What the evidence does show that relates to it, if anything."""

    @property
    def text(self) -> str:
        c = self.confirmation
        out = f"{c.topic} Asked by: {c.asked_by}. Usual evidence: {c.usual_evidence}"
        return f"{out} What we could see: {self.seen}" if self.seen else out


@dataclass(frozen=True)
class Readiness:
    frameworks: tuple[FrameworkResult, ...]
    confirmations: tuple[ConfirmationItem, ...]
    domains: tuple[str, ...]
    observed_at: str


@dataclass(frozen=True)
class _Answer:
    """One domain's verdict for one rule."""

    security: AnswerStatus
    deliverability: AnswerStatus
    fact: str
    codes: tuple[str, ...] = ()


_NA = AnswerStatus.NOT_APPLICABLE


def _worst(statuses: Sequence[AnswerStatus]) -> AnswerStatus:
    real = [s for s in statuses if s is not _NA]
    if not real:
        return _NA
    return min(real, key=_ORDER.index)


class _Domain:
    """One domain's parsed evidence and its finding codes."""

    def __init__(self, ctx: DomainContext, findings: Sequence[Finding]) -> None:
        self.ctx = ctx
        self.name = ctx.domain
        self.findings = tuple(f for f in findings if f.domain == ctx.domain)
        self.codes = frozenset(f.code for f in self.findings)
        self.mail = ctx.receives_mail and bool(ctx.mx_hosts)
        self.providers = providers_for_hosts(ctx.mx_hosts)

    def hits(self, codes: frozenset[str]) -> tuple[str, ...]:
        return tuple(sorted(self.codes & codes))

    def dmarc(self) -> tuple[DmarcRecord | None, str]:
        """The record that governs the domain and where it was found: its own, or the
        organisational domain's when it has none (RFC 7489 §6.6.3)."""
        if self.ctx.dmarc is not None:
            return self.ctx.dmarc, f"_dmarc.{self.name}"
        if self.ctx.dmarc_records:
            return None, f"_dmarc.{self.name}"
        for lookup in self.ctx.ev.dns:
            if lookup.rdtype != "TXT" or not lookup.name.startswith("_dmarc."):
                continue
            if lookup.name == f"_dmarc.{self.name}":
                continue
            found = [t for t in lookup.answers if is_dmarc_record(t)]
            if len(found) == 1:
                return parse_dmarc(found[0]), lookup.name
        return None, f"_dmarc.{self.name}"


# ----------------------------------------------------------------------------- rules

Y, P, N, C = AnswerStatus.YES, AnswerStatus.PARTIAL, AnswerStatus.NO, AnswerStatus.CONFIRM


def _spf(d: _Domain) -> _Answer:
    broken = d.hits(SPF_BROKEN)
    if not d.ctx.spf_records or "SPF_MISSING" in d.codes:
        return _Answer(N, N, "no SPF record was found", d.hits(frozenset({"SPF_MISSING"})))
    if broken:
        return _Answer(N, N, f"SPF record present but unusable ({', '.join(broken)})", broken)
    record = d.ctx.spf_records[0]
    if "SPF_INCONCLUSIVE" in d.codes:
        return _Answer(C, C, f"SPF `{record}` could not be fully evaluated", ("SPF_INCONCLUSIVE",))
    return _Answer(Y, Y, f"SPF `{record}`", d.hits(frozenset({"SPF_OK"})))


def _spf_hardfail(d: _Domain) -> _Answer:
    base = _spf(d)
    if base.security is not Y:
        return base
    record = d.ctx.spf_records[0]
    match = re.search(r"(?:^|\s)([-~?+]?)all(?:\s|$)", record)
    if match is None:
        if "redirect=" in record:
            return _Answer(C, Y, f"SPF `{record}` ends in a redirect; its target decides", ())
        return _Answer(P, Y, f"SPF `{record}` has no `all` term", ("SPF_NO_ALL",))
    qualifier = match.group(1) or "+"
    if qualifier == "-":
        return _Answer(Y, Y, f"SPF `{record}` ends in -all (hard fail)", base.codes)
    return _Answer(
        P,
        Y,
        f"SPF `{record}` ends in {qualifier}all, not -all",
        d.hits(frozenset({"SPF_SOFTFAIL_ALL", "SPF_NEUTRAL_ALL"})),
    )


def _dkim(d: _Domain) -> _Answer:
    if not d.mail:
        return _Answer(_NA, _NA, "receives no mail; DKIM not assessed")
    keys = [f.detail for f in d.findings if f.code == "DKIM_KEY_OK"]
    weak = d.hits(DKIM_WEAK)
    if keys:
        fact = "DKIM key found: " + " ".join(keys)
        if weak:
            problems = ", ".join(_DKIM_WEAK_WORDS[code] for code in weak)
            return _Answer(P, Y, f"{fact} (weak: {problems})", ("DKIM_KEY_OK", *weak))
        return _Answer(Y, Y, fact, ("DKIM_KEY_OK",))
    tried = ", ".join(d.ctx.ev.dkim_selectors) or "none"
    codes = d.hits(frozenset({"DKIM_NOT_VERIFIED", "DKIM_INCONCLUSIVE", "DKIM_KEY_REVOKED"}))
    # Selectors cannot be listed, so a miss is "not verified", never "absent".
    return _Answer(C, C, f"no DKIM key at the selectors tried ({tried}): not verified", codes)


def _dmarc_base(d: _Domain) -> tuple[_Answer | None, DmarcRecord | None, str]:
    record, where = d.dmarc()
    broken = d.hits(DMARC_BROKEN)
    if "DMARC_INCONCLUSIVE" in d.codes:
        return _Answer(C, C, "DMARC lookup failed", ("DMARC_INCONCLUSIVE",)), None, where
    if record is None or broken:
        fact = f"no usable DMARC record at {where}" + (f" ({', '.join(broken)})" if broken else "")
        return _Answer(N, N, fact, broken), None, where
    return None, record, where


def _effective(d: _Domain, record: DmarcRecord, where: str) -> tuple[Policy, Policy | None]:
    """(policy for the domain, policy for its subdomains)."""
    if where != f"_dmarc.{d.name}":
        inherited = record.sp or record.policy_or_default
        return inherited, inherited
    return record.policy_or_default, record.sp


def _dmarc_present(d: _Domain) -> _Answer:
    failed, record, where = _dmarc_base(d)
    if failed is not None or record is None:
        return failed or _Answer(N, N, "no DMARC record")
    policy, _ = _effective(d, record, where)
    fact = f"DMARC at {where}: `{record.text}`"
    codes = d.hits(frozenset({"DMARC_OK", "DMARC_POLICY_NONE", "DMARC_INHERITED"}))
    if policy is Policy.NONE:
        return _Answer(P, Y, fact + " (p=none: monitoring only)", codes)
    return _Answer(Y, Y, fact, codes)


def _dmarc_level(d: _Domain, bar: Policy) -> _Answer:
    failed, record, where = _dmarc_base(d)
    if failed is not None or record is None:
        return failed or _Answer(N, N, "no DMARC record")
    policy, sub = _effective(d, record, where)
    codes = d.hits(
        frozenset(
            {"DMARC_OK", "DMARC_POLICY_NONE", "DMARC_TESTING", "DMARC_PARTIAL_PCT"}
            | {"DMARC_WEAK_SUBDOMAIN", "DMARC_PARKED_NOT_REJECTING"}
        )
    )
    fact = f"DMARC at {where}: `{record.text}`"
    rank = {Policy.NONE: 0, Policy.QUARANTINE: 1, Policy.REJECT: 2}
    if rank[policy] == 0:
        return _Answer(N, Y, fact + " (p=none: nothing is quarantined or rejected)", codes)
    gaps: list[str] = []
    if rank[policy] < rank[bar]:
        gaps.append(f"p={policy} rather than p={bar}")
    if record.pct is not None and record.pct < 100:
        gaps.append(f"pct={record.pct} applies the policy to part of the mail only")
    if sub is not None and rank[sub] < min(rank[policy], rank[bar]):
        gaps.append(f"sp={sub} leaves subdomains weaker")
    if record.t:
        gaps.append("t=y asks receivers to treat the policy as a test")
    if gaps:
        return _Answer(P, Y, fact + " (" + "; ".join(gaps) + ")", codes)
    return _Answer(Y, Y, fact, codes)


def _dmarc_enforced(d: _Domain) -> _Answer:
    return _dmarc_level(d, Policy.QUARANTINE)


def _dmarc_reject(d: _Domain) -> _Answer:
    return _dmarc_level(d, Policy.REJECT)


def _dmarc_rua(d: _Domain, cisa: bool) -> _Answer:
    failed, record, where = _dmarc_base(d)
    if failed is not None or record is None:
        return failed or _Answer(N, N, "no DMARC record")
    addresses = [u.address for u in record.rua if u.valid]
    if cisa:
        has = CISA_RUA in (a.lower() for a in addresses)
        fact = f"DMARC reports at {where} go to {', '.join(addresses) or 'no address'}"
        return _Answer(Y if has else N, Y, fact)
    if addresses:
        return _Answer(Y, Y, f"DMARC reports go to {', '.join(addresses)}")
    return _Answer(
        P, P, f"DMARC at {where} has no usable rua address", d.hits(frozenset({"DMARC_NO_RUA"}))
    )


def _combine(parts: Sequence[_Answer]) -> _Answer:
    codes: list[str] = []
    for part in parts:
        codes.extend(c for c in part.codes if c not in codes)
    return _Answer(
        _worst([p.security for p in parts]),
        _worst([p.deliverability for p in parts]),
        "; ".join(p.fact for p in parts if p.security is not _NA),
        tuple(codes),
    )


def _anti_spoofing(d: _Domain) -> _Answer:
    return _combine([_spf(d), _dkim(d), _dmarc_enforced(d)])


def _bulk(d: _Domain) -> _Answer:
    if not d.mail:
        return _Answer(_NA, _NA, "receives no mail")
    return _combine([_spf(d), _dkim(d), _dmarc_present(d)])


def _alignment(d: _Domain) -> _Answer:
    if not d.mail:
        return _Answer(_NA, _NA, "receives no mail")
    record, _ = d.dmarc()
    modes = (
        f"DMARC alignment modes adkim={record.adkim or 'r'}, aspf={record.aspf or 'r'}"
        if record is not None
        else "no DMARC record"
    )
    return _Answer(
        C, C, f"alignment shows only in a real message's headers; published: {modes}", ()
    )


def _starttls(d: _Domain) -> _Answer:
    if not d.mail:
        return _Answer(_NA, _NA, "receives no mail")
    bad = [f for f in d.findings if f.code in ("STARTTLS_NOT_OFFERED", "STARTTLS_FAILED")]
    if bad:
        hosts = ", ".join(sorted({f.host or d.name for f in bad}))
        return _Answer(N, P, f"no working STARTTLS on {hosts}", tuple(f.code for f in bad))
    done = [p for p in d.ctx.ev.smtp if p.tls is not None and p.tls.version]
    untested = d.hits(frozenset({"SMTP_NOT_TESTED", "SMTP_REFUSED"}))
    tested_hosts = {p.host for p in done}
    missing = [h for h in d.ctx.mx_hosts if h not in tested_hosts]
    if not done or missing:
        hosts = ", ".join(missing or d.ctx.mx_hosts)
        return _Answer(
            C, C, f"STARTTLS could not be tested on {hosts} from our vantage point", untested
        )
    seen = sorted({f"{p.host} ({p.tls.version})" for p in done if p.tls is not None})
    return _Answer(Y, Y, "STARTTLS works on " + ", ".join(seen), d.hits(frozenset({"TLS_OK"})))


def _inbound_tls(d: _Domain) -> _Answer:
    base = _starttls(d)
    if base.security is not Y:
        return base
    certs = [
        f for f in d.findings if f.code.startswith("TLS_CERT_") and f.code != "TLS_CERT_EXPIRING"
    ]
    state = detect_state(d.ctx, d.findings)
    sts = (
        "MTA-STS enforce makes senders require it"
        if state.phase is StsPhase.ENFORCE
        else "no enforced MTA-STS, so senders may fall back to unencrypted delivery"
    )
    fact = f"{base.fact}; {sts}; only inbound mail to these servers can be observed from outside"
    if certs:
        hosts = ", ".join(sorted({f.host or d.name for f in certs}))
        fact += f"; certificate problems on {hosts}"
    # Outbound TLS and message encryption are invisible from outside: never more than partial.
    return _Answer(P, Y, fact, (*base.codes, *(f.code for f in certs)))


def _legacy_tls(d: _Domain) -> _Answer:
    if not d.mail:
        return _Answer(_NA, _NA, "receives no mail")
    old = [
        p
        for p in d.ctx.ev.smtp
        if p.tls is not None
        and (p.tls.version in LEGACY_VERSIONS or _LEGACY_CIPHER.search(p.tls.cipher or ""))
    ]
    if old:
        seen = ", ".join(
            sorted({f"{p.host} ({p.tls.version}, {p.tls.cipher})" for p in old if p.tls})
        )
        return _Answer(
            N,
            Y,
            f"legacy protocol or cipher negotiated: {seen}",
            d.hits(frozenset({"TLS_OLD_VERSION"})),
        )
    done = sorted(
        {
            f"{p.host} ({p.tls.version}, {p.tls.cipher})"
            for p in d.ctx.ev.smtp
            if p.tls and p.tls.version
        }
    )
    if not done:
        return _Answer(C, C, "no TLS session could be observed")
    return _Answer(
        C,
        Y,
        "negotiated " + ", ".join(done) + "; whether the servers still accept older protocols "
        "when a sender offers only those was not tested",
    )


def _mta_sts(d: _Domain, verdict: ReadinessVerdict | None) -> _Answer:
    if not d.mail:
        return _Answer(_NA, _NA, "receives no mail")
    state = detect_state(d.ctx, d.findings)
    codes = tuple(f.code for f in d.findings if f.code.startswith(("MTA_STS", "TLS_RPT")))
    if state.inconclusive and not d.ctx.sts_records:
        return _Answer(C, C, "MTA-STS could not be checked: " + state.inconclusive[0].detail, codes)
    tlsrpt = (
        "A TLS-RPT record is published." if state.tlsrpt_records else "There is no TLS-RPT record."
    )
    fact = f"{state.phase.label}. {' '.join(state.reasons)} {tlsrpt}"
    if verdict is not None:
        fact += (
            f" The TLS-RPT reports cover {verdict.days_covered} days with "
            f"{verdict.total_failed:,} failed sessions: {verdict.status.label}."
        )
    if state.phase is StsPhase.ENFORCE:
        return _Answer(Y if state.tlsrpt_records else P, Y, fact, codes)
    if state.phase is StsPhase.TESTING:
        return _Answer(P, Y, fact, codes)
    if state.phase is StsPhase.BROKEN_ENFORCE:
        return _Answer(N, N, fact, codes)
    return _Answer(N, Y, fact, codes)


def _filter(d: _Domain) -> _Answer:
    if not d.mail:
        return _Answer(_NA, _NA, "receives no mail")
    hosts = ", ".join(d.ctx.mx_hosts)
    if d.providers:
        names = ", ".join(p.name for p in d.providers)
        fact = (
            f"mail is routed through {names} ({hosts}); the scanning and sandboxing features "
            "in use are not visible from outside"
        )
    else:
        fact = (
            f"the MX hosts ({hosts}) are not a recognised filtering service; a filter added "
            "through an API would not show here"
        )
    return _Answer(C, _NA, fact, d.hits(frozenset({"MX_PROVIDER"})))


def _m365(d: _Domain) -> _Answer:
    if not d.mail:
        return _Answer(_NA, _NA, "receives no mail")
    spf = " ".join(d.ctx.spf_records)
    if any(p.id is ProviderId.MICROSOFT_365 for p in d.providers):
        return _Answer(
            Y, _NA, f"the MX ({', '.join(d.ctx.mx_hosts)}) is Exchange Online", ("MX_PROVIDER",)
        )
    if "spf.protection.outlook.com" in spf:
        return _Answer(Y, _NA, "SPF authorises Microsoft 365 (spf.protection.outlook.com)")
    if d.providers:
        names = ", ".join(p.name for p in d.providers)
        return _Answer(_NA, _NA, f"mail is handled by {names}, not Microsoft 365")
    return _Answer(C, _NA, "no sign of Microsoft 365 in the MX or SPF records")


RULES: Mapping[Rule, Callable[[_Domain, ReadinessVerdict | None], _Answer]] = {
    Rule.SPF_VALID: lambda d, v: _spf(d),
    Rule.SPF_HARDFAIL: lambda d, v: _spf_hardfail(d),
    Rule.DKIM_KEY: lambda d, v: _dkim(d),
    Rule.DMARC_PRESENT: lambda d, v: _dmarc_present(d),
    Rule.DMARC_ENFORCED: lambda d, v: _dmarc_enforced(d),
    Rule.DMARC_REJECT: lambda d, v: _dmarc_reject(d),
    Rule.DMARC_RUA: lambda d, v: _dmarc_rua(d, cisa=False),
    Rule.DMARC_RUA_CISA: lambda d, v: _dmarc_rua(d, cisa=True),
    Rule.ANTI_SPOOFING: lambda d, v: _anti_spoofing(d),
    Rule.BULK_SENDER: lambda d, v: _bulk(d),
    Rule.ALIGNMENT: lambda d, v: _alignment(d),
    Rule.STARTTLS: lambda d, v: _starttls(d),
    Rule.INBOUND_TLS: lambda d, v: _inbound_tls(d),
    Rule.LEGACY_TLS: lambda d, v: _legacy_tls(d),
    Rule.MTA_STS: _mta_sts,
    Rule.FILTER: lambda d, v: _filter(d),
    Rule.M365: lambda d, v: _m365(d),
}


# ----------------------------------------------------------------------------- assembly

_SECURITY_MEANING = {
    Y: "the public records meet this bar.",
    P: "present, but weaker than this instrument and insurers' scanners expect.",
    N: "the public evidence does not show this control in place today.",
    C: "this cannot be proven from outside; your IT provider can confirm it.",
    _NA: "not applicable here.",
}
_DELIVERABILITY_MEANING = {
    Y: "meets what Gmail, Yahoo and Outlook.com ask of senders.",
    P: "mail may be delivered less reliably, or some senders may be affected.",
    N: "mailbox providers may junk or refuse the mail involved.",
    C: "cannot be seen from outside; a test message would show it.",
    _NA: "no effect on getting mail delivered.",
}


def _parked(d: _Domain, answer: _Answer) -> _Answer:
    """A domain that takes no mail sends none either in practice: its records matter for
    spoofing, not for delivery."""
    if d.mail:
        return answer
    return _Answer(answer.security, _NA, answer.fact, answer.codes)


def _evaluate(
    item: QuestionItem,
    domains: Sequence[_Domain],
    verdicts: Mapping[str, ReadinessVerdict],
) -> ItemResult:
    rule = RULES[item.rule]
    answers = [(d, _parked(d, rule(d, verdicts.get(d.name)))) for d in domains]
    relevant = [(d, a) for d, a in answers if a.security is not _NA or a.deliverability is not _NA]
    security = _worst([a.security for _, a in relevant])
    deliverability = _worst([a.deliverability for _, a in relevant])
    codes: list[str] = []
    for _, answer in relevant:
        codes.extend(c for c in answer.codes if c not in codes)
    observed = min((d.ctx.observed_at for d, _ in relevant if d.ctx.observed_at), default="")
    facts = "; ".join(f"{d.name}: {a.fact}" for d, a in relevant) or "no domain it applies to"
    status = security if item.lens is Lens.SECURITY else deliverability
    lead = {
        Y: "Public evidence supports this control",
        P: "Present, but below the bar this item sets",
        N: "The public evidence does not show this control working",
        C: "Not verifiable from outside",
        _NA: "Not applicable",
    }[status]
    evidence = f"{lead}: {facts}."
    if item.federal_only:
        evidence = (
            "Applies only to US federal executive-branch agencies; shown for reference. "
            f"Against its bar the evidence reads {status_label(status).lower()}: {facts}."
        )
        status = _NA
    return ItemResult(
        item=item,
        status=status,
        security_status=security,
        deliverability_status=deliverability,
        evidence=evidence,
        codes=tuple(codes),
        observed_at=observed,
        security_lens=f"{status_label(security)}: {_SECURITY_MEANING[security]}",
        deliverability_lens=(
            f"{status_label(deliverability)}: {_DELIVERABILITY_MEANING[deliverability]}"
        ),
    )


def _confirmation_context(confirmation: Confirmation, domains: Sequence[_Domain]) -> str:
    mail = [d for d in domains if d.mail]
    if confirmation.key == "screening":
        names = sorted({p.name for d in mail for p in d.providers})
        return f"mail is routed through {', '.join(names)}." if names else ""
    if confirmation.key == "dkim-all-senders":
        includes = sorted(
            {m for d in mail for r in d.ctx.spf_records for m in re.findall(r"include:(\S+)", r)}
        )
        if includes:
            return "SPF authorises these services, each of which may send as the domain: " + (
                ", ".join(includes) + "."
            )
        return ""
    if confirmation.key == "dmarc-reports":
        found: list[str] = []
        for d in domains:
            record, _ = d.dmarc()
            if record is not None:
                found.extend(u.address for u in record.rua if u.valid and u.address not in found)
        return f"DMARC reports are addressed to {', '.join(found)}." if found else ""
    if confirmation.key == "mfa" and any(
        p.id is ProviderId.MICROSOFT_365 for d in mail for p in d.providers
    ):
        return (
            "mail is on Microsoft 365, where this is usually Conditional Access or "
            "Security Defaults."
        )
    return ""


def assess_readiness(
    evidence: Evidence,
    findings: Sequence[Finding],
    *,
    verdicts: Mapping[str, ReadinessVerdict] | None = None,
) -> Readiness:
    """Evaluate every questionnaire item against the evidence of all audited domains."""
    domains = [
        _Domain(DomainContext(item, evidence), findings)
        for item in evidence.domains
        if not DomainContext(item, evidence).domain_missing
    ]
    known = {name.lower().rstrip("."): v for name, v in (verdicts or {}).items()}
    frameworks = tuple(
        FrameworkResult(
            framework,
            tuple(_evaluate(i, domains, known) for i in ITEMS if i.framework == framework.key),
        )
        for framework in FRAMEWORKS
    )
    confirmations = tuple(
        ConfirmationItem(c, _confirmation_context(c, domains)) for c in CONFIRMATIONS
    )
    observed = min((d.ctx.observed_at for d in domains if d.ctx.observed_at), default="")
    return Readiness(frameworks, confirmations, tuple(d.name for d in domains), observed)


def readiness_section(readiness: Readiness) -> ReadinessSection:
    """The readiness results in the report's terms."""
    views = tuple(
        FrameworkView(
            f"{result.framework.name} ({result.framework.scope})",
            tuple(
                ReadinessItemView(
                    question=f"{item.item.reference}: {item.item.question}",
                    status=item.status,
                    evidence=item.evidence,
                    observed_at=item.observed_at,
                    security_lens=item.security_lens,
                    deliverability_lens=item.deliverability_lens,
                )
                for item in result.items
            ),
        )
        for result in readiness.frameworks
    )
    return ReadinessSection(views, tuple(c.text for c in readiness.confirmations))
