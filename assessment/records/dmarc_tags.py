"""DMARC tag values (RFC 7489 §6.3, RFC 9989): one small reader per tag.

Each reader returns the typed value (None when absent or invalid) and appends problems
that point at the tag value in the record.
"""

from __future__ import annotations

import re
from enum import StrEnum

from assessment.records.problem import DmarcCode, Problem
from assessment.records.txt import Tag
from assessment.records.uri import ReportUri, UriIssueKind, split_uri_list

FO_PATTERN = re.compile(r"[01ds](?:[ \t]*:[ \t]*[01ds])*")
_RF = re.compile(r"[A-Za-z0-9-]+(?:[ \t]*:[ \t]*[A-Za-z0-9-]+)*")
_URI_ISSUE_CODES = {
    UriIssueKind.EMPTY: DmarcCode.BAD_URI,
    UriIssueKind.SYNTAX: DmarcCode.BAD_URI,
    UriIssueKind.NO_SCHEME: DmarcCode.URI_NO_SCHEME,
    UriIssueKind.BAD_MAILTO: DmarcCode.BAD_URI,
    UriIssueKind.BAD_HTTPS: DmarcCode.BAD_URI,
    UriIssueKind.BAD_SIZE: DmarcCode.BAD_SIZE_LIMIT,
}


class Policy(StrEnum):
    NONE = "none"
    QUARANTINE = "quarantine"
    REJECT = "reject"


class Alignment(StrEnum):
    RELAXED = "r"
    STRICT = "s"


class PsdFlag(StrEnum):
    """DMARCbis `psd=`: public suffix domain yes, no (org boundary), unknown (default)."""

    YES = "y"
    NO = "n"
    UNKNOWN = "u"


def policy_value(tag: Tag | None, code: DmarcCode, problems: list[Problem]) -> Policy | None:
    if tag is None:
        return None
    try:
        return Policy(tag.value.lower())
    except ValueError:
        problems.append(
            Problem(
                code,
                f"`{tag.name}={tag.value}` is not none, quarantine or reject",
                tag.value_position,
                tag.value,
            )
        )
        return None


def pct_value(tag: Tag | None, problems: list[Problem]) -> int | None:
    if tag is None:
        return None
    if not re.fullmatch(r"[0-9]{1,3}", tag.value):
        problems.append(
            Problem(
                DmarcCode.BAD_PCT,
                f"`pct={tag.value}` is not an integer",
                tag.value_position,
                tag.value,
            )
        )
        return None
    value = int(tag.value)
    if value > 100:
        problems.append(
            Problem(
                DmarcCode.PCT_OUT_OF_RANGE,
                f"`pct={value}` is over 100",
                tag.value_position,
                tag.value,
            )
        )
    return value


def yes_no_value(tag: Tag | None, problems: list[Problem]) -> bool | None:
    if tag is None:
        return None
    value = tag.value.lower()
    if value in ("y", "n"):
        return value == "y"
    problems.append(
        Problem(
            DmarcCode.BAD_TESTING, f"`t={tag.value}` is not y or n", tag.value_position, tag.value
        )
    )
    return None


def psd_value(tag: Tag | None, problems: list[Problem]) -> PsdFlag | None:
    if tag is None:
        return None
    try:
        return PsdFlag(tag.value.lower())
    except ValueError:
        problems.append(
            Problem(
                DmarcCode.BAD_PSD,
                f"`psd={tag.value}` is not y, n or u",
                tag.value_position,
                tag.value,
            )
        )
        return None


def alignment_value(tag: Tag | None, problems: list[Problem]) -> Alignment | None:
    if tag is None:
        return None
    try:
        return Alignment(tag.value.lower())
    except ValueError:
        problems.append(
            Problem(
                DmarcCode.BAD_ALIGNMENT,
                f"`{tag.name}={tag.value}` is not r or s; receivers use relaxed",
                tag.value_position,
                tag.value,
            )
        )
        return None


def colon_list(
    tag: Tag | None,
    pattern: re.Pattern[str],
    code: DmarcCode,
    allowed: str,
    problems: list[Problem],
) -> tuple[str, ...]:
    if tag is None:
        return ()
    if pattern.fullmatch(tag.value.lower()) is None:
        problems.append(
            Problem(
                code,
                f"`{tag.name}={tag.value}` is not a colon-separated list of {allowed}",
                tag.value_position,
                tag.value,
            )
        )
    return tuple(part.strip().lower() for part in tag.value.split(":") if part.strip())


def rf_value(tag: Tag | None, problems: list[Problem]) -> tuple[str, ...]:
    formats = colon_list(tag, _RF, DmarcCode.BAD_RF, "report format keywords", problems)
    if tag is not None and any(fmt != "afrf" for fmt in formats):
        problems.append(
            Problem(
                DmarcCode.BAD_RF,
                f"`rf={tag.value}`: `afrf` is the only registered failure report format",
                tag.value_position,
                tag.value,
            )
        )
    return formats


def ri_value(tag: Tag | None, problems: list[Problem]) -> int | None:
    if tag is None:
        return None
    if re.fullmatch(r"[0-9]{1,10}", tag.value) and int(tag.value) <= 0xFFFFFFFF:
        return int(tag.value)
    problems.append(
        Problem(
            DmarcCode.BAD_RI,
            f"`ri={tag.value}` is not a 32-bit unsigned integer",
            tag.value_position,
            tag.value,
        )
    )
    return None


def uris_value(tag: Tag | None, problems: list[Problem]) -> tuple[ReportUri, ...]:
    if tag is None:
        return ()
    if not tag.value:
        problems.append(
            Problem(DmarcCode.EMPTY_URI_LIST, f"`{tag.name}=` has no URI", tag.position, tag.raw)
        )
        return ()
    uris, issues = split_uri_list(tag.value, tag.value_position, allow_size=True)
    for issue in issues:
        problems.append(
            Problem(
                _URI_ISSUE_CODES[issue.kind],
                f"`{tag.name}`: {issue.message}",
                issue.position,
                issue.token,
            )
        )
    for uri in uris:
        if uri.scheme and uri.scheme != "mailto":
            problems.append(
                Problem(
                    DmarcCode.URI_NOT_MAILTO,
                    f"`{tag.name}`: `{uri.scheme}:` URIs are not supported by most receivers",
                    uri.position,
                    uri.raw,
                )
            )
    return uris
