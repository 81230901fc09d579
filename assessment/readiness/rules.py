"""The readiness rules: what one domain's evidence shows against one item's bar.

Pure: parsed evidence and findings in, a status, one short plain-English fact and the finding
codes it rests on out. A fact states what was observed ("DMARC published, monitoring only
(`p=none`)"), never what to answer. The status follows from the same observation, so they
cannot disagree: a usable record below the bar is PARTLY, NOT_IN_PLACE means no record or one
receivers cannot use, and CONFIRM means the evidence could not show it.

The items that use these rules are data in `readiness/items.py`; `readiness/assembly.py`
combines the per-domain answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from assessment.checks.context import DomainContext
from assessment.checks.dkim import found_keys
from assessment.checks.dmarc import Effective, effective_policy
from assessment.checks.spf import final_record
from assessment.model import Finding
from assessment.planning.detect import StsPhase, detect_state
from assessment.providers import provider_for_host
from assessment.readiness.items import Rule
from assessment.readiness.status import EvidenceStatus, combine
from assessment.records.dkim import DkimKey, KeyType
from assessment.records.dmarc_tags import Policy
from assessment.records.spf import parse_spf
from assessment.records.spf_term import Qualifier
from assessment.records.tlsrpt import parse_tlsrpt_txt
from assessment.tlsrpt.gate import EnforceVerdict

IN, PARTLY, NOT = EvidenceStatus.IN_PLACE, EvidenceStatus.PARTLY, EvidenceStatus.NOT_IN_PLACE
CONFIRM, NA = EvidenceStatus.CONFIRM, EvidenceStatus.NOT_APPLICABLE

CISA_RUA = "reports@dmarc.cyber.dhs.gov"

SPF_BROKEN: Mapping[str, str] = {
    "SPF_MULTIPLE_RECORDS": "two or more SPF records, so receivers use none",
    "SPF_PASS_ALL": "terms that let any server send",
    "SPF_SYNTAX_ERROR": "a syntax error",
    "SPF_TOO_MANY_LOOKUPS": "more than 10 DNS lookups",
    "SPF_VOID_LOOKUPS": "too many lookups that find nothing",
    "SPF_LOOP": "an include loop",
    "SPF_INCLUDE_NO_RECORD": "an include of a name without SPF",
    "SPF_INCLUDE_PERMERROR": "an included record that is broken",
    "SPF_REDIRECT_NO_RECORD": "a redirect to a name without SPF",
    "SPF_MX_TOO_MANY_NAMES": "an `mx` term with more than 10 names",
}
"""Receivers treat these records as a permanent error (RFC 7208 §4.6, §4.9), i.e. no SPF."""
DMARC_BROKEN: Mapping[str, str] = {
    "DMARC_MULTIPLE_RECORDS": "two or more DMARC records, so receivers use none",
    "DMARC_SYNTAX_ERROR": "a record receivers discard",
}
DKIM_WEAK = ("DKIM_KEY_WEAK",)
DKIM_UNUSABLE = (
    "DKIM_KEY_TOO_SHORT",
    "DKIM_SHA1_ONLY",
    "DKIM_KEY_SYNTAX",
    "DKIM_NOT_EMAIL",
    "DKIM_MULTIPLE_RECORDS",
)
HOST_PROBLEMS: Mapping[str, tuple[EvidenceStatus, str]] = {
    "STARTTLS_NOT_OFFERED": (NOT, "offers no STARTTLS"),
    "STARTTLS_FAILED": (NOT, "fails STARTTLS"),
    "TLS_CERT_EXPIRED": (PARTLY, "presents an expired certificate"),
    "TLS_CERT_NAME_MISMATCH": (PARTLY, "presents a certificate for another name"),
    "TLS_CERT_UNTRUSTED": (PARTLY, "presents a certificate no public authority vouches for"),
    "TLS_OLD_VERSION": (PARTLY, "negotiates an old TLS version"),
    "TLS_WEAK_KEY": (PARTLY, "has a weak certificate key"),
    "SMTP_NOT_TESTED": (CONFIRM, "could not be tested from our network"),
    "SMTP_REFUSED": (CONFIRM, "refused our connection"),
    "SMTP_CONNECT_TIMEOUT": (CONFIRM, "did not answer our connection"),
    "SMTP_BAD_BANNER": (CONFIRM, "did not greet us normally"),
}
"""What each per-host finding says about that host's TLS, worst first within a status."""
LEGACY_VERSIONS = frozenset({"SSLv2", "SSLv3"})
LEGACY_CIPHERS = ("RC4", "3DES", "DES-CBC3", "DES_EDE")
_RANK = {Policy.NONE: 0, Policy.QUARANTINE: 1, Policy.REJECT: 2}


