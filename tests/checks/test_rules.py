"""Rules over hand-built evidence, for what the sandbox cannot serve: old TLS, weak or expiring
certificates, a matching TLSA record, and DNS failures placed exactly where a rule must not
conclude "missing"."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assessment.checks.catalogue import CATALOGUE
from assessment.checks.registry import check_domain
from assessment.model import (
    Certificate,
    ConnOutcome,
    DnsLookup,
    DomainEvidence,
    Evidence,
    Finding,
    HttpsFetch,
    NetworkProfile,
    Outcome,
    Severity,
    SmtpProbe,
    TlsSession,
)

D = "example.com"
MX = "mx.example.com"
NOW = datetime(2026, 10, 15, 9, 0, tzinfo=UTC)
SPKI = "ab" * 32
DKIM_2048 = (
    (Path(__file__).parents[1] / "fixtures" / "records" / "dkim" / "microsoft365_2048.txt")
    .read_text(encoding="utf-8")
    .strip()
)
POLICY = "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 604800\n"


def ok(name: str, rdtype: str, *answers: str, ad: bool = False) -> DnsLookup:
    return DnsLookup(name, rdtype, Outcome.OK, answers, ttl=300, ad=ad, observed_at=_t(NOW))


def absent(name: str, rdtype: str, outcome: Outcome = Outcome.NXDOMAIN) -> DnsLookup:
    return DnsLookup(name, rdtype, outcome, observed_at=_t(NOW))


def _t(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def cert(
    *,
    days_left: int = 60,
    key_type: str = "EC secp256r1",
    key_bits: int = 256,
    signature_hash: str = "sha256",
    names: tuple[str, ...] = (MX,),
) -> Certificate:
    return Certificate(
        subject=f"CN={names[0]}",
        issuer="CN=Example CA",
        san_dns=names,
        not_before=_t(NOW - timedelta(days=30)),
        not_after=_t(NOW + timedelta(days=days_left)),
        serial="01",
        sha256="cd" * 32,
        spki_sha256=SPKI,
        spki_sha512="ef" * 64,
        key_type=key_type,
        key_bits=key_bits,
        signature_hash=signature_hash,
        self_signed=False,
        pem="",
    )


def probe(leaf: Certificate | None = None, version: str = "TLSv1.3") -> SmtpProbe:
    tls = TlsSession(
        sni=MX,
        version=version,
        cipher="TLS_AES_128_GCM_SHA256",
        chain=(leaf or cert(),),
        verified=True,
    )
    return SmtpProbe(
        host=MX,
        address="93.184.216.34",
        port=25,
        outcome=ConnOutcome.OK,
        banner="220 mx.example.com ESMTP",
        ehlo=("mx.example.com", "STARTTLS"),
        starttls_offered=True,
        starttls_reply="220 2.0.0 Ready",
        tls=tls,
        observed_at=_t(NOW),
    )


def good(**replace: DnsLookup) -> list[DnsLookup]:
    """A domain with every control right; `replace` swaps lookups by `name|TYPE` key."""
    base = [
        ok(D, "MX", f"10 {MX}."),
        ok(D, "TXT", "v=spf1 ip4:192.0.2.0/24 -all"),
        absent(D, "A", Outcome.NODATA),
        ok(MX, "A", "93.184.216.34"),
        absent(MX, "AAAA", Outcome.NODATA),
        absent(MX, "CNAME", Outcome.NODATA),
        absent(f"_25._tcp.{MX}", "TLSA"),
        ok(f"_dmarc.{D}", "TXT", "v=DMARC1; p=reject; rua=mailto:d@example.com"),
        ok(f"_mta-sts.{D}", "TXT", "v=STSv1; id=1"),
        ok(f"mta-sts.{D}", "A", "192.0.2.80"),
        ok(f"_smtp._tls.{D}", "TXT", "v=TLSRPTv1; rua=mailto:t@example.com"),
        ok(f"s1._domainkey.{D}", "TXT", DKIM_2048),
    ]
    index = {f"{item.name}|{item.rdtype}": item for item in base}
    index.update({key.replace("__", "|"): value for key, value in replace.items()})
    return list(index.values())


def evidence(
    dns: list[DnsLookup],
    smtp: tuple[SmtpProbe, ...] | None = None,
    policy: str | None = POLICY,
    domain: str = D,
) -> DomainEvidence:
    fetch = (
        HttpsFetch(
            url=f"https://mta-sts.{domain}/.well-known/mta-sts.txt",
            host=f"mta-sts.{domain}",
            port=443,
            outcome=ConnOutcome.OK,
            status=200,
            content_type="text/plain",
            body=policy,
            body_bytes=len(policy),
        )
        if policy is not None
        else None
    )
    return DomainEvidence(
        domain=domain,
        dns=tuple(dns),
        mta_sts_policy=fetch,
        smtp=(probe(),) if smtp is None else smtp,
        dkim_selectors=("s1",),
        client_selectors=("s1",),
    )


def snapshot(domain: DomainEvidence, *, lab: bool = False) -> Evidence:
    return Evidence("client", _t(NOW), _t(NOW), "", NetworkProfile(lab=lab), (domain,))


def run(domain: DomainEvidence, *, lab: bool = False) -> list[Finding]:
    return check_domain(domain, snapshot(domain, lab=lab))


def codes(findings: list[Finding], *, above_info: bool = True) -> set[str]:
    return {f.code for f in findings if not above_info or f.severity is not Severity.INFO}


def of(findings: list[Finding], code: str) -> Finding:
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, [f.code for f in findings]
    return matching[0]


def test_the_hand_built_baseline_is_clean() -> None:
    found = run(evidence(good()))
    assert codes(found) == set()
    assert {"SPF_OK", "DMARC_OK", "MTA_STS_ENFORCED", "TLS_OK", "TLS_RPT_OK"} <= codes(
        found, above_info=False
    )


# ------------------------------------------------------------------ TLS on the MX


@pytest.mark.parametrize("version", ["TLSv1", "TLSv1.1"])
def test_obsolete_tls_version(version: str) -> None:
    found = run(evidence(good(), smtp=(probe(version=version),)))
    assert codes(found) == {"TLS_OLD_VERSION"}
    assert version in of(found, "TLS_OLD_VERSION").detail
    assert "TLS_OK" not in codes(found, above_info=False)


def test_weak_rsa_key_and_sha1_signature() -> None:
    leaf = cert(key_type="RSA", key_bits=1024, signature_hash="sha1")
    found = run(evidence(good(), smtp=(probe(leaf),)))
    assert codes(found) == {"TLS_WEAK_KEY"}
    assert of(found, "TLS_WEAK_KEY").detail == f"{MX}: RSA key of 1024 bits, sha1 signature."


def test_rsa_2048_is_not_weak() -> None:
    found = run(evidence(good(), smtp=(probe(cert(key_type="RSA", key_bits=2048)),)))
    assert codes(found) == set()


@pytest.mark.parametrize(("days", "severity"), [(10, Severity.MEDIUM), (2, Severity.HIGH)])
def test_expiring_certificate(days: int, severity: Severity) -> None:
    policy = POLICY.replace("604800", "86400")  # max_age one day: the cache outlives no cert
    found = run(evidence(good(), smtp=(probe(cert(days_left=days)),), policy=policy))
    assert codes(found) - {"MTA_STS_MAX_AGE_SHORT"} == {"TLS_CERT_EXPIRING"}
    assert of(found, "TLS_CERT_EXPIRING").severity is severity


def test_certificate_expiring_within_the_policy_cache() -> None:
    found = run(evidence(good(), smtp=(probe(cert(days_left=5)),)))
    assert codes(found) == {"TLS_CERT_EXPIRING", "MTA_STS_CERT_EXPIRES_IN_CACHE"}
    assert "5 days" in of(found, "MTA_STS_CERT_EXPIRES_IN_CACHE").detail


def test_expired_certificate_under_enforce_is_critical() -> None:
    found = run(evidence(good(), smtp=(probe(cert(days_left=-1)),)))
    assert of(found, "TLS_CERT_EXPIRED").severity is Severity.CRITICAL


# ------------------------------------------------------------------ DANE


def _tlsa(*records: str, ad: bool = True) -> dict[str, DnsLookup]:
    return {f"_25._tcp.{MX}__TLSA": ok(f"_25._tcp.{MX}", "TLSA", *records, ad=ad)}


def test_dane_tlsa_matches_the_presented_key() -> None:
    found = run(evidence(good(**_tlsa(f"3 1 1 {SPKI}", f"3 1 1 {'00' * 32}"))))
    assert codes(found) == set()
    assert of(found, "DANE_TLSA_OK").host == MX
    assert "DANE_AND_MTA_STS" in codes(found, above_info=False)


def test_dane_tlsa_mismatch_with_ad_is_critical() -> None:
    found = run(evidence(good(**_tlsa(f"3 1 1 {'00' * 32}", f"3 1 1 {'11' * 32}"))))
    assert codes(found) == {"DANE_TLSA_MISMATCH"}
    assert of(found, "DANE_TLSA_MISMATCH").severity is Severity.CRITICAL


def test_dane_tlsa_without_ad_is_insecure_and_lowered() -> None:
    found = run(evidence(good(**_tlsa(f"3 1 1 {'00' * 32}", f"3 1 1 {'11' * 32}", ad=False))))
    assert codes(found) == {"DANE_TLSA_INSECURE", "DANE_TLSA_MISMATCH"}
    assert of(found, "DANE_TLSA_MISMATCH").severity is Severity.MEDIUM


def test_rrset_order_does_not_change_findings() -> None:
    records = (f"3 1 1 {'00' * 32}", f"3 1 1 {'11' * 32}")
    forward = run(evidence(good(**_tlsa(*records))))
    backward = run(evidence(good(**_tlsa(*reversed(records)))))
    assert forward == backward


# ------------------------------------------------------------------ SPF lookup arithmetic


def test_spf_over_ten_lookups_shows_the_breakdown() -> None:
    includes = [f"_s{n}.example.com" for n in range(1, 5)]
    nested = [ok(f"_s{n}.example.com", "TXT", "v=spf1 a mx -all") for n in range(1, 5)]
    lookups = [
        *nested,
        *(ok(f"_s{n}.example.com", t, a) for n in range(1, 5) for t, a in (("A", "192.0.2.1"),)),
        *(ok(f"_s{n}.example.com", "MX", f"10 {MX}.") for n in range(1, 5)),
    ]
    record = "v=spf1 " + " ".join(f"include:{i}" for i in includes) + " -all"
    found = run(evidence([*good(**{f"{D}__TXT": ok(D, "TXT", record)}), *lookups]))
    assert codes(found) == {"SPF_TOO_MANY_LOOKUPS"}
    detail = of(found, "SPF_TOO_MANY_LOOKUPS").detail
    assert "takes 12 DNS-querying terms" in detail
    assert "include:_s1.example.com = 3" in detail


# ------------------------------------------------------------------ failures are not absence


@pytest.mark.parametrize("outcome", [Outcome.TIMEOUT, Outcome.SERVFAIL, Outcome.REFUSED])
def test_failed_lookups_are_inconclusive_never_missing(outcome: Outcome) -> None:
    failing = {
        f"{D}__TXT": absent(D, "TXT", outcome),
        f"_dmarc.{D}__TXT": absent(f"_dmarc.{D}", "TXT", outcome),
        f"_mta-sts.{D}__TXT": absent(f"_mta-sts.{D}", "TXT", outcome),
        f"_smtp._tls.{D}__TXT": absent(f"_smtp._tls.{D}", "TXT", outcome),
        f"s1._domainkey.{D}__TXT": absent(f"s1._domainkey.{D}", "TXT", outcome),
    }
    found = run(evidence(good(**failing)))
    assert codes(found) == {
        "SPF_INCONCLUSIVE",
        "DMARC_INCONCLUSIVE",
        "MTA_STS_INCONCLUSIVE",
        "TLS_RPT_INCONCLUSIVE",
        "DKIM_INCONCLUSIVE",
    }
    assert all(f.inconclusive for f in found if f.code.endswith("_INCONCLUSIVE"))


def test_failed_mx_lookup_is_inconclusive() -> None:
    found = run(evidence(good(**{f"{D}__MX": absent(D, "MX", Outcome.TIMEOUT)}), smtp=()))
    assert "MX_INCONCLUSIVE" in codes(found)
    assert not {c for c in codes(found) if "MISSING" in c or "PARKED" in c}


def test_org_domain_dmarc_timeout_is_not_missing() -> None:
    sub = "shop.example.com"
    dns = [
        ok(sub, "MX", f"10 {MX}."),
        ok(sub, "TXT", "v=spf1 -all"),
        absent(f"_dmarc.{sub}", "TXT"),
        absent("_dmarc.example.com", "TXT", Outcome.TIMEOUT),
        absent("_dmarc.com", "TXT"),
        ok(MX, "A", "93.184.216.34"),
    ]
    found = run(evidence(dns, policy=None, domain=sub))
    assert "DMARC_MISSING" not in codes(found)


def test_address_timeout_does_not_make_a_domain_parked() -> None:
    dns = good(
        **{
            f"{D}__MX": absent(D, "MX", Outcome.NODATA),
            f"{D}__A": absent(D, "A", Outcome.TIMEOUT),
            f"{D}__TXT": absent(D, "TXT", Outcome.NODATA),
        }
    )
    found = run(evidence(dns, smtp=()))
    assert not {c for c in codes(found) if "PARKED" in c}


# ------------------------------------------------------------------ other rules


def test_loopback_mx_is_private_outside_a_lab_run() -> None:
    dns = good(**{f"{MX}__A": ok(MX, "A", "127.0.0.11")})
    assert "MX_PRIVATE_ADDRESS" in codes(run(evidence(dns)))
    assert "MX_PRIVATE_ADDRESS" not in codes(run(evidence(dns), lab=True))


@pytest.mark.parametrize(
    "records", [("v=STSv1; id=1", "v=STSv1; id=2"), ("v=STSv1; id=bad-id!",)], ids=["two", "bad"]
)
def test_unusable_sts_record_is_not_reported_enforced(records: tuple[str, ...]) -> None:
    found = run(evidence(good(**{f"_mta-sts.{D}__TXT": ok(f"_mta-sts.{D}", "TXT", *records)})))
    assert "MTA_STS_ENFORCED" not in codes(found, above_info=False)


def test_dkim_probes_all_failing_are_inconclusive_not_unverified() -> None:
    # None of the selectors is the client's, and every lookup failed: the resolver, not the
    # client, is the problem, so no verdict about DKIM may be given.
    selectors = ("selector1", "google", "k1")
    failing = {
        f"{s}._domainkey.{D}__TXT": absent(f"{s}._domainkey.{D}", "TXT", Outcome.SERVFAIL)
        for s in selectors
    }
    base = evidence(good(**failing))
    found = run(dataclasses.replace(base, dkim_selectors=selectors, client_selectors=()))
    assert "DKIM_INCONCLUSIVE" in codes(found)
    assert "DKIM_NOT_VERIFIED" not in codes(found, above_info=False)


def test_dkim_not_verified_when_the_selectors_simply_have_no_key() -> None:
    selectors = ("selector1", "google")
    missing = {f"{s}._domainkey.{D}__TXT": absent(f"{s}._domainkey.{D}", "TXT") for s in selectors}
    base = evidence(good(**missing))
    found = run(dataclasses.replace(base, dkim_selectors=selectors, client_selectors=()))
    assert "DKIM_NOT_VERIFIED" in codes(found, above_info=False)
    assert "DKIM_INCONCLUSIVE" not in codes(found, above_info=False)


@pytest.mark.parametrize("text", ["v=STSv1 id=20240101", "v=STSv1 ;id=1", "V=STSV1; id=1"])
def test_near_miss_sts_record_says_why_senders_ignore_it(text: str) -> None:
    dns = good(**{f"_mta-sts.{D}__TXT": ok(f"_mta-sts.{D}", "TXT", text)})
    found = run(evidence(dns))
    syntax = [f for f in found if f.code == "MTA_STS_TXT_SYNTAX"]
    assert syntax and "discarded by senders" in syntax[0].detail
    assert not {"MTA_STS_MISSING", "MTA_STS_POLICY_WITHOUT_TXT", "MTA_STS_ENFORCED"} & codes(
        found, above_info=False
    )


# ------------------------------------------------------- second review: verdict corrections


def test_plus_all_behind_a_redirect_is_found() -> None:
    target = "_spf.example.com"
    dns = good(
        **{
            f"{D}__TXT": ok(D, "TXT", f"v=spf1 redirect={target}"),
            f"{target}__TXT": ok(target, "TXT", "v=spf1 +all"),
            f"_dmarc.{D}__TXT": ok(
                f"_dmarc.{D}", "TXT", "v=DMARC1; p=none; rua=mailto:d@example.com"
            ),
        }
    )
    found = codes(run(evidence(dns)))
    assert {"SPF_PASS_ALL", "DOMAIN_SPOOFABLE"} <= found
    assert "SPF_OK" not in codes(run(evidence(dns)), above_info=False)


def test_revoked_dkim_key_is_not_authentication() -> None:
    dns = good(
        **{
            f"{D}__TXT": ok(D, "TXT", "v=spf1 redirect=gone.example.com"),
            "gone.example.com__TXT": absent("gone.example.com", "TXT"),
            f"s1._domainkey.{D}__TXT": ok(f"s1._domainkey.{D}", "TXT", "v=DKIM1; p="),
        }
    )
    assert {"SPF_REDIRECT_NO_RECORD", "DMARC_ENFORCED_WITHOUT_AUTH"} <= codes(run(evidence(dns)))


REVOKED = "v=DKIM1; k=rsa; p="


def test_revoked_only_key_is_rated_like_no_dkim() -> None:
    dns = good(**{f"s1._domainkey.{D}__TXT": ok(f"s1._domainkey.{D}", "TXT", REVOKED)})
    found = run(evidence(dns))
    finding = of(found, "DKIM_REVOKED_NO_OTHER_KEY")
    assert finding.severity is CATALOGUE["DKIM_NOT_VERIFIED"].severity is Severity.LOW
    assert "DMARC then rests on SPF alone" in finding.why
    assert "DKIM_KEY_REVOKED" not in codes(found, above_info=False)


def test_revoked_key_beside_a_valid_one_is_hygiene() -> None:
    dns = good(**{f"s2._domainkey.{D}__TXT": ok(f"s2._domainkey.{D}", "TXT", REVOKED)})
    base = evidence(dns)
    found = run(dataclasses.replace(base, dkim_selectors=("s1", "s2")))
    assert of(found, "DKIM_KEY_REVOKED").severity is Severity.INFO
    assert "DKIM_REVOKED_NO_OTHER_KEY" not in codes(found, above_info=False)
    assert "DKIM_KEY_OK" in codes(found, above_info=False)


def test_revoked_only_key_of_a_parked_domain_is_hygiene() -> None:
    # A domain that sends no mail revokes its selectors on purpose (parked-domain practice).
    dns = good(
        **{
            f"{D}__MX": ok(D, "MX", "0 ."),
            f"{D}__TXT": ok(D, "TXT", "v=spf1 -all"),
            f"s1._domainkey.{D}__TXT": ok(f"s1._domainkey.{D}", "TXT", REVOKED),
        }
    )
    found = run(evidence(dns, smtp=()))
    assert of(found, "DKIM_KEY_REVOKED").severity is Severity.INFO
    assert "DKIM_REVOKED_NO_OTHER_KEY" not in codes(found, above_info=False)


@pytest.mark.parametrize(
    "policy",
    [
        "mode: enforce\nmx: mx.example.com\nmax_age: 604800\n",
        "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 99999999\n",
    ],
)
def test_invalid_policy_is_neither_enforced_nor_escalating(policy: str) -> None:
    expired = probe(cert(days_left=-3))
    found = run(evidence(good(), smtp=(expired,), policy=policy))
    assert "MTA_STS_ENFORCED" not in codes(found, above_info=False)
    assert of(found, "TLS_CERT_EXPIRED").severity is Severity.HIGH


def test_policy_host_lookup_timeout_is_inconclusive() -> None:
    host = f"mta-sts.{D}"
    dns = good(**{f"{host}__A": absent(host, "A", Outcome.TIMEOUT)})
    domain = evidence(dns)
    fetch = dataclasses.replace(
        domain.mta_sts_policy, outcome=ConnOutcome.DNS_ERROR, status=None, body=None
    )
    found = codes(run(dataclasses.replace(domain, mta_sts_policy=fetch)))
    assert "MTA_STS_POLICY_FETCH_INCONCLUSIVE" in found
    assert "MTA_STS_POLICY_HOST_UNRESOLVABLE" not in found


@pytest.mark.parametrize("outcome", [ConnOutcome.DNS_ERROR, ConnOutcome.ERROR])
def test_probe_that_never_reached_the_server_is_not_tested(outcome: ConnOutcome) -> None:
    failed = dataclasses.replace(
        probe(),
        outcome=outcome,
        banner=None,
        tls=None,
        starttls_offered=None,
        error="resolver timeout",
    )
    found = codes(run(evidence(good(), smtp=(failed,))), above_info=False)
    assert "SMTP_NOT_TESTED" in found and "SMTP_BAD_BANNER" not in found


def test_dane_escalates_only_starttls_on_its_own_host() -> None:
    other = "mx2.example.com"
    dns = good(
        **{
            f"{D}__MX": ok(D, "MX", f"10 {MX}.", f"20 {other}."),
            f"{other}__A": ok(other, "A", "93.184.216.35"),
            f"_25._tcp.{MX}__TLSA": ok(f"_25._tcp.{MX}", "TLSA", f"3 1 1 {SPKI}", ad=True),
        }
    )
    no_tls = dataclasses.replace(probe(), host=other, starttls_offered=False, tls=None)
    self_signed = probe(cert(days_left=-1))
    found = run(evidence(dns, smtp=(self_signed, no_tls), policy=None))
    assert of(found, "STARTTLS_NOT_OFFERED").severity is Severity.HIGH
    assert of(found, "TLS_CERT_EXPIRED").severity is Severity.HIGH


def test_tlsa_over_the_full_certificate_without_pem_does_not_crash() -> None:
    dns = good(
        **{f"_25._tcp.{MX}__TLSA": ok(f"_25._tcp.{MX}", "TLSA", "3 0 2 " + "ab" * 64, ad=True)}
    )
    found = run(evidence(dns))
    assert "DANE_TLSA_MISMATCH" in codes(found)


def test_subdomain_softfail_judged_against_the_inherited_policy() -> None:
    sub = "shop.example.com"
    dns = [
        ok(sub, "MX", f"10 {MX}."),
        ok(sub, "TXT", "v=spf1 ip4:192.0.2.0/24 ~all"),
        absent(f"_dmarc.{sub}", "TXT"),
        ok("_dmarc.example.com", "TXT", "v=DMARC1; p=reject; rua=mailto:d@example.com"),
        ok(MX, "A", "93.184.216.34"),
    ]
    found = codes(run(evidence(dns, domain=sub, policy=None)), above_info=False)
    assert "SPF_SOFTFAIL_ALL" not in found


def test_near_miss_dmarc_record_is_a_syntax_error_not_missing() -> None:
    dns = good(**{f"_dmarc.{D}__TXT": ok(f"_dmarc.{D}", "TXT", "v=dmarc1; p=reject")})
    found = run(evidence(dns))
    assert "DMARC_MISSING" not in codes(found)
    assert "discarded by receivers" in of(found, "DMARC_SYNTAX_ERROR").detail


def _backup_mx(address: str, outcome: ConnOutcome) -> tuple[list[DnsLookup], SmtpProbe]:
    """The domain's two MX: the primary greets (IPv4), `backup` never completes a connect."""
    backup = "backup.example.com"
    record = "AAAA" if ":" in address else "A"
    dns = good(
        **{
            f"{D}__MX": ok(D, "MX", f"10 {MX}.", f"20 {backup}."),
            f"{backup}__{record}": ok(backup, record, address),
        }
    )
    silent = dataclasses.replace(
        probe(),
        host=backup,
        address=address,
        outcome=outcome,
        banner=None,
        ehlo=(),
        starttls_offered=None,
        starttls_reply=None,
        tls=None,
        connect_ms=None,
        error=f"could not reach {address} port 25 from this vantage point",
    )
    return dns, silent


