"""Which service sent a row of a DMARC report, and how that service is made to pass DMARC.

A small curated table, pure data plus name matching. A service is recognised from
what the receiver saw, most telling first:

1. a DKIM signature whose ``d=`` is the service's own signing domain (it signed as
   itself, not as the client: e.g. ``d=mcsv.net``);
2. the SPF (envelope-from / Return-Path) domain, when it is the service's
   bounce domain (``mcsv.net``, ``sendgrid.net``, ``amazonses.com``...);
3. the selector of a signature made with the client's own domain, when it is one
   the service documents (``k2``/``k3`` Mailchimp, ``s1``/``s2`` SendGrid,
   ``selector1``/``selector2`` Microsoft 365...). A selector is a hint, not a proof
   (anyone may call a key ``s1``), so it only names the service of mail that also
   carries the client's own signature.

Source IP ranges are deliberately not used: Microsoft's and Google's outbound
addresses also carry every forwarded message and mailing list of their users, so
an address alone would make forwarding look like the client's own service.

Every mapping cites the provider documentation it rests on (``docs``). DNS records
a service generates per account (SendGrid's ``u123.wl.sendgrid.net`` targets,
Amazon SES tokens) cannot be known from reports: the fix then says where in the
service the exact records are shown, plus their documented shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Final


class ServiceKind(StrEnum):
    MAILBOX = "mailbox provider"
    ESP = "email service provider"
    CRM = "CRM / marketing platform"
    HELPDESK = "help desk"


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    kind: ServiceKind
    dkim_domains: tuple[str, ...]
    """Its own DKIM signing domains (a ``d=`` equal to or under one of them)."""
    spf_domains: tuple[str, ...]
    """Its own envelope-from (bounce) domains."""
    selectors: str
    """A regular expression matching the selectors it uses on a customer's domain ("" none)."""
    dkim_fix: str
    """How to make it sign as the customer's domain; ``{domain}``, ``{dashed}``, ``{tenant}``."""
    dkim_records: tuple[str, ...]
    """The DNS records of ``dkim_fix`` when their values are the same for every customer."""
    spf_fix: str
    """How to make its envelope-from align (an SPF include or a custom bounce domain), or ""."""
    docs: tuple[str, ...]
    """The provider pages the mapping rests on: an address, or (where the exact address
    could not be confirmed when the table was written) the page's title and site."""


