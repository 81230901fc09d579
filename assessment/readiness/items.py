"""What the readiness notes show, as data: the items the public evidence can speak to, which
instruments ask for each, and the checklist of things only the client can confirm.

One item is one bar (e.g. "DMARC enforced"), judged by one rule in `readiness/rules.py`; every
instrument that asks for that bar cites the same item, so two instruments never get two
different statuses for the same evidence. Item keys follow the evidence checks of the research
note (E02 SPF present ... E20 inbound filtering hint). Evaluation lives in `assembly.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from assessment.readiness.sources import Cite


class Rule(StrEnum):
    """How an item is judged from outside; each is one function in `readiness/rules.py`."""

    SPF = "spf"
    SPF_HARDFAIL = "spf-hardfail"
    DKIM = "dkim"
    DMARC = "dmarc"
    DMARC_ENFORCED = "dmarc-enforced"
    DMARC_REJECT = "dmarc-reject"
    DMARC_RUA = "dmarc-rua"
    DMARC_RUA_CISA = "dmarc-rua-cisa"
    PARKED = "parked"
    TRANSIT = "transit"
    STARTTLS = "starttls"
    LEGACY_TLS = "legacy-tls"
    MTA_STS = "mta-sts"
    TLS_RPT = "tls-rpt"
    DANE = "dane"
    BULK_AUTH = "bulk-auth"
    BULK_DMARC = "bulk-dmarc"
    ALIGNMENT = "alignment"


class Section(StrEnum):
    SPOOFING = "spoofing"
    TRANSIT = "transit"
    DELIVERABILITY = "deliverability"

    @property
    def heading(self) -> str:
        return {
            Section.SPOOFING: "Sender authentication: SPF, DKIM and DMARC",
            Section.TRANSIT: "Encryption in transit: TLS, MTA-STS, TLS-RPT and DANE",
            Section.DELIVERABILITY: "Deliverability: what Gmail, Yahoo and Outlook.com require",
        }[self]

    @property
    def intro(self) -> str:
        return {
            Section.SPOOFING: (
                "Whether others can send mail that appears to come from your domains, including "
                "those that send no mail."
            ),
            Section.TRANSIT: (
                "Whether mail is encrypted on its way. Only mail arriving at your servers can be "
                "observed."
            ),
            Section.DELIVERABILITY: (
                "The mailbox providers' rules for senders. They accept `p=none` and apply only to "
                "domains that send mail: a different bar from the security items above."
            ),
        }[self]


@dataclass(frozen=True)
class Item:
    key: str
    section: Section
    topic: str
    """What the item's bar is, in a few words; no question to answer."""
    rule: Rule
    cites: tuple[Cite, ...]


@dataclass(frozen=True)
class Confirmation:
    """Something no external check can see; the client's IT provider confirms it."""

    key: str
    topic: str
    usual_evidence: str
    cites: tuple[Cite, ...]
    always: str = ""
    """Why it is listed even when no selected instrument asks for it; "" when it is not."""


def _c(instrument: str, *refs: str) -> tuple[Cite, ...]:
    return tuple(Cite(instrument, r) for r in refs) or (Cite(instrument),)


_BULK = (*_c("gmail"), *_c("yahoo"), *_c("outlook"))

