"""Catalogue entries: MX and null MX (RFC 5321, RFC 7505)."""

from __future__ import annotations

from assessment.checks.catalogue.entry import Rule
from assessment.model import Control, Severity

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
I = Severity.INFO  # noqa: E741

MX = Control.MX

RULES: tuple[Rule, ...] = (
    Rule(
        "MX_INCONCLUSIVE",
        MX,
        M,
        "MX records could not be checked: DNS lookup failed",
        "The lookup of {name} ({rdtype}) ended in {outcome}.",
        "A failed lookup is not an absent record; senders seeing the same failure queue mail "
        "and retry.",
        "Re-run the assessment; if it persists, ask the DNS host to check the zone.",
        ("RFC 5321 §5.1",),
        ("DNS-01",),
        inconclusive=True,
    ),
    Rule(
        "DOMAIN_NOT_FOUND",
        MX,
        H,
        "The domain does not exist in DNS",
        "{domain} returned NXDOMAIN.",
        "Nothing can be assessed, and mail to the domain bounces.",
        "Check the spelling of the domain, or its registration and delegation.",
        ("RFC 1035",),
        (),
    ),
    Rule(
        "MX_MISSING",
        MX,
        M,
        "No MX record",
        "{domain} has no MX record{fallback}.",
        "Senders fall back to the domain's own address; if that is a web server, mail "
        "queues for days and then bounces. A domain that receives no mail should say so with "
        "a null MX.",
        "Publish the MX records of the mail provider, or a null MX (MX 0 .) if the domain "
        "receives no mail.",
        ("RFC 5321 §5.1", "RFC 7505"),
        ("MX-01",),
    ),
    Rule(
        "MX_IS_CNAME",
        MX,
        M,
        "MX host is an alias (CNAME)",
        "{host} is a CNAME for {target}.",
        "MX targets must not be aliases; most senders tolerate it, but MTA-STS and DANE name "
        "matching then uses a name the certificate may not carry.",
        "Point the MX record at the canonical host name {target}.",
        ("RFC 2181 §10.3", "RFC 5321 §5.1"),
        ("MX-02",),
    ),
    Rule(
        "MX_IP_LITERAL",
        MX,
        H,
        "MX points at an IP address instead of a host name",
        "The MX exchange is {host}.",
        "An address in an MX record is looked up as a host name and fails: mail to that "
        "exchange does not arrive.",
        "Publish a host name with an A/AAAA record and point the MX at it.",
        ("RFC 1035 §3.3.9", "RFC 5321 §5.1"),
        ("MX-03",),
    ),
    Rule(
        "MX_UNRESOLVABLE",
        MX,
        H,
        "MX host has no address",
        "{host}: A {a_outcome}, AAAA {aaaa_outcome}.",
        "Senders cannot connect to a host without an address; if every MX is like this, "
        "mail bounces.",
        "Correct the MX record, or publish the host's A/AAAA records.",
        ("RFC 5321 §5.1",),
        ("MX-04",),
    ),
    Rule(
        "MX_ALL_UNRESOLVABLE",
        MX,
        C,
        "No MX host has an address",
        "None of {hosts} resolves to an address.",
        "All inbound mail bounces.",
        "Correct the MX records to the provider's current host names.",
        ("RFC 5321 §5.1",),
        ("MX-04",),
    ),
    Rule(
        "MX_PRIVATE_ADDRESS",
        MX,
        H,
        "MX host resolves to a non-public address",
        "{host} resolves to {address} ({kind}).",
        "Senders on the internet cannot reach private, loopback or documentation addresses.",
        "Publish the public address of the mail server.",
        ("RFC 1918", "RFC 6890"),
        ("MX-05",),
    ),
    Rule(
        "MX_DUPLICATE",
        MX,
        L,
        "MX host listed twice",
        "{host} appears {count} times in the MX records.",
        "Harmless but untidy; often a leftover from a migration.",
        "Remove the duplicate record.",
        ("RFC 5321 §5.1",),
        ("MX-07",),
    ),
    Rule(
        "MX_PROVIDER",
        MX,
        I,
        "Mail provider recognised",
        "{domain} receives mail through {provider} ({hosts}).",
        "Provider-specific advice applies to MTA-STS patterns and policy hosting.",
        "None.",
        ("RFC 5321 §5.1",),
        (),
    ),
    Rule(
        "MX_BYPASSES_PROVIDER",
        MX,
        M,
        "A second mail server lets mail bypass {provider}",
        "{host} is listed as an MX beside {provider} ({provider_hosts}); {who}.",
        "Mail delivered to {host} skips {provider}'s spam and malware filtering, and "
        "attackers send to a backup MX on purpose. It also has to be patched, given a valid "
        "certificate and listed in the MTA-STS policy, while {provider} already runs redundant "
        "receiving servers: it adds risk and no resilience.",
        "Remove the MX record for {host} once you have confirmed that nothing depends on it "
        "(ask the IT provider that runs it). Senders then deliver only to {provider}, whose own "
        "redundant servers make a fallback unnecessary.",
        ("RFC 5321 §5.1",),
        ("X-08",),
    ),
    Rule(
        "NULL_MX_BAD_PREFERENCE",
        MX,
        H,
        "Null MX with a non-zero preference",
        "{domain} publishes MX {preference} . (the null MX must use preference 0).",
        "Senders only recognise MX 0 . as 'this domain accepts no mail'.",
        "Publish exactly MX 0 . and nothing else.",
        ("RFC 7505 §3",),
        ("NMX-01",),
    ),
    Rule(
        "NULL_MX_NOT_ALONE",
        MX,
        H,
        "Null MX published alongside other MX records",
        "{domain} publishes the null MX and also {others}.",
        "A null MX must be the only MX record; mixing them gives senders contradictory "
        "instructions.",
        "Either remove the null MX (the domain receives mail) or remove the other MX records.",
        ("RFC 7505 §3",),
        ("NMX-02",),
    ),
    Rule(
        "NULL_MX_OK",
        MX,
        I,
        "Domain declares that it receives no mail (null MX)",
        "{domain} publishes the null MX record, `MX 0 .`, and no other MX.",
        "Senders fail fast instead of queueing, and receivers may refuse mail from it.",
        "None.",
        ("RFC 7505",),
        ("NMX-04",),
    ),
    Rule(
        "NULL_MX_WITH_TRANSPORT_POLICY",
        MX,
        L,
        "Transport policy published for a domain that receives no mail",
        "{domain} has a null MX but publishes {policies}.",
        "Harmless, but inconsistent and confusing to the next administrator.",
        "Remove the MTA-STS, TLS-RPT or TLSA records, or drop the null MX if the domain "
        "receives mail.",
        ("RFC 7505", "RFC 8461"),
        ("NMX-03", "STS-32"),
    ),
    Rule(
        "PARKED_NO_NULL_MX",
        MX,
        L,
        "Domain without mail service does not publish a null MX",
        "{domain} has no MX record and no address, so it cannot receive mail; it does not "
        "say so with a null MX.",
        "A null MX makes senders fail fast and tells receivers the domain never sends.",
        "Publish MX 0 . at {domain}.",
        ("RFC 7505",),
        ("NMX-05",),
    ),
)
