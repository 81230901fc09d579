"""A sandbox scenario: `scenario.toml` plus a `zones/` folder of master files.

`scenario.toml` layout (every table optional except the top-level keys)::

    client = "Brightsmile Dental Care"
    domains = ["brightsmiledental.example"]
    dkim_selectors = ["selector1"]
    latency = 0.05                    # optional: one-way network delay in seconds (see below)
    book = "book"                     # optional: a data folder whose clients/<slug>/client.toml
                                      # files name every client the scenario serves

    [dns]
    signed = ["good.test"]            # subtrees answered with AD when the query sets DO or AD

    [[dns.rules]]                     # scripted misbehaviour for one name (or its subtree)
    name = "dns-timeout.test"
    behaviour = "timeout"             # timeout | servfail | refused | ad | bogus
    subtree = true
    ede = 7                           # bogus only: the RFC 8914 code given (default 6)

    [https."mta-sts.good.test"]       # one policy host; address from its A record
    policy = "policies/good.txt"      # or: policy_text = "version: STSv1\\n..."
    behaviour = "normal"              # see HttpsBehaviour
    cert = "valid"                    # see CertKind
    cert_names = ["mta-sts.good.test"]  # optional; names the certificate is issued for
    key = "keys/host.pem"             # optional: the leaf's private key (PEM), so its public
                                      # key is the same on every run and a TLSA record can pin it
    redirect_to = "https://..."       # behaviour = "redirect" only

    [smtp."mx1.good.test"]            # one MX host; address from its A record
    behaviour = "normal"              # see SmtpBehaviour
    cert = "valid"
    banner = "ESMTP Postfix"          # optional: the greeting after `220 <host>`
    cert_issuer = "Example Trust"     # optional (https too): an issuing CA with this name

`latency` plays a network with that one-way delay: every DNS answer, TCP accept, TLS server
flight, SMTP reply and HTTP response leaves the sandbox one round trip (twice the delay) after
what it answers arrived, as on a real path; `Sandbox(latency=...)` overrides it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from cryptography.hazmat.primitives.serialization import load_pem_private_key

from assessment.clients import ClientConfigError, load_client
from assessment.workspace import WorkspaceError, client_slug

E = TypeVar("E", bound=StrEnum)


class ScenarioError(ValueError):
    """The scenario folder is unusable; the message names the file and the key."""


class DnsBehaviour(StrEnum):
    TIMEOUT = "timeout"
    """Drop the query: the client sees nothing at all."""
    SERVFAIL = "servfail"
    REFUSED = "refused"
    AD = "ad"
    """Answer normally with the AD bit, as a validating resolver would for a signed zone."""
    BOGUS = "bogus"
    """Play a validating resolver over a zone whose DNSSEC is broken (expired signatures, a DS
    matching no key): SERVFAIL with an Extended DNS Error, unless the query sets CD (checking
    disabled), which gets the data without AD."""


class CertKind(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    WRONGHOST = "wronghost"
    """Chains to the sandbox CA but is issued for other names."""
    UNTRUSTED = "untrusted"
    """Right names, but issued by a second CA that is never exported."""
    SELFSIGNED = "selfsigned"
    EXPIRING = "expiring"
    """Trusted and valid, but ends five days after the sandbox starts."""
    WEAK = "weak"
    """Trusted CA, but an RSA-1024 key."""


class HttpsBehaviour(StrEnum):
    NORMAL = "normal"
    REDIRECT = "redirect"
    CTYPE = "ctype"
    """Serve the policy as `text/html`."""
    OVERSIZED = "oversized"
    """Serve a 100 KiB body, over RFC 8461's 64 KiB cap."""
    NOTFOUND = "notfound"
    ERROR = "error"
    """HTTP 500."""
    SLOW = "slow"
    """Wait `delay` seconds before answering (longer than the profile's io timeout)."""
    TRICKLE = "trickle"
    """Send the headers, then the body one byte every `delay` seconds (default 0.25)."""
    TLSFAIL = "tlsfail"
    """Abort the TLS handshake with a handshake_failure alert."""


class SmtpBehaviour(StrEnum):
    NORMAL = "normal"
    NOSTARTTLS = "nostarttls"
    STARTTLS_REFUSED = "starttls-refused"
    """Advertise STARTTLS, then answer it with 454."""
    TLSFAIL = "tlsfail"
    BANNER554 = "banner554"
    SLOWBANNER = "slowbanner"
    """Greet only after `delay` seconds (a greeting delay)."""
    SILENT = "silent"
    """Accept the connection and never greet."""
    CLOSE = "close"
    """Close the connection right after accepting it."""
    DROP = "drop"
    """Never complete a connection: a client's connect times out unanswered, as with a host
    that is down behind a firewall that drops port 25 rather than refusing it."""