ITEMS: tuple[Item, ...] = (
    Item(
        "E02",
        Section.SPOOFING,
        "SPF record published and valid",
        Rule.SPF,
        (
            *_c("tmhcc", "§6c"),
            *_c("beazley", "F00839"),
            *_c("hartford", "ransomware supplemental"),
            *_c("cork", "RS3"),
            *_c("bitsight", "SPF Domains"),
            *_c("ncsc"),
            *_c("govuk"),
            *_c("cis", "9.5"),
            *_c("pci", "5.4.1"),
            *_c("nist"),
            *_c("ism", "ISM-0574"),
            *_c("cccs", "A.3.3"),
            *_c("bod-18-01", "90 days"),
        ),
    ),
    Item(
        "E03",
        Section.SPOOFING,
        "SPF ends in `-all` (hard fail)",
        Rule.SPF_HARDFAIL,
        (*_c("ism", "ISM-1183"), *_c("scuba", "MS.EXO.2.2v2")),
    ),
    Item(
        "E06",
        Section.SPOOFING,
        "DKIM signing key published",
        Rule.DKIM,
        (
            *_c("tmhcc", "§6c"),
            *_c("beazley", "F00839"),
            *_c("hartford", "ransomware supplemental"),
            *_c("bitsight", "DKIM Records"),
            *_c("ncsc"),
            *_c("govuk"),
            *_c("cis", "9.5"),
            *_c("pci", "5.4.1"),
            *_c("nist"),
            *_c("ism", "ISM-0861"),
            *_c("cccs", "A.3.4"),
            *_c("scuba", "MS.EXO.3.1v1"),
        ),
    ),
    Item(
        "E08",
        Section.SPOOFING,
        "DMARC record published",
        Rule.DMARC,
        (
            *_c("tmhcc", "§6c"),
            *_c("beazley", "F00839"),
            *_c("hartford", "ransomware supplemental"),
            *_c("cork", "RS7"),
            *_c("ncsc"),
            *_c("govuk"),
            *_c("nist"),
            *_c("scuba", "MS.EXO.4.1v1"),
            *_c("bod-18-01", "90 days"),
        ),
    ),
    Item(
        "E09",
        Section.SPOOFING,
        "DMARC enforced: quarantine or reject, for all mail and subdomains",
        Rule.DMARC_ENFORCED,
        (
            *_c("cork", "RS8"),
            *_c("bitsight", "DMARC"),
            *_c("cis", "9.5"),
            *_c("pci", "5.4.1"),
        ),
    ),
    Item(
        "E10",
        Section.SPOOFING,
        "DMARC `p=reject`, subdomains included",
        Rule.DMARC_REJECT,
        (
            *_c("ism", "ISM-1540"),
            *_c("scuba", "MS.EXO.4.2v1"),
            *_c("bod-18-01", "1 year"),
        ),
    ),
    Item(
        "E12",
        Section.SPOOFING,
        "DMARC aggregate reports requested (`rua`)",
        Rule.DMARC_RUA,
        _c("bod-18-01", "90 days"),
    ),
    Item(
        "E12-CISA",
        Section.SPOOFING,
        "DMARC reports also go to `reports@dmarc.cyber.dhs.gov`",
        Rule.DMARC_RUA_CISA,
        _c("scuba", "MS.EXO.4.3v1"),
    ),
    Item(
        "E05",
        Section.SPOOFING,
        "Domains that send no mail say so: null MX, `v=spf1 -all`, DMARC `p=reject`",
        Rule.PARKED,
        (*_c("bitsight", "SPF Domains"), *_c("ism", "ISM-0574"), *_c("cccs", "A.3.3")),
    ),
    Item(
        "E14",
        Section.TRANSIT,
        "Mail encrypted in transit (TLS)",
        Rule.TRANSIT,
        (
            *_c("cowbell", "1.3"),
            *_c("travelers", "CYB-14202 Q6"),
            *_c("chubb", "§4.2"),
            *_c("hiscox"),
            *_c("ncsc"),
            *_c("govuk"),
            *_c("nist"),
            *_c("ism", "ISM-0572"),
            *_c("bsi-tr03108"),
            *_c("hecvat", "DATA-02"),
        ),
    ),
    Item(
        "E14-STARTTLS",
        Section.TRANSIT,
        "STARTTLS on every internet-facing mail server",
        Rule.STARTTLS,
        _c("bod-18-01", "90 days"),
    ),
    Item(
        "E15",
        Section.TRANSIT,
        "SSLv2, SSLv3, RC4 and 3DES disabled on mail servers",
        Rule.LEGACY_TLS,
        _c("bod-18-01", "120 days"),
    ),
    Item(
        "E16",
        Section.TRANSIT,
        "MTA-STS enforced, with TLS reporting",
        Rule.MTA_STS,
        (*_c("ism", "ISM-1589"), *_c("govuk")),
    ),
    Item(
        "E17",
        Section.TRANSIT,
        "TLS reporting (TLS-RPT) published",
        Rule.TLS_RPT,
        (*_c("govuk"), *_c("bsi-grundschutz", "APP.5.3.A13")),
    ),
    Item(
        "E19",
        Section.TRANSIT,
        "DNSSEC and DANE for inbound mail",
        Rule.DANE,
        (*_c("bsi-tr03108"), *_c("nist")),
    ),
    Item(
        "D1",
        Section.DELIVERABILITY,
        "SPF and DKIM on the domains you send from",
        Rule.BULK_AUTH,
        _BULK,
    ),
    Item(
        "D2",
        Section.DELIVERABILITY,
        "DMARC published (`p=none` is accepted)",
        Rule.BULK_DMARC,
        _BULK,
    ),
    Item(
        "E13",
        Section.DELIVERABILITY,
        "Every legitimate sender passes DMARC aligned",
        Rule.ALIGNMENT,
        _BULK,
    ),
)

