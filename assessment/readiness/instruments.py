"""Every instrument the readiness notes cite, with its ids and sources, as data.

Compiled from public material up to mid-2026 (the questionnaire research note behind this
package). Carriers revise their forms often: a question number is that of the edition named
here, and secondary sources may paraphrase. Nothing here is legal or underwriting advice.
docs/readiness-sources.md is generated from this module: `python -m assessment.readiness`.
"""

from __future__ import annotations

from collections.abc import Mapping

from assessment.readiness.sources import Group, Instrument, Provenance, Source

P, S, U = Provenance.PRIMARY, Provenance.SECONDARY, Provenance.UNVERIFIED

_LIONGARD = (
    "https://github.com/liongard/liongard-ai/blob/55c041b/recipes/compliance/cyber-insurance/"
    "carriers/{}.md"
)


def _liongard(carrier: str, note: str = "") -> Source:
    return Source(
        _LIONGARD.format(carrier),
        S,
        note or "Liongard carrier question map (commit 55c041b): a paraphrase of the form.",
    )


INSTRUMENTS: tuple[Instrument, ...] = (
    # ------------------------------------------------------------------ insurance
    Instrument(
        "tmhcc",
        "TMHCC",
        "Tokio Marine HCC NetGuard Plus application (§6 email block; edition not confirmed) "
        "and the NGP-NBA (10.2020) edition",
        Group.INSURANCE,
        "Small-business cyber insurance application.",
        (
            _liongard(
                "tokio-marine-hcc",
                "Liongard carrier question map (commit 55c041b). The §6a-§6e block is also "
                "reproduced verbatim in public MSP intake forms (not cited: they carry "
                "personal data). The NGP-NBA 10.2020 edition numbers its §6 differently.",
            ),
        ),
        ids=("§6a", "§6b", "§6c", "§6d", "§6e", "NGP-NBA §6d", "NGP-NBA §6f"),
    ),
    Instrument(
        "beazley",
        "Beazley",
        "Beazley Cyber Insurance Application < $250M (F00863, 042023); Beazley Digital "
        "Application (F00839, 112021)",
        Group.INSURANCE,
        "Cyber insurance applications.",
        (
            _liongard("beazley"),
            Source(
                "",
                S,
                "A third party's question catalogue that rephrases the F00839 question "
                '"Are DMARC, DKIM, and SPF records implemented on your email domain?".',
            ),
        ),
        ids=("F00863 Q6", "F00863 Q7", "F00839"),
    ),
    Instrument(
        "at-bay",
        "At-Bay",
        "At-Bay Surplus Cyber quote question set (Q2300-Q2303)",
        Group.INSURANCE,
        "Cyber insurance quotes through At-Bay's API and application.",
        (
            Source(
                "https://developers.at-bay.com/docs/cyber-questions",
                P,
                "At-Bay developer documentation, 'Cyber And TEO Question Sets'.",
            ),
        ),
        ids=("Q2300", "Q2302"),
    ),
    Instrument(
        "aig",
        "AIG",
        "AIG CyberEdge application 149053 (Ed. 08/23), revenue up to $50M",
        Group.INSURANCE,
        "Cyber insurance application.",
        (_liongard("aig"),),
        ids=("Q12", "Q22"),
    ),
    Instrument(
        "hartford",
        "Hartford",
        "The Hartford CyberChoice underwriting application (CB 00 H027 03 0824) and its "
        "ransomware supplemental (edition not identified)",
        Group.INSURANCE,
        "Cyber insurance application and supplement.",
        (
            _liongard("hartford"),
            Source(
                "https://www.bindledger.com/blog/dmarc-spf-dkim-for-cyber-insurance",
                S,
                "Bindledger (2026): the ransomware supplemental asks which protocols "
                "authenticate the sender and content of emails; its option list was not seen.",
            ),
        ),
        ids=("§7", "ransomware supplemental"),
    ),
    Instrument(
        "corvus",
        "Corvus",
        "Corvus (Travelers) Smart Cyber Insurance application v3.2 (Sep 2024)",
        Group.INSURANCE,
        "Cyber insurance application.",
        (_liongard("corvus"),),
        ids=("Q9", "Q11c"),
    ),
    Instrument(
        "coalition",
        "Coalition",
        "Coalition Cyber & Tech E&O application (SP 17 717 1120) / Active Cyber Policy "
        "application; Coalition Control external scans",
        Group.INSURANCE,
        "Cyber insurance application; policyholders' domains are scanned monthly.",
        (
            _liongard("coalition"),
            Source(
                "https://help.coalitioninc.com/hc/en-us/articles/10302632830363-Coalition-"
                "Control-Scans-FAQs",
                P,
                "Coalition help centre: monthly external scans; unfixed findings lead to "
                "contingencies at renewal. The list of email findings was not published.",
            ),
        ),
        ids=("Q6a",),
    ),
    Instrument(
        "cowbell",
        "Cowbell",
        "Cowbell Prime 250 new business (PRIME 250 003 07 20) and renewal "
        "(PRIME 250 075 06 21) applications",
        Group.INSURANCE,
        "Cyber insurance applications.",
        (_liongard("cowbell"),),
        ids=("1.3", "R3"),
    ),
    Instrument(
        "travelers",
        "Travelers",
        "Travelers CyberRisk renewal application CYB-14202 (Ed. 01-19) and MFA attestation "
        "CYB-14306 (Ed. 05-21)",
        Group.INSURANCE,
        "Cyber insurance applications.",
        (_liongard("travelers"),),
        ids=("CYB-14202 Q6", "CYB-14202 Q10j", "CYB-14306 MFA-1"),
    ),
    Instrument(
        "chubb",
        "Chubb",
        "Chubb Cyber ERM application PF-48163 (08/17)",
        Group.INSURANCE,
        "Cyber insurance application; asks about encryption of sensitive data, not email "
        "authentication.",
        (_liongard("chubb"),),
        ids=("§4.2",),
    ),
    Instrument(
        "hiscox",
        "Hiscox",
        "Hiscox renewal application PLP_A0002 (data breach section)",
        Group.INSURANCE,
        "Cyber insurance application; asks whether data is encrypted at rest and in transit.",
        (_liongard("hiscox"),),
    ),
    Instrument(
        "cork",
        "Cork",
        "Cork cyber warranty signals",
        Group.INSURANCE,
        "External signals behind Cork's cyber warranty.",
        (
            Source(
                "https://help.corkinc.com/articles/5092281239-insecure-email-configuration",
                P,
                "RS3 SPF not configured, RS4 weak SPF, RS7 DMARC not configured, RS8 weak "
                "DMARC (p empty or none, pct below 100, or sp=none).",
            ),
        ),
        ids=("RS3", "RS7", "RS8"),
    ),
    Instrument(
        "bitsight",
        "Bitsight",
        "Bitsight security ratings: SPF Domains, DKIM Records and (ungraded) DMARC risk vectors",
        Group.INSURANCE,
        "External ratings many insurers and buyers consult; SPF is expected on every domain, "
        "parked ones included; findings age out after 60 days.",
        (
            Source("https://help.bitsighttech.com/hc/en-us/articles/27886777693463", P),
            Source("https://help.bitsighttech.com/hc/en-us/articles/27887220463639", P),
            Source(
                "http://blog.bitsighttech.com/blog/enabling-more-precise-evaluation-email-"
                "security-dmarc",
                P,
                "DMARC added on 30 April 2024 as an ungraded risk vector.",
            ),
        ),
        ids=("SPF Domains", "DKIM Records", "DMARC"),
    ),
    # ------------------------------------------------------------------ frameworks, guidance
    Instrument(
        "ncsc",
        "NCSC",
        "NCSC: Email security and anti-spoofing (2017, updated 2018)",
        Group.FRAMEWORK,
        "UK guidance for all organisations: send and receive with TLS (certificates from a "
        "well-known authority, good cryptographic profiles) and configure SPF, DKIM and DMARC.",
        (Source("https://www.ncsc.gov.uk/guidance/email-security-and-anti-spoofing", P),),
    ),
    Instrument(
        "govuk",
        "GOV.UK/MoJ",
        "GOV.UK: Set up government email services securely; Ministry of Justice email "
        "authentication guide",
        Group.FRAMEWORK,
        "UK public-sector email guidance: TLS 1.2 or later, SPF, DKIM, DMARC, MTA-STS and TLS "
        "reporting.",
        (
            Source("https://www.gov.uk/guidance/set-up-government-email-services-securely", P),
            Source(
                "https://security-guidance.service.justice.gov.uk/email-authentication-guide/", P
            ),
        ),
        offer="for the public sector",
    ),
    Instrument(
        "cyber-essentials",
        "Cyber Essentials",
        "Cyber Essentials requirements for IT infrastructure v3.2 (NCSC/IASME)",
        Group.FRAMEWORK,
        "UK government-backed certification of five technical controls.",
        (
            Source(
                "https://cyberessentials.ncsc.gov.uk/",
                P,
                "Requirements document: firewalls, secure configuration, user access control, "
                "malware protection, security update management. No SPF, DKIM, DMARC or "
                "MTA-STS requirement; vendor pages claiming it requires DMARC are wrong.",
            ),
        ),
        statement=(
            "Cyber Essentials has no email authentication requirement: it covers firewalls, "
            "secure configuration, user access control, malware protection and security "
            "updates. None of the items below is a Cyber Essentials control."
        ),
    ),
    Instrument(
        "pci",
        "PCI DSS",
        "PCI DSS v4.0.1",
        Group.FRAMEWORK,
        "Businesses that store, process or transmit payment card data; 5.4.1 is mandatory "
        "since 31 March 2025.",
        (
            Source(
                "https://withpci.com/requirements/5/5.4/5.4.1",
                P,
                "Text copy of 5.4.1 and its Good Practice (DMARC, SPF, DKIM against spoofing); "
                "training alone does not meet it (12.6.3.1).",
            ),
            Source("https://service.securitm.ru/docs/pci-dss-v4-0/requirement-5-4-1", P),
        ),
        ids=("5.4.1", "12.6.3.1"),
        offer="if you take card payments",
    ),
    Instrument(
        "cis",
        "CIS",
        "CIS Critical Security Controls v8 (and v8.1), Control 9",
        Group.FRAMEWORK,
        "A widely used control set; safeguard 9.5 belongs to Implementation Groups 2 and 3.",
        (
            Source(
                "https://csf.tools/reference/critical-security-controls/version-8/csc-9/",
                P,
                "Safeguard texts. CIS does not set a DMARC policy level; treating quarantine "
                "or reject as the bar is our inference.",
            ),
            Source("https://advancecyber.com/audit-checklist/9", S, "Implementation Groups."),
        ),
        ids=("9.5", "9.6", "9.7"),
    ),
    Instrument(
        "nist",
        "NIST SP 800-177r1",
        "NIST SP 800-177 Rev. 1, Trustworthy Email (Feb 2019)",
        Group.FRAMEWORK,
        "US guidance on SPF, DKIM and DMARC, TLS for transfer (DANE among its keywords) and "
        "S/MIME.",
        (
            Source(
                "https://www.nist.gov/publications/trustworthy-email-0",
                P,
                "Abstract only: its numbered recommendations were not read, so no section "
                "number is cited.",
            ),
            Source("https://csrc.nist.gov/pubs/sp/800/177/r1/ipd", P),
        ),
    ),
    Instrument(
        "ism",
        "ISM",
        "Australian Government Information Security Manual, Guidelines for email "
        "(control revisions to June 2025)",
        Group.FRAMEWORK,
        "Australian government bodies and their suppliers; widely used as a benchmark.",
        (
            Source(
                "https://github.com/bradh/ism-oscal",
                P,
                "ISM OSCAL catalogue (commit 7b027f3, Dec 2021) and the Guidelines for Email "
                "text with control revisions to Jun-25. TLS reporting appears in the guidance "
                "text with no control id of its own.",
            ),
        ),
        ids=(
            "ISM-0572",
            "ISM-0574",
            "ISM-0861",
            "ISM-1151",
            "ISM-1152",
            "ISM-1183",
            "ISM-1540",
            "ISM-1589",
            "ISM-1799",
        ),
        cite_format="{ref}",
    ),
    Instrument(
        "essential-eight",
        "Essential Eight",
        "ASD Essential Eight",
        Group.FRAMEWORK,
        "Australia's baseline mitigation strategies.",
        (
            Source(
                "https://github.com/bradh/ism-oscal",
                P,
                'Every ISM email authentication control is tagged "Essential 8: N/A".',
            ),
        ),
        statement=(
            "The Essential Eight does not include SPF, DKIM, DMARC or MTA-STS; the ISM controls "
            "below are where these are asked for."
        ),
    ),
    Instrument(
        "bsi-tr03108",
        "BSI TR-03108",
        "BSI Technical Guideline TR-03108, Secure E-Mail Transport",
        Group.FRAMEWORK,
        "German guideline for certified email providers: DNSSEC and DANE for inbound SMTP, "
        "TLS 1.2 or later, STARTTLS with valid certificates. Useful when choosing a provider; "
        "not a duty for an ordinary company.",
        (Source("https://www.bsi.bund.de/", P, "A summary of TR-03108, found on the BSI site."),),
    ),
    Instrument(
        "bsi-grundschutz",
        "IT-Grundschutz",
        "BSI IT-Grundschutz module APP.5.3 (general email client and server)",
        Group.FRAMEWORK,
        "German baseline protection; A13 (TLS reporting) applies where protection needs are "
        "elevated.",
        (
            Source(
                "",
                S,
                "Second-hand: APP.5.3.A13 'TLS-Reporting' seen in a published control list and "
                "a PowerShell configuration check (EDCA-TLS-028); the module text was not read.",
            ),
        ),
        ids=("APP.5.3.A13",),
        cite_format="{ref}",
    ),
    Instrument(
        "cccs",
        "CCCS",
        "Canadian Centre for Cyber Security, Implementation guidance: email domain protection",
        Group.FRAMEWORK,
        "Canadian guidance for deploying SPF, DKIM and DMARC on every domain.",
        (
            Source(
                "https://cyber.gc.ca/en/guidance/implementation-guidance-email-domain-protection",
                S,
                "Section headings (A.3.3 Deploy SPF for All Domains, A.3.4 Deploy DKIM for All "
                "Domains and Senders, A.3.5 Monitor DMARC Reports) seen in the guidance map "
                "of an open-source Government of Canada domain scanner; the research note "
                "filed it as ITSP.40.062, a number we have not confirmed.",
            ),
        ),
        ids=("A.3.3", "A.3.4", "A.3.5"),
    ),
    Instrument(
        "bod-18-01",
        "BOD 18-01",
        "CISA Binding Operational Directive 18-01, Enhance Email and Web Security (Oct 2017)",
        Group.FRAMEWORK,
        "Binding only on US federal executive-branch agencies.",
        (
            Source(
                "https://cisa.gov/news-events/directives/binding-operational-directive-18-01", P
            ),
            Source("https://cyber.dhs.gov/guide/", P),
            Source(
                "https://sendmarc.com/dmarc/global-dmarc-and-email-security-regulations/bod-18-01",
                S,
            ),
        ),
        ids=("90 days", "120 days", "1 year"),
        cite_format="{short} ({ref})",
        federal_only=True,
        offer="for US federal agencies and their contractors",
    ),
    Instrument(
        "scuba",
        "SCuBA",
        "CISA SCuBA Microsoft 365 Exchange Online baseline",
        Group.FRAMEWORK,
        "A secure-configuration baseline for US federal Microsoft 365 tenants.",
        (
            Source(
                "https://github.com/cisagov/ScubaGear/blob/00214f5/PowerShell/ScubaGear/"
                "baselines/exo.md",
                P,
                "Baseline text (commit 00214f5).",
            ),
        ),
        ids=("MS.EXO.2.2v2", "MS.EXO.3.1v1", "MS.EXO.4.1v1", "MS.EXO.4.2v1", "MS.EXO.4.3v1"),
        federal_only=True,
        offer="for US federal agencies and their contractors",
    ),
    # ------------------------------------------------------------------ vendor questionnaires
    Instrument(
        "hecvat",
        "HECVAT",
        "HECVAT 4.1.5 (EDUCAUSE)",
        Group.VENDOR,
        "Higher-education vendor questionnaire; none of its 332 questions names SPF, DKIM or "
        "DMARC.",
        (
            Source(
                "https://github.com/jdhori/HECVAT-415",
                S,
                "Unofficial web form generated from the HECVAT 4.1.5 workbook (commit 32df1b7).",
            ),
        ),
        ids=("DATA-02",),
    ),
    # ------------------------------------------------------------------ deliverability
    Instrument(
        "gmail",
        "Gmail",
        "Google Gmail sender guidelines (from 1 February 2024)",
        Group.DELIVERABILITY,
        "Everyone sending to Gmail; stricter rules above about 5,000 messages a day.",
        (
            Source(
                "https://support.google.com/mail/answer/81126",
                P,
                "Read through verbatim copies (media.crediblock.com, help.pure360.com). All "
                "senders: SPF or DKIM, TLS; bulk senders: SPF and DKIM, DMARC (p=none "
                "accepted), From aligned with SPF or DKIM.",
            ),
        ),
    ),
    Instrument(
        "yahoo",
        "Yahoo",
        "Yahoo sender requirements (February 2024)",
        Group.DELIVERABILITY,
        "Bulk senders to Yahoo.",
        (
            Source(
                "https://help.pure360.com/hc/en-gb/articles/16777281550226-Yahoo-Google-2024-"
                "Sender-Guidelines",
                S,
                "ESP summaries (also a university IT FAQ); Yahoo's own page was not read.",
            ),
        ),
    ),
    Instrument(
        "outlook",
        "Outlook.com",
        "Microsoft Outlook.com requirements for high-volume senders (from 5 May 2025)",
        Group.DELIVERABILITY,
        "Senders of more than 5,000 messages a day to outlook.com, hotmail.com and live.com "
        "(consumer mailboxes, not Microsoft 365 tenants).",
        (
            Source("https://dmarcian.com/microsoft-enforces-spf-dkim-dmarc", S),
            Source("https://egressif.io/resources/sender-requirements/microsoft", S),
        ),
    ),
)

