"""Catalogue entries: SMTP, STARTTLS and MX certificates (RFC 3207, RFC 8996)."""

from __future__ import annotations

from assessment.checks.catalogue.entry import Rule
from assessment.model import Control, Severity

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
I = Severity.INFO  # noqa: E741

TLS = Control.STARTTLS

RULES: tuple[Rule, ...] = (
    Rule(
        "SMTP_NOT_TESTED",
        TLS,
        I,
        "SMTP could not be tested from this vantage point",
        "{host} ({address}) port {port}: {reason}.",
        "Outbound connections to port 25 are often blocked on office and cloud networks; "
        "this is a limit of where the assessment ran, not a defect of the client's servers.",
        "Re-run the assessment from a network that allows outbound port 25.",
        ("RFC 5321",),
        ("MX-06",),
        inconclusive=True,
    ),
    Rule(
        "SMTP_OUTSIDE_LAB",
        TLS,
        I,
        "MX host not contacted: outside the lab network",
        "{host} ({address}): {reason}.",
        "A lab run (the loopback sandbox) contacts only 127.0.0.0/8 and ::1, so an MX whose "
        "address lies elsewhere is not probed; on the real internet it would be.",
        "Nothing to fix in a lab scenario; to probe this host, assess it without --lab.",
        ("RFC 5321",),
        ("MX-06",),
        inconclusive=True,
    ),
    Rule(
        "SMTP_REFUSED",
        TLS,
        H,
        "MX host refuses SMTP connections",
        "{host} ({address}) port {port}: {reason}.",
        "Senders cannot deliver to this MX; if it is the only one, mail bounces.",
        "Check that the mail server listens on port 25 and that the firewall allows it.",
        ("RFC 5321",),
        ("MX-06",),
    ),
    Rule(
        "SMTP_CONNECT_TIMEOUT",
        TLS,
        H,
        "MX host does not answer on port 25",
        "{host} ({address}) port {port}: {reason}, while {others}: the silence is this "
        "host's, not the network's.",
        "A sending server that gets no answer waits out its own connection timeout, often a "
        "minute or more, before it tries the next MX (RFC 5321 §5.1), every time it has mail "
        "for you: mail is delayed, and bounced once no MX accepts it. Typical causes are a "
        "mail server that is down, a firewall that drops port 25 instead of refusing it, or "
        "an MX record that still names a host that no longer receives mail.",
        "Check that {host} is up and that port 25 is open to the internet; if it no longer "
        "receives mail, remove it from the MX records (and from the MTA-STS policy's mx "
        "lines).",
        ("RFC 5321 §5.1",),
        ("MX-06",),
    ),
    Rule(
        "SMTP_GREETING_TIMEOUT",
        TLS,
        H,
        "MX host accepts connections but does not greet",
        "{host} ({address}) accepted the TCP connection in {connect}, then sent no greeting "
        "within {waited}, while {others}: the stall is this host's, not the network's.",
        "A sending server waits for the 220 greeting before it can say anything. RFC 5321 "
        "§4.5.3.2.1 lets it wait five minutes, but many give up far sooner and retry later: mail "
        "to this host is delayed or, if the stall persists, bounced. Typical causes are an "
        "overloaded or hung mail server, a reverse-DNS or blocklist lookup that times out "
        "before the greeting, an aggressive tarpit, or a firewall or IPS inspecting SMTP.",
        "Connect to {host} on port 25 (e.g. `openssl s_client -starttls smtp` or telnet) and "
        "time the 220 greeting; check the server's load, its DNS resolver, tarpit or "
        "greet-pause settings, and any SMTP inspection in front of it.",
        ("RFC 5321 §4.3.1", "RFC 5321 §4.5.3.2.1"),
        ("MX-06",),
    ),
    Rule(
        "SMTP_GREETING_SLOW",
        TLS,
        L,
        "MX host greets slowly",
        "{host} ({address}) sent its greeting {delay} after the connection, while {others}.",
        "Senders wait for the greeting (up to five minutes under RFC 5321 §4.5.3.2.1), so mail "
        "still flows, but every delivery waits this long and impatient senders may give up "
        "and retry. A few seconds is usually a deliberate greet pause (an anti-spam "
        "technique); longer is a struggling server or a slow reverse-DNS lookup.",
        "If the pause is not deliberate, check the server's load and the DNS lookups it makes "
        "before greeting.",
        ("RFC 5321 §4.3.1", "RFC 5321 §4.5.3.2.1"),
        ("MX-06",),
    ),
    Rule(
        "SMTP_BAD_BANNER",
        TLS,
        H,
        "MX host does not accept mail",
        "{host} ({address}) greeted with: {banner}.",
        "A greeting other than 220 tells senders to go away.",
        "Check the mail server's configuration.",
        ("RFC 5321 §4.3.1",),
        ("MX-06",),
    ),
    Rule(
        "STARTTLS_NOT_OFFERED",
        TLS,
        H,
        "MX host does not offer encryption (STARTTLS)",
        "{host} ({address}) does not advertise STARTTLS.",
        "Mail to this host travels in plain text and can be read or altered on the way.",
        "Enable STARTTLS with a valid certificate on {host}.",
        ("RFC 3207",),
        ("TLS-01", "STS-40"),
    ),
    Rule(
        "STARTTLS_FAILED",
        TLS,
        H,
        "STARTTLS handshake fails",
        "{host} ({address}): {reason}.",
        "Senders that try encryption fail and fall back to plain text, or defer mail when "
        "MTA-STS or DANE applies.",
        "Fix the TLS configuration of {host} (protocol versions, ciphers, certificate).",
        ("RFC 3207 §4",),
        ("TLS-02",),
    ),
    Rule(
        "TLS_CERT_EXPIRED",
        TLS,
        H,
        "MX certificate has expired",
        "{host} presents a certificate valid until {not_after}.",
        "Opportunistic senders still deliver, but MTA-STS senders refuse (certificate-expired).",
        "Renew the certificate on {host} and set up automatic renewal.",
        ("RFC 5280 §4.1.2.5", "RFC 8461 §4.2"),
        ("TLS-08", "STS-41"),
    ),
    Rule(
        "TLS_CERT_NAME_MISMATCH",
        TLS,
        H,
        "MX certificate is for a different host name",
        "{host} presents a certificate for {names}.",
        "MTA-STS senders refuse to deliver (certificate-host-mismatch): the certificate does "
        "not prove that the server is {host}.",
        "Install a certificate whose names include {host}, or point the MX at a name the "
        "certificate carries.",
        ("RFC 6125", "RFC 8461 §4.2"),
        ("TLS-08", "STS-41"),
    ),
    Rule(
        "TLS_CERT_UNTRUSTED",
        TLS,
        H,
        "MX certificate is not publicly trusted",
        "{host}: {reason}.",
        "MTA-STS senders refuse to deliver (certificate-not-trusted).",
        "Install a certificate from a public CA with the full chain.",
        ("RFC 5280", "RFC 8461 §4.2"),
        ("TLS-08", "STS-41", "STS-42"),
    ),
    Rule(
        "TLS_CERT_EXPIRING",
        TLS,
        M,
        "MX certificate expires soon",
        "{host}'s certificate expires on {not_after} ({days} days after the observation).",
        "If renewal fails, MTA-STS senders stop delivering.",
        "Renew the certificate or confirm automatic renewal works.",
        ("RFC 5280",),
        ("STS-43",),
    ),
    Rule(
        "TLS_OLD_VERSION",
        TLS,
        M,
        "MX negotiates an obsolete TLS version",
        "{host} negotiated {version}.",
        "TLS 1.0 and 1.1 are deprecated and must not be used; modern senders may refuse.",
        "Enable TLS 1.2 and 1.3 on {host} and disable older versions.",
        ("RFC 8996", "RFC 9325 §3.1.1"),
        ("TLS-03",),
    ),
    Rule(
        "TLS_WEAK_KEY",
        TLS,
        M,
        "MX certificate uses a weak key or signature",
        "{host}: {what}.",
        "Weak keys and SHA-1 signatures are rejected by modern TLS stacks.",
        "Reissue the certificate with an RSA 2048+ or ECDSA P-256 key and SHA-256 signature.",
        ("RFC 9325 §4.2",),
        ("TLS-07",),
    ),
    Rule(
        "TLS_OK",
        TLS,
        I,
        "MX offers valid STARTTLS",
        "{host} ({address}): {version}, certificate valid until {not_after}.",
        "Mail to this host is encrypted with a trusted certificate.",
        "None.",
        ("RFC 3207",),
        (),
    ),
)
