"""Raw-evidence tables for the evidence file: what was asked, of whom, when, and what came back.

Long values are clipped to keep the appendix printable; the note beside each clipped value
says how much was left out. The evidence snapshot (JSON) always holds the full text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from assessment.model import (
    Certificate,
    ConnOutcome,
    DnsLookup,
    DomainEvidence,
    HttpsFetch,
    SmtpProbe,
    TlsSession,
)
from assessment.report.formatting import Clipped, clip, timestamp

ANSWER_LIMIT = 1200
BODY_LIMIT = 3000
BANNER_LIMIT = 300


@dataclass(frozen=True)
class DnsRow:
    name: str
    rdtype: str
    outcome: str
    answers: tuple[Clipped, ...]
    ttl: str
    ad: str
    resolver: str
    observed_at: str
    note: str
    """Error text or CNAME chain, when there is one."""


@dataclass(frozen=True)
class CertView:
    subject: str
    issuer: str
    names: str
    expires: str
    key: str


@dataclass(frozen=True)
class TlsView:
    version: str
    cipher: str
    verified: str
    problem: str
    leaf: CertView | None


@dataclass(frozen=True)
class PolicyFetchView:
    url: str
    url_without_port: str
    """The URL as a sender would fetch it (port 443): a demo's sandbox port is not shown."""
    outcome: str
    status: str
    content_type: str
    redirect: str
    body: Clipped
    body_bytes: int
    truncated_at_limit: bool
    tls: TlsView | None
    observed_at: str
    error: str


@dataclass(frozen=True)
class SmtpRow:
    host: str
    address: str
    port: int
    outcome: str
    banner: Clipped
    starttls: str
    tls: TlsView | None
    observed_at: str
    error: str


@dataclass(frozen=True)
class DomainEvidenceView:
    domain: str
    dns: tuple[DnsRow, ...]
    policy: PolicyFetchView | None
    smtp: tuple[SmtpRow, ...]
    dkim_selectors: str


def domain_evidence(domain: DomainEvidence) -> DomainEvidenceView:
    return DomainEvidenceView(
        domain=domain.domain,
        dns=tuple(dns_row(d) for d in domain.dns),
        policy=policy_view(domain.mta_sts_policy) if domain.mta_sts_policy else None,
        smtp=tuple(smtp_row(p) for p in domain.smtp),
        dkim_selectors=", ".join(domain.dkim_selectors) or "none probed",
    )


def dns_row(lookup: DnsLookup) -> DnsRow:
    notes = []
    if lookup.cname_chain:
        notes.append("via " + " → ".join(lookup.cname_chain))
    if lookup.error:
        notes.append(lookup.error)
    return DnsRow(
        name=lookup.name,
        rdtype=lookup.rdtype,
        outcome=lookup.outcome.value.upper(),
        answers=tuple(clip(a, ANSWER_LIMIT) for a in lookup.answers),
        ttl="" if lookup.ttl is None else str(lookup.ttl),
        ad="yes" if lookup.ad else "no",
        resolver=lookup.resolver,
        observed_at=timestamp(lookup.observed_at),
        note="; ".join(notes),
    )


def _cert(cert: Certificate) -> CertView:
    return CertView(
        subject=cert.subject,
        issuer=cert.issuer,
        names=", ".join(cert.san_dns) or "(no DNS names)",
        expires=timestamp(cert.not_after),
        key=f"{cert.key_type} {cert.key_bits}",
    )


def _tls(session: TlsSession) -> TlsView:
    return TlsView(
        version=session.version or "no handshake",
        cipher=session.cipher or "",
        verified="verified" if session.verified else "NOT verified",
        problem=session.verify_error or session.handshake_error or "",
        leaf=_cert(session.chain[0]) if session.chain else None,
    )


_OUTCOME_WORDS: Final = {
    ConnOutcome.OK: "connected",
    ConnOutcome.TIMEOUT: "timed out",
    ConnOutcome.REFUSED: "connection refused",
    ConnOutcome.UNREACHABLE: "unreachable",
    ConnOutcome.DNS_ERROR: "no address in DNS",
    ConnOutcome.TLS_ERROR: "TLS failed",
    ConnOutcome.PROTOCOL_ERROR: "protocol error",
    ConnOutcome.ERROR: "failed",
    ConnOutcome.OUTSIDE_LAB: "not attempted (outside the test network)",
}


def outcome_words(outcome: ConnOutcome) -> str:
    """A connection's outcome as the evidence file prints it."""
    return _OUTCOME_WORDS.get(outcome, str(outcome))


def _without_port(url: str) -> str:
    parts = urlsplit(url)
    if parts.port is None or parts.hostname is None:
        return url
    return parts._replace(netloc=parts.hostname).geturl()


def policy_view(fetch: HttpsFetch) -> PolicyFetchView:
    return PolicyFetchView(
        url=fetch.url,
        url_without_port=_without_port(fetch.url),
        outcome=outcome_words(fetch.outcome),
        status=(f"{fetch.status} {fetch.reason or ''}".strip() if fetch.status else "no response"),
        content_type=fetch.content_type or "(none)",
        redirect=fetch.redirect_location or "",
        body=clip(fetch.body or "", BODY_LIMIT),
        body_bytes=fetch.body_bytes,
        truncated_at_limit=fetch.body_truncated,
        tls=_tls(fetch.tls) if fetch.tls else None,
        observed_at=timestamp(fetch.observed_at),
        error=fetch.error or "",
    )


def smtp_row(probe: SmtpProbe) -> SmtpRow:
    if probe.starttls_offered is None:
        starttls = "not reached"
    else:
        starttls = "offered" if probe.starttls_offered else "NOT offered"
    return SmtpRow(
        host=probe.host,
        address=probe.address,
        port=probe.port,
        outcome=outcome_words(probe.outcome),
        banner=clip(probe.banner or "", BANNER_LIMIT),
        starttls=starttls,
        tls=_tls(probe.tls) if probe.tls else None,
        observed_at=timestamp(probe.observed_at),
        error=probe.error or "",
    )
