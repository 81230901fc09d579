"""Catalogue entries: DKIM key records (RFC 6376, RFC 8301)."""

from __future__ import annotations

from assessment.checks.catalogue.entry import Rule
from assessment.model import Control, Severity

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
I = Severity.INFO  # noqa: E741

DKIM = Control.DKIM

# One severity for "the domain has no usable DKIM key", however that was learnt: no key at
# any selector tried, or only revoked keys. The effect is the same: DMARC rests on SPF.
NO_USABLE_DKIM = L

RULES: tuple[Rule, ...] = (
    Rule(
        "DKIM_INCONCLUSIVE",
        DKIM,
        M,
        "DKIM selector lookup failed",
        "The lookup of {name} ended in {outcome}.",
        "A failed lookup says nothing about whether the key exists.",
        "Re-run the assessment.",
        ("RFC 6376 §3.6.2",),
        ("DNS-01",),
        inconclusive=True,
    ),
    Rule(
        "DKIM_NOT_VERIFIED",
        DKIM,
        NO_USABLE_DKIM,
        "No DKIM key found at the selectors tried",
        "None of the {count} selectors tried ({selectors}) has a key at {domain}.",
        "DKIM selectors cannot be listed, so this does not mean DKIM is missing: it means it "
        "could not be verified from outside. Without DKIM, DMARC relies on SPF alone, which "
        "breaks on forwarding.",
        "Give the assessment the selectors your mail services sign with (look at the s= tag "
        "of the DKIM-Signature header of a sent message), or turn on DKIM signing in each "
        "service that sends for {domain}.",
        ("RFC 6376 §3.6.2.1",),
        ("DKIM-01",),
    ),
    Rule(
        "DKIM_KEY_OK",
        DKIM,
        I,
        "DKIM key published",
        "{name}: {key_type} key, {bits} bits{via}.",
        "Receivers use this key to verify the domain's signatures.",
        "None.",
        ("RFC 6376 §3.6.1",),
        (),
    ),
    Rule(
        "DKIM_KEY_SYNTAX",
        DKIM,
        H,
        "DKIM key record is invalid",
        "{name}: {problem}.",
        "Verifiers cannot use a malformed key record, so signatures with this selector fail.",
        "Republish the key record exactly as the signing service gives it.",
        ("RFC 6376 §3.6.1",),
        ("DKIM-02", "DKIM-03", "DKIM-04", "DKIM-06", "DKIM-07"),
    ),
    Rule(
        "DKIM_KEY_NOTE",
        DKIM,
        I,
        "DKIM key record note",
        "{name}: {problem}.",
        "Ignored by verifiers, but worth tidying.",
        "Remove the obsolete or unknown tag.",
        ("RFC 6376 §3.6.1",),
        ("DKIM-17", "DKIM-18"),
    ),
    Rule(
        "DKIM_MULTIPLE_RECORDS",
        DKIM,
        M,
        "More than one DKIM key record at a selector",
        "{name} returns {count} key records.",
        "Verifiers expect one key per selector; with several, which one they use is "
        "undefined, so signatures fail at random.",
        "Keep one key record at {name} and delete the others.",
        ("RFC 6376 §3.6.2.2",),
        ("DKIM-01",),
    ),
    Rule(
        "DKIM_KEY_REVOKED",
        DKIM,
        I,
        "DKIM selector is revoked",
        "{name} publishes an empty p= (revoked key).",
        "A revoked selector is normal after a key rotation; it only matters if mail is still "
        "signed with it.",
        "Nothing, unless a service still signs with this selector.",
        ("RFC 6376 §3.6.1",),
        ("DKIM-05",),
    ),
    Rule(
        "DKIM_REVOKED_NO_OTHER_KEY",
        DKIM,
        NO_USABLE_DKIM,
        "The only DKIM key found is revoked",
        "{name} publishes an empty p= (revoked key), and no other selector tried "
        "({selectors}) has a usable key.",
        "No signature verifies against a revoked key. Unless {domain} signs with a selector "
        "the assessment did not try, it has no working DKIM: DMARC then rests on SPF alone, "
        "which fails when mail is forwarded. This is rated like finding no DKIM key at all.",
        "Find the selector each service that sends for {domain} signs with (the s= tag of "
        "the DKIM-Signature header of a sent message) and check its key is published; give "
        "the assessment those selectors. If a service still signs with {name}, publish its "
        "current key there.",
        ("RFC 6376 §3.6.1", "RFC 7489 §4.2"),
        ("DKIM-05",),
    ),
    Rule(
        "DKIM_KEY_TOO_SHORT",
        DKIM,
        H,
        "DKIM key shorter than 1024 bits",
        "{name}: RSA key of {bits} bits.",
        "Verifiers must not accept RSA keys under 1024 bits, so every signature with this "
        "selector fails.",
        "Generate a 2048-bit key in the signing service and publish it.",
        ("RFC 8301 §3.2",),
        ("DKIM-08",),
    ),
    Rule(
        "DKIM_KEY_WEAK",
        DKIM,
        M,
        "DKIM key is 1024 bits",
        "{name}: RSA key of {bits} bits.",
        "1024-bit keys are allowed but no longer recommended; Google and Yahoo's sender "
        "guidance asks for 2048. A published selector can sign at any time (Microsoft 365 "
        "switches between selector1 and selector2 at each key rotation), so every published "
        "key counts, not only the one in use today.",
        "Rotate to a 2048-bit key (in Microsoft 365: Defender portal, DKIM, rotate keys and "
        "choose 2048).",
        ("RFC 8301 §3.2",),
        ("DKIM-09",),
    ),
    Rule(
        "DKIM_KEY_TOO_LONG",
        DKIM,
        M,
        "DKIM key longer than 4096 bits",
        "{name}: RSA key of {bits} bits.",
        "Verifiers only have to support keys up to 4096 bits.",
        "Use a 2048-bit key.",
        ("RFC 8301 §3.2",),
        ("DKIM-10",),
    ),
    Rule(
        "DKIM_TESTING",
        DKIM,
        M,
        "DKIM key is in testing mode (t=y)",
        "{name} carries t=y.",
        "Verifiers must treat signed mail as unsigned; often a leftover from setup.",
        "Remove t=y from the key record.",
        ("RFC 6376 §3.6.1",),
        ("DKIM-14",),
    ),
    Rule(
        "DKIM_SHA1_ONLY",
        DKIM,
        H,
        "DKIM key allows only SHA-1",
        "{name} restricts hashes to h={hashes}.",
        "rsa-sha1 signatures must not be accepted, so the key is unusable.",
        "Remove h= or set h=sha256.",
        ("RFC 8301 §3.1",),
        ("DKIM-13",),
    ),
    Rule(
        "DKIM_NOT_EMAIL",
        DKIM,
        H,
        "DKIM key does not apply to email",
        "{name} has s={services}.",
        "A key whose service type excludes email cannot verify mail.",
        "Remove s= or set s=email.",
        ("RFC 6376 §3.6.1",),
        ("DKIM-16",),
    ),
)
