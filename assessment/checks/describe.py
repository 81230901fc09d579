"""One-line, human-readable renderings of evidence items, quoted in findings."""

from __future__ import annotations

from assessment.model import Certificate, DnsLookup, HttpsFetch, SmtpProbe


def _clip(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain_reason(verify_error: str) -> str:
    """The plain-words part of a verification error, without the library's own message.

    gather records `reasons (library message)`; the library text (class names, internal
    wording) stays in the evidence file for the specialist, not in the client's report.
    """
    head, sep, _ = verify_error.partition(" (")
    return head if sep and verify_error.endswith(")") else verify_error


def lookup(item: DnsLookup) -> str:
    """`TXT _dmarc.example.com -> ok (TTL 3600): "v=DMARC1; p=none"`."""
    head = f"{item.rdtype} {item.name} -> {item.outcome.value}"
    if item.ttl is not None:
        head += f" (TTL {item.ttl})"
    if item.cname_chain:
        head += f" via CNAME {' -> '.join(item.cname_chain)}"
    if item.ad:
        head += " [DNSSEC AD]"
    if item.checking_disabled is not None:
        head += f" (asked again with checking disabled: {item.checking_disabled.value})"
    if item.ede:
        head += f" [{'; '.join(item.ede)}]"
    if item.answers:
        # An RRset is unordered and servers rotate it: sort so the same records always read
        # the same, and reports of two assessments diff cleanly.
        shown = "; ".join(f'"{a}"' if item.rdtype == "TXT" else a for a in sorted(item.answers))
        return f"{head}: {_clip(shown)}"
    if item.error:
        return f"{head}: {_clip(item.error)}"
    return head


def fetch(item: HttpsFetch) -> str:
    parts = [f"GET {item.url} -> {item.outcome.value}"]
    if item.status is not None:
        parts.append(f"HTTP {item.status} {item.reason or ''}".rstrip())
    if item.content_type:
        parts.append(f"Content-Type: {item.content_type}")
    if item.redirect_location:
        parts.append(f"Location: {item.redirect_location}")
    if item.body_truncated:
        parts.append(f"body truncated at {item.body_limit} bytes")
    if item.error:
        parts.append(item.error)
    return _clip("; ".join(parts))


def certificate(cert: Certificate) -> str:
    names = ", ".join(cert.san_dns) or "(no DNS names)"
    return _clip(
        f"certificate for {names}; issuer {cert.issuer}; valid {cert.not_before} to "
        f"{cert.not_after}; {cert.key_type} {cert.key_bits}"
    )


def probe(item: SmtpProbe) -> str:
    parts = [f"SMTP {item.host} [{item.address}]:{item.port} -> {item.outcome.value}"]
    if item.banner:
        parts.append(f"banner {item.banner!r}")
    if item.starttls_offered is not None:
        parts.append("STARTTLS offered" if item.starttls_offered else "no STARTTLS")
    if item.tls is not None:
        if item.tls.version:
            parts.append(f"{item.tls.version} {item.tls.cipher or ''}".rstrip())
        if item.tls.handshake_error:
            parts.append(f"handshake failed: {item.tls.handshake_error}")
        elif item.tls.verified:
            parts.append("certificate verified")
        elif item.tls.verify_error:
            parts.append(f"certificate not verified: {plain_reason(item.tls.verify_error)}")
    if item.error:
        parts.append(item.error)
    return _clip("; ".join(parts))
