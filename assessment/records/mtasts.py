"""MTA-STS: the `_mta-sts` TXT record (RFC 8461 §3.1); the policy file lives in
`mtasts_policy` and is re-exported here so callers need one import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assessment.records.mtasts_policy import (
    MAX_AGE_LIMIT,
    MxPattern,
    StsMode,
    StsPolicy,
    mx_pattern_error,
    mx_pattern_matches,
    parse_sts_policy,
    render_sts_policy,
)
from assessment.records.problem import Problem, ProblemLevel, StsCode, ordered
from assessment.records.txt import (
    EXT_FIELD_NAME,
    TagIssueKind,
    split_tag_list,
    tag_issue_problems,
    version_problems,
)

__all__ = [
    "MAX_AGE_LIMIT",
    "MxPattern",
    "StsMode",
    "StsPolicy",
    "StsTxt",
    "is_sts_record",
    "mx_pattern_error",
    "mx_pattern_matches",
    "parse_sts_policy",
    "parse_sts_txt",
    "render_sts_policy",
]

_ID = re.compile(r"[A-Za-z0-9]{1,32}")
_EXT_VALUE = re.compile(r"[\x21-\x3a\x3c\x3e-\x7e]+")
_TXT_ISSUE_CODES = {
    TagIssueKind.EMPTY: StsCode.EMPTY_FIELD,
    TagIssueKind.NO_EQUALS: StsCode.BAD_FIELD,
    TagIssueKind.BAD_NAME: StsCode.BAD_FIELD,
    TagIssueKind.BAD_VALUE_CHAR: StsCode.BAD_FIELD,
    TagIssueKind.SEPARATOR: StsCode.BAD_SEPARATOR,
}


@dataclass(frozen=True)
class StsTxt:
    text: str
    version_ok: bool
    """Begins with `v=STSv1;`: senders select it (§3.1)."""
    version: str | None
    id: str | None
    """The first `id=` value as written, valid or not."""
    id_valid: bool
    extensions: tuple[tuple[str, str], ...]
    problems: tuple[Problem, ...]

    @property
    def valid(self) -> bool:
        return self.version_ok and not any(p.level is ProblemLevel.ERROR for p in self.problems)


def is_sts_record(text: str) -> bool:
    """§3.1: records that do not begin with `v=STSv1;` are discarded."""
    return text.startswith("v=STSv1;")


def parse_sts_txt(text: str) -> StsTxt:
    """Parse an `_mta-sts` TXT record, RFC 8461 §3.1.

    ::

        sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
        sts-field       = sts-id / sts-extension
        sts-field-delim = *WSP ";" *WSP
        sts-version     = %s"v=STSv1"
        sts-id          = %s"id=" 1*32(ALPHA / DIGIT)
        sts-extension   = sts-ext-name "=" sts-ext-value
        sts-ext-name    = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
        sts-ext-value   = 1*(%x21-3A / %x3C / %x3E-7E)

    Never raises; positions are offsets into `text`.
    """
    version_ok = is_sts_record(text)
    problems = version_problems(
        text, "STSv1", version_ok, space_code=StsCode.VERSION_SPACE, not_code=StsCode.NOT_STS
    )
    split = split_tag_list(text, name_pattern=EXT_FIELD_NAME)
    problems += tag_issue_problems(split.issues, _TXT_ISSUE_CODES)
    seen: set[str] = set()
    version: str | None = None
    ident: str | None = None
    extensions: list[tuple[str, str]] = []
    for tag in split.tags:
        if re.search(r"[ \t]=|=[ \t]", tag.raw):
            problems.append(
                Problem(
                    StsCode.BAD_FIELD,
                    f"`{tag.raw}`: no spaces allowed around `=`",
                    tag.position,
                    tag.raw,
                )
            )
        if tag.name in seen:
            problems.append(
                Problem(
                    StsCode.DUPLICATE_FIELD,
                    f"`{tag.name}=` appears more than once; the first is used",
                    tag.position,
                    tag.raw,
                )
            )
            continue
        seen.add(tag.name)
        if tag.name == "v":
            version = tag.value
        elif tag.name == "id":
            ident = tag.value
            if _ID.fullmatch(tag.value) is None:
                problems.append(
                    Problem(
                        StsCode.BAD_ID,
                        f"`id={tag.value}` must be 1 to 32 letters and digits only",
                        tag.value_position,
                        tag.value,
                    )
                )
        else:
            extensions.append((tag.name, tag.value))
            hint = " (field names are case-sensitive: `id`)" if tag.name.lower() == "id" else ""
            problems.append(
                Problem(
                    StsCode.UNKNOWN_FIELD,
                    f"unknown field `{tag.name}` is ignored{hint}",
                    tag.position,
                    tag.raw,
                )
            )
            if tag.value and _EXT_VALUE.fullmatch(tag.value) is None:
                problems.append(
                    Problem(
                        StsCode.BAD_FIELD,
                        f"`{tag.raw}`: value has `=` or spaces",
                        tag.value_position,
                        tag.value,
                    )
                )
    if ident is None:
        problems.append(Problem(StsCode.MISSING_ID, "no `id=` field", None))
    id_valid = ident is not None and _ID.fullmatch(ident) is not None
    return StsTxt(text, version_ok, version, ident, id_valid, tuple(extensions), ordered(problems))