@pytest.mark.parametrize("outcome", [ConnOutcome.TIMEOUT, ConnOutcome.UNREACHABLE])
def test_an_mx_that_never_answers_while_others_greet_is_its_own_problem(
    outcome: ConnOutcome,
) -> None:
    dns, silent = _backup_mx("93.184.216.99", outcome)
    primary = dataclasses.replace(probe(), connect_ms=20.0, greeting_ms=45.0)
    found = run(evidence(dns, smtp=(primary, silent)))
    finding = of(found, "SMTP_CONNECT_TIMEOUT")
    assert finding.severity is Severity.HIGH and finding.host == "backup.example.com"
    assert "1 other MX address in this assessment answered on port 25 over IPv4" in (finding.detail)
    assert "vantage point" not in finding.detail
    assert "SMTP_NOT_TESTED" not in codes(found, above_info=False)


def test_an_ipv6_mx_that_never_answers_proves_nothing_when_only_ipv4_greeted() -> None:
    # A vantage point without IPv6 makes every IPv6 address time out.
    dns, silent = _backup_mx("2001:db8::25", ConnOutcome.TIMEOUT)
    primary = dataclasses.replace(probe(), connect_ms=20.0, greeting_ms=45.0)
    found = run(evidence(dns, smtp=(primary, silent)))
    assert "SMTP_CONNECT_TIMEOUT" not in codes(found)
    assert of(found, "SMTP_NOT_TESTED").host == "backup.example.com"


def test_an_mx_that_never_answers_alone_is_not_judged() -> None:
    dns, silent = _backup_mx("93.184.216.99", ConnOutcome.TIMEOUT)
    found = run(evidence(dns, smtp=(silent,)))
    assert "SMTP_CONNECT_TIMEOUT" not in codes(found)
    assert "SMTP_NOT_TESTED" in codes(found, above_info=False)
