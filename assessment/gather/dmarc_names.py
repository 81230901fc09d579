"""Names a DMARC receiver looks up: the organizational domain (PSL), the RFC 9989 tree walk,
and the external report-destination authorization names (RFC 7489 §7.1).
"""

from __future__ import annotations

from functools import cache

from publicsuffixlist import PublicSuffixList

from assessment.records.txt import split_tag_list
from assessment.records.uri import split_uri_list

TREE_WALK_MAX = 8
"""RFC 9989 §4.10: at most eight queries; longer names jump to their seven-label suffix."""


@cache
def _psl() -> PublicSuffixList:
    # Building the list parses ~10k rules: once per process.
    return PublicSuffixList()


def organizational_domain(domain: str) -> str:
    """RFC 7489 §3.2: public suffix plus one label; the name itself if it is a suffix."""
    found = _psl().privatesuffix(domain)
    return str(found) if found else domain


def tree_walk(domain: str) -> tuple[str, ...]:
    """The domains whose `_dmarc` TXT the RFC 9989 walk may query, most specific first."""
    labels = domain.split(".")
    names = [domain]
    start = 1
    if len(labels) > TREE_WALK_MAX:
        start = len(labels) - (TREE_WALK_MAX - 1)
    for index in range(start, len(labels)):
        names.append(".".join(labels[index:]))
    return tuple(names[:TREE_WALK_MAX])


def is_dmarc_record(text: str) -> bool:
    return text.startswith("v=DMARC1")


def _tag_value(record: str, name: str) -> str | None:
    tag = split_tag_list(record).first(name)
    return tag.value if tag is not None else None


def mailto_hosts(record: str, tags: tuple[str, ...] = ("rua", "ruf")) -> tuple[str, ...]:
    """Domains of the mailto: destinations in the given URI-list tags of a record."""
    hosts: list[str] = []
    for name in tags:
        value = _tag_value(record, name)
        if value is None:
            continue
        uris, _ = split_uri_list(value, 0, allow_size=True)
        for uri in uris:
            if uri.scheme == "mailto" and uri.host and uri.host not in hosts:
                hosts.append(uri.host)
    return tuple(hosts)


def report_authorization_name(policy_domain: str, destination: str) -> str:
    """RFC 7489 §7.1: where `destination` must say it accepts reports for `policy_domain`."""
    return f"{policy_domain}._report._dmarc.{destination}"
