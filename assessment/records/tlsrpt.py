"""TLS-RPT policy records at `_smtp._tls.<domain>` (RFC 8460 §3)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assessment.records.problem import Problem, ProblemLevel, TlsRptCode, ordered
from assessment.records.txt import (
    EXT_FIELD_NAME,
    TagIssueKind,
    split_tag_list,
    tag_issue_problems,
    version_problems,
)
from assessment.records.uri import ReportUri, UriIssueKind, split_uri_list

_EXT_VALUE = re.compile(r"[\x21-\x3a\x3c\x3e-\x7e]+")
_TAG_ISSUE_CODES = {
    TagIssueKind.EMPTY: TlsRptCode.EMPTY_FIELD,
    TagIssueKind.NO_EQUALS: TlsRptCode.BAD_FIELD,
    TagIssueKind.BAD_NAME: TlsRptCode.BAD_FIELD,
    TagIssueKind.BAD_VALUE_CHAR: TlsRptCode.BAD_FIELD,
    TagIssueKind.SEPARATOR: TlsRptCode.BAD_SEPARATOR,
}
_URI_ISSUE_CODES = {
    UriIssueKind.EMPTY: TlsRptCode.BAD_URI,
    UriIssueKind.SYNTAX: TlsRptCode.BAD_URI,
    UriIssueKind.NO_SCHEME: TlsRptCode.URI_NO_SCHEME,
    UriIssueKind.BAD_MAILTO: TlsRptCode.BAD_MAILTO,
    UriIssueKind.BAD_HTTPS: TlsRptCode.BAD_HTTPS,
    UriIssueKind.BAD_SIZE: TlsRptCode.BAD_URI,
}


@dataclass(frozen=True)
class TlsRptTxt:
    text: str
    version_ok: bool
    """Begins with `v=TLSRPTv1;`: senders select it."""
    version: str | None
    rua: tuple[ReportUri, ...]
    """URIs of the first `rua=`; each says whether it is usable (`valid`)."""
    extensions: tuple[tuple[str, str], ...]
    problems: tuple[Problem, ...]

    @property
    def valid(self) -> bool:
        return self.version_ok and not any(p.level is ProblemLevel.ERROR for p in self.problems)


def is_tlsrpt_record(text: str) -> bool:
    """§3: records that do not begin with `v=TLSRPTv1;` are discarded."""
    return text.startswith("v=TLSRPTv1;")


def parse_tlsrpt_txt(text: str) -> TlsRptTxt:
    """Parse a TLS-RPT record, RFC 8460 §3.

    ::

        tlsrpt-record     = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
        field-delim       = *WSP ";" *WSP
        tlsrpt-field      = tlsrpt-rua /        ; Note that the tlsrpt-rua
                            tlsrpt-extension    ; field is required.
        tlsrpt-version    = %s"v=TLSRPTv1"
        tlsrpt-rua        = %s"rua="
                            tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
        tlsrpt-uri        = URI                 ; "mailto:" or "https:"
        tlsrpt-extension  = tlsrpt-ext-name "=" tlsrpt-ext-value
        tlsrpt-ext-name   = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
        tlsrpt-ext-value  = 1*(%x21-3A / %x3C / %x3E-7E)

    Never raises; positions are offsets into `text`.
    """
    version_ok = is_tlsrpt_record(text)
    problems = version_problems(
        text,
        "TLSRPTv1",
        version_ok,
        space_code=TlsRptCode.VERSION_SPACE,
        not_code=TlsRptCode.NOT_TLSRPT,
    )
    split = split_tag_list(text, name_pattern=EXT_FIELD_NAME)
    problems += tag_issue_problems(split.issues, _TAG_ISSUE_CODES)
    version: str | None = None
    rua: tuple[ReportUri, ...] = ()
    seen_rua = False
    extensions: list[tuple[str, str]] = []
    for tag in split.tags:
        if re.search(r"[ \t]=|=[ \t]", tag.raw) and tag.name != "rua":
            problems.append(
                Problem(
                    TlsRptCode.BAD_FIELD,
                    f"`{tag.raw}`: no spaces allowed around `=`",
                    tag.position,
                    tag.raw,
                )
            )
        if tag.name == "v":
            version = version if version is not None else tag.value
        elif tag.name == "rua":
            if seen_rua:
                problems.append(
                    Problem(
                        TlsRptCode.DUPLICATE_RUA,
                        "`rua=` appears more than once; list URIs comma-separated in one field",
                        tag.position,
                        tag.raw,
                    )
                )
                continue
            seen_rua = True
            rua = _rua(tag.raw, tag.value, tag.value_position, tag.position, problems)
        else:
            extensions.append((tag.name, tag.value))
            problems.append(
                Problem(
                    TlsRptCode.UNKNOWN_FIELD,
                    f"unknown field `{tag.name}` is ignored",
                    tag.position,
                    tag.raw,
                )
            )
            if _EXT_VALUE.fullmatch(tag.value) is None:
                problems.append(
                    Problem(
                        TlsRptCode.BAD_FIELD,
                        f"`{tag.raw}`: value has `=` or spaces",
                        tag.value_position,
                        tag.value,
                    )
                )
    if not seen_rua:
        problems.append(Problem(TlsRptCode.MISSING_RUA, "no `rua=` field", None))
    return TlsRptTxt(text, version_ok, version, rua, tuple(extensions), ordered(problems))


def _rua(
    raw: str, value: str, value_position: int, position: int, problems: list[Problem]
) -> tuple[ReportUri, ...]:
    if re.match(r"rua[ \t]+=|rua=[ \t]", raw):
        problems.append(
            Problem(TlsRptCode.BAD_FIELD, "`rua=`: no spaces allowed around `=`", position, raw)
        )
    if not value:
        problems.append(Problem(TlsRptCode.EMPTY_RUA, "`rua=` has no URI", position, raw))
        return ()
    uris, issues = split_uri_list(value, value_position, allow_size=False)
    for issue in issues:
        problems.append(
            Problem(_URI_ISSUE_CODES[issue.kind], issue.message, issue.position, issue.token)
        )
    for uri in uris:
        if uri.scheme and uri.scheme not in ("mailto", "https"):
            problems.append(
                Problem(
                    TlsRptCode.BAD_SCHEME,
                    f"`{uri.scheme}:` is not allowed; use `mailto:` or `https:`",
                    uri.position,
                    uri.raw,
                )
            )
    return tuple(uri if uri.scheme in ("mailto", "https") else _invalid(uri) for uri in uris)


def _invalid(uri: ReportUri) -> ReportUri:
    return ReportUri(
        uri.raw,
        uri.scheme,
        uri.address,
        uri.host,
        uri.position,
        uri.size_limit,
        uri.size_text,
        False,
    )
