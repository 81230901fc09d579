"""Catalogue entries: DNSSEC awareness and DNS hygiene across policy names."""

from __future__ import annotations

from assessment.checks.catalogue.entry import Rule
from assessment.model import Control, Severity

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
I = Severity.INFO  # noqa: E741

SEC = Control.DNSSEC

RULES: tuple[Rule, ...] = (
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