SERVICES: Final[tuple[Service, ...]] = (
    Service(
        id="microsoft365",
        name="Microsoft 365",
        kind=ServiceKind.MAILBOX,
        # Without custom DKIM, Exchange Online signs as the tenant's onmicrosoft.com domain.
        dkim_domains=("onmicrosoft.com",),
        spf_domains=("onmicrosoft.com",),
        selectors=r"selector[12]",
        dkim_fix=(
            "Turn on DKIM signing for {domain} in the Microsoft Defender portal (Email & "
            "collaboration > Policies > Email authentication settings > DKIM) and publish "
            "the two CNAME records it shows: selector1._domainkey.{domain} and "
            "selector2._domainkey.{domain}, pointing into your tenant ({tenant})"
        ),
        dkim_records=(
            "selector1._domainkey.{domain}. IN CNAME selector1-{dashed}._domainkey.{tenant}.",
            "selector2._domainkey.{domain}. IN CNAME selector2-{dashed}._domainkey.{tenant}.",
        ),
        spf_fix="add include:spf.protection.outlook.com to the SPF record of {domain}",
        docs=(
            "https://learn.microsoft.com/en-us/defender-office-365/email-authentication-dkim-configure",
            "https://learn.microsoft.com/en-us/defender-office-365/email-authentication-spf-configure",
        ),
    ),
    Service(
        id="google_workspace",
        name="Google Workspace",
        kind=ServiceKind.MAILBOX,
        # Without custom DKIM, Workspace signs as <domain>.<n>.gappssmtp.com.
        dkim_domains=("gappssmtp.com",),
        spf_domains=(),
        selectors=r"google",
        dkim_fix=(
            "generate the DKIM key for {domain} in the Google Admin console (Apps > Google "
            "Workspace > Gmail > Authenticate email), publish the TXT record "
            "google._domainkey.{domain} it shows, then click Start authentication"
        ),
        dkim_records=(),
        spf_fix="add include:_spf.google.com to the SPF record of {domain}",
        docs=(
            "https://support.google.com/a/answer/174124",
            "https://support.google.com/a/answer/33786",
        ),
    ),
    Service(
        id="mailchimp",
        name="Mailchimp",
        kind=ServiceKind.ESP,
        dkim_domains=("mcsv.net", "mcdlv.net", "rsgsv.net", "mailchimpapp.net"),
        spf_domains=("mcsv.net", "mcdlv.net", "rsgsv.net", "mailchimpapp.net"),
        # k2/k3 since 2022; k1 (CNAME to dkim.mcsv.net) on older accounts.
        selectors=r"k[123]",
        dkim_fix=(
            "authenticate {domain} in Mailchimp (Account & billing > Domains > Start "
            "authentication) and publish its two DKIM CNAME records"
        ),
        dkim_records=(
            "k2._domainkey.{domain}. IN CNAME dkim2.mcsv.net.",
            "k3._domainkey.{domain}. IN CNAME dkim3.mcsv.net.",
        ),
        # Mailchimp always uses its own Return-Path: SPF can never align, DKIM must.
        spf_fix="",
        docs=("https://mailchimp.com/help/set-up-email-domain-authentication/",),
    ),
    Service(
        id="mandrill",
        name="Mailchimp Transactional (Mandrill)",
        kind=ServiceKind.ESP,
        dkim_domains=("mandrillapp.com",),
        spf_domains=("mandrillapp.com",),
        selectors=r"mandrill|mte[12]",
        dkim_fix="add {domain} as a sending domain in Mandrill and publish its DKIM CNAMEs",
        dkim_records=(
            "mte1._domainkey.{domain}. IN CNAME dkim1.mandrillapp.com.",
            "mte2._domainkey.{domain}. IN CNAME dkim2.mandrillapp.com.",
        ),
        spf_fix="",
        docs=("https://mailchimp.com/developer/transactional/docs/authentication-delivery/",),
    ),
    Service(
        id="sendgrid",
        name="Twilio SendGrid",
        kind=ServiceKind.ESP,
        dkim_domains=("sendgrid.net", "sendgrid.info"),
        spf_domains=("sendgrid.net",),
        selectors=r"s[12]|smtpapi",
        dkim_fix=(
            "authenticate {domain} in SendGrid (Settings > Sender Authentication > "
            "Authenticate your domain) and publish the CNAME records it shows "
            "(s1._domainkey and s2._domainkey pointing to s1/s2.domainkey.u<id>.wl<n>"
            ".sendgrid.net, and the em<n> return-path CNAME, which also aligns SPF)"
        ),
        dkim_records=(),
        spf_fix="publish the em<n>.{domain} CNAME SendGrid shows (a return path under {domain})",
        docs=(
            "https://www.twilio.com/docs/sendgrid/ui/account-and-settings/how-to-set-up-domain-authentication",
        ),
    ),
    Service(
        id="amazon_ses",
        name="Amazon SES",
        kind=ServiceKind.ESP,
        dkim_domains=("amazonses.com",),
        spf_domains=("amazonses.com",),
        # Easy DKIM: three 32-character tokens.
        selectors=r"[a-z0-9]{32}",
        dkim_fix=(
            "verify {domain} as an identity in Amazon SES with Easy DKIM and publish the "
            "three CNAME records it shows (<token>._domainkey.{domain} pointing to "
            "<token>.dkim.amazonses.com)"
        ),
        dkim_records=(),
        spf_fix=(
            "set a custom MAIL FROM domain under {domain} in SES (MX to "
            "feedback-smtp.<region>.amazonses.com, TXT v=spf1 include:amazonses.com ~all)"
        ),
        docs=(
            "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-easy.html",
            "https://docs.aws.amazon.com/ses/latest/dg/mail-from.html",
        ),
    ),
    Service(
        id="mailgun",
        name="Mailgun",
        kind=ServiceKind.ESP,
        dkim_domains=("mailgun.org", "mailgun.net"),
        spf_domains=("mailgun.org", "mailgun.net"),
        selectors=r"mailo|krs|pic|mg",
        dkim_fix=(
            "add {domain} (or a subdomain such as mg.{domain}) as a sending domain in "
            "Mailgun and publish the DKIM TXT record it shows (<selector>._domainkey)"
        ),
        dkim_records=(),
        spf_fix=(
            "publish the SPF TXT Mailgun shows for the sending domain "
            "(v=spf1 include:mailgun.org ~all)"
        ),
        docs=("Mailgun documentation, 'Domain verification' (documentation.mailgun.com)",),
    ),
    Service(
        id="postmark",
        name="Postmark",
        kind=ServiceKind.ESP,
        dkim_domains=("mtasv.net", "postmarkapp.com"),
        spf_domains=("mtasv.net", "postmarkapp.com"),
        selectors=r"\d{14}pm",
        dkim_fix=(
            "verify {domain} in Postmark (Sender signatures > Domains > DNS settings) and "
            "publish the DKIM TXT record it shows (<date>pm._domainkey.{domain})"
        ),
        dkim_records=(),
        spf_fix="publish the Return-Path CNAME pm-bounces.{domain} pointing to pm.mtasv.net",
        docs=(
            "Postmark support, 'How do I verify a domain?' and 'Custom Return-Path' "
            "(postmarkapp.com/support)",
        ),
    ),
    Service(
        id="sparkpost",
        name="SparkPost",
        kind=ServiceKind.ESP,
        dkim_domains=("sparkpostmail.com", "sparkpost.com"),
        spf_domains=("sparkpostmail.com",),
        selectors=r"scph\d{4}",
        dkim_fix=(
            "add {domain} as a sending domain in SparkPost and publish the DKIM TXT record "
            "it shows (scph<MMYY>._domainkey.{domain})"
        ),
        dkim_records=(),
        spf_fix="add a bounce domain under {domain} (CNAME to sparkpostmail.com)",
        docs=("https://support.sparkpost.com/docs/getting-started/setting-up-domains",),
    ),
    Service(
        id="brevo",
        name="Brevo (Sendinblue)",
        kind=ServiceKind.ESP,
        dkim_domains=("sendinblue.com", "brevo.com", "brevosend.com", "sender-sib.com"),
        spf_domains=("sendinblue.com", "brevo.com", "brevosend.com", "sender-sib.com"),
        selectors=r"brevo[12]",
        dkim_fix=(
            "authenticate {domain} in Brevo (Senders, Domains & Dedicated IPs > Domains > "
            "Authenticate) and publish the DKIM records it shows (brevo1._domainkey and "
            "brevo2._domainkey)"
        ),
        dkim_records=(),
        spf_fix="",
        docs=(
            "https://help.brevo.com/hc/en-us/articles/17286219877778-FAQs-About-domain-authentication-Brevo-code-DKIM-DMARC",
        ),
    ),
    Service(
        id="hubspot",
        name="HubSpot",
        kind=ServiceKind.CRM,
        dkim_domains=("hubspotemail.net", "hubspot.com", "hubspotstarter.net"),
        spf_domains=("hubspotemail.net", "hubspot.com"),
        selectors=r"hs[12]-\d+",
        dkim_fix=(
            "connect {domain} as an email sending domain in HubSpot (Settings > Domains & "
            "URLs > Email sending domains) and publish its two DKIM CNAME records "
            "(hs1-<id>._domainkey and hs2-<id>._domainkey)"
        ),
        dkim_records=(),
        spf_fix="",
        docs=(
            "https://knowledge.hubspot.com/marketing-email/manage-email-authentication-in-hubspot",
        ),
    ),
    Service(
        id="salesforce",
        name="Salesforce",
        kind=ServiceKind.CRM,
        dkim_domains=("salesforce.com", "force.com", "exacttarget.com"),
        spf_domains=("salesforce.com", "force.com", "exacttarget.com"),
        selectors=r"",
        dkim_fix=(
            "create a DKIM key for {domain} in Salesforce Setup (DKIM Keys), publish the two "
            "CNAME records it shows, then activate the key"
        ),
        dkim_records=(),
        spf_fix="add include:_spf.salesforce.com to the SPF record of {domain}",
        docs=("https://help.salesforce.com/s/articleView?id=sf.emailadmin_create_secure_dkim.htm",),
    ),
    Service(
        id="zendesk",
        name="Zendesk",
        kind=ServiceKind.HELPDESK,
        dkim_domains=("zendesk.com", "zdsys.com"),
        spf_domains=("zendesk.com", "zdsys.com"),
        selectors=r"zendesk[12]",
        dkim_fix=(
            "publish Zendesk's two DKIM CNAME records for {domain}, then turn on DKIM in "
            "Admin Center (Channels > Talk and email > Email)"
        ),
        dkim_records=(
            "zendesk1._domainkey.{domain}. IN CNAME zendesk1._domainkey.zendesk.com.",
            "zendesk2._domainkey.{domain}. IN CNAME zendesk2._domainkey.zendesk.com.",
        ),
        spf_fix="add include:mail.zendesk.com to the SPF record of {domain}",
        docs=(
            "https://support.zendesk.com/hc/en-us/articles/4408822303386-Digitally-signing-your-email-with-DKIM-or-DMARC",
        ),
    ),
    Service(
        id="freshdesk",
        name="Freshdesk",
        kind=ServiceKind.HELPDESK,
        dkim_domains=("freshdesk.com", "freshemail.io", "freshworks.com"),
        spf_domains=("freshdesk.com", "freshemail.io", "freshworks.com"),
        selectors=r"",
        dkim_fix=(
            "configure DKIM for {domain} in Freshdesk (Admin > Email > Advanced settings > "
            "DKIM) and publish the CNAME records it shows"
        ),
        dkim_records=(),
        spf_fix="add include:email.freshdesk.com to the SPF record of {domain}",
        docs=("Freshdesk support, 'Email authentication using DKIM' (support.freshdesk.com)",),
    ),
    Service(
        id="zoho",
        name="Zoho Mail",
        kind=ServiceKind.MAILBOX,
        dkim_domains=("zoho.com", "zoho.eu", "zohomail.com", "zohomail.eu"),
        spf_domains=("zoho.com", "zoho.eu", "zohomail.com", "zohomail.eu"),
        selectors=r"zmail|zoho",
        dkim_fix=(
            "add a DKIM selector for {domain} in the Zoho Mail Admin Console (Domains > "
            "Email configuration > DKIM) and publish the TXT record it shows"
        ),
        dkim_records=(),
        spf_fix="add include:zohomail.com (zohomail.eu in the EU data centre) to the SPF record",
        docs=("https://www.zoho.com/mail/help/adminconsole/dkim-configuration.html",),
    ),
)