DEFAULT_DELAY = 8.0
"""Seconds a slow server stalls: longer than the sandbox profile's 5 s io timeout."""
TRICKLE_DELAY = 0.25
"""Seconds between two bytes of a trickling body, unless `delay` says otherwise."""
EDE_DNSSEC_BOGUS = 6
"""RFC 8914 §4.7: the default reason a bogus rule gives."""


@dataclass(frozen=True)
class DnsRule:
    name: str
    behaviour: DnsBehaviour
    subtree: bool = False
    ede: int = EDE_DNSSEC_BOGUS
    """For `bogus`: the Extended DNS Error code the SERVFAIL carries (RFC 8914)."""

    def covers(self, name: str) -> bool:
        name = name.lower().rstrip(".")
        return name == self.name or (self.subtree and name.endswith("." + self.name))


@dataclass(frozen=True)
class TlsIdentity:
    """Which certificate a TLS host presents."""

    kind: CertKind = CertKind.VALID
    names: tuple[str, ...] = ()
    issuer: str = ""
    """Organisation of an issuing CA under the sandbox root; "" issues from the root itself.
    A demo names a realistic fictional CA so its report does not read like a test lab."""
    key: str = ""
    """PEM private key the leaf is issued for; "" for a fresh key on every run."""


@dataclass(frozen=True)
class HttpsHost:
    host: str
    policy: str
    behaviour: HttpsBehaviour = HttpsBehaviour.NORMAL
    cert: TlsIdentity = TlsIdentity()
    redirect_to: str | None = None
    delay: float = DEFAULT_DELAY


DEFAULT_BANNER = "ESMTP mailposture sandbox"


@dataclass(frozen=True)
class SmtpHost:
    host: str
    behaviour: SmtpBehaviour = SmtpBehaviour.NORMAL
    cert: TlsIdentity = TlsIdentity()
    delay: float = DEFAULT_DELAY
    banner: str = DEFAULT_BANNER
    """The greeting's text after `220 <host>`."""


@dataclass(frozen=True)
class ScenarioClient:
    """One client the scenario serves, as its client.toml in the scenario's book names it."""

    name: str
    slug: str
    domains: tuple[str, ...]
    dkim_selectors: tuple[str, ...] = ()
    country: str = ""


@dataclass(frozen=True)
class Scenario:
    folder: Path
    client: str
    domains: tuple[str, ...]
    dkim_selectors: tuple[str, ...] = ()
    signed: tuple[str, ...] = ()
    dns_rules: tuple[DnsRule, ...] = ()
    https: tuple[HttpsHost, ...] = ()
    smtp: tuple[SmtpHost, ...] = ()
    latency: float = 0.0
    """One-way network delay the servers play, in seconds."""
    book: Path | None = None
    """A data folder seed: `clients/<slug>/client.toml` for every client served."""
    clients: tuple[ScenarioClient, ...] = ()
    """Every client served: the top-level one first, then the book's by slug."""

    @property
    def zones_dir(self) -> Path:
        return self.folder / "zones"

    def dns_rule(self, name: str) -> DnsRule | None:
        """The most specific rule covering `name` (exact name before subtree)."""
        matching = [rule for rule in self.dns_rules if rule.covers(name)]
        return max(matching, key=lambda r: (len(r.name), not r.subtree), default=None)

    def is_signed(self, name: str) -> bool:
        name = name.lower().rstrip(".")
        return any(name == s or name.endswith("." + s) for s in self.signed)


def load_scenario(folder: Path) -> Scenario:
    """Read and validate `folder/scenario.toml`; raise ScenarioError with a precise message."""
    path = folder / "scenario.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: invalid TOML: {exc}") from exc
    reader = _Reader(path)
    _known(
        reader,
        data,
        "",
        {"client", "domains", "dkim_selectors", "dns", "https", "smtp", "latency", "book"},
    )
    client = reader.string(data, "client")
    domains = tuple(_hostname(reader, d, "domains") for d in reader.strings(data, "domains"))
    if not domains:
        raise ScenarioError(f"{path}: `domains` must list at least one domain")
    selectors = tuple(reader.strings(data, "dkim_selectors", required=False))
    dns_table = reader.table(data, "dns")
    _known(reader, dns_table, "dns.", {"signed", "rules"})
    signed = tuple(
        _hostname(reader, s, "dns.signed")
        for s in reader.strings(dns_table, "signed", required=False)
    )
    rules = tuple(
        _dns_rule(reader, i, item) for i, item in enumerate(reader.tables(dns_table, "rules"))
    )
    https = tuple(
        _https_host(reader, folder, host, body)
        for host, body in reader.table(data, "https").items()
    )
    smtp = tuple(
        _smtp_host(reader, folder, host, body) for host, body in reader.table(data, "smtp").items()
    )
    if not (folder / "zones").is_dir():
        raise ScenarioError(f"{folder}: missing zones/ folder")
    latency = reader.number(data, "latency", "", 0.0)
    first = ScenarioClient(client, _slug(reader, client), domains, selectors)
    book = reader.optional_string(data, "book", "")
    book_dir = (folder / book).resolve() if book is not None else None
    clients = _clients(reader, first, book_dir)
    return Scenario(
        folder, client, domains, selectors, signed, rules, https, smtp, latency, book_dir, clients
    )