class DmarcGate(Protocol):
    """A DMARC aggregate-report verdict for one domain (the p=reject gate). Its `status` is a
    StrEnum or string whose value is "ready", "not-ready" or "insufficient-data"."""

    @property
    def status(self) -> object: ...


@dataclass(frozen=True)
class Answer:
    """One domain's evidence against one item's bar."""

    status: EvidenceStatus
    fact: str
    """One short sentence, ending in a full stop; `code` in backticks."""
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reports:
    """What report analysis adds for one domain, when it was done."""

    tlsrpt: EnforceVerdict | None = None
    dmarc: DmarcGate | None = None


class DomainFacts:
    """One domain's parsed evidence and its findings."""

    def __init__(self, ctx: DomainContext, findings: Sequence[Finding]) -> None:
        self.ctx = ctx
        self.name = ctx.domain
        self.findings = tuple(f for f in findings if f.domain == ctx.domain)
        self.codes = frozenset(f.code for f in self.findings)
        self.mail = bool(ctx.mx_hosts)
        """Has MX hosts, so its mail servers could be probed."""
        mx = ctx.mx_lookup
        self.mx_failed = not self.mail and mx is not None and mx.outcome.inconclusive
        self.parked = not self.mail and not self.mx_failed and not ctx.receives_mail
        """Takes no mail (null MX, or no MX and no address): its records matter for spoofing
        only."""

    def hits(self, *codes: str) -> tuple[str, ...]:
        return tuple(c for c in codes if c in self.codes)

    def on_host(self, host: str) -> list[Finding]:
        return [f for f in self.findings if f.host == host]


def _sentence(text: str) -> str:
    """Capitalised and full-stopped, except that a leading host name keeps its case."""
    text = text.strip()
    first = text.split(" ", 1)[0]
    if "." not in first.rstrip(".:;,") and not first.startswith("`"):
        text = text[:1].upper() + text[1:]
    return text + ("" if text.endswith(".") else ".")


