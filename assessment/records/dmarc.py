"""DMARC policy records (RFC 7489 §6.3, §6.4; DMARCbis, RFC 9989).

One parser serves both generations: tags DMARCbis added (`np`, `t`, `psd`) and tags it
removed (`pct`, `rf`, `ri`) are all read, and the problems say which receivers care.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assessment.records.dmarc_tags import (
    FO_PATTERN,
    Alignment,
    Policy,
    PsdFlag,
    alignment_value,
    colon_list,
    pct_value,
    policy_value,
    psd_value,
    rf_value,
    ri_value,
    uris_value,
    yes_no_value,
)
from assessment.records.problem import DmarcCode, Problem, ProblemLevel, ordered
from assessment.records.txt import Tag, TagIssueKind, near_miss, split_tag_list
from assessment.records.uri import ReportUri

__all__ = [
    "KNOWN_TAGS",
    "Alignment",
    "DmarcRecord",
    "Policy",
    "PsdFlag",
    "ReportUri",
    "is_dmarc_record",
    "parse_dmarc",
]

KNOWN_TAGS = (
    "v",
    "p",
    "sp",
    "np",
    "rua",
    "ruf",
    "adkim",
    "aspf",
    "ri",
    "fo",
    "rf",
    "pct",
    "t",
    "psd",
)
REMOVED_BY_DMARCBIS = ("pct", "rf", "ri")
_VERSION = re.compile(r"[vV][ \t]*=[ \t]*DMARC1[ \t]*(?:;|$)")

_TAG_ISSUE_CODES = {
    TagIssueKind.EMPTY: DmarcCode.EMPTY_TAG,
    TagIssueKind.NO_EQUALS: DmarcCode.TAG_SYNTAX,
    TagIssueKind.BAD_NAME: DmarcCode.TAG_SYNTAX,
    TagIssueKind.BAD_VALUE_CHAR: DmarcCode.BAD_CHARACTER,
    TagIssueKind.SEPARATOR: DmarcCode.BAD_SEPARATOR,
}


@dataclass(frozen=True)
class DmarcRecord:
    text: str
    version_ok: bool
    """`v=DMARC1` is the first tag, exactly: receivers select the record."""
    p: Policy | None
    sp: Policy | None
    np: Policy | None
    pct: int | None
    t: bool | None
    psd: PsdFlag | None
    adkim: Alignment | None
    aspf: Alignment | None
    rua: tuple[ReportUri, ...]
    ruf: tuple[ReportUri, ...]
    fo: tuple[str, ...]
    rf: tuple[str, ...]
    ri: int | None
    tags: tuple[tuple[str, str], ...]
    """Every tag as written (names as written), in order, duplicates included."""
    problems: tuple[Problem, ...]

    @property
    def policy_or_default(self) -> Policy:
        """`p`, or `none` when it is absent or invalid (RFC 9989; RFC 7489 §6.6.3 fallback)."""
        return self.p if self.p is not None else Policy.NONE

    @property
    def valid(self) -> bool:
        return self.version_ok and not any(p.level is ProblemLevel.ERROR for p in self.problems)


def is_dmarc_record(text: str) -> bool:
    """RFC 7489 §6.6.3 selection: the record starts with a `v=DMARC1` tag.

    `dmarc-version = "v" *WSP "=" *WSP %x44 %x4d %x41 %x52 %x43 %x31`: the tag name is
    case-insensitive, the value is not.
    """
    return _VERSION.match(text) is not None


def parse_dmarc(text: str) -> DmarcRecord:
    """Parse a DMARC record, RFC 7489 §6.3 and §6.4, with RFC 9989 tags.

    ::

        dmarc-record    = dmarc-version dmarc-sep
                          [dmarc-request]
                          [dmarc-sep dmarc-srequest]
                          [dmarc-sep dmarc-auri]
                          [dmarc-sep dmarc-furi]
                          [dmarc-sep dmarc-adkim]
                          [dmarc-sep dmarc-aspf]
                          [dmarc-sep dmarc-ainterval]
                          [dmarc-sep dmarc-fo]
                          [dmarc-sep dmarc-rfmt]
                          [dmarc-sep dmarc-percent]
                          [dmarc-sep]
        dmarc-version   = "v" *WSP "=" *WSP %x44 %x4d %x41 %x52 %x43 %x31
        dmarc-sep       = *WSP %x3b *WSP
        dmarc-request   = "p" *WSP "=" *WSP ( "none" / "quarantine" / "reject" )
        dmarc-srequest  = "sp" *WSP "=" *WSP ( "none" / "quarantine" / "reject" )
        dmarc-auri      = "rua" *WSP "=" *WSP dmarc-uri *(*WSP "," *WSP dmarc-uri)
        dmarc-furi      = "ruf" *WSP "=" *WSP dmarc-uri *(*WSP "," *WSP dmarc-uri)
        dmarc-adkim     = "adkim" *WSP "=" *WSP ( "r" / "s" )
        dmarc-aspf      = "aspf" *WSP "=" *WSP ( "r" / "s" )
        dmarc-ainterval = "ri" *WSP "=" *WSP 1*DIGIT
        dmarc-fo        = "fo" *WSP "=" *WSP ( "0" / "1" / "d" / "s" )
                          *(*WSP ":" *WSP ( "0" / "1" / "d" / "s" ))
        dmarc-rfmt      = "rf" *WSP "=" *WSP Keyword *(*WSP ":" Keyword)
        dmarc-percent   = "pct" *WSP "=" *WSP 1*3DIGIT
        dmarc-uri       = URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ]

    RFC 9989 drops the order (only `v` must be first), makes `p` RECOMMENDED with `none`
    as the default, removes `pct`, `rf` and `ri`, and adds `np`, `t` (y/n) and `psd`
    (y/n/u). Tag names and keyword values are matched case-insensitively (quoted ABNF
    strings are); the version value is case-sensitive. Never raises.
    """
    problems: list[Problem] = []
    if text != text.lstrip(" \t\r\n"):
        problems.append(
            Problem(
                DmarcCode.LEADING_WHITESPACE,
                "whitespace before `v=DMARC1`; some receivers discard the record",
                0,
                text[: len(text) - len(text.lstrip(" \t\r\n"))],
            )
        )
    split = split_tag_list(text)
    for issue in split.issues:
        message = _tag_issue_message(issue.kind, issue.token)
        problems.append(Problem(_TAG_ISSUE_CODES[issue.kind], message, issue.position, issue.token))
    tags = split.tags
    version_ok = _check_version(tags, problems)
    values: dict[str, Tag] = {}
    for tag in tags:
        name = tag.name.lower()
        if name in values:
            problems.append(
                Problem(
                    DmarcCode.DUPLICATE_TAG,
                    f"`{tag.name}=` appears more than once; the first is used",
                    tag.position,
                    tag.raw,
                )
            )
            continue
        values[name] = tag
        if name not in KNOWN_TAGS:
            guess = near_miss(name, KNOWN_TAGS) if len(name) > 2 else None
            if guess is not None:
                problems.append(
                    Problem(
                        DmarcCode.TAG_TYPO,
                        f"unknown tag `{tag.name}` is ignored; did you mean `{guess}`?",
                        tag.position,
                        tag.raw,
                    )
                )
            else:
                problems.append(
                    Problem(
                        DmarcCode.UNKNOWN_TAG,
                        f"unknown tag `{tag.name}` is ignored",
                        tag.position,
                        tag.raw,
                    )
                )
        elif name in REMOVED_BY_DMARCBIS:
            problems.append(
                Problem(
                    DmarcCode.REMOVED_TAG,
                    f"`{tag.name}=` was removed by RFC 9989; newer receivers ignore it",
                    tag.position,
                    tag.raw,
                )
            )
    p = policy_value(values.get("p"), DmarcCode.BAD_POLICY, problems)
    if "p" not in values:
        problems.append(
            Problem(
                DmarcCode.MISSING_POLICY,
                "no `p=` tag: RFC 7489 treats the record as invalid unless `rua` is valid, "
                "RFC 9989 treats it as `p=none`",
                None,
            )
        )
    elif version_ok and len(tags) > 1 and tags[1].name.lower() != "p":
        problems.append(
            Problem(
                DmarcCode.POLICY_NOT_SECOND,
                "`p=` is not the second tag; some older receivers require that order",
                values["p"].position,
                values["p"].raw,
            )
        )
    rua = uris_value(values.get("rua"), problems)
    ruf = uris_value(values.get("ruf"), problems)
    return DmarcRecord(
        text=text,
        version_ok=version_ok,
        p=p,
        sp=policy_value(values.get("sp"), DmarcCode.BAD_SUBDOMAIN_POLICY, problems),
        np=policy_value(values.get("np"), DmarcCode.BAD_NP_POLICY, problems),
        pct=pct_value(values.get("pct"), problems),
        t=yes_no_value(values.get("t"), problems),
        psd=psd_value(values.get("psd"), problems),
        adkim=alignment_value(values.get("adkim"), problems),
        aspf=alignment_value(values.get("aspf"), problems),
        rua=rua,
        ruf=ruf,
        fo=colon_list(values.get("fo"), FO_PATTERN, DmarcCode.BAD_FO, "0, 1, d, s", problems),
        rf=rf_value(values.get("rf"), problems),
        ri=ri_value(values.get("ri"), problems),
        tags=tuple((tag.name, tag.value) for tag in tags),
        problems=ordered(problems),
    )


def _tag_issue_message(kind: TagIssueKind, token: str) -> str:
    if kind is TagIssueKind.NO_EQUALS:
        name = re.match(r"[A-Za-z]+", token)
        if name and name.group().lower() in KNOWN_TAGS and token[len(name.group()) :][:1] == ":":
            return f"`{token}` uses `:` instead of `=`; the tag is ignored"
        return f"`{token}` is not `tag=value`"
    if kind is TagIssueKind.BAD_NAME:
        return f"`{token}` is not a valid tag name"
    if kind is TagIssueKind.EMPTY:
        return "empty tag between semicolons"
    if kind is TagIssueKind.SEPARATOR:
        return f"`{token.strip()}` looks like another tag: separate tags with `;`"
    return f"character {token!r} is not allowed in a tag value"


def _check_version(tags: tuple[Tag, ...], problems: list[Problem]) -> bool:
    first = tags[0] if tags else None
    if first is not None and first.name.lower() == "v":
        if first.value == "DMARC1":
            return True
        hint = " (the value is case-sensitive)" if first.value.upper() == "DMARC1" else ""
        problems.append(
            Problem(
                DmarcCode.BAD_VERSION,
                f"version is `{first.value}`, must be exactly `DMARC1`{hint}",
                first.value_position,
                first.value,
            )
        )
        return False
    later = next((t for t in tags[1:] if t.name.lower() == "v"), None)
    if later is not None:
        problems.append(
            Problem(
                DmarcCode.VERSION_NOT_FIRST,
                "`v=DMARC1` must be the first tag; receivers discard this record",
                later.position,
                later.raw,
            )
        )
    else:
        problems.append(Problem(DmarcCode.NOT_DMARC, "record does not start with `v=DMARC1`", 0))
    return False
