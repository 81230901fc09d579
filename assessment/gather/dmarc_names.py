"""Names a DMARC receiver looks up beyond `_dmarc.<domain>`: report destinations and their
external authorization records (RFC 7489 §7.1). Organizational-domain arithmetic (PSL and the
RFC 9989 tree walk) comes from `assessment.records.orgdomain`, shared with the checks.
"""

from __future__ import annotations

from assessment.records.orgdomain import organizational_domain, tree_walk
from assessment.records.txt import split_tag_list
from assessment.records.uri import split_uri_list

__all__ = [
    "mailto_hosts",
    "organizational_domain",
    "report_authorization_name",
    "tree_walk",
]


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
