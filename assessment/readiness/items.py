"""What insurance applications, frameworks and mailbox providers ask about email security, as
data. Evaluation lives in `rules.py` and `assembly.py` beside this module; nothing here looks at
evidence.

Sources and wording follow the questionnaire research the kit was built from (see
docs/readiness-sources.md); questions are short
paraphrases for identification, never a carrier's exact form text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Rule(StrEnum):
    """How an item is judged from outside; each is one function in `readiness/rules.py`."""

    SPF_VALID = "spf-valid"
    SPF_HARDFAIL = "spf-hardfail"
    DKIM_KEY = "dkim-key"
    DMARC_PRESENT = "dmarc-present"
    DMARC_ENFORCED = "dmarc-enforced"
    DMARC_REJECT = "dmarc-reject"
    DMARC_RUA = "dmarc-rua"
    DMARC_RUA_CISA = "dmarc-rua-cisa"
    ANTI_SPOOFING = "anti-spoofing"
    """SPF, DKIM and an enforcing DMARC together."""
    BULK_SENDER = "bulk-sender"
    """SPF and DKIM, DMARC at least p=none."""
    ALIGNMENT = "alignment"
    STARTTLS = "starttls"
    INBOUND_TLS = "inbound-tls"
    """Encryption in transit: only the inbound half can be seen from outside."""
    LEGACY_TLS = "legacy-tls"
    MTA_STS = "mta-sts"
    FILTER = "filter"
    M365 = "m365"


class Lens(StrEnum):
    SECURITY = "security"
    DELIVERABILITY = "deliverability"


class AnswerStatus(StrEnum):
    """How confidently the client can answer a questionnaire item today."""

    YES = "yes"
    PARTIAL = "partial"
    NO = "no"
    CONFIRM = "confirm"
    """Cannot be verified from outside: the client must confirm it."""
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return {
            # Readiness words, not answers: the report describes evidence and never tells
            # the client what to declare on a signed application.
            AnswerStatus.YES: "Ready",
            AnswerStatus.PARTIAL: "Partially ready",
            AnswerStatus.NO: "Not ready",
            AnswerStatus.CONFIRM: "Needs your confirmation",
            AnswerStatus.NOT_APPLICABLE: "Not applicable",
        }[self]


@dataclass(frozen=True)
class Framework:
    key: str
    name: str
    scope: str
    """Who the instrument applies to, in one sentence."""
    federal_only: bool = False
    """US federal directives: shown for information, marked not applicable."""


@dataclass(frozen=True)
class QuestionItem:
    key: str
    framework: str
    """`Framework.key`."""
    reference: str
    """The instrument's own identifier (question number, control id)."""
    question: str
    rule: Rule
    lens: Lens = Lens.SECURITY
    """The lens whose verdict is the item's status."""
    federal_only: bool = False


@dataclass(frozen=True)
class Confirmation:
    """Something no external check can see; the client's IT provider confirms it."""

    key: str
    topic: str
    asked_by: str
    usual_evidence: str


FRAMEWORKS: tuple[Framework, ...] = (
    Framework(
        "insurance",
        "Cyber insurance applications",
        "Questions seen on small-business cyber insurance applications and in carriers' "
        "external scans (Tokio Marine HCC NetGuard Plus, Beazley, The Hartford, Cowbell, "
        "Travelers, At-Bay, Cork).",
    ),
    Framework(
        "cis",
        "CIS Critical Security Controls v8",
        "Safeguard 9.5 (Implementation Groups 2 and 3).",
    ),
    Framework(
        "pci",
        "PCI DSS v4.0.1 requirement 5.4.1",
        "Businesses that store, process or transmit payment card data; mandatory since "
        "31 March 2025.",
    ),
    Framework(
        "ism",
        "Australian Government ISM (Guidelines for email)",
        "Australian government bodies and their suppliers; widely used as a benchmark.",
    ),
    Framework(
        "scuba",
        "CISA SCuBA Microsoft 365 Exchange Online baseline",
        "A secure-configuration baseline for Microsoft 365 tenants.",
    ),
    Framework(
        "bulk",
        "Google, Yahoo and Microsoft sender requirements",
        "Domains sending more than about 5,000 messages a day to Gmail, Yahoo or Outlook.com; "
        "the same records help every sender's deliverability.",
    ),
    Framework(
        "bod1801",
        "CISA BOD 18-01",
        "Binding only on US federal executive-branch agencies; shown for reference.",
        federal_only=True,
    ),
)

