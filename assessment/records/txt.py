"""Shared pieces of the TXT-record parsers: tag lists, record selection, typo hints.

DKIM key records, DMARC, MTA-STS and TLS-RPT records are all `name=value` lists separated
by semicolons. Each protocol words the grammar slightly differently, so the splitter here is
deliberately permissive and reports what it saw; each parser decides what is an error.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from assessment.records.problem import Problem

# ALPHA *ALNUMPUNC, RFC 6376 §3.2.
DKIM_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / "."), RFC 8461 §3.1 and RFC 8460 §3.
EXT_FIELD_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")

_FWS = " \t\r\n"
# A second `name=` inside a value means the publisher used the wrong separator. The value
# after `=` must start with something other than `=` or space, so that base64 padding in a
# whitespace-folded DKIM key is never mistaken for a tag.
# The look-behind makes a search linear: a match may only start where a run of whitespace
# starts, so a long run is scanned once, not once per position (200k no-break spaces took
# minutes before; the fuzzer found it).
_HIDDEN_TAG = re.compile(r"(?<!\s)[,\s]\s*[A-Za-z][A-Za-z0-9_]*=(?=[^=\s])")
# Outside VALCHAR (%x21-3A / %x3C-7E) and not folding whitespace: reported per run.
_BAD_VALUE = re.compile(r"[^\x21-\x3a\x3c-\x7e \t\r\n]+")


class TagIssueKind(StrEnum):
    EMPTY = "empty"
    """An empty tag-spec between two semicolons, or a leading semicolon."""
    NO_EQUALS = "no-equals"
    BAD_NAME = "bad-name"
    BAD_VALUE_CHAR = "bad-value-char"
    """A character outside VALCHAR (%x21-3A / %x3C-7E) and not whitespace."""
    SEPARATOR = "separator"
    """The value contains what looks like another tag, joined by `,` or whitespace."""


@dataclass(frozen=True)
class TagIssue:
    kind: TagIssueKind
    position: int
    token: str


@dataclass(frozen=True)
class Tag:
    """One `name=value` as written; surrounding whitespace stripped from both parts."""

    name: str
    value: str
    position: int
    """Offset of the name in the parsed text."""
    value_position: int
    raw: str
    """The tag-spec text without the separating semicolons, whitespace stripped."""


@dataclass(frozen=True)
class TagList:
    tags: tuple[Tag, ...]
    issues: tuple[TagIssue, ...]

    def first(self, name: str) -> Tag | None:
        for tag in self.tags:
            if tag.name == name:
                return tag
        return None

    def repeats(self) -> tuple[Tag, ...]:
        """Every occurrence of a tag name after its first one, in order."""
        seen: set[str] = set()
        out: list[Tag] = []
        for tag in self.tags:
            if tag.name in seen:
                out.append(tag)
            seen.add(tag.name)
        return tuple(out)


def split_tag_list(text: str, *, name_pattern: re.Pattern[str] = DKIM_TAG_NAME) -> TagList:
    """Split a tag list into tags, keeping offsets into `text`.

    RFC 6376 §3.2::

        tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
        tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
        tag-name  =  ALPHA *ALNUMPUNC
        tag-value =  [ tval *( 1*(WSP / FWS) tval ) ]
        tval      =  1*VALCHAR
        VALCHAR   =  %x21-3A / %x3C-7E

    Specs whose name does not match `name_pattern`, or that have no `=`, are reported as
    issues and left out of `tags`; everything else is kept, even with odd characters.
    """
    tags: list[Tag] = []
    issues: list[TagIssue] = []
    start = 0
    segments: list[tuple[int, int]] = []
    for index, char in enumerate(text):
        if char == ";":
            segments.append((start, index))
            start = index + 1
    segments.append((start, len(text)))
    for number, (seg_start, seg_end) in enumerate(segments):
        segment = text[seg_start:seg_end]
        stripped = segment.strip(_FWS)
        if not stripped:
            if number != len(segments) - 1:
                issues.append(TagIssue(TagIssueKind.EMPTY, seg_start, segment))
            continue
        lead = seg_start + (len(segment) - len(segment.lstrip(_FWS)))
        equals = stripped.find("=")
        if equals < 0:
            issues.append(TagIssue(TagIssueKind.NO_EQUALS, lead, stripped))
            continue
        name = stripped[:equals].rstrip(_FWS)
        if name_pattern.fullmatch(name) is None:
            issues.append(TagIssue(TagIssueKind.BAD_NAME, lead, name))
            continue
        after = stripped[equals + 1 :]
        value = after.lstrip(_FWS)
        value_position = lead + equals + 1 + (len(after) - len(value))
        for bad in _BAD_VALUE.finditer(value):
            issues.append(
                TagIssue(TagIssueKind.BAD_VALUE_CHAR, value_position + bad.start(), bad.group())
            )
        hidden = _HIDDEN_TAG.search(value)
        if hidden is not None:
            issues.append(
                TagIssue(TagIssueKind.SEPARATOR, value_position + hidden.start(), hidden.group())
            )
        tags.append(Tag(name, value, lead, value_position, stripped))
    return TagList(tuple(tags), tuple(issues))


def select_records(txts: Iterable[str], predicate: Callable[[str], bool]) -> tuple[str, ...]:
    """The TXT strings (already joined per RR) that `predicate` accepts, in order.

    RRsets at policy names routinely hold unrelated TXT (wildcards, verification tokens);
    every protocol here says to discard those before counting.
    """
    return tuple(txt for txt in txts if predicate(txt))


def near_miss(word: str, known: Iterable[str]) -> str | None:
    """The known word `word` was most likely meant to be, if it is a plausible typo."""
    lowered = word.lower()
    candidates = list(known)
    if lowered in candidates:
        return lowered
    matches = difflib.get_close_matches(lowered, candidates, n=1, cutoff=0.75)
    return matches[0] if matches else None


_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def hostname_error(name: str) -> str | None:
    """Why `name` is not an LDH hostname (RFC 1123 §2.1, RFC 5321 `Domain`), or None.

    A single trailing dot is accepted; callers that care flag it themselves.
    """
    if name.endswith("."):
        name = name[:-1]
    if not name:
        return "empty name"
    if len(name) > 253:
        return f"name is {len(name)} characters, over 253"
    for label in name.split("."):
        if not label:
            return "empty label"
        if len(label) > 63:
            return f"label '{label[:20]}...' is over 63 characters"
        if _LABEL.fullmatch(label) is None:
            return f"label '{label}' is not letters, digits and inner hyphens"
    if name.rsplit(".", 1)[-1].isdigit():
        return "top-level label is numeric (an IP address is not a hostname)"
    return None


def version_problems(
    text: str, version: str, selected: bool, *, space_code: str, not_code: str
) -> list[Problem]:
    """Why a `v=<version>;` record (RFC 8461 §3.1, RFC 8460 §3) is not selected by senders.

    Senders only select a record that begins with exactly `v=<version>;`; a space before the
    `;` is the commonest near miss and gets its own code.
    """
    if selected:
        return []
    prefix = f"v={version}"
    spaced = re.match(re.escape(prefix) + r"([ \t]+;)", text)
    if spaced is not None:
        return [
            Problem(
                space_code,
                f"space between `{prefix}` and `;`: senders only select records that begin "
                f"`{prefix};`",
                len(prefix),
                spaced.group(1),
            )
        ]
    shown = text[: len(prefix) + 5]
    return [Problem(not_code, f"record must begin with `{prefix};`, found `{shown}`", 0, shown)]


def tag_issue_problems(
    issues: Iterable[TagIssue], codes: Mapping[TagIssueKind, str]
) -> list[Problem]:
    """Problems for the tag-list syntax issues of a `name=value;` record."""
    return [
        Problem(
            codes[issue.kind],
            f"`{issue.token}` is not a valid `name=value` field",
            issue.position,
            issue.token,
        )
        for issue in issues
    ]
