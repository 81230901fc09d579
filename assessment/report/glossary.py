"""Plain-English glossary printed in the appendix, written for a business owner.

Every acronym and every record tag (`rua=`) the report prints must be explained here or be an
ordinary word (`ORDINARY_WORDS`); `tests/report/test_glossary.py` reads the rendered report
and holds that rule. An entry explains its term and the tokens in `covers` (the tags and
abbreviations the same idea appears as in records and text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    meaning: str
    covers: tuple[str, ...] = ()
    """Tokens this entry explains besides the capitalised words of its term: record tags as
    printed (``"rua="``) and other abbreviations (``"ESMTP"``)."""

    @property
    def tokens(self) -> frozenset[str]:
        """Every token the entry explains: acronyms in its term, and `covers`."""
        return frozenset(_ACRONYM.findall(self.term)) | frozenset(self.covers)


_ACRONYM: Final = re.compile(r"\b[A-Z][A-Z]+(?:-[A-Z]{2,})?\b")

_ENTRIES: Final = (
    GlossaryEntry(
        "AD bit",
        "A flag on a DNS answer meaning its DNSSEC signatures were checked and are genuine; "
        "without it the answer could not be authenticated.",
    ),
    GlossaryEntry(
        "Alignment",
        "DMARC counts an SPF or DKIM pass only when its domain matches the From address "
        "people see. adkim= and aspf= set how strictly (s: the same name; r: a subdomain too).",
        covers=("adkim=", "aspf="),
    ),
    GlossaryEntry(
        "ARC",
        "Authenticated Received Chain: a forwarder's signed note of the checks a message "
        "passed before it was forwarded; receivers may trust it.",
    ),
    GlossaryEntry(
        "Certificate authority (CA)",
        "An organisation that issues TLS certificates and vouches for the names in them. "
        "Mail servers and browsers trust a fixed list of them.",
    ),
    GlossaryEntry(
        "CDN",
        "Content delivery network: a service that serves a website from many locations. Its "
        "redirect and caching rules can get in the way of an MTA-STS policy file.",
    ),
    GlossaryEntry(
        "CNAME record",
        "An alias in DNS: it says one name is really another. Microsoft 365 DKIM keys, for "
        "example, are CNAMEs pointing at keys Microsoft publishes for you.",
    ),
    GlossaryEntry(
        "DANE",
        "DNS-Based Authentication of Named Entities: DNSSEC-signed records naming your mail "
        "servers' certificates; an alternative to MTA-STS for senders that support it.",
    ),
    GlossaryEntry(
        "DKIM",
        "DomainKeys Identified Mail: a signature on outgoing mail proving it came from you "
        "unaltered. Its public key is a DNS record (k= its type, p= the key).",
        covers=("k=", "d=", "dkim="),
    ),
    GlossaryEntry(
        "DKIM selector",
        "The name a DKIM key is published under (selector._domainkey.yourdomain); one per "
        "sending service, so keys can be replaced without a gap.",
    ),
    GlossaryEntry(
        "DMARC",
        "A DNS record telling receivers what to do with mail that fails SPF and DKIM "
        "(nothing, quarantine or reject) and where to send reports about it.",
    ),
    GlossaryEntry(
        "DMARC policy",
        "p= says what receivers do with mail that fails DMARC: none (deliver it), quarantine "
        "(junk folder) or reject (refuse it); sp= the same for subdomains; pct=100: for "
        "all of it.",
        covers=("p=", "sp=", "pct="),
    ),
    GlossaryEntry(
        "DNS",
        "The internet's directory. Your domain's DNS records tell other mail systems where to "
        "deliver your mail and which rules to apply to it.",
    ),
    GlossaryEntry(
        "DNSSEC",
        "Digital signatures on DNS answers, so a resolver can detect forged records.",
    ),
    GlossaryEntry(
        "HTTPS",
        "The encrypted web protocol (HTTP is the unencrypted one). An MTA-STS policy is a "
        "small file on a web server that senders must fetch over HTTPS.",
        covers=("HTTP",),
    ),
    GlossaryEntry(
        "Inconclusive",
        "We could not get an answer (for example a DNS timeout or a blocked port), so we make "
        "no claim either way. It never counts against your grade.",
    ),
    GlossaryEntry(
        "max_age",
        "How long, in seconds, senders keep an MTA-STS policy before fetching it again: it "
        "protects for that long, and keeps a mistake in force as long.",
        covers=("max_age=",),
    ),
    GlossaryEntry(
        "MFA",
        "Multi-factor authentication: a second proof of identity, such as a code from a phone, "
        "on top of a password.",
    ),
    GlossaryEntry(
        "MTA-STS",
        "Mail Transfer Agent Strict Transport Security (RFC 8461): a published policy telling "
        "senders to deliver to you only over verified encryption.",
    ),
    GlossaryEntry(
        "MX record",
        "The DNS record naming the servers that receive mail for your domain.",
    ),
    GlossaryEntry(
        "Null MX",
        "A special MX record (RFC 7505) saying a domain never receives mail, so senders can "
        "fail fast instead of retrying for days.",
    ),
    GlossaryEntry(
        "NXDOMAIN",
        "The DNS answer 'this name does not exist'.",
    ),
    GlossaryEntry(
        "Parked domain",
        "A domain you own but do not send or receive mail with. It still needs records that "
        "say so, or anyone can send mail in its name.",
    ),
    GlossaryEntry(
        "Policy id",
        "The id= value in the _mta-sts TXT record. Senders re-fetch the policy only when it "
        "changes, so it must change with every new policy file.",
        covers=("id=",),
    ),
    GlossaryEntry(
        "Record tags",
        "These records are short tags with values (p=reject) separated by semicolons; v= "
        "names the kind of record, for example v=DMARC1.",
        covers=("v=",),
    ),
    GlossaryEntry(
        "Resolver",
        "The DNS server that looked up your records on our behalf. The appendix names it so "
        "the results can be reproduced.",
    ),
    GlossaryEntry(
        "RFC",
        "Request for Comments: the numbered documents that define internet standards (RFC "
        "7489 is DMARC), cited so your IT provider can check each rule.",
    ),
    GlossaryEntry(
        "RSA key",
        "The most common kind of key for DKIM signatures and certificates. 2048 bits is "
        "recommended; 1024 is the minimum DKIM allows and is being phased out.",
    ),
    GlossaryEntry(
        "rua",
        "The address in a DMARC or TLS-RPT record that receivers send daily reports to "
        "(rua=mailto: and the address); fo= chooses which failures also get a detailed report.",
        covers=("rua=", "fo="),
    ),
    GlossaryEntry(
        "S/MIME and PGP",
        "Two ways to encrypt or sign a message itself, end to end, so only the intended "
        "reader can open it. Different from TLS, which protects the connection between "
        "servers.",
        covers=("MIME",),
    ),
    GlossaryEntry(
        "SMTP",
        "Simple Mail Transfer Protocol: how mail servers pass mail to each other. ESMTP is "
        "its extended form, which every server uses today.",
        covers=("ESMTP",),
    ),
    GlossaryEntry(
        "SPF",
        "Sender Policy Framework: a DNS record listing the servers allowed to send mail for "
        "your domain.",
    ),
    GlossaryEntry(
        "STARTTLS",
        "The step where two mail servers switch to encryption. On its own it is optional, so "
        "an attacker on the network can suppress it.",
    ),
    GlossaryEntry(
        "Testing / enforce mode",
        "An MTA-STS policy in testing mode only produces reports; in enforce mode senders "
        "refuse to deliver when encryption cannot be verified.",
    ),
    GlossaryEntry(
        "TLS",
        "Transport Layer Security: the encryption used on internet connections, between mail "
        "servers as well as for the padlock in a web browser.",
    ),
    GlossaryEntry(
        "TLS certificate",
        "A file a server presents to prove its name, signed by a certificate authority that "
        "other systems trust. It has an expiry date.",
    ),
    GlossaryEntry(
        "TLS-RPT",
        "SMTP TLS Reporting (RFC 8460): a DNS record asking sending servers to email you a "
        "daily summary of encrypted and failed deliveries to your domain.",
    ),
    GlossaryEntry(
        "TLSA record",
        "The DNS record DANE uses to publish which certificate or key a mail server presents. "
        "It only counts when the domain is signed with DNSSEC.",
    ),
    GlossaryEntry(
        "TTL",
        "Time to live: how many seconds other systems may cache a DNS answer before asking "
        "again. It sets how quickly a change takes effect.",
    ),
    GlossaryEntry(
        "TXT record",
        "A DNS record holding text, as SPF, DKIM, DMARC, MTA-STS and TLS-RPT use. Written "
        "out it reads: name, TTL, IN (internet), TXT, then the text in quotes.",
        covers=("IN",),
    ),
)
GLOSSARY: tuple[GlossaryEntry, ...] = tuple(sorted(_ENTRIES, key=lambda e: e.term.lower()))
"""In alphabetical order, as the appendix prints it."""

ORDINARY_WORDS: Final = frozenset(
    {
        # Words and abbreviations a business reader knows without a glossary.
        "UK",
        "US",
        "EU",
        "IT",
        "PDF",
        "OK",
        "UTC",
        "URL",
        "ID",
        "DEMO",
        "CRM",
        "LLC",
        "LTD",
        "PLC",
        "FAQ",
    }
)
"""All-caps words the glossary need not explain. Names of organisations and frameworks are
not here: the questionnaire notes cite them with their source (see `PROPER_NAMES`)."""

PROPER_NAMES: Final = frozenset(
    {
        # Insurers, agencies and frameworks the questionnaire notes cite by name, each with
        # its source; naming them is not jargon to define.
        "AIG",
        "NGP-NBA",
        "BCP",
        "TMHCC",
        "HCC",
        "CIS",
        "CISA",
        "BOD",
        "ISM",
        "PCI",
        "DSS",
        "NCSC",
        "NIST",
        "ACSC",
        "GOV",  # GOV.UK
        "SP",  # NIST SP 800-177
    }
)


def explained() -> frozenset[str]:
    """Every acronym and tag the glossary explains."""
    return frozenset().union(*(entry.tokens for entry in GLOSSARY))


# Rough cost of an entry in characters: its term line plus its meaning. Good enough to balance
# two columns to within a line or two, which is all the eye notices.
_TERM_LINE_CHARS = 60


def in_columns(
    entries: tuple[GlossaryEntry, ...], columns: int = 1
) -> tuple[tuple[GlossaryEntry, ...], ...]:
    """Split `entries`, in order, into `columns` runs of about equal printed length.

    The appendix used to print two balanced columns side by side; with 36 entries they ran
    over a page break out of reading order, so it now prints one run of "term | meaning" rows
    (the default). Balancing here instead of with CSS `column-count` stays the way to get
    columns back: WeasyPrint balances columns by laying the content out again and again, which
    cost about two seconds of a report's render time.
    """
    weights = [_TERM_LINE_CHARS + len(e.term) + len(e.meaning) for e in entries]
    runs: list[tuple[GlossaryEntry, ...]] = []
    start = 0
    for col in range(columns, 0, -1):
        remaining = sum(weights[start:])
        target = remaining / col
        end, filled = start, 0
        # Take entries while adding the next one brings this column closer to its share.
        while end < len(entries) and (
            col == 1 or abs(filled + weights[end] - target) <= abs(filled - target)
        ):
            filled += weights[end]
            end += 1
        runs.append(entries[start:end])
        start = end
    return tuple(runs)
