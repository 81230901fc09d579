"""What we know about hosted mail providers: their MX host families, DKIM selectors, and how to
name their hosts in an MTA-STS policy.

Pure data plus name tests. Used by gather (which DKIM selectors to probe), the checks (who runs
an MX host, patterns that can never match) and the plan (the `mx:` lines to publish).

Provider knowledge is kept as facts the RFC 8461 matcher can test: each family states the shape
of its real host names and how many labels stand left of its fixed suffix. An `mx:` wildcard
covers exactly one label (§4.1), so `*.mx.microsoft` matches none of Microsoft's DNSSEC hosts,
which are `<domain-key>.<x>-v1.mx.microsoft`, two labels left of `mx.microsoft`
(Microsoft Learn, "Set up inbound SMTP DANE with DNSSEC": Enable-DnssecForVerifiedDomain
returns the host, e.g. `contosotest-com.o-v1.mx.microsoft`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property


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


class ProviderKind(StrEnum):
    """What running the MX means for the client's mail."""

    MAILBOX = "mailbox"
    """Hosts the mailboxes and filters inbound mail itself (Microsoft 365, Google...)."""
    GATEWAY = "gateway"
    """A filtering gateway in front of the mailboxes (Mimecast, Proofpoint...)."""


@dataclass(frozen=True)
class HostFamily:
    """One family of MX hosts a provider runs, and how to name them in a policy."""

    suffix: str
    """Every host of the family ends in `.` + this (or is this name itself)."""
    shape: str
    """A regular expression the whole lower-case host name of a real family member matches."""
    depths: tuple[int, ...]
    """How many labels stand left of `suffix` in real hosts (0 for the suffix itself)."""
    wildcard: bool
    """Whether one `*.` line covers the family at depth 1 or more: the first label varies while
    the rest is fixed. When False every host must be named exactly."""
    example: str
    """A real-looking member, for sentences that show the shape."""

    @cached_property
    def _shape(self) -> re.Pattern[str]:
        return re.compile(self.shape)

    def holds(self, host: str) -> bool:
        """Whether `host` is under this family's suffix (shape not required)."""
        name = _name(host)
        return name == self.suffix or name.endswith("." + self.suffix)

    def fits(self, host: str) -> bool:
        """Whether `host` has the shape of a real family member."""
        return self._shape.fullmatch(_name(host)) is not None

    def policy_line(self, host: str) -> str:
        """The `mx:` value that covers `host`: the family wildcard when the host has a known
        shape with a varying first label, else the exact host (always safe)."""
        name = _name(host)
        if self.wildcard and self.fits(name) and _depth(name, self.suffix) >= 1:
            return "*." + name.partition(".")[2]
        return name

    def relates(self, pattern: str) -> bool:
        """Whether an `mx:` pattern points into this family: its name is under the family's
        suffix, or is an ancestor of it of at least two labels (`*.outlook.com`)."""
        name = _name(pattern.removeprefix("*."))
        return self.holds(name) or (name.count(".") >= 1 and self.suffix.endswith("." + name))

    def can_match(self, pattern: str) -> bool:
        """Whether an `mx:` pattern can match a real member of this family (RFC 8461 §4.1).

        A plain name matches hosts at exactly its depth; `*.N` matches hosts one label below N.
        Patterns unrelated to the family say nothing about it (True).
        """
        wildcard = 1 if pattern.startswith("*.") else 0
        name = _name(pattern.removeprefix("*."))
        if self.holds(name):
            return _depth(name, self.suffix) + wildcard in self.depths
        if self.relates(name):
            between = _depth(self.suffix, name)
            return any(depth + between == wildcard for depth in self.depths)
        return True


@dataclass(frozen=True)
class Provider:
    id: ProviderId
    name: str
    kind: ProviderKind
    families: tuple[HostFamily, ...]
    dkim_selectors: tuple[str, ...]
    hosting_note: str
    """How to host the MTA-STS policy for a client on this provider."""
    move_note: str = ""
    """The provider's own MX moves a client should expect, and the safe order for them."""
    spf_include: str = ""
    """The SPF include the provider documents for its outbound mail."""
    mx_suffixes: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mx_suffixes", tuple(f.suffix for f in self.families))

    @property
    def short(self) -> str:
        """The name for sentences: "Microsoft 365", without the product in brackets."""
        return self.name.split(" (")[0]

    def family(self, host: str) -> HostFamily | None:
        return next((f for f in self.families if f.holds(host)), None)


