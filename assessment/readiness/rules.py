"""The questionnaire rules: how one domain's evidence answers each kind of item.

Pure: evidence and findings in, a status per lens and a plain-English fact out. The items
that use these rules are data in `readiness/items.py`; `readiness/assembly.py`
combines the per-domain answers into the report's readiness notes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from assessment.checks.context import DomainContext
from assessment.checks.dmarc import effective_policy
from assessment.model import Finding
from assessment.planning.detect import StsPhase, detect_state
from assessment.providers import ProviderId, providers_for_hosts
from assessment.readiness.items import AnswerStatus, Rule
from assessment.records.dmarc import DmarcRecord
from assessment.records.dmarc_tags import Policy
from assessment.tlsrpt.gate import EnforceVerdict

_ORDER = (AnswerStatus.NO, AnswerStatus.PARTIAL, AnswerStatus.CONFIRM, AnswerStatus.YES)

CISA_RUA = "reports@dmarc.cyber.dhs.gov"
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


@dataclass(frozen=True)
class Answer:
    """One domain's verdict for one rule."""

    security: AnswerStatus
    deliverability: AnswerStatus
    fact: str
    codes: tuple[str, ...] = ()


_NA = AnswerStatus.NOT_APPLICABLE


def worst(statuses: Sequence[AnswerStatus]) -> AnswerStatus:
    real = [s for s in statuses if s is not _NA]
    if not real:
        return _NA
    return min(real, key=_ORDER.index)


class DomainFacts:
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
        organisational domain's when it has none (RFC 7489 §6.6.3), as the checks read it."""
        governing = effective_policy(self.ctx)
        if governing is None:
            return None, f"_dmarc.{self.name}"
        return governing.record, governing.source


# ----------------------------------------------------------------------------- rules

Y, P, N, C = AnswerStatus.YES, AnswerStatus.PARTIAL, AnswerStatus.NO, AnswerStatus.CONFIRM


def _spf(d: DomainFacts) -> Answer:
    broken = d.hits(SPF_BROKEN)
    if not d.ctx.spf_records or "SPF_MISSING" in d.codes:
        return Answer(N, N, "no SPF record was found", d.hits(frozenset({"SPF_MISSING"})))
    if broken:
        return Answer(N, N, f"SPF record present but unusable ({', '.join(broken)})", broken)
    record = d.ctx.spf_records[0]
    if "SPF_INCONCLUSIVE" in d.codes:
        return Answer(C, C, f"SPF `{record}` could not be fully evaluated", ("SPF_INCONCLUSIVE",))
    return Answer(Y, Y, f"SPF `{record}`", d.hits(frozenset({"SPF_OK"})))


def _spf_hardfail(d: DomainFacts) -> Answer:
    base = _spf(d)
    if base.security is not Y:
        return base
    record = d.ctx.spf_records[0]
    match = re.search(r"(?:^|\s)([-~?+]?)all(?:\s|$)", record)
    if match is None:
        if "redirect=" in record:
            return Answer(C, Y, f"SPF `{record}` ends in a redirect; its target decides", ())
        return Answer(P, Y, f"SPF `{record}` has no `all` term", ("SPF_NO_ALL",))
    qualifier = match.group(1) or "+"
    if qualifier == "-":
        return Answer(Y, Y, f"SPF `{record}` ends in -all (hard fail)", base.codes)
    return Answer(
        P,
        Y,
        f"SPF `{record}` ends in {qualifier}all, not -all",
        d.hits(frozenset({"SPF_SOFTFAIL_ALL", "SPF_NEUTRAL_ALL"})),
    )


def _dkim(d: DomainFacts) -> Answer:
    if not d.mail:
        return Answer(_NA, _NA, "receives no mail; DKIM not assessed")
    keys = [f.detail for f in d.findings if f.code == "DKIM_KEY_OK"]
    weak = d.hits(DKIM_WEAK)
    if keys:
        fact = "DKIM key found: " + " ".join(keys)
        if weak:
            problems = ", ".join(_DKIM_WEAK_WORDS[code] for code in weak)
            return Answer(P, Y, f"{fact} (weak: {problems})", ("DKIM_KEY_OK", *weak))
        return Answer(Y, Y, fact, ("DKIM_KEY_OK",))
    tried = ", ".join(d.ctx.ev.dkim_selectors) or "none"
    codes = d.hits(frozenset({"DKIM_NOT_VERIFIED", "DKIM_INCONCLUSIVE", "DKIM_KEY_REVOKED"}))
    # Selectors cannot be listed, so a miss is "not verified", never "absent".
    return Answer(C, C, f"no DKIM key at the selectors tried ({tried}): not verified", codes)


