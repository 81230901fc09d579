"""Catalogue entries: DANE for SMTP (RFC 7672)."""

from __future__ import annotations

from assessment.checks.catalogue.entry import Rule
from assessment.model import Control, Severity

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
I = Severity.INFO  # noqa: E741

DANE = Control.DANE

RULES: tuple[Rule, ...] = (
    Rule(
        "DANE_INCONCLUSIVE",
        DANE,
        M,
        "TLSA lookup failed",
        "The lookup of {name} ended in {outcome}.",
        "When the MX zone is signed, DANE senders defer mail on a failed TLSA lookup.",
        "Check the DNS host's handling of _25._tcp names (denial of existence).",
        ("RFC 7672 §2.2",),
        ("DANE-03", "SEC-09"),
        inconclusive=True,
    ),
    Rule(
        "DANE_TLSA_INSECURE",
        DANE,
        L,
        "TLSA records are not DNSSEC-validated",
        "{name} publishes TLSA records but the answer was not authenticated (no AD bit).",
        "DANE senders ignore TLSA records that are not DNSSEC-signed.",
        "Sign the zone with DNSSEC (with a DS at the parent), or remove the TLSA records.",
        ("RFC 7672 §2.2",),
        ("DANE-01", "DANE-04"),
    ),
    Rule(
        "DANE_TLSA_MISMATCH",
        DANE,
        C,
        "TLSA records do not match the MX certificate",
        "{host}: none of the usable TLSA records ({records}) matches the presented chain.",
        "DANE senders defer all mail to this host (tlsa-invalid): a key rollover without "
        "updating TLSA.",
        "Publish a TLSA record for the current key (3 1 1 <SPKI SHA-256>) before removing "
        "the old one.",
        ("RFC 7672 §3.1", "RFC 6698 §2.1"),
        ("DANE-08", "X-02"),
    ),
    Rule(
        "DANE_TLSA_OK",
        DANE,
        I,
        "DANE TLSA record matches",
        "{host}: {record} matches the presented certificate.",
        "DANE senders authenticate this MX through DNSSEC.",
        "None.",
        ("RFC 7672",),
        (),
    ),
    Rule(
        "DANE_USAGE_UNUSABLE",
        DANE,
        H,
        "TLSA record uses a usage SMTP ignores",
        "{name}: {record} (usage {usage}).",
        "DANE for SMTP only uses DANE-TA(2) and DANE-EE(3); PKIX usages are ignored.",
        "Publish 3 1 1 records instead.",
        ("RFC 7672 §3.1",),
        ("DANE-05",),
    ),
    Rule(
        "DANE_BAD_PARAMETERS",
        DANE,
        H,
        "TLSA record has invalid parameters",
        "{name}: {record}: {problem}.",
        "Senders cannot use the record.",
        "Publish 3 1 1 <SHA-256 of the SubjectPublicKeyInfo>.",
        ("RFC 6698 §2.1",),
        ("DANE-06", "DANE-07"),
    ),
    Rule(
        "DANE_FULL_CERT_SELECTOR",
        DANE,
        L,
        "TLSA record pins the whole certificate",
        "{name}: {record}.",
        "Selector 0 changes at every renewal, which makes rollover fragile.",
        "Prefer 3 1 1 (public key), which survives renewal with the same key.",
        ("RFC 7671 §5",),
        ("DANE-06",),
    ),
    Rule(
        "DANE_SINGLE_RECORD",
        DANE,
        L,
        "Advice: a second TLSA record would make key rollover safe",
        "{name} publishes a single TLSA record.",
        "This is advice, not a defect: one record is valid DANE. It is a rollover risk: when "
        "the certificate key (or the issuing CA) changes, DANE senders defer mail until a "
        "matching TLSA record is published and the old one has expired from caches. A second "
        "record for the next key, published in advance, removes that window.",
        'Before the next key change, publish a TLSA record for the next key ("current + '
        'next", e.g. two 3 1 1 records) or a 2 1 1 record for the issuing CA alongside the '
        "current one.",
        ("RFC 7671 §8.1", "RFC 7671 §8.4"),
        ("DANE-11",),
    ),
    Rule(
        "DANE_WITHOUT_STARTTLS",
        DANE,
        C,
        "TLSA published but the MX does not offer STARTTLS",
        "{host} has TLSA records but does not offer STARTTLS.",
        "DANE senders defer all mail to this host.",
        "Enable STARTTLS on {host} or remove the TLSA records.",
        ("RFC 7672 §2.2",),
        ("DANE-13", "X-02"),
    ),
    Rule(
        "DANE_NOT_DEPLOYED",
        DANE,
        I,
        "DANE is not used",
        "No TLSA records at _25._tcp of {hosts}{provider_note}.",
        "DANE lets DNSSEC-validating senders authenticate the MX without MTA-STS. It needs "
        "DNSSEC on the MX host's zone, which hosted providers control.",
        "{fix_hint}",
        ("RFC 7672",),
        ("SEC-08",),
    ),
    Rule(
        "DANE_AND_MTA_STS",
        DANE,
        I,
        "DANE and MTA-STS both deployed",
        "{domain} has DNSSEC-validated TLSA records and an MTA-STS policy.",
        "DANE takes precedence for senders that support it; both must stay consistent.",
        "None.",
        ("RFC 8461 §2",),
        ("STS-44",),
    ),
)