ITEMS: tuple[QuestionItem, ...] = (
    QuestionItem(
        "ins-spf",
        "insurance",
        "TMHCC NetGuard Plus §6c; Beazley F00839; Hartford ransomware supplemental",
        "Is SPF implemented for the email domain?",
        Rule.SPF_VALID,
    ),
    QuestionItem(
        "ins-dkim",
        "insurance",
        "TMHCC NetGuard Plus §6c; Beazley F00839; Hartford ransomware supplemental",
        "Is DKIM implemented for the email domain?",
        Rule.DKIM_KEY,
    ),
    QuestionItem(
        "ins-dmarc",
        "insurance",
        "TMHCC NetGuard Plus §6c; Beazley F00839; Cork RS7",
        "Is DMARC implemented for the email domain?",
        Rule.DMARC_PRESENT,
    ),
    QuestionItem(
        "ins-dmarc-enforced",
        "insurance",
        "Cork RS8; carrier external scans (Coalition, Bitsight)",
        "Is DMARC enforced (quarantine or reject, for all mail and subdomains)?",
        Rule.DMARC_ENFORCED,
    ),
    QuestionItem(
        "ins-transit",
        "insurance",
        "Cowbell Prime 250 §1.3; Travelers CYB-14202 Q6; Chubb, Hiscox",
        "Is email encrypted in transit?",
        Rule.INBOUND_TLS,
    ),
    QuestionItem(
        "ins-filter",
        "insurance",
        "TMHCC §6b and §6f; At-Bay Q2302; Beazley Q7; Hartford §7; Corvus Q9",
        "Is inbound email screened by an email security filter or gateway?",
        Rule.FILTER,
    ),
    QuestionItem(
        "ins-m365",
        "insurance",
        "TMHCC §6e; AIG CyberEdge Q12",
        "Does the organisation use Microsoft 365 (Office 365) for email?",
        Rule.M365,
    ),
    QuestionItem(
        "cis-9.5",
        "cis",
        "CIS Controls v8 safeguard 9.5",
        "Implement DMARC, starting with SPF and DKIM.",
        Rule.ANTI_SPOOFING,
    ),
    QuestionItem(
        "pci-5.4.1-spoofing",
        "pci",
        "PCI DSS 5.4.1 (Good Practice: DMARC, SPF, DKIM)",
        "Anti-spoofing controls that stop phishers from using the business's domain.",
        Rule.ANTI_SPOOFING,
    ),
    QuestionItem(
        "pci-5.4.1-detection",
        "pci",
        "PCI DSS 5.4.1",
        "Automated mechanisms that detect and protect staff against phishing in inbound mail.",
        Rule.FILTER,
    ),
    QuestionItem(
        "ism-0574",
        "ism",
        "ISM-0574",
        "SPF specifies the authorised email servers (or lack thereof) for every domain.",
        Rule.SPF_VALID,
    ),
    QuestionItem(
        "ism-1183",
        "ism",
        "ISM-1183",
        "The SPF record is a hard fail record (-all).",
        Rule.SPF_HARDFAIL,
    ),
    QuestionItem(
        "ism-0861",
        "ism",
        "ISM-0861",
        "DKIM signing is enabled on outgoing email.",
        Rule.DKIM_KEY,
    ),
    QuestionItem(
        "ism-1540",
        "ism",
        "ISM-1540",
        "DMARC rejects email that fails DMARC checks, for the domains and their subdomains.",
        Rule.DMARC_REJECT,
    ),
    QuestionItem(
        "ism-0572",
        "ism",
        "ISM-0572",
        "Opportunistic TLS is enabled on email servers for incoming and outgoing email.",
        Rule.INBOUND_TLS,
    ),
    QuestionItem(
        "ism-1589",
        "ism",
        "ISM-1589",
        "MTA-STS is enabled to prevent unencrypted transfer of email between servers.",
        Rule.MTA_STS,
    ),
    QuestionItem(
        "scuba-2.2",
        "scuba",
        "MS.EXO.2.2v2",
        "An SPF policy is published for each domain that fails all non-approved senders.",
        Rule.SPF_HARDFAIL,
    ),
    QuestionItem(
        "scuba-3.1",
        "scuba",
        "MS.EXO.3.1v1",
        "DKIM is enabled for all domains.",
        Rule.DKIM_KEY,
    ),
    QuestionItem(
        "scuba-4.1",
        "scuba",
        "MS.EXO.4.1v1",
        "A DMARC policy is published for every second-level domain.",
        Rule.DMARC_PRESENT,
    ),
    QuestionItem(
        "scuba-4.2",
        "scuba",
        "MS.EXO.4.2v1",
        "The DMARC message rejection option is p=reject.",
        Rule.DMARC_REJECT,
    ),
    QuestionItem(
        "scuba-4.3",
        "scuba",
        "MS.EXO.4.3v1",
        "DMARC aggregate reports include reports@dmarc.cyber.dhs.gov (US federal agencies).",
        Rule.DMARC_RUA_CISA,
        federal_only=True,
    ),
    QuestionItem(
        "bulk-auth",
        "bulk",
        "Gmail sender guidelines; Yahoo sender requirements; Outlook.com high-volume senders",
        "SPF and DKIM are set up, and DMARC is published (p=none is accepted).",
        Rule.BULK_SENDER,
        Lens.DELIVERABILITY,
    ),
    QuestionItem(
        "bulk-dmarc",
        "bulk",
        "Gmail sender guidelines; Outlook.com high-volume senders",
        "A DMARC record exists, at least p=none.",
        Rule.DMARC_PRESENT,
        Lens.DELIVERABILITY,
    ),
    QuestionItem(
        "bulk-alignment",
        "bulk",
        "Gmail sender guidelines; Yahoo sender requirements",
        "The From domain aligns with the SPF or DKIM domain of each message.",
        Rule.ALIGNMENT,
        Lens.DELIVERABILITY,
    ),
    QuestionItem(
        "bod-starttls",
        "bod1801",
        "BOD 18-01 (90 days)",
        "STARTTLS on every internet-facing mail server.",
        Rule.STARTTLS,
        federal_only=True,
    ),
    QuestionItem(
        "bod-spf",
        "bod1801",
        "BOD 18-01 (90 days)",
        "A valid SPF record.",
        Rule.SPF_VALID,
        federal_only=True,
    ),
    QuestionItem(
        "bod-dmarc",
        "bod1801",
        "BOD 18-01 (1 year)",
        "DMARC p=reject for all second-level domains and mail-sending hosts.",
        Rule.DMARC_REJECT,
        federal_only=True,
    ),
    QuestionItem(
        "bod-rua",
        "bod1801",
        "BOD 18-01",
        "DMARC aggregate reports go to reports@dmarc.cyber.dhs.gov.",
        Rule.DMARC_RUA_CISA,
        federal_only=True,
    ),
    QuestionItem(
        "bod-legacy",
        "bod1801",
        "BOD 18-01 (120 days)",
        "SSLv2, SSLv3, 3DES and RC4 are disabled on mail servers.",
        Rule.LEGACY_TLS,
        federal_only=True,
    ),
)