class _Reader:
    """Typed access to parsed TOML with errors that say where."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, message: str) -> ScenarioError:
        return ScenarioError(f"{self.path}: `{key}`: {message}")

    def string(self, data: dict[str, Any], key: str, where: str = "") -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where + key, "expected a non-empty string")
        return value

    def optional_string(self, data: dict[str, Any], key: str, where: str) -> str | None:
        if key not in data:
            return None
        return self.string(data, key, where)

    def strings(self, data: dict[str, Any], key: str, *, required: bool = True) -> list[str]:
        value = data.get(key)
        if value is None and not required:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "expected a list of strings")
        return value

    def table(self, data: dict[str, Any], key: str, where: str = "") -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(where + key, "expected a table")
        return value

    def tables(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, "expected an array of tables ([[...]])")
        return value

    def enum(self, data: dict[str, Any], key: str, where: str, enum: type[E], default: E) -> E:
        if key not in data:
            return default
        value = data[key]
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            raise self.fail(where + key, f"{value!r} is not one of: {allowed}") from None

    def number(self, data: dict[str, Any], key: str, where: str, default: float) -> float:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.fail(where + key, "expected a non-negative number of seconds")
        return float(value)


def _known(reader: _Reader, data: dict[str, Any], where: str, allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            raise reader.fail(where + key, f"unknown key (allowed: {', '.join(sorted(allowed))})")


def _hostname(reader: _Reader, value: str, key: str) -> str:
    name = value.lower().rstrip(".")
    labels = name.split(".")
    if not name or any(not label or len(label) > 63 for label in labels) or " " in name:
        raise reader.fail(key, f"{value!r} is not a host name")
    return name


def _slug(reader: _Reader, name: str) -> str:
    try:
        return client_slug(name)
    except WorkspaceError as exc:
        raise reader.fail("client", str(exc)) from None


def _clients(
    reader: _Reader, first: ScenarioClient, book: Path | None
) -> tuple[ScenarioClient, ...]:
    """The top-level client, then every client.toml of the book; the book's file for the
    top-level client's slug describes it in full (country included) and takes its place."""
    if book is None:
        return (first,)
    folders = sorted(p for p in (book / "clients").glob("*") if (p / "client.toml").is_file())
    if not folders:
        raise reader.fail("book", f"{book} holds no clients/<slug>/client.toml")
    found: dict[str, ScenarioClient] = {}
    for folder in folders:
        try:
            config = load_client(book, folder.name)
        except ClientConfigError as exc:
            raise reader.fail("book", str(exc)) from None
        assert config is not None
        domains = tuple(_hostname(reader, d, f"book {folder.name} domains") for d in config.domains)
        found[folder.name] = ScenarioClient(
            config.name, folder.name, domains, config.dkim_selectors, config.country
        )
    head = found.pop(first.slug, first)
    if head.domains != first.domains:
        raise reader.fail(
            "book", f"{first.slug}/client.toml lists other domains than the top-level `domains`"
        )
    return (head, *found.values())


def _dns_rule(reader: _Reader, index: int, item: dict[str, Any]) -> DnsRule:
    where = f"dns.rules[{index}]."
    _known(reader, item, where, {"name", "behaviour", "subtree", "ede"})
    name = _hostname(reader, reader.string(item, "name", where), where + "name")
    if "behaviour" not in item:
        raise reader.fail(where + "behaviour", "required")
    behaviour = reader.enum(item, "behaviour", where, DnsBehaviour, DnsBehaviour.TIMEOUT)
    subtree = item.get("subtree", False)
    if not isinstance(subtree, bool):
        raise reader.fail(where + "subtree", "expected true or false")
    ede = item.get("ede", EDE_DNSSEC_BOGUS)
    if "ede" in item and behaviour is not DnsBehaviour.BOGUS:
        raise reader.fail(where + "ede", "only a bogus rule gives an Extended DNS Error")
    if isinstance(ede, bool) or not isinstance(ede, int) or not 0 <= ede <= 65535:
        raise reader.fail(where + "ede", "expected an Extended DNS Error code (0-65535)")
    return DnsRule(name, behaviour, subtree, ede)


