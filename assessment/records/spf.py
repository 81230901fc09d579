"""SPF records (RFC 7208): a lenient parser that keeps every term and reports problems.

The parser never evaluates anything: it reads the record a consultant is looking at and
says, term by term, what a conforming verifier would make of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assessment.records.problem import Problem, ProblemLevel, SpfCode, ordered
from assessment.records.spf_macro import describe_character
from assessment.records.spf_term import (
    KNOWN_MODIFIERS,
    MECHANISMS,
    Qualifier,
    SpfTerm,
    TermKind,
    parse_term,
)

__all__ = [
    "KNOWN_MODIFIERS",
    "MECHANISMS",
    "Qualifier",
    "SpfRecord",
    "SpfTerm",
    "TermKind",
    "is_spf_record",
    "parse_spf",
    "spf_size_problems",
]

# §4.6.4: the terms that cause DNS queries at evaluation time.
_LOOKUP_MECHANISMS = frozenset({"include", "a", "mx", "ptr", "exists"})
# Terms are read between runs of whitespace, not only SP: a tab or a no-break space is an
# error the record reports (once, with its position), yet the terms around it are still read.
_TERM = re.compile(r"\S+")
# Outside SP and macro-literal (%x21-7E): control characters (tab, CR, LF, NUL, DEL) and
# anything non-ASCII. One regex pass over the record; the terms never look at characters.
_OUTSIDE_ASCII = re.compile(r"[\x00-\x1f\x7f]+|[^\x00-\x7f]+")
_LOOKALIKES = frozenset(
    "\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u2212\u2002\u2003\u2009\u202f\ufeff"
)
SIZE_WARNING_OCTETS = 450
SIZE_LIMIT_OCTETS = 512


@dataclass(frozen=True)
class SpfRecord:
    text: str
    version_ok: bool
    """True when the text is selected as SPF (§4.5): `v=spf1` then SP or end."""
    terms: tuple[SpfTerm, ...]
    problems: tuple[Problem, ...]

    @property
    def mechanisms(self) -> tuple[SpfTerm, ...]:
        return tuple(t for t in self.terms if t.kind is TermKind.MECHANISM)

    @property
    def modifiers(self) -> tuple[SpfTerm, ...]:
        return tuple(t for t in self.terms if t.kind is TermKind.MODIFIER)

    @property
    def all_term(self) -> SpfTerm | None:
        return next((t for t in self.mechanisms if t.name == "all"), None)

    @property
    def all_qualifier(self) -> Qualifier | None:
        term = self.all_term
        return term.qualifier if term is not None else None

    def _modifier(self, name: str) -> str | None:
        return next((t.value for t in self.modifiers if t.name == name), None)

    @property
    def redirect(self) -> str | None:
        return self._modifier("redirect")

    @property
    def exp(self) -> str | None:
        return self._modifier("exp")

    @property
    def includes(self) -> tuple[str, ...]:
        return tuple(t.value for t in self.mechanisms if t.name == "include" and t.value)

    @property
    def lookup_terms(self) -> tuple[SpfTerm, ...]:
        """Terms that cost a DNS lookup (§4.6.4): include, a, mx, ptr, exists, redirect.

        `redirect` only counts when no `all` is present, since §6.1 ignores it otherwise.
        Only this record's own terms: included records are the evaluator's to count.
        """
        has_all = self.all_term is not None
        out: list[SpfTerm] = []
        for term in self.terms:
            costly = (
                term.name in _LOOKUP_MECHANISMS
                if term.kind is TermKind.MECHANISM
                else term.name == "redirect" and not has_all
            )
            if costly:
                out.append(term)
        return tuple(out)

    @property
    def has_macros(self) -> bool:
        return any(term.value is not None and "%" in term.value for term in self.terms)

    @property
    def valid(self) -> bool:
        """False when a verifier would return permerror (or not select the record)."""
        return self.version_ok and not any(p.level is ProblemLevel.ERROR for p in self.problems)


def is_spf_record(text: str) -> bool:
    """Selection rule, RFC 7208 §4.5: `v=spf1` (case-insensitive) then SP or the end."""
    return text[:6].lower() == "v=spf1" and (len(text) == 6 or text[6] == " ")


def spf_size_problems(text: str) -> tuple[Problem, ...]:
    """Record-size warnings (RFC 7208 §3.4): over 450 octets, and over 512."""
    octets = len(text.encode("utf-8", errors="replace"))
    if octets > SIZE_LIMIT_OCTETS:
        return (
            Problem(
                SpfCode.RECORD_TOO_LONG,
                f"record is {octets} octets; over 512 the answer needs TCP",
                None,
            ),
        )
    if octets > SIZE_WARNING_OCTETS:
        return (
            Problem(
                SpfCode.RECORD_LONG,
                f"record is {octets} octets; keep it under 450 to fit one UDP answer",
                None,
            ),
        )
    return ()


def parse_spf(text: str) -> SpfRecord:
    """Parse an SPF record, RFC 7208 §4.5, §4.6.1, §5, §6, §7.1, §12.

    ::

        record           = version terms *SP
        version          = "v=spf1"
        terms            = *( 1*SP ( directive / modifier ) )
        directive        = [ qualifier ] mechanism
        qualifier        = "+" / "-" / "?" / "~"
        mechanism        = ( all / include / a / mx / ptr / ip4 / ip6 / exists )
        all              = "all"
        include          = "include"  ":" domain-spec
        a                = "a"      [ ":" domain-spec ] [ dual-cidr-length ]
        mx               = "mx"     [ ":" domain-spec ] [ dual-cidr-length ]
        ptr              = "ptr"    [ ":" domain-spec ]
        ip4              = "ip4"      ":" ip4-network   [ ip4-cidr-length ]
        ip6              = "ip6"      ":" ip6-network   [ ip6-cidr-length ]
        exists           = "exists"   ":" domain-spec
        modifier         = redirect / explanation / unknown-modifier
        redirect         = "redirect" "=" domain-spec
        explanation      = "exp" "=" domain-spec
        unknown-modifier = name "=" macro-string
        name             = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
        ip4-cidr-length  = "/" ("0" / %x31-39 0*1DIGIT) ; value range 0-32
        ip6-cidr-length  = "/" ("0" / %x31-39 0*2DIGIT) ; value range 0-128
        dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]

    Never raises. Positions are offsets into `text`.
    """
    problems: list[Problem] = []
    lead = len(text) - len(text.lstrip(" \t\r\n\"“”'"))
    if lead:
        prefix = text[:lead]
        if prefix.strip():
            problems.append(
                Problem(
                    SpfCode.BAD_VERSION,
                    "record starts with a quote: the quotes are part of the data, so "
                    "verifiers do not see `v=spf1`",
                    0,
                    prefix,
                )
            )
        else:
            problems.append(
                Problem(
                    SpfCode.LEADING_WHITESPACE,
                    "whitespace before `v=spf1`: verifiers do not select this record",
                    0,
                    prefix,
                )
            )
    version = text[lead : lead + 6]
    after = text[lead + 6 : lead + 7]
    if version.lower() != "v=spf1" or (after and not after.isspace()):
        problems.append(
            Problem(
                SpfCode.BAD_VERSION,
                f"record must start with `v=spf1` followed by a space or the end, "
                f"found `{text[lead : lead + 10]}`",
                lead,
                text[lead : lead + 10],
            )
        )
        return SpfRecord(text, False, (), ordered(problems))
    if version != "v=spf1":
        problems.append(
            Problem(SpfCode.VERSION_CASE, f"version written as `{version}`", lead, version)
        )
    # §4.5: `v=spf1` followed by anything but SP or the end (a tab, a no-break space) is
    # not selected; the terms are still read, so the consultant sees everything at once.
    selected = lead == 0 and after in ("", " ")
    problems.extend(spf_size_problems(text))
    body_start = lead + 6
    for bad in _OUTSIDE_ASCII.finditer(text, body_start):
        problems.append(_character_problem(bad.group(), bad.start()))
    terms: list[SpfTerm] = []
    gap_start = body_start
    for match in _TERM.finditer(text, body_start):
        position = match.start()
        gap = position - gap_start
        if gap > 1 and text.count(" ", gap_start, position) == gap:
            problems.append(
                Problem(
                    SpfCode.BAD_WHITESPACE,
                    f"{gap} spaces before `{match.group()}`: legal (terms = *( 1*SP ... )), "
                    "but some hand-written parsers split on one space",
                    gap_start,
                    text[gap_start:position],
                )
            )
        gap_start = match.end()
        term, term_problems = parse_term(match.group(), position)
        terms.append(term)
        problems.extend(term_problems)
    problems.extend(_record_problems(terms))
    return SpfRecord(text, selected, tuple(terms), ordered(problems))


def _character_problem(run: str, position: int) -> Problem:
    """A run of control or non-ASCII characters: not SP, not in macro-literal (§4.6.1, §7.1)."""
    first = run[0]
    if ord(first) <= 0x7F:
        return Problem(
            SpfCode.CONTROL_CHARACTER,
            f"control character {describe_character(first)} in the record: only SP "
            "separates terms, and macro-literal is %x21-24 / %x26-7E (RFC 7208 §4.6.1, §7.1)",
            position,
            run,
        )
    hint = " (smart quote, dash or no-break space?)" if first in _LOOKALIKES else ""
    return Problem(
        SpfCode.NON_ASCII,
        f"non-ASCII character {describe_character(first)}{hint}: SPF records are ASCII "
        "(RFC 7208 §4.6.1, §7.1)",
        position,
        run,
    )


def _record_problems(terms: list[SpfTerm]) -> list[Problem]:
    """Whole-record rules: duplicated modifiers, dead terms, redirect placement, +all."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for term in terms:
        if term.kind is TermKind.MODIFIER and term.name in KNOWN_MODIFIERS:
            if term.name in seen:
                problems.append(
                    Problem(
                        SpfCode.DUPLICATE_MODIFIER,
                        f"`{term.name}=` appears more than once: permerror",
                        term.position,
                        term.raw,
                    )
                )
            seen.add(term.name)
    all_index = next((i for i, t in enumerate(terms) if t.is_mechanism and t.name == "all"), None)
    if all_index is not None:
        all_term = terms[all_index]
        if all_term.qualifier is Qualifier.PASS:
            problems.append(
                Problem(
                    SpfCode.PASS_ALL,
                    f"`{all_term.raw}` lets any host on the internet pass SPF",
                    all_term.position,
                    all_term.raw,
                )
            )
        for term in terms[all_index + 1 :]:
            if term.is_mechanism:
                problems.append(
                    Problem(
                        SpfCode.TERMS_AFTER_ALL,
                        f"`{term.raw}` comes after `{all_term.raw}` and is never evaluated",
                        term.position,
                        term.raw,
                    )
                )
    for index, term in enumerate(terms):
        if term.kind is not TermKind.MODIFIER or term.name != "redirect":
            continue
        if all_index is not None:
            problems.append(
                Problem(
                    SpfCode.REDIRECT_IGNORED,
                    f"`{term.raw}` is ignored because the record has an `all` mechanism",
                    term.position,
                    term.raw,
                )
            )
        if index != len(terms) - 1:
            problems.append(
                Problem(
                    SpfCode.REDIRECT_NOT_LAST,
                    f"`{term.raw}` should be the last term",
                    term.position,
                    term.raw,
                )
            )
    return problems