CONFIRMATIONS: tuple[Confirmation, ...] = (
    Confirmation(
        "mfa",
        "Multi-factor authentication on all email access (webmail, mail apps, personal devices).",
        "An MFA or conditional-access policy export, or a screenshot.",
        (
            *_c("at-bay", "Q2300"),
            *_c("beazley", "F00863 Q6"),
            *_c("coalition", "Q6a"),
            *_c("corvus", "Q11c"),
            *_c("cowbell", "R3"),
            *_c("travelers", "CYB-14202 Q10j", "CYB-14306 MFA-1"),
            *_c("tmhcc", "§6d", "NGP-NBA §6d"),
        ),
    ),
    Confirmation(
        "tagging",
        "Mail from outside is tagged or bannered.",
        "The transport rule or external-sender banner setting.",
        (
            *_c("tmhcc", "§6a"),
            *_c("aig", "Q22"),
            *_c("beazley", "F00863 Q7"),
            *_c("hartford", "§7"),
        ),
    ),
    Confirmation(
        "screening",
        "Inbound attachments and links are scanned; attachments are sandboxed before delivery.",
        "The filter's licence and policy (on Microsoft 365: the Defender for Office 365 plan).",
        (
            *_c("tmhcc", "§6b", "§6e", "NGP-NBA §6f"),
            *_c("at-bay", "Q2302"),
            *_c("beazley", "F00863 Q7"),
            *_c("aig", "Q12"),
            *_c("hartford", "§7"),
            *_c("corvus", "Q9"),
            *_c("cis", "9.6", "9.7"),
            *_c("pci", "5.4.1"),
        ),
    ),
    Confirmation(
        "dkim-all-senders",
        "Every service that sends as you signs with DKIM for your domain (newsletters, "
        "invoicing, web forms).",
        "Each service's DKIM setting, or a test message's headers (`dkim=pass`).",
        (
            *_c("cis", "9.5"),
            *_c("ism", "ISM-0861"),
            *_c("cccs", "A.3.4"),
            *_c("scuba", "MS.EXO.3.1v1"),
            *_BULK,
        ),
    ),
    Confirmation(
        "dmarc-reports",
        "Someone reads the DMARC aggregate reports and acts on them.",
        "The mailbox or reporting service the `rua` address points to.",
        (*_c("cccs", "A.3.5"), *_c("scuba", "MS.EXO.4.3v1"), *_c("bod-18-01", "90 days")),
        always="the reports are the evidence for each step of the DMARC rollout plan",
    ),
    Confirmation(
        "inbound-auth",
        "Inbound mail that fails DMARC or SPF is rejected or clearly marked.",
        "The anti-spoofing policy of the mail platform or filter.",
        (*_c("ism", "ISM-1799", "ISM-1151", "ISM-1152"), *_c("cis", "9.5")),
    ),
    Confirmation(
        "outbound-tls",
        "Outgoing mail uses TLS; sensitive messages are encrypted where needed.",
        "Outbound connector settings, or the headers of a message you send us.",
        (
            *_c("cowbell", "1.3"),
            *_c("travelers", "CYB-14202 Q6"),
            *_c("ncsc"),
            *_c("ism", "ISM-0572"),
            *_c("gmail"),
        ),
    ),
    Confirmation(
        "logging",
        "Mailbox audit logging is on and kept.",
        "The audit-log setting and retention period of the mail platform.",
        _c("beazley", "F00839"),
    ),
    Confirmation(
        "training",
        "Staff are trained to recognise phishing (training alone does not meet PCI DSS 5.4.1).",
        "Training platform completion records.",
        _c("pci", "12.6.3.1"),
    ),
)