def _and(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _mail_only(d: DomainFacts) -> Answer | None:
    """The answer for a domain whose mail handling cannot be judged, else None."""
    if d.mx_failed:
        return Answer(CONFIRM, "The MX lookup failed, so mail handling was not assessed.")
    if d.parked:
        return Answer(NA, "Receives no mail.")
    if not d.mail:
        return Answer(
            CONFIRM,
            "No MX record: mail would go to the domain's own address, which was not tested.",
        )
    return None


# ----------------------------------------------------------------------------- SPF


def _spf_qualifier(d: DomainFacts) -> Answer | Qualifier | None:
    """A failed answer, or the qualifier of the `all` that decides (None: no `all`)."""
    if d.hits("SPF_INCONCLUSIVE"):
        return Answer(
            CONFIRM, "The SPF lookup failed; SPF was not evaluated.", ("SPF_INCONCLUSIVE",)
        )
    if d.hits("SPF_INCLUDE_INCONCLUSIVE"):
        return Answer(
            CONFIRM,
            "SPF published, but an included record could not be fetched; not fully evaluated.",
            ("SPF_INCLUDE_INCONCLUSIVE",),
        )
    broken = [c for c in SPF_BROKEN if c in d.codes]
    if broken:
        return Answer(
            NOT,
            f"SPF published but unusable: {_and([SPF_BROKEN[c] for c in broken])}.",
            tuple(broken),
        )
    if not d.ctx.spf_records:
        return Answer(NOT, "No SPF record.", d.hits("SPF_MISSING", "SPF_PARKED_NOT_REJECTING"))
    record = final_record(d.ctx, parse_spf(d.ctx.spf_records[0]))
    return record.all_qualifier


_ALL_WORDS = {
    Qualifier.FAIL: "ends in `-all` (hard fail)",
    Qualifier.SOFTFAIL: "ends in `~all` (soft fail)",
    Qualifier.NEUTRAL: "ends in `?all` (neutral: no verdict on other servers)",
}


def _spf_fact(d: DomainFacts, qualifier: Qualifier | None) -> str:
    if qualifier is Qualifier.FAIL and d.parked:
        return "SPF `-all`: no server may send as this domain."
    if qualifier is None:
        return "SPF published, with no `all` term: other servers get no verdict."
    return f"SPF published, {_ALL_WORDS.get(qualifier, 'ends in `+all`')}."


def _spf(d: DomainFacts) -> Answer:
    q = _spf_qualifier(d)
    if isinstance(q, Answer):
        return q
    codes = d.hits("SPF_OK", "SPF_SOFTFAIL_ALL", "SPF_NEUTRAL_ALL", "SPF_NO_ALL")
    # A domain that sends nothing meets the bar only by saying so (ISM-0574 "or lack thereof").
    status = PARTLY if d.parked and q is not Qualifier.FAIL else IN
    return Answer(status, _spf_fact(d, q), codes)


def _spf_hardfail(d: DomainFacts) -> Answer:
    q = _spf_qualifier(d)
    if isinstance(q, Answer):
        return q
    codes = d.hits("SPF_OK", "SPF_SOFTFAIL_ALL", "SPF_NEUTRAL_ALL", "SPF_NO_ALL")
    return Answer(IN if q is Qualifier.FAIL else PARTLY, _spf_fact(d, q), codes)


# ----------------------------------------------------------------------------- DKIM


def _key_flaw(key: DkimKey) -> tuple[str, bool]:
    """(what is wrong with a published key, whether verifiers can still use it)."""
    bits = key.key_bits
    if key.revoked:
        return "revoked", False
    if key.service_types and not {"*", "email"} & set(key.service_types):
        return "not for email", False
    if key.key_type is KeyType.RSA and bits is not None and bits < 1024:
        # Verifiers must not accept RSA keys under 1024 bits (RFC 8301 §3.2).
        return "too short to be used", False
    if key.hash_algs and all(h == "sha1" for h in key.hash_algs):
        # SHA-1 signatures are no longer verified (RFC 8301 §3.1).
        return "SHA-1 only", False
    if not key.usable:
        return "unreadable", False
    if key.key_type is KeyType.RSA and bits is not None and bits < 2048:
        return "weak", True
    return "", True


def _dkim(d: DomainFacts, *, bulk: bool = False) -> Answer:
    """DKIM keys at the selectors tried. A miss is "not verified", never "absent": selectors
    cannot be listed from outside. For the bulk-sender lens a 1024-bit key is enough."""
    if d.parked:
        return Answer(NA, "Receives no mail.")
    codes = d.hits("DKIM_KEY_OK", *DKIM_WEAK, *DKIM_UNUSABLE)
    parts: list[str] = []
    working = weak = broken = 0
    for selector, _, key in found_keys(d.ctx):
        flaw, usable = _key_flaw(key)
        if flaw == "revoked":
            continue
        size = "Ed25519" if key.key_type is KeyType.ED25519 else f"{key.key_bits}-bit"
        detail = ", ".join(w for w in (size if key.key_bits else "", flaw) if w)
        parts.append(f"`{selector}` ({detail})" if detail else f"`{selector}`")
        working += usable
        broken += not usable
        weak += flaw == "weak" and not bulk
    if parts:
        noun = "keys" if len(parts) > 1 else "key"
        status = NOT if not working else PARTLY if weak or broken else IN
        return Answer(status, f"DKIM {noun} at {_and(parts)}.", codes)
    if d.hits("DKIM_INCONCLUSIVE"):
        return Answer(CONFIRM, "The DKIM lookups failed; not verified.", ("DKIM_INCONCLUSIVE",))
    if d.hits("DKIM_MULTIPLE_RECORDS"):
        return Answer(NOT, "Two key records at one selector: verifiers cannot use it.", codes)
    tried = d.ctx.ev.dkim_selectors
    if not tried:
        return Answer(CONFIRM, "No DKIM selector was known, so DKIM was not checked.")
    names = _and([f"`{s}`" for s in tried]) if len(tried) <= 4 else f"{len(tried)} selectors"
    revoked = d.hits("DKIM_KEY_REVOKED", "DKIM_REVOKED_NO_OTHER_KEY")
    lead = "Only revoked DKIM keys" if revoked else "No DKIM key"
    return Answer(
        CONFIRM,
        f"{lead} at the selectors tried ({names}): not verified.",
        d.hits("DKIM_NOT_VERIFIED", "DKIM_KEY_REVOKED", "DKIM_REVOKED_NO_OTHER_KEY"),
    )


# ----------------------------------------------------------------------------- DMARC

_DMARC_CODES = (
    "DMARC_OK",
    "DMARC_POLICY_NONE",
    "DMARC_TESTING",
    "DMARC_PARTIAL_PCT",
    "DMARC_WEAK_SUBDOMAIN",
    "DMARC_PARKED_NOT_REJECTING",
    "DMARC_INHERITED",
)


def _dmarc_record(d: DomainFacts) -> Answer | Effective:
    if d.hits("DMARC_INCONCLUSIVE"):
        return Answer(CONFIRM, "The DMARC lookup failed.", ("DMARC_INCONCLUSIVE",))
    governing = effective_policy(d.ctx)
    broken = [c for c in DMARC_BROKEN if c in d.codes]
    if governing is None or (broken and not governing.inherited):
        if broken:
            why = _and([DMARC_BROKEN[c] for c in broken])
            return Answer(NOT, f"DMARC published but unusable: {why}.", tuple(broken))
        codes = d.hits("DMARC_MISSING", "DMARC_PARKED_NOT_REJECTING", "DOMAIN_SPOOFABLE")
        return Answer(NOT, "No DMARC record.", codes)
    return governing


def _policy_words(eff: Effective) -> str:
    none = eff.policy is Policy.NONE
    words = "monitoring only (`p=none`)" if none else f"`p={eff.policy.value}`"
    if eff.inherited:
        return f"no record of its own; {eff.source.removeprefix('_dmarc.')} applies {words}"
    return words


def _dmarc(d: DomainFacts) -> Answer:
    found = _dmarc_record(d)
    if isinstance(found, Answer):
        return found
    pct = found.record.pct
    share = f" for {pct}% of mail (`pct={pct}`)" if pct is not None and pct < 100 else ""
    words = _policy_words(found)
    fact = f"DMARC published, {words}{share}." if not found.inherited else f"{words}{share}."
    return Answer(IN, _sentence(fact), d.hits(*_DMARC_CODES))


def _dmarc_level(d: DomainFacts, bar: Policy) -> Answer:
    found = _dmarc_record(d)
    if isinstance(found, Answer):
        return found
    codes = d.hits(*_DMARC_CODES)
    record = found.record
    lead = _policy_words(found) if found.inherited else f"DMARC {_policy_words(found)}"
    if found.policy is Policy.NONE:
        return Answer(PARTLY, _sentence(f"{lead}: nothing is quarantined or rejected"), codes)
    gaps: list[str] = []
    if _RANK[found.policy] < _RANK[bar]:
        gaps.append(f"not `p={bar.value}`")
    if record.pct is not None and record.pct < 100:
        gaps.append(f"applied to {record.pct}% of failing mail only (`pct={record.pct}`)")
    sub = record.sp if not found.inherited else None
    if sub is not None and _RANK[sub] < min(_RANK[found.policy], _RANK[bar]):
        gaps.append(f"subdomains weaker (`sp={sub.value}`)")
    if record.t:
        gaps.append("`t=y` asks receivers to treat it as a test")
    fact = lead + (", but " + "; ".join(gaps) if gaps else "")
    return Answer(PARTLY if gaps else IN, _sentence(fact), codes)


def _dmarc_rua(d: DomainFacts, *, cisa: bool) -> Answer:
    found = _dmarc_record(d)
    if isinstance(found, Answer):
        return found
    addresses = [u.address for u in found.record.rua if u.valid]
    if not addresses:
        return Answer(
            PARTLY,
            "DMARC published without a usable report address (`rua`).",
            d.hits("DMARC_NO_RUA"),
        )
    where = _and([f"`{a}`" for a in addresses])
    if cisa and CISA_RUA not in (a.lower() for a in addresses):
        return Answer(PARTLY, f"Aggregate reports go to {where} only.")
    return Answer(IN, f"Aggregate reports go to {where}.")


# ----------------------------------------------------------------------------- parked


def _parked(d: DomainFacts) -> Answer:
    if not d.parked:
        return Answer(NA, "Receives mail.")
    have: list[str] = []
    lack: list[str] = []
    (have if d.ctx.null_mx else lack).append("null MX")
    q = _spf_qualifier(d)
    (have if q is Qualifier.FAIL else lack).append("SPF `-all`")
    found = _dmarc_record(d)
    rejecting = isinstance(found, Effective) and found.policy is Policy.REJECT and found.enforcing
    (have if rejecting else lack).append("DMARC `p=reject`")
    codes = d.hits(
        "NULL_MX_OK",
        "PARKED_NO_NULL_MX",
        "SPF_PARKED_NOT_REJECTING",
        "DMARC_PARKED_NOT_REJECTING",
        "DMARC_MISSING",
    )
    if not lack:
        return Answer(IN, "Null MX, SPF `-all` and DMARC `p=reject` all published.", codes)
    if not have:
        return Answer(NOT, "No null MX, no SPF `-all` and no DMARC `p=reject`.", codes)
    verbs = ["is" if len(part) == 1 else "are" for part in (have, lack)]
    fact = f"{_and(have)} {verbs[0]} published; {_and(lack)} {verbs[1]} missing"
    return Answer(PARTLY, _sentence(fact), codes)


# ----------------------------------------------------------------------------- transport


def _version(text: str | None) -> str:
    return (text or "TLS").replace("TLSv", "TLS ")


def _inbound(d: DomainFacts, *, certificates: bool = True) -> Answer:
    """TLS on every MX host: each host's status from its findings, combined. Without
    `certificates` only STARTTLS itself counts (BOD 18-01's bar)."""
    statuses: list[EvidenceStatus] = []
    issues: list[str] = []
    codes: list[str] = []
    versions: set[str] = set()
    sessions = 0
    for host in d.ctx.mx_hosts:
        found = {f.code for f in d.on_host(host)}
        problems = [
            c
            for c in HOST_PROBLEMS
            if c in found and (certificates or HOST_PROBLEMS[c][0] is not PARTLY)
        ]
        done = [
            p.tls.version
            for p in d.ctx.ev.smtp
            if p.host == host and p.tls and p.tls.version and not p.tls.handshake_error
        ]
        versions.update(_version(v) for v in done)
        sessions += bool(done)
        if problems:
            statuses.append(combine(HOST_PROBLEMS[c][0] for c in problems))
            issues.append(f"{host} {_and([HOST_PROBLEMS[c][1] for c in problems])}")
            codes.extend(problems)
        elif done:
            statuses.append(IN)
            codes.extend(c for c in ("TLS_OK",) if c in found)
        else:
            statuses.append(CONFIRM)
            issues.append(f"{host} was not tested")
    status = combine(statuses)
    total = len(d.ctx.mx_hosts)
    every = "every MX host" if total > 1 else "the MX host"
    version = _and(sorted(versions)) or "TLS"
    if status is IN:
        fact = f"STARTTLS with {version} and a valid certificate on {every}."
        return Answer(IN, fact, tuple(codes))
    if sessions == total:
        lead = [f"STARTTLS with {version} on {every}"]
    elif sessions:
        lead = [f"STARTTLS with {version} on {sessions} of {total} MX hosts"]
    else:
        lead = []
    return Answer(status, _sentence("; ".join(lead + issues)), tuple(codes))


_STS_WORDS = {
    StsPhase.ENFORCE: "MTA-STS enforced: senders that support it never fall back to plain text.",
    StsPhase.TESTING: "MTA-STS in testing mode, not yet enforced.",
    StsPhase.NONE: "No MTA-STS: nothing stops a downgrade to plain text.",
    StsPhase.BROKEN_ENFORCE: "MTA-STS published but broken.",
}


def _transit(d: DomainFacts) -> Answer:
    skip = _mail_only(d)
    if skip is not None:
        return skip
    inbound = _inbound(d)
    phase = detect_state(d.ctx, d.findings).phase
    # Outbound TLS and message encryption cannot be seen from outside: CONFIRM joins in.
    status = combine([inbound.status, CONFIRM])
    fact = f"Inbound: {inbound.fact} {_STS_WORDS[phase]} Outbound: not visible from outside."
    return Answer(status, fact, inbound.codes)


def _starttls(d: DomainFacts) -> Answer:
    skip = _mail_only(d)
    if skip is not None:
        return skip
    return _inbound(d, certificates=False)


def _legacy_tls(d: DomainFacts) -> Answer:
    skip = _mail_only(d)
    if skip is not None:
        return skip
    old = sorted(
        {
            f"{p.host} ({_version(p.tls.version)}, {p.tls.cipher})"
            for p in d.ctx.ev.smtp
            if p.tls
            and (
                p.tls.version in LEGACY_VERSIONS
                or any(c in (p.tls.cipher or "").upper() for c in LEGACY_CIPHERS)
            )
        }
    )
    if old:
        return Answer(
            NOT, f"Legacy protocol or cipher negotiated: {_and(old)}.", d.hits("TLS_OLD_VERSION")
        )
    seen = sorted({_version(p.tls.version) for p in d.ctx.ev.smtp if p.tls and p.tls.version})
    if not seen:
        return Answer(CONFIRM, "No TLS session could be observed.")
    return Answer(
        CONFIRM,
        f"Negotiated {_and(seen)}; whether older protocols are still accepted was not tested.",
    )


def _mta_sts(d: DomainFacts, reports: Reports) -> Answer:
    skip = _mail_only(d)
    if skip is not None:
        return skip
    state = detect_state(d.ctx, d.findings)
    codes = tuple(dict.fromkeys(f.code for f in d.findings if f.code.startswith("MTA_STS")))
    if state.inconclusive and not d.ctx.sts_records:
        return Answer(CONFIRM, "MTA-STS could not be checked: a lookup failed.", codes)
    uncovered = sorted({f.host or "" for f in state.coverage_problems} - {""})
    gap = f"; {_and(uncovered)} not in its `mx` list" if uncovered else ""
    seen = ""
    if reports.tlsrpt is not None:
        v = reports.tlsrpt
        total = v.total_successful + v.total_failed
        seen = (
            f" TLS-RPT reports over {v.days_covered} days: {v.total_failed:,} failed "
            f"of {total:,} sessions."
        )
    if state.phase is StsPhase.ENFORCE:
        if state.tlsrpt_records:
            return Answer(IN, f"MTA-STS enforced, with TLS reporting.{seen}", codes)
        return Answer(PARTLY, f"MTA-STS enforced, but no TLS-RPT record.{seen}", codes)
    if state.phase is StsPhase.TESTING:
        return Answer(PARTLY, f"MTA-STS published in testing mode{gap}.{seen}", codes)
    if state.phase is StsPhase.BROKEN_ENFORCE:
        why = (
            "senders cannot fetch or read the policy"
            if state.hosting_problems
            else "an MX host fails it, so supporting senders refuse to deliver there"
        )
        return Answer(NOT, f"MTA-STS published but broken: {why}.{seen}", codes)
    if d.ctx.sts_records:
        return Answer(NOT, "MTA-STS switched off (`mode: none`).", codes)
    return Answer(NOT, "No MTA-STS record.", codes)


def _tls_rpt(d: DomainFacts) -> Answer:
    skip = _mail_only(d)
    if skip is not None:
        return skip
    codes = d.hits("TLS_RPT_OK", "TLS_RPT_MISSING", "TLS_RPT_MISSING_WITH_POLICY")
    if d.hits("TLS_RPT_INCONCLUSIVE"):
        return Answer(CONFIRM, "The TLS-RPT lookup failed.", ("TLS_RPT_INCONCLUSIVE",))
    records = d.ctx.tlsrpt_records
    if len(records) > 1:
        return Answer(
            NOT,
            "Two or more TLS-RPT records, so senders use none.",
            d.hits("TLS_RPT_MULTIPLE_RECORDS"),
        )
    if not records:
        return Answer(NOT, "No TLS-RPT record.", codes)
    parsed = parse_tlsrpt_txt(records[0])
    if not parsed.valid or not any(u.valid for u in parsed.rua):
        return Answer(NOT, "TLS-RPT record published but unusable.", d.hits("TLS_RPT_SYNTAX"))
    return Answer(IN, "TLS-RPT published.", codes)


DANE_BROKEN: Mapping[str, str] = {
    "DANE_TLSA_MISMATCH": "the TLSA records do not match the certificate",
    "DANE_WITHOUT_STARTTLS": "the MX host offers no STARTTLS",
}
"""DANE senders refuse delivery to a host with these (RFC 7672 §2.2)."""
DANE_WEAK: Mapping[str, str] = {
    "DANE_BAD_PARAMETERS": "some TLSA records use parameters senders ignore",
    "DANE_USAGE_UNUSABLE": "some TLSA records use PKIX usages mail senders ignore",
}


def _dane(d: DomainFacts) -> Answer:
    skip = _mail_only(d)
    if skip is not None:
        return skip
    codes = tuple(
        dict.fromkeys(f.code for f in d.findings if f.code.startswith(("DANE", "DNSSEC")))
    )
    if d.hits("DANE_INCONCLUSIVE"):
        return Answer(CONFIRM, "The TLSA lookups failed.", codes)
    hosts = d.ctx.mx_hosts
    covered = [h for h in hosts if h in d.ctx.dane_hosts]
    if not covered and d.ctx.tlsa_hosts:
        why = (
            "the zone is not DNSSEC-signed"
            if d.hits("DANE_TLSA_INSECURE")
            else "none of a kind mail senders use"
        )
        return Answer(NOT, f"TLSA records published, but {why}, so senders ignore them.", codes)
    if not covered:
        return Answer(NOT, "No DNSSEC-validated TLSA records for the MX hosts.", codes)
    broken = [why for code, why in DANE_BROKEN.items() if code in d.codes]
    if broken:
        fact = f"DANE published, but {_and(broken)}: DANE senders refuse delivery."
        return Answer(NOT, fact, codes)
    weak = [why for code, why in DANE_WEAK.items() if code in d.codes]
    if len(covered) < len(hosts) or weak:
        where = "every MX host" if len(covered) == len(hosts) else _and(covered) + " only"
        return Answer(
            PARTLY, _sentence(f"DANE on {where}" + "".join(f"; {w}" for w in weak)), codes
        )
    return Answer(IN, "DANE on every MX host, DNSSEC-validated.", codes)


# ----------------------------------------------------------------------------- bulk senders


def _bulk_auth(d: DomainFacts) -> Answer:
    if d.parked:
        return Answer(NA, "Receives no mail.")
    spf, dkim = _spf(d), _dkim(d, bulk=True)
    status = combine([spf.status, dkim.status])
    if status is IN:
        return Answer(IN, "SPF and DKIM both published.", (*spf.codes, *dkim.codes))
    return Answer(status, f"{spf.fact} {dkim.fact}", (*spf.codes, *dkim.codes))


def _bulk_dmarc(d: DomainFacts) -> Answer:
    if d.parked:
        return Answer(NA, "Receives no mail.")
    return _dmarc(d)


_GATE = {
    "ready": (IN, "DMARC aggregate reports show every legitimate sender passing aligned."),
    "ready-for-reject": (IN, "DMARC aggregate reports show legitimate mail passing aligned."),
    "ready-for-quarantine": (
        PARTLY,
        "DMARC aggregate reports show nearly all legitimate mail passing aligned.",
    ),
    "not-ready": (PARTLY, "DMARC aggregate reports show legitimate mail failing alignment."),
    "insufficient-data": (CONFIRM, "DMARC aggregate reports cover too little mail to tell yet."),
}


def _alignment(d: DomainFacts, reports: Reports) -> Answer:
    if d.parked:
        return Answer(NA, "Receives no mail.")
    gate = reports.dmarc
    if gate is None:
        return Answer(
            CONFIRM,
            "Shows only in DMARC aggregate reports or a message's headers; no reports were "
            "analysed for this report.",
        )
    value = str(getattr(gate.status, "value", gate.status))
    status, fact = _GATE.get(value, (CONFIRM, "The DMARC report verdict could not be read."))
    return Answer(status, fact)


RULES: Mapping[Rule, Callable[[DomainFacts, Reports], Answer]] = {
    Rule.SPF: lambda d, r: _spf(d),
    Rule.SPF_HARDFAIL: lambda d, r: _spf_hardfail(d),
    Rule.DKIM: lambda d, r: _dkim(d),
    Rule.DMARC: lambda d, r: _dmarc(d),
    Rule.DMARC_ENFORCED: lambda d, r: _dmarc_level(d, Policy.QUARANTINE),
    Rule.DMARC_REJECT: lambda d, r: _dmarc_level(d, Policy.REJECT),
    Rule.DMARC_RUA: lambda d, r: _dmarc_rua(d, cisa=False),
    Rule.DMARC_RUA_CISA: lambda d, r: _dmarc_rua(d, cisa=True),
    Rule.PARKED: lambda d, r: _parked(d),
    Rule.TRANSIT: lambda d, r: _transit(d),
    Rule.STARTTLS: lambda d, r: _starttls(d),
    Rule.LEGACY_TLS: lambda d, r: _legacy_tls(d),
    Rule.MTA_STS: _mta_sts,
    Rule.TLS_RPT: lambda d, r: _tls_rpt(d),
    Rule.DANE: lambda d, r: _dane(d),
    Rule.BULK_AUTH: lambda d, r: _bulk_auth(d),
    Rule.BULK_DMARC: lambda d, r: _bulk_dmarc(d),
    Rule.ALIGNMENT: _alignment,
}


def host_operators(d: DomainFacts) -> tuple[str, ...]:
    """Per MX host, who runs it as far as the host name shows: for the screening checklist."""
    out = []
    for host in d.ctx.mx_hosts:
        provider = provider_for_host(host)
        out.append(
            f"{host} is {provider.name}"
            if provider is not None
            else f"{host} is not a filtering service we recognise"
        )
    return tuple(out)