CONFIRMATIONS: tuple[Confirmation, ...] = (
    Confirmation(
        "mfa",
        "Multi-factor authentication is enforced on all email access (webmail, mail apps, "
        "personal devices).",
        "Most insurance applications (At-Bay Q2300, Beazley Q6, Coalition Q6a, Corvus Q11c, "
        "Travelers, Cowbell)",
        "A conditional-access or MFA policy export, or an admin-centre screenshot.",
    ),
    Confirmation(
        "tagging",
        "Email from outside the organisation is tagged or bannered.",
        "TMHCC §6a, AIG Q22, Beazley Q7, Hartford §7",
        "The transport rule or external-sender banner setting.",
    ),
    Confirmation(
        "screening",
        "Attachments and links in inbound mail are scanned, and attachments detonated in a "
        "sandbox before delivery.",
        "TMHCC §6b, Corvus Q9, CIS 9.6/9.7, PCI DSS 5.4.1",
        "The filtering product's licence and policy settings.",
    ),
    Confirmation(
        "dkim-all-senders",
        "Every service that sends mail as the domain signs with DKIM for that domain "
        "(mail platform, newsletters, invoicing, website forms).",
        "CIS 9.5, ISM-0861, SCuBA MS.EXO.3.1, bulk-sender rules",
        "DKIM status in each service's admin page, or the headers of one test message from "
        "each (dkim=pass with the domain's d=).",
    ),
    Confirmation(
        "dmarc-reports",
        "Someone reads the DMARC aggregate reports and acts on them.",
        "BOD 18-01, SCuBA MS.EXO.4.3, insurer scan follow-up",
        "The mailbox or DMARC reporting service the rua address points to.",
    ),
    Confirmation(
        "inbound-auth",
        "Inbound mail that fails DMARC or SPF checks is rejected or clearly marked.",
        "ISM-1799, ISM-1151, ISM-1152, CIS 9.5 (verification)",
        "The anti-spoofing policy of the mail platform or filter.",
    ),
    Confirmation(
        "outbound-tls",
        "Outgoing mail uses TLS, and sensitive messages use message encryption where needed.",
        "Cowbell §1.3, Travelers Q6, ISM-0572",
        "The mail platform's outbound connector settings; a received test message's headers.",
    ),
    Confirmation(
        "training",
        "Staff receive security awareness training and phishing simulations.",
        "Most insurance applications; PCI DSS 12.6.3.1",
        "Training platform completion records.",
    ),
    Confirmation(
        "logging",
        "Mailbox audit logging is enabled and kept.",
        "Beazley F00839",
        "The audit-log setting and retention period in the mail platform.",
    ),
)
