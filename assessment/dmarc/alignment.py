"""Identifier alignment, as a DMARC receiver judges it (RFC 7489 §3.1; RFC 9989 §4.4).

An authenticated identifier (a DKIM ``d=`` domain, or the SPF-checked
envelope-from / HELO domain) is aligned with the RFC5322.From domain when

- strict (``adkim=s`` / ``aspf=s``): the two are the same name;
- relaxed (``r``, the default): the two have the same Organizational Domain.

The Organizational Domain is RFC 7489 §3.2's: the public suffix (Public Suffix
List, via ``assessment.records.orgdomain``) plus one label. RFC 9989 replaces the
PSL with a DNS tree walk, which an offline analysis cannot do; the two agree
except where a domain publishes ``psd=`` records, which a small business's own
domains do not. Names compare case-insensitively, without a trailing dot.
"""

from __future__ import annotations

from functools import lru_cache

from assessment.records.orgdomain import organizational_domain

STRICT = "s"


def _name(domain: str) -> str:
    return domain.strip().rstrip(".").lower()


@lru_cache(maxsize=65_536)
def org_domain(domain: str) -> str:
    """The Organizational Domain of ``domain`` (the name itself if it is a public suffix)."""
    return organizational_domain(_name(domain))


@lru_cache(maxsize=65_536)
def aligned(identifier: str, header_from: str, mode: str = "r") -> bool:
    """Whether ``identifier`` is aligned with ``header_from`` under ``mode`` (``r`` or ``s``).

    An empty identifier or From domain is never aligned. Any mode other than ``s`` is
    relaxed (RFC 7489 §6.3: ``r`` is the default, and reports carry it verbatim).
    """
    left, right = _name(identifier), _name(header_from)
    if not left or not right:
        return False
    if left == right:
        return True
    if mode == STRICT:
        return False
    return org_domain(left) == org_domain(right)


def within(header_from: str, policy_domain: str) -> bool:
    """Whether ``header_from`` is ``policy_domain`` or one of its subdomains."""
    name, parent = _name(header_from), _name(policy_domain)
    return bool(name) and (name == parent or name.endswith("." + parent))
