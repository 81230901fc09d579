"""Report URIs as written in DMARC `rua`/`ruf` and TLS-RPT `rua` tags.

Both protocols use a comma-separated list of URIs; DMARC adds an optional `!size` suffix.
Which schemes are acceptable differs, so this module only classifies and reports what it
saw; the DMARC and TLS-RPT parsers turn the issues into their own problem codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote, urlsplit

from assessment.records.txt import hostname_error

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_SIZE = re.compile(r"([0-9]+)([kmgtKMGT]?)")
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+")
# RFC 7489 §6.2: the units are powers of two.
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_WSP = " \t"


class UriIssueKind(StrEnum):
    EMPTY = "empty"
    SYNTAX = "syntax"
    NO_SCHEME = "no-scheme"
    BAD_MAILTO = "bad-mailto"
    BAD_HTTPS = "bad-https"
    BAD_SIZE = "bad-size"


@dataclass(frozen=True)
class UriIssue:
    kind: UriIssueKind
    message: str
    position: int
    token: str


@dataclass(frozen=True)
class ReportUri:
    """One report destination as written."""

    raw: str
    scheme: str
    """Lower-case scheme without the colon; empty when the item has none."""
    address: str
    """For mailto: the addr-spec, percent-decoded, query dropped. Otherwise the URI
    without any `!size` suffix."""
    host: str
    """Lower-case domain part of the mailbox, or the URL host; empty if unknown."""
    position: int
    size_limit: int | None = None
    """DMARC `!size` suffix in bytes (k/m/g/t are powers of two), if present and valid."""
    size_text: str | None = None
    """The `!size` suffix as written, without the `!`."""
    valid: bool = True


def split_uri_list(
    value: str, value_position: int, *, allow_size: bool
) -> tuple[tuple[ReportUri, ...], tuple[UriIssue, ...]]:
    """Split `uri *(*WSP "," *WSP uri)` and classify each item.

    `value_position` is the offset of `value` in the record, so every issue and URI
    position points into the record text.
    """
    uris: list[ReportUri] = []
    issues: list[UriIssue] = []
    start = 0
    pieces: list[tuple[int, str]] = []
    for index, char in enumerate(value):
        if char == ",":
            pieces.append((start, value[start:index]))
            start = index + 1
    pieces.append((start, value[start:]))
    for offset, piece in pieces:
        item = piece.strip(_WSP)
        position = value_position + offset + (len(piece) - len(piece.lstrip(_WSP)))
        if not item:
            if value.strip(_WSP):
                issues.append(UriIssue(UriIssueKind.EMPTY, "empty item in URI list", position, ""))
            continue
        uri, item_issues = _parse_uri(item, position, allow_size=allow_size)
        uris.append(uri)
        issues.extend(item_issues)
    return tuple(uris), tuple(issues)


def _parse_uri(item: str, position: int, *, allow_size: bool) -> tuple[ReportUri, list[UriIssue]]:
    issues: list[UriIssue] = []
    body = item
    size_limit: int | None = None
    size_text: str | None = None
    if any(char in item for char in " \t\r\n;") or any(ord(char) > 0x7E for char in item):
        issues.append(
            UriIssue(
                UriIssueKind.SYNTAX,
                "URI contains whitespace, `;` or non-ASCII characters",
                position,
                item,
            )
        )
    if allow_size:
        bang = item.rfind("!")
        if bang > item.rfind("@"):
            body, size_text = item[:bang], item[bang + 1 :]
            match = _SIZE.fullmatch(size_text)
            if match is None:
                issues.append(
                    UriIssue(
                        UriIssueKind.BAD_SIZE,
                        f"size suffix `!{size_text}` is not digits with optional k, m, g or t",
                        position + bang,
                        "!" + size_text,
                    )
                )
            else:
                size_limit = int(match.group(1)) * _UNITS[match.group(2).lower()]
    scheme_match = _SCHEME.match(body)
    if scheme_match is None:
        hint = " (a bare address needs `mailto:` in front)" if "@" in body else ""
        issues.append(UriIssue(UriIssueKind.NO_SCHEME, f"URI has no scheme{hint}", position, item))
        return ReportUri(item, "", body, "", position, size_limit, size_text, False), issues
    scheme = scheme_match.group(1).lower()
    rest = body[scheme_match.end() :]
    address = body
    host = ""
    if scheme == "mailto":
        address, host, problem = _mailto(rest)
        if problem is not None:
            issues.append(UriIssue(UriIssueKind.BAD_MAILTO, problem, position, item))
    elif scheme in ("https", "http"):
        host, problem = _web_host(body)
        if problem is not None:
            issues.append(UriIssue(UriIssueKind.BAD_HTTPS, problem, position, item))
    valid = not issues
    return ReportUri(item, scheme, address, host, position, size_limit, size_text, valid), issues


def _mailto(rest: str) -> tuple[str, str, str | None]:
    """Address, domain and the reason it is invalid (RFC 6068 `mailto:` with one mailbox)."""
    target = rest.split("?", 1)[0]
    decoded = unquote(target, errors="replace")
    if not decoded:
        return decoded, "", "mailto: URI has no address"
    first = decoded.split(",", 1)[0]
    local, at, domain = first.rpartition("@")
    if not at:
        return decoded, "", f"`{first}` has no @"
    host = domain.lower()
    if not local or _LOCAL_PART.fullmatch(local) is None:
        return decoded, host, f"local part `{local}` is not a valid mailbox name"
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return decoded, host, f"local part `{local}` has a misplaced dot"
    reason = hostname_error(domain)
    if reason is not None:
        return decoded, host, f"domain `{domain}`: {reason}"
    if domain.endswith("."):
        return decoded, host, f"domain `{domain}` ends in a dot"
    if "." not in domain:
        return decoded, host, f"domain `{domain}` is a single label"
    return decoded, host.rstrip("."), None


def _web_host(url: str) -> tuple[str, str | None]:
    try:
        parts = urlsplit(url)
        hostname = parts.hostname or ""
        _ = parts.port
    except ValueError as exc:
        return "", f"URL does not parse: {exc}"
    if not parts.netloc:
        return "", "URL has no host (expected `https://host/path`)"
    if not hostname:
        return "", "URL has no host"
    reason = hostname_error(hostname)
    if reason is not None:
        return hostname, f"host `{hostname}`: {reason}"
    return hostname.rstrip("."), None
