"""Organizational domains: RFC 7489 §3.2 (Public Suffix List) and the RFC 9989 tree walk.

Pure name arithmetic; the PSL comes from the maintained `publicsuffixlist` package.
"""

from __future__ import annotations

from functools import cache

from publicsuffixlist import PublicSuffixList

TREE_WALK_MAX = 8
"""RFC 9989 §4.10: at most eight queries; longer names jump to their seven-label suffix."""


@cache
def _psl() -> PublicSuffixList:
    # Building the list parses ~10k rules: once per process.
    return PublicSuffixList()


def organizational_domain(domain: str) -> str:
    """RFC 7489 §3.2: the public suffix plus one label; the name itself if it is a suffix."""
    found = _psl().privatesuffix(domain.lower().rstrip("."))
    return str(found) if found else domain


def is_public_suffix(domain: str) -> bool:
    return bool(_psl().is_public(domain.lower().rstrip(".")))


def tree_walk(domain: str) -> tuple[str, ...]:
    """Domains whose `_dmarc` TXT the RFC 9989 §4.10 walk may query, most specific first.

    Names of more than eight labels jump from the name itself to its seven-label suffix.
    """
    labels = domain.lower().rstrip(".").split(".")
    names = [".".join(labels)]
    start = 1
    if len(labels) > TREE_WALK_MAX:
        start = len(labels) - (TREE_WALK_MAX - 1)
    names.extend(".".join(labels[index:]) for index in range(start, len(labels)))
    return tuple(names[:TREE_WALK_MAX])
