"""Frozen dataclasses and enums shared by every layer.

The evidence types record *what was observed* (never a verdict); `Finding` is the only
verdict type. Everything here round-trips through JSON via `assessment.codec`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    """Outcome of one DNS lookup, as docs/architecture.md names them."""

    OK = "ok"
    NXDOMAIN = "nxdomain"
    NODATA = "nodata"
    TIMEOUT = "timeout"
    SERVFAIL = "servfail"
    REFUSED = "refused"
    ERROR = "error"

    @property
    def inconclusive(self) -> bool:
        """A lookup that tells us nothing about whether the record exists."""
        return self in (Outcome.TIMEOUT, Outcome.SERVFAIL, Outcome.REFUSED, Outcome.ERROR)


class ConnOutcome(StrEnum):
    """Outcome of one HTTPS fetch or SMTP probe at the transport level."""

    OK = "ok"
    TIMEOUT = "timeout"
    REFUSED = "refused"
    UNREACHABLE = "unreachable"
    DNS_ERROR = "dns_error"
    TLS_ERROR = "tls_error"
    PROTOCOL_ERROR = "protocol_error"
    ERROR = "error"
    OUTSIDE_LAB = "outside_lab"
    """Not attempted: a lab profile may only contact 127.0.0.0/8 and ::1."""


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for critical ... 4 for info: sort key, most severe first."""
        return list(Severity).index(self)


class Control(StrEnum):
    """The controls a report scores, one column each in the scorecard."""

    SPF = "spf"
    DKIM = "dkim"
    DMARC = "dmarc"
    MTA_STS = "mta-sts"
    TLS_RPT = "tls-rpt"
    MX = "mx"
    STARTTLS = "starttls"
    DANE = "dane"
    DNSSEC = "dnssec"

    @property
    def label(self) -> str:
        return {
            Control.SPF: "SPF",
            Control.DKIM: "DKIM",
            Control.DMARC: "DMARC",
            Control.MTA_STS: "MTA-STS",
            Control.TLS_RPT: "TLS-RPT",
            Control.MX: "MX",
            Control.STARTTLS: "STARTTLS/TLS",
            Control.DANE: "DANE",
            Control.DNSSEC: "DNSSEC",
        }[self]


@dataclass(frozen=True)
class Endpoint:
    """A resolver address: IP (v4 or v6) and UDP/TCP port."""

    host: str
    port: int = 53

    def __str__(self) -> str:
        if ":" in self.host:
            return f"[{self.host}]:{self.port}"
        return f"{self.host}:{self.port}"

    @classmethod
    def parse(cls, text: str) -> Endpoint:
        """Parse `IP`, `IP:PORT`, `[IPv6]` or `[IPv6]:PORT`."""
        text = text.strip()
        if text.startswith("["):
            host, _, rest = text[1:].partition("]")
            port = int(rest[1:]) if rest.startswith(":") else 53
            return cls(host, port)
        if text.count(":") == 1:
            host, _, port_text = text.partition(":")
            return cls(host, int(port_text))
        return cls(text, 53)


@dataclass(frozen=True)
class NetworkProfile:
    """Every network setting the gather layer may use, and the only way they reach it.

    Defaults are the real internet: the system resolver, port 25 and 443, public WebPKI.
    The sandbox builds a profile pointing at loopback.
    """

    resolvers: tuple[Endpoint, ...] = ()
    """Empty means the system resolver configuration (/etc/resolv.conf)."""
    dns_timeout: float = 5.0
    """Seconds for one DNS lookup, retries included."""
    connect_timeout: float = 10.0
    """Seconds to establish a TCP connection (SMTP or HTTPS)."""
    io_timeout: float = 20.0
    """Seconds for a whole SMTP conversation or HTTPS exchange after connecting."""
    ca_bundle: str | None = None
    """Extra PEM CA bundle trusted *in addition to* the system store (sandbox CA)."""
    smtp_port: int = 25
    https_port: int = 443
    concurrency: int = 16
    """Unused since gather bounds only per destination (gather/collect.py, dns.py); kept so
    evidence files that recorded it still load."""
    dns_in_flight: int = 512
    """Politeness towards each resolver: questions in flight to it at once. 500 domains ask
    about 23,000 questions (bench/gather_latency.py); at a 100 ms round trip 512 in flight
    allow about 5,000 a second, so they take under 5 s of the run, where 256 took 11 s. The
    sandbox, a Python server sharing the tests' process, asks for fewer."""
    ehlo_name: str = "mailposture.invalid"
    use_system_trust: bool = True
    """Whether the system trust store is trusted too; the sandbox turns it off."""
    lab: bool = False
    """A lab run against the loopback sandbox: its hosts live on 127.0.0.0/8 by design, so
    checks do not report loopback addresses as unreachable."""

    def describe(self) -> str:
        resolvers = ", ".join(str(r) for r in self.resolvers) or "system resolver"
        return (
            f"resolvers {resolvers}; SMTP port {self.smtp_port}; HTTPS port {self.https_port}; "
            f"DNS timeout {self.dns_timeout:g}s; connect timeout {self.connect_timeout:g}s"
        )


# --------------------------------------------------------------------------- evidence


