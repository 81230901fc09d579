"""Certificate facts the checks need: name matching (RFC 6125 §6.4.3) and dates."""

from __future__ import annotations

from datetime import UTC, datetime

from assessment.model import Certificate
from assessment.records.hostnames import wildcard_matches


def covers(cert: Certificate, host: str) -> bool:
    """A SAN dNSName of `cert` covers `host` (RFC 6125 §6.4.3)."""
    return any(wildcard_matches(san, host) for san in cert.san_dns)


def parse_time(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def days_left(cert: Certificate, observed_at: str) -> int | None:
    """Whole days from the observation to the certificate's expiry (negative if expired)."""
    end = parse_time(cert.not_after)
    now = parse_time(observed_at)
    if end is None or now is None:
        return None
    return (end - now).days


def not_yet_valid(cert: Certificate, observed_at: str) -> bool:
    start = parse_time(cert.not_before)
    now = parse_time(observed_at)
    return start is not None and now is not None and now < start