BY_KEY: Mapping[str, Instrument] = {i.key: i for i in INSTRUMENTS}

INSURANCE = tuple(i.key for i in INSTRUMENTS if i.group is Group.INSURANCE)
DELIVERABILITY = tuple(i.key for i in INSTRUMENTS if i.group is Group.DELIVERABILITY)
VENDOR = tuple(i.key for i in INSTRUMENTS if i.group is Group.VENDOR)
FEDERAL = tuple(i.key for i in INSTRUMENTS if i.federal_only)


def sources_markdown() -> str:
    """docs/readiness-sources.md: every instrument, the ids the notes cite, and the sources."""
    lines = [
        "# Sources for the questionnaire readiness notes",
        "",
        "Generated by `python -m assessment.readiness > docs/readiness-sources.md`; do not edit.",
        "",
        "Every form, question number and control id the readiness notes cite is listed here "
        "with where we read it. Question wording in the notes is a short paraphrase for "
        "identification. Carriers revise their forms often: check the number against the "
        "edition you are filling in. Not legal or underwriting advice.",
        "",
        "Provenance tags:",
        "",
    ]
    lines += [f"- **{p.value}**: {p.meaning}" for p in Provenance]
    for group in Group:
        lines += ["", f"## {_GROUP_TITLES[group]}"]
        for inst in (i for i in INSTRUMENTS if i.group is group):
            lines += ["", f"### {inst.short}: {inst.name}", "", inst.scope]
            if inst.federal_only:
                lines += ["", "Shown only when the client opts in (`us-federal`)."]
            if inst.statement:
                lines += ["", f"Shown as a statement: {inst.statement}"]
            if inst.ids:
                lines += ["", "Cited as: " + ", ".join(f"`{inst.cite_label(i)}`" for i in inst.ids)]
            lines += [""]
            for source in inst.sources:
                where = f"<{source.url}>" if source.url else "(no public URL)"
                note = f" {source.note}" if source.note else ""
                lines.append(f"- [{source.provenance.value}] {where}.{note}")
    return "\n".join(lines) + "\n"


_GROUP_TITLES = {
    Group.INSURANCE: "Cyber insurance applications and insurers' external scans",
    Group.FRAMEWORK: "Frameworks and government guidance",
    Group.VENDOR: "Vendor security questionnaires",
    Group.DELIVERABILITY: "Mailbox providers' sender requirements",
}