_KEYED_KINDS = (CertKind.VALID, CertKind.EXPIRED, CertKind.EXPIRING, CertKind.WRONGHOST)
"""Kinds the sandbox CA issues with a scenario-given key (the others make their own)."""


def _identity(
    reader: _Reader, folder: Path, host: str, body: dict[str, Any], where: str
) -> TlsIdentity:
    kind = reader.enum(body, "cert", where, CertKind, CertKind.VALID)
    names = (
        tuple(reader.strings(body, "cert_names", required=False)) if "cert_names" in body else ()
    )
    if not names:
        names = ("wrong-host.invalid",) if kind is CertKind.WRONGHOST else (host,)
    issuer = reader.optional_string(body, "cert_issuer", where) or ""
    return TlsIdentity(
        kind, tuple(n.lower() for n in names), issuer.strip(), _key(reader, folder, body, where)
    )


def _key(reader: _Reader, folder: Path, body: dict[str, Any], where: str) -> str:
    path_text = reader.optional_string(body, "key", where)
    if path_text is None:
        return ""
    kind = reader.enum(body, "cert", where, CertKind, CertKind.VALID)
    if kind not in _KEYED_KINDS:
        raise reader.fail(where + "key", f"cert = {kind.value!r} makes its own key")
    path = folder / path_text
    try:
        text = path.read_text(encoding="ascii")
        load_pem_private_key(text.encode("ascii"), password=None)
    except (OSError, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise reader.fail(where + "key", f"{path}: not a readable PEM private key: {exc}") from exc
    return text


def _https_host(reader: _Reader, folder: Path, host: str, body: Any) -> HttpsHost:
    where = f"https.{host}."
    if not isinstance(body, dict):
        raise reader.fail(where.rstrip("."), "expected a table")
    allowed = {
        "policy",
        "policy_text",
        "behaviour",
        "cert",
        "cert_names",
        "cert_issuer",
        "key",
        "redirect_to",
        "delay",
    }
    _known(reader, body, where, allowed)
    host = _hostname(reader, host, where + "host")
    if "policy" in body and "policy_text" in body:
        raise reader.fail(where + "policy", "give `policy` or `policy_text`, not both")
    if "policy" in body:
        policy_path = folder / reader.string(body, "policy", where)
        try:
            policy = policy_path.read_text(encoding="utf-8")
        except OSError as exc:
            raise reader.fail(where + "policy", f"cannot read {policy_path}: {exc}") from exc
    else:
        policy = body.get("policy_text", "")
        if not isinstance(policy, str):
            raise reader.fail(where + "policy_text", "expected a string")
    behaviour = reader.enum(body, "behaviour", where, HttpsBehaviour, HttpsBehaviour.NORMAL)
    redirect_to = reader.optional_string(body, "redirect_to", where)
    if behaviour is HttpsBehaviour.REDIRECT and redirect_to is None:
        raise reader.fail(where + "redirect_to", "required when behaviour is redirect")
    default = TRICKLE_DELAY if behaviour is HttpsBehaviour.TRICKLE else DEFAULT_DELAY
    return HttpsHost(
        host=host,
        policy=policy,
        behaviour=behaviour,
        cert=_identity(reader, folder, host, body, where),
        redirect_to=redirect_to,
        delay=reader.number(body, "delay", where, default),
    )


def _smtp_host(reader: _Reader, folder: Path, host: str, body: Any) -> SmtpHost:
    where = f"smtp.{host}."
    if not isinstance(body, dict):
        raise reader.fail(where.rstrip("."), "expected a table")
    _known(
        reader,
        body,
        where,
        {"behaviour", "cert", "cert_names", "cert_issuer", "key", "delay", "banner"},
    )
    host = _hostname(reader, host, where + "host")
    return SmtpHost(
        host=host,
        behaviour=reader.enum(body, "behaviour", where, SmtpBehaviour, SmtpBehaviour.NORMAL),
        cert=_identity(reader, folder, host, body, where),
        delay=reader.number(body, "delay", where, DEFAULT_DELAY),
        banner=_banner(reader, body, where),
    )


def _banner(reader: _Reader, body: dict[str, Any], where: str) -> str:
    text = reader.optional_string(body, "banner", where) or DEFAULT_BANNER
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text) or len(text) > 200:
        raise reader.fail(where + "banner", "one line of printable text (at most 200 characters)")
    return text
