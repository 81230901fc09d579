"""Catalogue entries: DNSSEC awareness and DNS hygiene across policy names."""

from __future__ import annotations

from assessment.checks.catalogue.entry import Rule
from assessment.model import Control, Severity

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
I = Severity.INFO  # noqa: E741

SEC = Control.DNSSEC

RULES: tuple[Rule, ...] = (
    Rule(
        "DNSSEC_BOGUS",
        SEC,
        C,
        "DNSSEC is broken: validating senders cannot deliver to you",
        "The validating resolver answered SERVFAIL for {count} lookup(s) under {domain} "
        "({names}){said}, yet returned the data when asked with checking disabled: the "
        "records exist, but their DNSSEC signatures do not validate.",
        "Validating resolvers, which most large mail providers and public DNS services run, "
        "refuse every answer from a zone whose signatures fail. Senders behind them cannot "
        "find your MX, so mail to you is deferred and then bounced, and receivers cannot read "
        "your SPF, DKIM or DMARC records, so your own mail may fail authentication. Usually "
        "the signatures expired (the signer stopped) or the DS record at the registrar "
        "matches no key of the zone (a key rollover left half done).",
        "At the DNS host, re-sign the zone or repair automatic signing; check that the DS "
        "record at the registrar matches the zone's current key (KSK). If it cannot be fixed "
        "at once, remove the DS record at the registrar so the zone is treated as unsigned, "
        "then re-enable DNSSEC properly.",
        ("RFC 4033 §5", "RFC 4035 §5.5", "RFC 8914"),
        ("SEC-01", "SEC-03", "SEC-09"),
    ),
    Rule(
        "DNSSEC_UNSIGNED",
        SEC,
        I,
        "DNSSEC not confirmed",
        "The resolver did not authenticate the answers for {domain} (no AD bit). {resolver}",
        "Without DNSSEC, DANE cannot be used and DNS answers can be spoofed; MTA-STS is the "
        "alternative that does not need DNSSEC. Only a validating resolver can confirm "
        "DNSSEC, so re-run with one (--nameserver) before concluding the zone is unsigned.",
        "Check at the DNS host whether the zone is signed and has a DS record at the "
        "registrar; enable DNSSEC if it is supported.",
        ("RFC 4033", "RFC 4035 §3.2.3"),
        ("SEC-08",),
    ),
    Rule(
        "DNSSEC_SIGNED",
        SEC,
        I,
        "The domain is DNSSEC-signed",
        "The resolver authenticated the answers for {domain} (AD bit set).",
        "DNSSEC protects the DNS answers and allows DANE.",
        "None.",
        ("RFC 4033",),
        (),
    ),
    Rule(
        "DNS_UNRELATED_TXT",
        Control.MX,
        M,
        "Unrelated TXT records at a policy name",
        "{name} returns TXT records that are not {expected} records: {records}.",
        "Usually a wildcard TXT record answering for every name; it confuses tools and people.",
        "Remove the wildcard TXT or publish an explicit record at {name}.",
        ("RFC 8461 §3.1",),
        ("DNS-04", "STS-06"),
    ),
    Rule(
        "DNS_POLICY_AT_WRONG_NAME",
        Control.MX,
        H,
        "Policy record published at the wrong name",
        "A {kind} record was found at {name}; it belongs at {expected}.",
        "Receivers only look at the standard name, so the record has no effect.",
        "Move the record to {expected}.",
        ("RFC 7489 §6.1", "RFC 8461 §3.1"),
        ("DNS-05", "DMARC-07"),
    ),
)
