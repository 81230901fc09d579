"""What we know about hosted mail providers: MX names, DKIM selectors, MTA-STS patterns.

Pure data plus name matching. Used by gather (which DKIM selectors to probe) and by the checks
(provider-specific remediation).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ProviderId(StrEnum):
    MICROSOFT_365 = "microsoft365"
    GOOGLE_WORKSPACE = "google"
    PROTON = "proton"
    ZOHO = "zoho"
    FASTMAIL = "fastmail"
    MIMECAST = "mimecast"
    PROOFPOINT = "proofpoint"
    BARRACUDA = "barracuda"
    OTHER = "other"


@dataclass(frozen=True)
class Provider:
    id: ProviderId
    name: str
    mx_suffixes: tuple[str, ...]
    """An MX host ending in one of these (after a dot) belongs to the provider."""
    sts_patterns: tuple[str, ...]
    """The `mx:` lines to publish in an MTA-STS policy for this provider."""
    dkim_selectors: tuple[str, ...]
    hosting_note: str
    """How to host the MTA-STS policy for a client on this provider."""


PROVIDERS: tuple[Provider, ...] = (
    Provider(
        ProviderId.MICROSOFT_365,
        "Microsoft 365 (Exchange Online)",
        ("mail.protection.outlook.com", "mx.microsoft"),
        ("*.mail.protection.outlook.com", "*.mx.microsoft"),
        ("selector1", "selector2"),
        "Exchange Online does not host MTA-STS policies for custom domains. Host "
        "mta-sts.txt on a static site you control (for example Azure Static Web Apps or any "
        "HTTPS host with a valid certificate for mta-sts.<domain>), served directly with "
        "Content-Type text/plain and no redirect. Microsoft is moving tenants to DNSSEC-signed "
        "*.mx.microsoft hosts: list both *.mail.protection.outlook.com and *.mx.microsoft so a "
        "migration does not break enforcement.",
    ),
    Provider(
        ProviderId.GOOGLE_WORKSPACE,
        "Google Workspace",
        ("aspmx.l.google.com", "googlemail.com", "smtp.google.com"),
        ("aspmx.l.google.com", "*.aspmx.l.google.com", "smtp.google.com"),
        ("google",),
        "Google Workspace does not host MTA-STS policies. Publish mta-sts.txt on an HTTPS host "
        "you control (a static host or a small web server) with a certificate valid for "
        "mta-sts.<domain>, Content-Type text/plain, "
        "and no redirect. Google's MX names: aspmx.l.google.com, alt1-4.aspmx.l.google.com and, "
        "for newer tenants, smtp.google.com.",
    ),
    Provider(
        ProviderId.PROTON,
        "Proton Mail",
        ("protonmail.ch",),
        ("*.protonmail.ch",),
        ("protonmail", "protonmail2", "protonmail3"),
        "Proton does not host the MTA-STS policy for custom domains; host it yourself.",
    ),
    Provider(
        ProviderId.ZOHO,
        "Zoho Mail",
        ("zoho.com", "zoho.eu", "zohomail.com"),
        ("*.zoho.com", "*.zoho.eu"),
        ("zmail", "zoho"),
        "Host the MTA-STS policy yourself on an HTTPS host for mta-sts.<domain>.",
    ),
    Provider(
        ProviderId.FASTMAIL,
        "Fastmail",
        ("messagingengine.com",),
        ("*.messagingengine.com",),
        ("fm1", "fm2", "fm3"),
        "Fastmail can host MTA-STS policies for custom domains; check its DNS settings page.",
    ),
    Provider(
        ProviderId.MIMECAST,
        "Mimecast",
        ("mimecast.com", "mimecast.co.za"),
        ("*.mimecast.com",),
        ("mimecast20190104",),
        "Host the MTA-STS policy yourself; list Mimecast's regional MX hosts in the policy.",
    ),
    Provider(
        ProviderId.PROOFPOINT,
        "Proofpoint",
        ("pphosted.com", "ppe-hosted.com"),
        ("*.pphosted.com", "*.ppe-hosted.com"),
        (),
        "Host the MTA-STS policy yourself; list Proofpoint's MX hosts in the policy.",
    ),
    Provider(
        ProviderId.BARRACUDA,
        "Barracuda Email Protection",
        ("barracudanetworks.com",),
        ("*.barracudanetworks.com",),
        (),
        "Host the MTA-STS policy yourself; list Barracuda's MX hosts in the policy.",
    ),
)

DEFAULT_DKIM_SELECTORS: tuple[str, ...] = (
    "selector1",
    "selector2",
    "google",
    "default",
    "k1",
    "k2",
    "s1",
    "s2",
    "dkim",
    "mail",
    "mxvault",
    "protonmail",
    "zmail",
    "fm1",
    "mandrill",
    "smtpapi",
    "everlytickey1",
)
"""Common selectors of hosted providers and bulk senders, probed after the client's own.

Finding nothing at these names never means "no DKIM": selectors cannot be listed
(RFC 6376 §3.6.2.1).
"""


def _name(host: str) -> str:
    return host.lower().rstrip(".")


def provider_for_host(host: str) -> Provider | None:
    """The provider an MX host belongs to, by suffix on a label boundary."""
    name = _name(host)
    for provider in PROVIDERS:
        for suffix in provider.mx_suffixes:
            if name == suffix or name.endswith("." + suffix):
                return provider
    return None


def providers_for_hosts(hosts: tuple[str, ...] | list[str]) -> tuple[Provider, ...]:
    """Distinct providers behind a set of MX hosts, in a stable order."""
    seen: list[Provider] = []
    for host in hosts:
        provider = provider_for_host(host)
        if provider is not None and provider not in seen:
            seen.append(provider)
    return tuple(seen)
