"""Plain-English glossary printed in the appendix, written for a business owner."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    meaning: str


GLOSSARY: tuple[GlossaryEntry, ...] = (
    GlossaryEntry(
        "DNS",
        "The internet's directory. Your domain's DNS records tell other mail systems where to "
        "deliver your mail and which rules to apply to it.",
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
        "SPF",
        "Sender Policy Framework: a DNS record listing the servers allowed to send mail for "
        "your domain.",
    ),
    GlossaryEntry(
        "DKIM",
        "DomainKeys Identified Mail: a digital signature added to outgoing mail so receivers "
        "can check it really came from you and was not altered.",
    ),
    GlossaryEntry(
        "DMARC",
        "A DNS record telling receivers what to do with mail that fails SPF and DKIM "
        "(nothing, quarantine or reject) and where to send reports about it.",
    ),
    GlossaryEntry(
        "STARTTLS",
        "The step in a mail conversation where two servers switch to an encrypted connection. "
        "On its own it is optional, so an attacker on the network can suppress it.",
    ),
    GlossaryEntry(
        "TLS certificate",
        "A file a server presents to prove its name, signed by a certificate authority that "
        "other systems trust. It has an expiry date.",
    ),
    GlossaryEntry(
        "MTA-STS",
        "Mail Transfer Agent Strict Transport Security (RFC 8461): a published policy telling "
        "sending servers that your mail servers always support encryption with a valid "
        "certificate, so they must not deliver over an unencrypted or unverified connection.",
    ),
    GlossaryEntry(
        "TLS-RPT",
        "SMTP TLS Reporting (RFC 8460): a DNS record asking sending servers to email you a "
        "daily summary of encrypted and failed deliveries to your domain.",
    ),
    GlossaryEntry(
        "Testing / enforce mode",
        "An MTA-STS policy in testing mode only produces reports; in enforce mode senders "
        "refuse to deliver when encryption cannot be verified.",
    ),
    GlossaryEntry(
        "DNSSEC",
        "Digital signatures on DNS answers, so a resolver can detect forged records.",
    ),
    GlossaryEntry(
        "DANE",
        "DNS-Based Authentication of Named Entities: publishing, in DNSSEC-signed DNS, which "
        "certificate your mail servers use. An alternative to MTA-STS for senders that "
        "support it.",
    ),
    GlossaryEntry(
        "Resolver",
        "The DNS server that looked up your records on our behalf. The appendix names it so "
        "the results can be reproduced.",
    ),
    GlossaryEntry(
        "TTL",
        "Time to live: how many seconds other systems may cache a DNS answer before asking "
        "again. It sets how quickly a change takes effect.",
    ),
    GlossaryEntry(
        "Inconclusive",
        "We could not get an answer (for example a DNS timeout or a blocked port), so we make "
        "no claim either way. It never counts against your grade.",
    ),
)


# Rough cost of an entry in characters: its term line plus its meaning. Good enough to balance
# two columns to within a line or two, which is all the eye notices.
_TERM_LINE_CHARS = 60


def in_columns(
    entries: tuple[GlossaryEntry, ...], columns: int = 2
) -> tuple[tuple[GlossaryEntry, ...], ...]:
    """Split `entries`, in order, into `columns` runs of about equal printed length.

    The appendix prints the glossary in two columns. Balancing them here instead of with CSS
    `column-count` is deliberate: WeasyPrint balances columns by laying the content out again
    and again, which cost about two seconds of a report's render time (most of the page).
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