def _f(
    suffix: str, shape: str, depths: tuple[int, ...], example: str, wildcard: bool = True
) -> HostFamily:
    return HostFamily(suffix, shape, depths, wildcard, example)


PROVIDERS: tuple[Provider, ...] = (
    Provider(
        ProviderId.MICROSOFT_365,
        "Microsoft 365 (Exchange Online)",
        ProviderKind.MAILBOX,
        (
            _f(
                "mail.protection.outlook.com",
                r"[a-z0-9-]+\.mail\.protection\.outlook\.com",
                (1,),
                "contoso-com.mail.protection.outlook.com",
            ),
            _f(
                "mail.eo.outlook.com",
                r"[a-z0-9-]+\.mail\.eo\.outlook\.com",
                (1,),
                "contoso-com.mail.eo.outlook.com",
            ),
            # DNSSEC-capable hosts: one host per domain, two labels left of mx.microsoft.
            _f(
                "mx.microsoft",
                r"[a-z0-9-]+\.[a-z0-9]+-v[0-9]+\.mx\.microsoft",
                (2,),
                "contoso-com.o-v1.mx.microsoft",
                False,
            ),
        ),
        ("selector1", "selector2"),
        "Exchange Online does not host MTA-STS policies for custom domains. Host mta-sts.txt on "
        "a static site you control (for example Azure Static Web Apps or any HTTPS host with a "
        "valid certificate for mta-sts.<domain>), served directly with Content-Type text/plain "
        "and no redirect.",
        "Microsoft's DNSSEC-capable MX hosts (for SMTP DANE) have one exact name per domain, "
        "which Enable-DnssecForVerifiedDomain prints, such as "
        "<domain-key>.<letter>-v1.mx.microsoft. A line mx: *.mx.microsoft matches none of "
        "them. Before switching the MX record to that host, add its exact name as a new mx "
        "line with a new policy id, wait for the policy's max_age to pass, then change the MX.",
        "include:spf.protection.outlook.com",
    ),
    Provider(
        ProviderId.GOOGLE_WORKSPACE,
        "Google Workspace",
        ProviderKind.MAILBOX,
        (
            _f(
                "aspmx.l.google.com",
                r"(alt[1-4]\.)?aspmx\.l\.google\.com",
                (0, 1),
                "alt1.aspmx.l.google.com",
            ),
            _f("googlemail.com", r"aspmx[2-5]\.googlemail\.com", (1,), "aspmx2.googlemail.com"),
            _f("smtp.google.com", r"smtp\.google\.com", (0,), "smtp.google.com", False),
        ),
        ("google",),
        "Google Workspace does not host MTA-STS policies. Publish mta-sts.txt on an HTTPS host "
        "you control (a static host or a small web server) with a certificate valid for "
        "mta-sts.<domain>, Content-Type text/plain, and no redirect.",
        "Google's MX hosts are aspmx.l.google.com and alt1 to alt4.aspmx.l.google.com, or the "
        "single smtp.google.com for newer tenants. If you move between the two, add the new "
        "host to the policy with a new id first, wait for max_age to pass, then change the MX.",
        "include:_spf.google.com",
    ),
    Provider(
        ProviderId.PROTON,
        "Proton Mail",
        ProviderKind.MAILBOX,
        (_f("protonmail.ch", r"(mail|mailsec)\.protonmail\.ch", (1,), "mail.protonmail.ch"),),
        ("protonmail", "protonmail2", "protonmail3"),
        "Proton does not host the MTA-STS policy for custom domains; host it yourself.",
        spf_include="include:_spf.protonmail.ch",
    ),
    Provider(
        ProviderId.ZOHO,
        "Zoho Mail",
        ProviderKind.MAILBOX,
        (
            _f("zoho.com", r"mx[0-9]*\.zoho\.com", (1,), "mx.zoho.com"),
            _f("zoho.eu", r"mx[0-9]*\.zoho\.eu", (1,), "mx.zoho.eu"),
            _f("zohomail.com", r"mx[0-9]*\.zohomail\.com", (1,), "mx.zohomail.com"),
        ),
        ("zmail", "zoho"),
        "Host the MTA-STS policy yourself on an HTTPS host for mta-sts.<domain>.",
    ),
    Provider(
        ProviderId.FASTMAIL,
        "Fastmail",
        ProviderKind.MAILBOX,
        (
            _f(
                "messagingengine.com",
                r"in[0-9]+-smtp\.messagingengine\.com",
                (1,),
                "in1-smtp.messagingengine.com",
            ),
        ),
        ("fm1", "fm2", "fm3"),
        "Fastmail can host MTA-STS policies for custom domains; check its DNS settings page.",
        spf_include="include:spf.messagingengine.com",
    ),
    Provider(
        ProviderId.MIMECAST,
        "Mimecast",
        ProviderKind.GATEWAY,
        (
            _f(
                "mimecast.com", r"[a-z0-9-]+\.mimecast\.com", (1,), "eu-smtp-inbound-1.mimecast.com"
            ),
            _f(
                "mimecast.co.za",
                r"[a-z0-9-]+\.mimecast\.co\.za",
                (1,),
                "za-smtp-inbound-1.mimecast.co.za",
            ),
        ),
        ("mimecast20190104",),
        "Host the MTA-STS policy yourself; list Mimecast's regional MX hosts in the policy.",
    ),
    Provider(
        ProviderId.PROOFPOINT,
        "Proofpoint",
        ProviderKind.GATEWAY,
        (
            _f("pphosted.com", r"[a-z0-9-]+\.pphosted\.com", (1,), "mx0a-001234.pphosted.com"),
            _f("ppe-hosted.com", r"[a-z0-9-]+\.ppe-hosted\.com", (1,), "mx1-us1.ppe-hosted.com"),
        ),
        (),
        "Host the MTA-STS policy yourself; list Proofpoint's MX hosts in the policy.",
    ),
    Provider(
        ProviderId.BARRACUDA,
        "Barracuda Email Protection",
        ProviderKind.GATEWAY,
        (
            _f(
                "barracudanetworks.com",
                r"d[0-9]+[a-z]?\.ess(\.[a-z]{2})?\.barracudanetworks\.com",
                (2, 3),
                "d123456a.ess.barracudanetworks.com",
            ),
        ),
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
    return host.strip().lower().rstrip(".")


def _depth(name: str, suffix: str) -> int:
    return 0 if name == suffix else name[: -len(suffix) - 1].count(".") + 1


def provider_for_host(host: str) -> Provider | None:
    """The provider an MX host belongs to, by suffix on a label boundary."""
    for provider in PROVIDERS:
        if provider.family(host) is not None:
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


def policy_line(host: str) -> str:
    """The `mx:` value to publish for one live MX host: the provider family's line when the
    host is a recognised member, else the exact host."""
    for provider in PROVIDERS:
        family = provider.family(host)
        if family is not None:
            return family.policy_line(host)
    return _name(host)


def dead_provider_pattern(pattern: str) -> Provider | None:
    """The provider whose hosts an `mx:` pattern points at but can never match, if any.

    `*.mx.microsoft` is the case that prompted this: it names Microsoft's DNSSEC family one
    label too high, so it matches none of its hosts. A pattern is dead for a provider when it
    points into at least one of the provider's families and can match none of them.
    """
    for provider in PROVIDERS:
        related = [f for f in provider.families if f.relates(pattern)]
        if related and not any(f.relates(pattern) and f.can_match(pattern) for f in related):
            return provider
    return None


def who_runs(hosts: tuple[str, ...] | list[str]) -> str:
    """Who runs each MX host, host by host: "a.mail.protection.outlook.com is run by Microsoft
    365 (Exchange Online); backup.example.net is not a recognised hosted service". Statements
    about a provider are made only for the hosts detected as that provider's."""
    by_provider: dict[str, list[str]] = {}
    for host in hosts:
        provider = provider_for_host(host)
        key = provider.short if provider else ""
        by_provider.setdefault(key, []).append(_name(host))
    parts = []
    for name, members in by_provider.items():
        verb = "is" if len(members) == 1 else "are"
        listed = ", ".join(members)
        parts.append(
            f"{listed} {verb} run by {name}"
            if name
            else f"{listed} {verb} not a recognised hosted mail service"
        )
    return "; ".join(parts)


def bypassed_provider(hosts: tuple[str, ...] | list[str]) -> Provider | None:
    """The hosted service other MX hosts let mail bypass, when the MX set mixes operators.

    A filtering gateway is the front door when one is listed; otherwise the mailbox provider.
    None when no hosted service is listed or every host belongs to the same one.
    """
    providers = providers_for_hosts(hosts)
    front = next((p for p in providers if p.kind is ProviderKind.GATEWAY), None)
    front = front or next(iter(providers), None)
    if front is None or all(provider_for_host(h) == front for h in hosts):
        return None
    return front