BY_ID: Final = {service.id: service for service in SERVICES}
_SELECTORS: Final = tuple(
    (re.compile(service.selectors), service) for service in SERVICES if service.selectors
)


def _suffix_index(attribute: str) -> dict[str, Service]:
    return {suffix: s for s in SERVICES for suffix in getattr(s, attribute)}


_BY_DKIM_DOMAIN: Final = _suffix_index("dkim_domains")
_BY_SPF_DOMAIN: Final = _suffix_index("spf_domains")


def _by_suffix(domain: str, index: dict[str, Service]) -> Service | None:
    """The service owning ``domain`` or a parent of it."""
    labels = domain.lower().rstrip(".").split(".")
    for start in range(len(labels) - 1):
        found = index.get(".".join(labels[start:]))
        if found is not None:
            return found
    return None


@lru_cache(maxsize=4096)
def by_dkim_domain(domain: str) -> Service | None:
    """The service whose own signing domain ``d=`` is (or is under)."""
    return _by_suffix(domain, _BY_DKIM_DOMAIN)


@lru_cache(maxsize=4096)
def by_spf_domain(domain: str) -> Service | None:
    """The service whose bounce domain the envelope-from is (or is under)."""
    return _by_suffix(domain, _BY_SPF_DOMAIN)


@lru_cache(maxsize=4096)
def by_selector(selector: str) -> Service | None:
    """The service that documents this selector for keys on a customer's domain."""
    name = selector.strip().lower()
    for pattern, service in _SELECTORS:
        if pattern.fullmatch(name):
            return service
    return None


def tenant_from(dkim_domains: tuple[str, ...]) -> str:
    """The Microsoft 365 tenant domain (``x.onmicrosoft.com``) among signing domains, or ""."""
    for domain in dkim_domains:
        if domain.endswith(".onmicrosoft.com"):
            return domain
    return ""