@dataclass(frozen=True)
class DnsLookup:
    """One DNS question and what came back, verbatim."""

    name: str
    """Queried name, lower-case, no trailing dot, A-labels."""
    rdtype: str
    """Record type mnemonic: TXT, MX, A, AAAA, CNAME, TLSA, ..."""
    outcome: Outcome
    answers: tuple[str, ...] = ()
    """RDATA in presentation form; TXT as the joined character-strings (RFC 7208 §3.3)."""
    txt_strings: tuple[tuple[str, ...], ...] = ()
    """For TXT: each RR's character-strings before joining (to spot >255-octet strings)."""
    ttl: int | None = None
    cname_chain: tuple[str, ...] = ()
    """Names the answer passed through, when the name was an alias."""
    resolver: str = ""
    ad: bool = False
    """DNSSEC Authenticated Data bit as set by the (validating) resolver."""
    observed_at: str = ""
    """ISO 8601 UTC."""
    elapsed_ms: float = 0.0
    error: str | None = None
    checking_disabled: Outcome | None = None
    """After a SERVFAIL only: the outcome of the same question asked again with the CD bit
    (checking disabled, RFC 4035 §3.2.2). Data there means the resolver withheld it because
    DNSSEC validation failed (bogus); SERVFAIL again means the servers themselves failed."""
    ede: tuple[str, ...] = ()
    """Extended DNS Errors (RFC 8914) the resolver attached, e.g. `EDE 7 (SIGNATURE_EXPIRED)`."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.rdtype)

    @property
    def bogus(self) -> bool:
        """Withheld by a validating resolver because its DNSSEC does not validate."""
        return self.outcome is Outcome.SERVFAIL and self.checking_disabled in (
            Outcome.OK,
            Outcome.NODATA,
            Outcome.NXDOMAIN,
        )


@dataclass(frozen=True)
class Certificate:
    """One X.509 certificate as presented, decoded for reading, with the PEM kept."""

    subject: str
    issuer: str
    san_dns: tuple[str, ...]
    not_before: str
    not_after: str
    serial: str
    sha256: str
    """Fingerprint of the DER certificate, hex."""
    spki_sha256: str
    """SHA-256 of the DER SubjectPublicKeyInfo, hex (DANE selector 1, matching 1)."""
    spki_sha512: str
    key_type: str
    key_bits: int
    signature_hash: str
    self_signed: bool
    pem: str


@dataclass(frozen=True)
class TlsSession:
    """The outcome of one TLS handshake."""

    sni: str
    version: str | None = None
    cipher: str | None = None
    chain: tuple[Certificate, ...] = ()
    """Leaf first, as the server sent it."""
    verified: bool = False
    """Chain trusted AND valid for `sni`, under the profile's trust."""
    verify_error: str | None = None
    handshake_error: str | None = None


@dataclass(frozen=True)
class HttpsFetch:
    """One HTTPS GET, as an RFC 8461 sender performs it (redirects never followed)."""

    url: str
    host: str
    port: int
    outcome: ConnOutcome
    status: int | None = None
    reason: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str | None = None
    redirect_location: str | None = None
    body: str | None = None
    """Body decoded as UTF-8 (errors replaced), at most `body_limit` bytes of it."""
    body_bytes: int = 0
    """Bytes read, up to the limit plus one."""
    body_truncated: bool = False
    body_limit: int = 65536
    addresses: tuple[str, ...] = ()
    tls: TlsSession | None = None
    observed_at: str = ""
    elapsed_ms: float = 0.0
    error: str | None = None


@dataclass(frozen=True)
class SmtpProbe:
    """One SMTP conversation to one MX address: banner, EHLO, STARTTLS, handshake."""

    host: str
    """The MX exchange name."""
    address: str
    port: int
    outcome: ConnOutcome
    banner: str | None = None
    ehlo: tuple[str, ...] = ()
    starttls_offered: bool | None = None
    starttls_reply: str | None = None
    tls: TlsSession | None = None
    """Present once a handshake was attempted."""
    observed_at: str = ""
    elapsed_ms: float = 0.0
    error: str | None = None
    connect_ms: float | None = None
    """How long the TCP connection took; None when it was never established."""
    greeting_ms: float | None = None
    """From the established connection to the complete greeting; None when none came."""


@dataclass(frozen=True)
class DomainEvidence:
    """Everything observed for one audited domain."""

    domain: str
    dns: tuple[DnsLookup, ...] = ()
    mta_sts_policy: HttpsFetch | None = None
    smtp: tuple[SmtpProbe, ...] = ()
    dkim_selectors: tuple[str, ...] = ()
    """Selectors that were probed; client-given ones first."""
    client_selectors: tuple[str, ...] = ()

    def lookup(self, name: str, rdtype: str) -> DnsLookup | None:
        name = name.lower().rstrip(".")
        for item in self.dns:
            if item.name == name and item.rdtype == rdtype:
                return item
        return None


@dataclass(frozen=True)
class Evidence:
    """A full evidence snapshot: enough to re-run every check and re-render every report."""

    client: str
    started_at: str
    finished_at: str
    network: str
    """`NetworkProfile.describe()` at gather time: where the observation was made from."""
    profile: NetworkProfile
    domains: tuple[DomainEvidence, ...]
    tool_version: str = ""
    schema: int = 1

    def domain(self, name: str) -> DomainEvidence:
        for item in self.domains:
            if item.domain == name:
                return item
        raise KeyError(name)


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class Finding:
    """A verdict: stable code, severity, where, why, and how to fix it."""

    code: str
    severity: Severity
    control: Control
    domain: str
    host: str | None
    title: str
    detail: str
    evidence: tuple[str, ...]
    remediation: str
    references: tuple[str, ...]
    why: str = ""
    inconclusive: bool = False

    @property
    def sort_key(self) -> tuple[int, str, str, str, str]:
        return (self.severity.rank, self.domain, self.code, self.host or "", self.detail)


@dataclass(frozen=True)
class ClientInfo:
    """Who the assessment is for."""

    name: str
    domains: tuple[str, ...]
    dkim_selectors: tuple[str, ...] = field(default_factory=tuple)
    contact: str = ""