def _dmarc_base(d: DomainFacts) -> tuple[Answer | None, DmarcRecord | None, str]:
    record, where = d.dmarc()
    broken = d.hits(DMARC_BROKEN)
    if "DMARC_INCONCLUSIVE" in d.codes:
        return Answer(C, C, "DMARC lookup failed", ("DMARC_INCONCLUSIVE",)), None, where
    if record is None or broken:
        fact = f"no usable DMARC record at {where}" + (f" ({', '.join(broken)})" if broken else "")
        return Answer(N, N, fact, broken), None, where
    return None, record, where


def _effective(d: DomainFacts, record: DmarcRecord, where: str) -> tuple[Policy, Policy | None]:
    """(policy for the domain, policy for its subdomains)."""
    if where != f"_dmarc.{d.name}":
        inherited = record.sp or record.policy_or_default
        return inherited, inherited
    return record.policy_or_default, record.sp


def _dmarc_present(d: DomainFacts) -> Answer:
    failed, record, where = _dmarc_base(d)
    if failed is not None or record is None:
        return failed or Answer(N, N, "no DMARC record")
    policy, _ = _effective(d, record, where)
    fact = f"DMARC at {where}: `{record.text}`"
    codes = d.hits(frozenset({"DMARC_OK", "DMARC_POLICY_NONE", "DMARC_INHERITED"}))
    if policy is Policy.NONE:
        return Answer(P, Y, fact + " (p=none: monitoring only)", codes)
    return Answer(Y, Y, fact, codes)


def _dmarc_level(d: DomainFacts, bar: Policy) -> Answer:
    failed, record, where = _dmarc_base(d)
    if failed is not None or record is None:
        return failed or Answer(N, N, "no DMARC record")
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
        return Answer(N, Y, fact + " (p=none: nothing is quarantined or rejected)", codes)
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
        return Answer(P, Y, fact + " (" + "; ".join(gaps) + ")", codes)
    return Answer(Y, Y, fact, codes)


def _dmarc_enforced(d: DomainFacts) -> Answer:
    return _dmarc_level(d, Policy.QUARANTINE)


def _dmarc_reject(d: DomainFacts) -> Answer:
    return _dmarc_level(d, Policy.REJECT)


def _dmarc_rua(d: DomainFacts, cisa: bool) -> Answer:
    failed, record, where = _dmarc_base(d)
    if failed is not None or record is None:
        return failed or Answer(N, N, "no DMARC record")
    addresses = [u.address for u in record.rua if u.valid]
    if cisa:
        has = CISA_RUA in (a.lower() for a in addresses)
        fact = f"DMARC reports at {where} go to {', '.join(addresses) or 'no address'}"
        return Answer(Y if has else N, Y, fact)
    if addresses:
        return Answer(Y, Y, f"DMARC reports go to {', '.join(addresses)}")
    return Answer(
        P, P, f"DMARC at {where} has no usable rua address", d.hits(frozenset({"DMARC_NO_RUA"}))
    )


def _combine(parts: Sequence[Answer]) -> Answer:
    codes: list[str] = []
    for part in parts:
        codes.extend(c for c in part.codes if c not in codes)
    return Answer(
        worst([p.security for p in parts]),
        worst([p.deliverability for p in parts]),
        "; ".join(p.fact for p in parts if p.security is not _NA),
        tuple(codes),
    )


def _anti_spoofing(d: DomainFacts) -> Answer:
    return _combine([_spf(d), _dkim(d), _dmarc_enforced(d)])


def _bulk(d: DomainFacts) -> Answer:
    if not d.mail:
        return Answer(_NA, _NA, "receives no mail")
    return _combine([_spf(d), _dkim(d), _dmarc_present(d)])


