"""Host-name matching shared by certificate checks and MTA-STS `mx` patterns.

RFC 6125 §6.4.3 (certificate DNS-IDs) and RFC 8461 §4.1 (policy `mx` patterns) use the same
rule: case-insensitive, trailing-dot insensitive, anchored on the whole name, and a `*.`
prefix standing for exactly one extra left-most label, so `*.example.com` matches
`mail.example.com` but neither `example.com` nor `a.b.example.com`.
"""

from __future__ import annotations


def _plain(name: str) -> str:
    return name.strip().lower().removesuffix(".")


def wildcard_matches(pattern: str, host: str) -> bool:
    """Whether `pattern` (a name, or `*.` plus a name) covers `host` under that rule."""
    pattern, host = _plain(pattern), _plain(host)
    if not pattern or not host:
        return False
    if pattern.startswith("*."):
        label, dot, rest = host.partition(".")
        return bool(label and dot) and "*" not in label and rest == pattern[2:]
    return host == pattern
