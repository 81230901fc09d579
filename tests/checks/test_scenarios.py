"""Every finding code DNS, HTTPS or SMTP can trigger, triggered through the whole pipeline.

The checks scenario (tests/fixtures/checks_scenario) has one domain per code or per small natural
group; `EXPECTED` says which codes each must yield. Non-info codes are compared exactly, so a
domain that grows an extra warning fails as loudly as one that loses its finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assessment.checks.catalogue import CATALOGUE
from assessment.checks.registry import (
    findings_to_json,
    run_checks,
)
from assessment.gather import gather, load_evidence, save_evidence
from assessment.model import Evidence, Finding, Severity
from assessment.pipeline import load_findings, save_findings
from checks.conftest import Assessed

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


@dataclass(frozen=True)
class Expect:
    codes: frozenset[str] = frozenset()
    """Exactly the non-info codes the domain yields."""
    info: frozenset[str] = frozenset()
    """Info codes that must be present (others may be)."""
    severity: dict[str, Severity] = field(default_factory=dict)
    """Severity a code must carry where a check raises or lowers the default."""
    bug: str | None = None
    """Known defect in assessment/checks: the case is kept, marked strict xfail."""


def e(*codes: str, info: tuple[str, ...] = (), bug: str | None = None, **sev: Severity) -> Expect:
    return Expect(frozenset(codes), frozenset(info), dict(sev), bug)


# The baseline (ok.test) yields these info codes; most domains keep them.
BASELINE_INFO = ("SPF_OK", "DKIM_KEY_OK", "DMARC_OK", "MTA_STS_ENFORCED", "TLS_RPT_OK", "TLS_OK")
STS_NOMATCH = ("MTA_STS_ENFORCE_MATCHES_NO_MX", "MTA_STS_STALE_PATTERN")

EXPECTED: dict[str, Expect] = {
    "ok.test": e(info=(*BASELINE_INFO, "DNSSEC_UNSIGNED", "DANE_NOT_DEPLOYED")),
    # SPF
    "spf-missing.test": e("SPF_MISSING"),
    "spf-multi.test": e("SPF_MULTIPLE_RECORDS"),
    "spf-plusall.test": e("SPF_PASS_ALL"),
    "spf-ip0.test": e("SPF_PASS_ALL"),
    "spf-neutral.test": e("SPF_NEUTRAL_ALL"),
    "spf-softfail.test": e("SPF_SOFTFAIL_ALL", "DMARC_POLICY_NONE"),
    "spf-softfail-enforced.test": e(info=("SPF_OK",)),
    "spf-noall.test": e("SPF_NO_ALL"),
    "spf-lookups.test": e("SPF_TOO_MANY_LOOKUPS"),
    "spf-near.test": e("SPF_NEAR_LOOKUP_LIMIT"),
    "spf-void.test": e("SPF_VOID_LOOKUPS"),
    "spf-loop.test": e("SPF_LOOP"),
    "spf-include-missing.test": e("SPF_INCLUDE_NO_RECORD"),
    "spf-include-broken.test": e("SPF_INCLUDE_PERMERROR"),
    "spf-redirect-missing.test": e("SPF_REDIRECT_NO_RECORD"),
    "spf-include-servfail.test": e("SPF_INCLUDE_INCONCLUSIVE"),
    "spf-syntax.test": e("SPF_SYNTAX_ERROR"),
    "spf-warning.test": e("SPF_SYNTAX_WARNING"),
    "spf-note.test": e(info=("SPF_NOTE", "SPF_OK")),
    "spf-broad.test": e("SPF_BROAD_RANGE"),
    "spf-mx-many.test": e("SPF_MX_TOO_MANY_NAMES"),
    "spf-ptr.test": e("SPF_PTR_USED"),
    "spf-redirect-all.test": e("SPF_REDIRECT_WITH_ALL"),
    "spf-after-all.test": e("SPF_TERMS_AFTER_ALL"),
    "spf-long.test": e("SPF_RECORD_LONG"),
    "spf-macros.test": e(info=("SPF_MACROS",)),
    # parked and null MX
    "parked.test": e("PARKED_NO_NULL_MX", "SPF_PARKED_NOT_REJECTING", "DMARC_PARKED_NOT_REJECTING"),
    "parked-weak.test": e(
        "SPF_PARKED_NOT_REJECTING", "DMARC_PARKED_NOT_REJECTING", info=("NULL_MX_OK",)
    ),
    "nullmx.test": e(info=("NULL_MX_OK", "SPF_OK")),
    "nullmx-bad-pref.test": e("NULL_MX_BAD_PREFERENCE"),
    "nullmx-mixed.test": e("NULL_MX_NOT_ALONE"),
    "nullmx-policy.test": e("NULL_MX_WITH_TRANSPORT_POLICY", info=("NULL_MX_OK",)),
    # MX
    "nosuch.test": e("DOMAIN_NOT_FOUND"),
    "mx-missing.test": e("MX_MISSING"),
    "mx-cname.test": e("MX_IS_CNAME", info=("TLS_OK",)),
    "mx-unresolvable.test": e("MX_UNRESOLVABLE"),
    "mx-all-unresolvable.test": e("MX_UNRESOLVABLE", "MX_ALL_UNRESOLVABLE"),
    "mx-iplit.test": e("MX_IP_LITERAL", "MTA_STS_MX_NOT_COVERED"),
    "mx-private.test": e("MX_PRIVATE_ADDRESS", info=("SMTP_OUTSIDE_LAB",)),
    "mx-dup.test": e("MX_DUPLICATE"),
    "mx-provider.test": e(info=("MX_PROVIDER", "DANE_NOT_DEPLOYED")),
    "mx-bypass.test": e("MX_BYPASSES_PROVIDER", info=("MX_PROVIDER",)),
    "sts-dead-pattern.test": e(
        "MTA_STS_PATTERN_NEVER_MATCHES", MTA_STS_PATTERN_NEVER_MATCHES=M, info=("MX_PROVIDER",)
    ),
    # inconclusive DNS: never *_MISSING
    "servfail-all.test": e(
        "MX_INCONCLUSIVE",
        "SPF_INCONCLUSIVE",
        "DMARC_INCONCLUSIVE",
        "MTA_STS_INCONCLUSIVE",
        "TLS_RPT_INCONCLUSIVE",
        "DKIM_INCONCLUSIVE",
    ),
    "partial-servfail.test": e(
        "DMARC_INCONCLUSIVE", "MTA_STS_INCONCLUSIVE", "TLS_RPT_INCONCLUSIVE", "DKIM_INCONCLUSIVE"
    ),
    # Broken DNSSEC: one critical finding that says so, not a lookup failure per control.
    "dnssec-bogus.test": e("DNSSEC_BOGUS"),
    "dnssec-nokey.test": e("DNSSEC_BOGUS"),
    # DKIM
    "dkim-weak.test": e("DKIM_KEY_WEAK"),
    "dkim-short.test": e("DKIM_KEY_TOO_SHORT"),
    "dkim-long.test": e("DKIM_KEY_TOO_LONG"),
    "dkim-testing.test": e("DKIM_TESTING"),
    "dkim-multi.test": e("DKIM_MULTIPLE_RECORDS"),
    "dkim-sha1.test": e("DKIM_SHA1_ONLY"),
    "dkim-notemail.test": e("DKIM_NOT_EMAIL"),
    "dkim-syntax.test": e("DKIM_KEY_SYNTAX"),
    # The only key found is revoked: rated as no DKIM (DKIM_NOT_VERIFIED's severity).
    "dkim-revoked.test": e("DKIM_REVOKED_NO_OTHER_KEY", DKIM_REVOKED_NO_OTHER_KEY=L),
    # Another selector has a valid key: the revoked one is a retired selector (hygiene).
    "dkim-revoked-other.test": e(info=("DKIM_KEY_REVOKED", "DKIM_KEY_OK")),
    "dkim-note.test": e(info=("DKIM_KEY_NOTE", "DKIM_KEY_OK")),
    "dkim-none.test": e("DKIM_NOT_VERIFIED"),
    # DMARC
    "dmarc-missing.test": e("DMARC_MISSING"),
    "spoofable.test": e("SPF_MISSING", "DMARC_MISSING", "DOMAIN_SPOOFABLE"),
    "spoofable-neutral.test": e("SPF_NEUTRAL_ALL", "DMARC_POLICY_NONE", "DOMAIN_SPOOFABLE"),
    "dmarc-none.test": e("DMARC_POLICY_NONE"),
    "dmarc-multi.test": e("DMARC_MULTIPLE_RECORDS"),
    "dmarc-ext-rua.test": e("DMARC_EXTERNAL_UNAUTHORISED"),
    "dmarc-ext-ok.test": e(info=("DMARC_OK",)),
    "dmarc-weak-sp.test": e("DMARC_WEAK_SUBDOMAIN"),
    "dmarc-no-np.test": e("DMARC_NO_NP"),
    "dmarc-pct.test": e("DMARC_PARTIAL_PCT", info=("DMARC_NOTE",)),
    "dmarc-testing.test": e("DMARC_TESTING"),
    "dmarc-psd.test": e("DMARC_PSD_MISUSE"),
    "dmarc-no-rua.test": e("DMARC_NO_RUA"),
    "dmarc-bad-uri.test": e("DMARC_BAD_URI"),
    "dmarc-many-uris.test": e("DMARC_TOO_MANY_URIS"),
    "dmarc-ruf.test": e(info=("DMARC_RUF_PRIVACY",)),
    "dmarc-syntax.test": e("DMARC_SYNTAX_ERROR"),
    "dmarc-warning.test": e("DMARC_SYNTAX_WARNING"),
    "dmarc-note.test": e(info=("DMARC_NOTE",)),
    "dmarc-noauth.test": e("SPF_MISSING", "DKIM_NOT_VERIFIED", "DMARC_ENFORCED_WITHOUT_AUTH"),
    "dmarc-at-apex.test": e("DNS_POLICY_AT_WRONG_NAME", "DMARC_MISSING"),
    "sub.inherit.test": e(info=("DMARC_INHERITED", "DMARC_OK")),
    "a.b.divergence.test": e("DMARC_ORG_DOMAIN_DIVERGENCE", info=("DMARC_INHERITED",)),
    # MTA-STS
    "sts-none.test": e("MTA_STS_MISSING"),
    "sts-policy-without-txt.test": e("MTA_STS_POLICY_WITHOUT_TXT"),
    "sts-multi.test": e("MTA_STS_MULTIPLE_RECORDS"),
    "sts-badid.test": e("MTA_STS_TXT_SYNTAX"),
    "sts-txt-note.test": e(info=("MTA_STS_TXT_NOTE", "MTA_STS_ENFORCED")),
    "sts-enforce-nomatch.test": e(*STS_NOMATCH),
    "sts-uncovered.test": e("MTA_STS_MX_NOT_COVERED", MTA_STS_MX_NOT_COVERED=C),
    "sts-uncovered-testing.test": e(
        "MTA_STS_MX_NOT_COVERED", "MTA_STS_MODE_TESTING", MTA_STS_MX_NOT_COVERED=M
    ),
    # docs/architecture.md: `*.` matches exactly one left-most label; anchored on full names.
    "neg-sibling.test": e(*STS_NOMATCH),
    "neg-deep.test": e(*STS_NOMATCH),
    "neg-apex.test": e(*STS_NOMATCH),
    "neg-suffix.test": e(*STS_NOMATCH),
    "wild-ok.test": e(info=("MTA_STS_ENFORCED", "TLS_OK")),
    "sts-mode-none.test": e("MTA_STS_MODE_NONE"),
    "sts-testing.test": e("MTA_STS_MODE_TESTING"),
    "sts-testing-long.test": e("MTA_STS_MODE_TESTING", "MTA_STS_MAX_AGE_LONG_TESTING"),
    "sts-testing-no-rpt.test": e(
        "MTA_STS_MODE_TESTING", "MTA_STS_TESTING_WITHOUT_TLSRPT", "TLS_RPT_MISSING_WITH_POLICY"
    ),
    "sts-maxage-short.test": e("MTA_STS_MAX_AGE_SHORT"),
    "sts-syntax.test": e("MTA_STS_POLICY_SYNTAX"),
    "sts-warning.test": e("MTA_STS_POLICY_WARNING"),
    "sts-html.test": e("MTA_STS_POLICY_NOT_A_POLICY"),
    "sts-empty.test": e("MTA_STS_POLICY_NOT_A_POLICY"),
    "sts-host-missing.test": e("MTA_STS_POLICY_HOST_UNRESOLVABLE"),
    "sts-host-outside.test": e(info=("MTA_STS_POLICY_OUTSIDE_LAB",)),
    "sts-redirect.test": e("MTA_STS_POLICY_REDIRECT"),
    "sts-ctype.test": e("MTA_STS_POLICY_CONTENT_TYPE"),
    "sts-big.test": e("MTA_STS_POLICY_TOO_LARGE"),
    "sts-404.test": e("MTA_STS_POLICY_HTTP_STATUS"),
    "sts-500.test": e("MTA_STS_POLICY_HTTP_STATUS"),
    "sts-tlsfail.test": e("MTA_STS_POLICY_FETCH_FAILED"),
    "sts-slow.test": e("MTA_STS_POLICY_FETCH_INCONCLUSIVE"),
    "sts-trickle.test": e("MTA_STS_POLICY_FETCH_INCONCLUSIVE"),
    "sts-cert-expired.test": e("MTA_STS_POLICY_CERT_INVALID"),
    "sts-cert-wronghost.test": e("MTA_STS_POLICY_CERT_INVALID"),
    "sts-cert-untrusted.test": e("MTA_STS_POLICY_CERT_INVALID"),
    "sts-cert-selfsigned.test": e("MTA_STS_POLICY_CERT_INVALID"),
    "sts-wildcert.test": e(info=("TLS_OK",)),
    "sts-certnames.test": e("TLS_CERT_NAME_MISMATCH", TLS_CERT_NAME_MISMATCH=C),
    # TLS-RPT and DNS hygiene
    "rpt-missing.test": e("TLS_RPT_MISSING_WITH_POLICY"),
    "rpt-none.test": e("MTA_STS_MISSING", "TLS_RPT_MISSING"),
    "rpt-multi.test": e("TLS_RPT_MULTIPLE_RECORDS"),
    "rpt-bad.test": e("TLS_RPT_SYNTAX"),
    "rpt-several.test": e("TLS_RPT_SEVERAL_RUA"),
    "rpt-note.test": e(info=("TLS_RPT_NOTE", "TLS_RPT_OK")),
    "rpt-wrongname.test": e("TLS_RPT_WRONG_NAME", "TLS_RPT_MISSING_WITH_POLICY"),
    "unrelated-txt.test": e("DNS_UNRELATED_TXT"),
    # SMTP and TLS under an enforced MTA-STS policy: certificate problems turn critical
    "smtp-nostarttls.test": e("STARTTLS_NOT_OFFERED", STARTTLS_NOT_OFFERED=C),
    "smtp-starttls-refused.test": e("STARTTLS_FAILED", STARTTLS_FAILED=C),
    "smtp-tlsfail.test": e("STARTTLS_FAILED", STARTTLS_FAILED=C),
    "smtp-banner.test": e("SMTP_BAD_BANNER"),
    "smtp-hangup.test": e("SMTP_BAD_BANNER"),
    # Other MX hosts of this run greet at once: a stall is the host's, not the network's.
    "smtp-slow.test": e("SMTP_GREETING_TIMEOUT"),
    "smtp-silent.test": e("SMTP_GREETING_TIMEOUT"),
    "smtp-greet-slow.test": e("SMTP_GREETING_SLOW", info=("TLS_OK",)),
    "smtp-closed.test": e("SMTP_REFUSED"),
    "smtp-drop.test": e("SMTP_CONNECT_TIMEOUT"),
    "tls-expired.test": e("TLS_CERT_EXPIRED", TLS_CERT_EXPIRED=C),
    "tls-expiring.test": e("TLS_CERT_EXPIRING", "MTA_STS_CERT_EXPIRES_IN_CACHE"),
    "tls-weak.test": e("TLS_WEAK_KEY", "TLS_CERT_UNTRUSTED", TLS_CERT_UNTRUSTED=C),
    "tls-untrusted.test": e("TLS_CERT_UNTRUSTED", TLS_CERT_UNTRUSTED=C),
    "tls-selfsigned.test": e("TLS_CERT_UNTRUSTED", TLS_CERT_UNTRUSTED=C),
    # DANE: the sandbox's keys are made per run, so no TLSA record can match (see test_rules)
    "dane-mismatch.test": e(
        "DANE_TLSA_MISMATCH", info=("DANE_AND_MTA_STS", "DNSSEC_SIGNED"), DANE_TLSA_MISMATCH=C
    ),
    "dane-insecure.test": e(
        "DANE_TLSA_INSECURE", "DANE_TLSA_MISMATCH", info=("DNSSEC_UNSIGNED",), DANE_TLSA_MISMATCH=M
    ),
    "dane-usage.test": e("DANE_USAGE_UNUSABLE"),
    "dane-badparam.test": e("DANE_BAD_PARAMETERS"),
    "dane-fullcert.test": e("DANE_FULL_CERT_SELECTOR", "DANE_TLSA_MISMATCH"),
    "dane-single.test": e("DANE_SINGLE_RECORD", "DANE_TLSA_MISMATCH", DANE_SINGLE_RECORD=L),
    "dane-nostarttls.test": e(
        "STARTTLS_NOT_OFFERED", "DANE_WITHOUT_STARTTLS", STARTTLS_NOT_OFFERED=C
    ),
    "dane-servfail.test": e("DANE_INCONCLUSIVE"),
}

UNTESTABLE_MD = Path(__file__).with_name("UNTESTABLE.md")


def _cases() -> list[object]:
    return [
        pytest.param(domain, expect, id=domain)
        if expect.bug is None
        else pytest.param(
            domain, expect, id=domain, marks=pytest.mark.xfail(strict=True, reason=expect.bug)
        )
        for domain, expect in EXPECTED.items()
    ]


def untestable_codes() -> dict[str, str]:
    """`- `CODE`: reason` lines of UNTESTABLE.md."""
    found = re.findall(r"^- `([A-Z0-9_]+)`: (.+)$", UNTESTABLE_MD.read_text(), re.MULTILINE)
    return dict(found)


def test_every_scenario_domain_has_an_expectation(assessed: Assessed) -> None:
    assert set(assessed.sandbox.domains) == set(EXPECTED)
    assert [d.domain for d in assessed.evidence.domains] == list(assessed.sandbox.domains)


@pytest.mark.parametrize(("domain", "expect"), _cases())
def test_domain_yields_exactly_the_expected_codes(
    assessed: Assessed, domain: str, expect: Expect
) -> None:
    findings = assessed.of(domain)
    shown = sorted(f"{f.code}:{f.severity.value}" for f in findings)
    above_info = {f.code for f in findings if f.severity is not Severity.INFO}
    assert above_info == expect.codes, shown
    assert expect.info <= {f.code for f in findings}, shown
    for code, severity in expect.severity.items():
        assert {f.severity for f in findings if f.code == code} == {severity}, shown


def test_fully_correct_domain_yields_nothing_above_low(assessed: Assessed) -> None:
    for domain in ("ok.test", "nullmx.test", "wild-ok.test", "sub.inherit.test"):
        worst = [f for f in assessed.of(domain) if f.severity.rank < Severity.LOW.rank]
        assert worst == [], domain
    assert {f.severity for f in assessed.of("ok.test")} == {Severity.INFO}


def test_inconclusive_lookups_never_read_as_missing(assessed: Assessed) -> None:
    for domain in ("servfail-all.test", "partial-servfail.test"):
        codes = {f.code for f in assessed.of(domain)}
        assert not {c for c in codes if c.endswith("_MISSING") or "PARKED" in c}, codes
        assert "DOMAIN_SPOOFABLE" not in codes
        assert all(f.inconclusive for f in assessed.of(domain) if f.code.endswith("INCONCLUSIVE"))


# Judged across the run: alone, no MX greets in time, so the vantage point is in doubt.
ALONE: dict[str, Expect] = {
    "smtp-slow.test": e(info=("SMTP_NOT_TESTED",)),
    "smtp-silent.test": e(info=("SMTP_NOT_TESTED",)),
    "smtp-drop.test": e(info=("SMTP_NOT_TESTED",)),
    # Nothing greeted faster to compare with: a slow greeting alone says nothing.
    "smtp-greet-slow.test": e(info=("TLS_OK",)),
}


@pytest.fixture(scope="module")
def alone(assessed: Assessed) -> dict[str, tuple[Finding, ...]]:
    """Each ALONE domain gathered in a run of its own."""
    found = {}
    for domain in ALONE:
        evidence = gather("alone", [domain], assessed.profile, assessed.sandbox.dkim_selectors)
        found[domain] = run_checks(evidence)
    return found


@pytest.mark.parametrize(("domain", "expect"), list(ALONE.items()), ids=list(ALONE))
def test_a_run_where_no_mx_greets_reads_as_the_vantage_point(
    alone: dict[str, tuple[Finding, ...]], domain: str, expect: Expect
) -> None:
    findings = alone[domain]
    shown = sorted(f"{f.code}:{f.severity.value}" for f in findings)
    assert {f.code for f in findings if f.severity is not Severity.INFO} == expect.codes, shown
    assert expect.info <= {f.code for f in findings}, shown
    judged = {"SMTP_GREETING_TIMEOUT", "SMTP_GREETING_SLOW", "SMTP_CONNECT_TIMEOUT"}
    assert not judged & {f.code for f in findings}


def test_greeting_findings_quote_what_was_measured(assessed: Assessed) -> None:
    (stall,) = [f for f in assessed.of("smtp-silent.test") if f.code == "SMTP_GREETING_TIMEOUT"]
    assert "sent no greeting within 5 s" in stall.detail, stall.detail
    assert re.search(r"\d+ other MX address(es)? in this assessment greeted within", stall.detail)
    (silence,) = [f for f in assessed.of("smtp-drop.test") if f.code == "SMTP_CONNECT_TIMEOUT"]
    assert "no answer to the connection within" in silence.detail, silence.detail
    assert "answered on port" in silence.detail and "over IPv4" in silence.detail
    assert "vantage point" not in silence.detail
    (slow,) = [f for f in assessed.of("smtp-greet-slow.test") if f.code == "SMTP_GREETING_SLOW"]
    assert re.search(r"greeting 3\.\d s after the connection", slow.detail), slow.detail
    (trickle,) = [
        f for f in assessed.of("sts-trickle.test") if f.code == "MTA_STS_POLICY_FETCH_INCONCLUSIVE"
    ]
    assert re.search(r"\d+ bytes received in the \d+\.\d s after the request", trickle.detail), (
        trickle.detail
    )
    assert "stopped by the 5 s limit" in trickle.detail
    (bogus,) = [f for f in assessed.of("dnssec-nokey.test") if f.code == "DNSSEC_BOGUS"]
    assert "EDE 9 (DNSKEY_MISSING)" in bogus.detail, bogus.detail
    assert bogus.title == "DNSSEC is broken: validating senders cannot deliver to you"


def test_every_catalogue_code_is_triggered_or_explained(
    assessed: Assessed, alone: dict[str, tuple[Finding, ...]]
) -> None:
    triggered = {f.code for f in assessed.findings}
    triggered |= {f.code for findings in alone.values() for f in findings}
    untestable = untestable_codes()
    assert not set(untestable) - set(CATALOGUE), "UNTESTABLE.md names unknown codes"
    assert not triggered & set(untestable), "listed as untestable, yet triggered"
    assert set(CATALOGUE) - triggered - set(untestable) == set()
    assert all(len(reason) > 20 for reason in untestable.values())


def test_expectations_only_name_catalogue_codes() -> None:
    for expect in EXPECTED.values():
        assert expect.codes | expect.info | set(expect.severity) <= set(CATALOGUE)


_PLACEHOLDER = re.compile(r"(?<!%)\{[A-Za-z_][A-Za-z0-9_]*\}")  # %{i} is SPF macro text
_NONE = re.compile(r"\bNone\b")


def test_finding_texts_are_fully_filled(assessed: Assessed) -> None:
    for finding in assessed.findings:
        rule = CATALOGUE[finding.code]
        for text, template in (
            (finding.title, rule.title),
            (finding.detail, rule.detail),
            (finding.why, rule.why),
            (finding.remediation, rule.fix),
        ):
            assert not _PLACEHOLDER.search(text), (finding.code, text)
            # More "None" than the template's own prose means a None value was formatted in.
            assert len(_NONE.findall(text)) == len(_NONE.findall(template)), (finding.code, text)


def test_findings_are_sorted_most_severe_first(assessed: Assessed) -> None:
    keys = [f.sort_key for f in assessed.findings]
    assert keys == sorted(keys)


def test_findings_json_round_trip(assessed: Assessed, tmp_path: Path) -> None:
    path = tmp_path / "findings.json"
    save_findings(assessed.findings, path)
    assert load_findings(path) == assessed.findings


def test_checks_are_pure_over_a_saved_snapshot(assessed: Assessed, tmp_path: Path) -> None:
    """Re-running the checks offline on the saved evidence gives byte-identical findings."""
    path = tmp_path / "evidence.json"
    save_evidence(assessed.evidence, path)
    reloaded: Evidence = load_evidence(path)
    assert findings_to_json(run_checks(reloaded)) == findings_to_json(assessed.findings)
    assert findings_to_json(run_checks(assessed.evidence)) == findings_to_json(assessed.findings)


# Covers every control, each transport behaviour and the snapshot-wide port 25 verdict.
REASSESSED = (
    "ok.test",
    "spf-lookups.test",
    "spf-void.test",
    "dmarc-ext-rua.test",
    "a.b.divergence.test",
    "dkim-weak.test",
    "servfail-all.test",
    "mx-iplit.test",
    "nullmx-policy.test",
    "sts-uncovered.test",
    "neg-deep.test",
    "sts-redirect.test",
    "sts-cert-untrusted.test",
    "rpt-several.test",
    "spf-multi.test",
    "spf-mx-many.test",
    "dmarc-multi.test",
    "unrelated-txt.test",
    "dane-usage.test",
    "smtp-nostarttls.test",
    "smtp-closed.test",
    "tls-expired.test",
    "dane-mismatch.test",
)


@pytest.fixture(scope="module")
def reassessed(assessed: Assessed) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """(first run's findings for REASSESSED, an independent second gather's findings)."""
    again = gather(
        assessed.sandbox.client, REASSESSED, assessed.profile, assessed.sandbox.dkim_selectors
    )
    first = tuple(f for f in assessed.findings if f.domain in REASSESSED)
    return first, run_checks(again)


def test_reassessment_gives_the_same_findings_in_the_same_order(
    reassessed: tuple[tuple[Finding, ...], tuple[Finding, ...]],
) -> None:
    first, second = reassessed
    verdict = [(f.domain, f.code, f.severity, f.host, f.title) for f in first]
    assert [(f.domain, f.code, f.severity, f.host, f.title) for f in second] == verdict


def test_reassessment_gives_byte_identical_findings(
    reassessed: tuple[tuple[Finding, ...], tuple[Finding, ...]],
) -> None:
    first, second = reassessed
    assert findings_to_json(second) == findings_to_json(first)