def _alignment(d: DomainFacts) -> Answer:
    if not d.mail:
        return Answer(_NA, _NA, "receives no mail")
    record, _ = d.dmarc()
    modes = (
        f"DMARC alignment modes adkim={record.adkim or 'r'}, aspf={record.aspf or 'r'}"
        if record is not None
        else "no DMARC record"
    )
    return Answer(C, C, f"alignment shows only in a real message's headers; published: {modes}", ())


def _starttls(d: DomainFacts) -> Answer:
    if not d.mail:
        return Answer(_NA, _NA, "receives no mail")
    bad = [f for f in d.findings if f.code in ("STARTTLS_NOT_OFFERED", "STARTTLS_FAILED")]
    if bad:
        hosts = ", ".join(sorted({f.host or d.name for f in bad}))
        return Answer(N, P, f"no working STARTTLS on {hosts}", tuple(f.code for f in bad))
    done = [p for p in d.ctx.ev.smtp if p.tls is not None and p.tls.version]
    untested = d.hits(frozenset({"SMTP_NOT_TESTED", "SMTP_REFUSED"}))
    tested_hosts = {p.host for p in done}
    missing = [h for h in d.ctx.mx_hosts if h not in tested_hosts]
    if not done or missing:
        hosts = ", ".join(missing or d.ctx.mx_hosts)
        return Answer(
            C, C, f"STARTTLS could not be tested on {hosts} from our vantage point", untested
        )
    seen = sorted({f"{p.host} ({p.tls.version})" for p in done if p.tls is not None})
    return Answer(Y, Y, "STARTTLS works on " + ", ".join(seen), d.hits(frozenset({"TLS_OK"})))


def _inbound_tls(d: DomainFacts) -> Answer:
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
    return Answer(P, Y, fact, (*base.codes, *(f.code for f in certs)))


def _legacy_tls(d: DomainFacts) -> Answer:
    if not d.mail:
        return Answer(_NA, _NA, "receives no mail")
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
        return Answer(
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
        return Answer(C, C, "no TLS session could be observed")
    return Answer(
        C,
        Y,
        "negotiated " + ", ".join(done) + "; whether the servers still accept older protocols "
        "when a sender offers only those was not tested",
    )


def _mta_sts(d: DomainFacts, verdict: EnforceVerdict | None) -> Answer:
    if not d.mail:
        return Answer(_NA, _NA, "receives no mail")
    state = detect_state(d.ctx, d.findings)
    codes = tuple(f.code for f in d.findings if f.code.startswith(("MTA_STS", "TLS_RPT")))
    if state.inconclusive and not d.ctx.sts_records:
        return Answer(C, C, "MTA-STS could not be checked: " + state.inconclusive[0].detail, codes)
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
        return Answer(Y if state.tlsrpt_records else P, Y, fact, codes)
    if state.phase is StsPhase.TESTING:
        return Answer(P, Y, fact, codes)
    if state.phase is StsPhase.BROKEN_ENFORCE:
        return Answer(N, N, fact, codes)
    return Answer(N, Y, fact, codes)


def _filter(d: DomainFacts) -> Answer:
    if not d.mail:
        return Answer(_NA, _NA, "receives no mail")
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
    return Answer(C, _NA, fact, d.hits(frozenset({"MX_PROVIDER"})))


def _m365(d: DomainFacts) -> Answer:
    if not d.mail:
        return Answer(_NA, _NA, "receives no mail")
    spf = " ".join(d.ctx.spf_records)
    if any(p.id is ProviderId.MICROSOFT_365 for p in d.providers):
        return Answer(
            Y, _NA, f"the MX ({', '.join(d.ctx.mx_hosts)}) is Exchange Online", ("MX_PROVIDER",)
        )
    if "spf.protection.outlook.com" in spf:
        return Answer(Y, _NA, "SPF authorises Microsoft 365 (spf.protection.outlook.com)")
    if d.providers:
        names = ", ".join(p.name for p in d.providers)
        return Answer(_NA, _NA, f"mail is handled by {names}, not Microsoft 365")
    return Answer(C, _NA, "no sign of Microsoft 365 in the MX or SPF records")


RULES: Mapping[Rule, Callable[[DomainFacts, EnforceVerdict | None], Answer]] = {
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
