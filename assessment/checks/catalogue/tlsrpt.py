"""Catalogue entries: the TLS-RPT record (RFC 8460 §3)."""

from __future__ import annotations

from assessment.checks.catalogue.entry import Rule
from assessment.model import Control, Severity

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
I = Severity.INFO  # noqa: E741

RPT = Control.TLS_RPT

RULES: tuple[Rule, ...] = (
    Rule(
        "TLS_RPT_INCONCLUSIVE",
        RPT,
        M,
        "TLS-RPT could not be checked: DNS lookup failed",
        "The lookup of {name} ended in {outcome}.",
        "A failed lookup is not an absent record.",
        "Re-run the assessment.",
        ("RFC 8460 §3",),
        ("DNS-01",),
        inconclusive=True,
    ),
    Rule(
        "TLS_RPT_MISSING",
        RPT,
        L,
        "No TLS-RPT record",
        "No v=TLSRPTv1 record at _smtp._tls.{domain}.",
        "Without TLS-RPT, sending servers cannot tell the domain owner when encrypted "
        "delivery fails: certificate or MX problems stay invisible.",
        'Publish _smtp._tls.{domain} TXT "v=TLSRPTv1; rua=mailto:<mailbox>".',
        ("RFC 8460 §3",),
        ("RPT-01",),
    ),
    Rule(
        "TLS_RPT_MISSING_WITH_POLICY",
        RPT,
        M,
        "Transport policy deployed without TLS-RPT",
        "{domain} publishes {policies} but no v=TLSRPTv1 record at _smtp._tls.{domain}.",
        "Failures caused by the policy are invisible: the first sign of a broken "
        "certificate will be mail that does not arrive.",
        'Publish _smtp._tls.{domain} TXT "v=TLSRPTv1; rua=mailto:<mailbox>".',
        ("RFC 8460 §3",),
        ("RPT-01", "DANE-15", "X-03"),
    ),
    Rule(
        "TLS_RPT_MULTIPLE_RECORDS",
        RPT,
        H,
        "More than one TLS-RPT record",
        "{count} TXT records at _smtp._tls.{domain} start with v=TLSRPTv1.",
        "Senders treat the domain as having no TLS-RPT and send no reports.",
        "Keep one record (several addresses can share one rua=, separated by commas).",
        ("RFC 8460 §3",),
        ("RPT-02",),
    ),
    Rule(
        "TLS_RPT_SYNTAX",
        RPT,
        H,
        "TLS-RPT record has an error",
        "{problem} (at character {position} of the record at _smtp._tls.{domain}).",
        "Senders ignore a record they cannot parse, or skip the bad address.",
        "Publish the record as v=TLSRPTv1; rua=mailto:<mailbox>.",
        ("RFC 8460 §3",),
        ("RPT-03", "RPT-04", "RPT-05"),
    ),
    Rule(
        "TLS_RPT_NOTE",
        RPT,
        I,
        "TLS-RPT record note",
        "{problem} (record at _smtp._tls.{domain}).",
        "Ignored by senders.",
        "Tidy the record.",
        ("RFC 8460 §3",),
        ("RPT-09",),
    ),
    Rule(
        "TLS_RPT_SEVERAL_RUA",
        RPT,
        L,
        "TLS-RPT lists several report addresses",
        "rua= lists {count} destinations; the first is {first}.",
        "Microsoft reportedly delivers only to the first address, so the primary collector "
        "must come first.",
        "Put the mailbox you actually read first.",
        ("RFC 8460 §3",),
        ("RPT-08",),
    ),
    Rule(
        "TLS_RPT_WRONG_NAME",
        RPT,
        H,
        "TLS-RPT record published at the wrong name",
        "A v=TLSRPTv1 record was found at {name} instead of _smtp._tls.{domain}.",
        "Senders only look at _smtp._tls.",
        "Move the record to _smtp._tls.{domain}.",
        ("RFC 8460 §3",),
        ("RPT-10", "DNS-05"),
    ),
    Rule(
        "TLS_RPT_OK",
        RPT,
        I,
        "TLS-RPT record valid",
        "_smtp._tls.{domain}: reports go to {destinations}.",
        "Sending servers report failed encrypted deliveries.",
        "None.",
        ("RFC 8460",),
        (),
    ),
)
