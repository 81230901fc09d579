"""Proofreading rules for a rendered report's text (as pdftotext gives it back).

The report's sentences are assembled from templates and catalogue text, so a slip (a doubled
full stop, a backtick that never became code, a sandbox port in a real report) shows only in
the rendered text. Tests run these rules over the sample report and the demo run; they work
on plain text so they can read any PDF the kit made.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from assessment.report.glossary import (
    GLOSSARY,
    ORDINARY_WORDS,
    PROPER_NAMES,
    GlossaryEntry,
    explained,
)


@dataclass(frozen=True)
class Slip:
    rule: str
    context: str
    """The text around the slip, on one line."""

    def __str__(self) -> str:
        return f"{self.rule}: ...{self.context}..."


@dataclass(frozen=True)
class _Rule:
    name: str
    pattern: re.Pattern[str]
    sandbox: bool = False
    """Only a slip in a report of a real run (a demo legitimately shows its lab)."""


RULES: Final = (
    _Rule("doubled full stop", re.compile(r"(?<![.…])\.\.(?![./…])")),
    _Rule("doubled closing punctuation", re.compile(r"\)\.\)|\.\)\.")),
    _Rule("stray backtick", re.compile(r"`")),
    _Rule("literal Markdown", re.compile(r"\*\*\S|\]\(")),
    _Rule("loopback address", re.compile(r"\b127(?:\.\d{1,3}){3}\b|\[::1\]"), sandbox=True),
    _Rule(
        "port after a host name",
        re.compile(r"\b[a-z0-9-]+\.[a-z]{2,}:(?:[1-9]\d{3,4})\b", re.IGNORECASE),
        sandbox=True,
    ),
    _Rule("sandbox banner", re.compile(r"mailposture sandbox", re.IGNORECASE), sandbox=True),
    _Rule("test CA", re.compile(r"Testing CA"), sandbox=True),
)
# Words a sentence may legitimately repeat ("had had", "that that" read badly; these do not).
_REPEATS_ALLOWED: Final = frozenset({"no"})


def proofread(text: str, *, real_run: bool = True) -> list[Slip]:
    """Every slip in `text`; sandbox rules apply only when `real_run`."""
    flat = " ".join(text.split())
    slips = _doubled_words(text)
    for rule in RULES:
        if rule.sandbox and not real_run:
            continue
        for match in rule.pattern.finditer(flat):
            start, end = max(0, match.start() - 40), match.end() + 40
            slips.append(Slip(rule.name, flat[start:end]))
    return slips


# Letters only: a table can put two equal numbers side by side.
_DOUBLED: Final = re.compile(r"(?i)\b([a-z]{2,})\s+\1\b")
_WRAPPED_LINE: Final = 60
"""A line at least this long is wrapped prose, so a word repeated across its end is a slip;
shorter lines are table cells, headings and running heads, whose neighbours may repeat."""


def _doubled_words(text: str) -> list[Slip]:
    slips = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        joined = line
        if len(line) >= _WRAPPED_LINE and i + 1 < len(lines) and lines[i + 1].strip():
            joined = f"{line} {lines[i + 1].split()[0]}"
        for match in _DOUBLED.finditer(joined):
            if match.start() < len(line) and match.group(1).lower() not in _REPEATS_ALLOWED:
                slips.append(Slip("doubled word", joined[max(0, match.start() - 40) :].strip()))
    return slips


# ------------------------------------------------------------------------------ terms

_IDENTIFIER: Final = re.compile(r"[\w.§/-]*\d[\w.§/-]*")
"""Control and form identifiers (ISM-0861, MS.EXO.4.1v1, Q12, DMARC1): names, not terms."""
_ACRONYM_IN_TEXT: Final = re.compile(r"(?<![\w-])[A-Z][A-Z]+(?:-[A-Z]{2,})?(?![\w-])")
_TAG_IN_TEXT: Final = re.compile(r"(?<![\w.-])([a-z][a-z_]{0,15}=)(?=\S)")


def terms_used(text: str) -> frozenset[str]:
    """All-caps words and `tag=` tokens in `text`, identifiers left out."""
    words = _IDENTIFIER.sub(" ", text)
    acronyms = set(_ACRONYM_IN_TEXT.findall(words))
    tags = set(_TAG_IN_TEXT.findall(text))
    return frozenset(acronyms | tags)


def unexplained(text: str, also_allowed: Iterable[str] = ()) -> frozenset[str]:
    """Terms `text` uses that the glossary does not explain and are not ordinary words."""
    allowed = explained() | ORDINARY_WORDS | PROPER_NAMES | frozenset(also_allowed)
    return frozenset(t for t in terms_used(text) if t not in allowed)


# ------------------------------------------------------------------------------ scope

RAW_EVIDENCE_HEADING: Final = "B. Raw evidence"
"""Kept for reports rendered before the evidence moved to its own file."""
GLOSSARY_HEADING: Final = "B. Glossary"
OBSERVED_LABEL: Final = "Observed:"
_AFTER_OBSERVED: Final = ("Also caused by this:", "Why it matters.", "Fix.")


def prose(text: str) -> str:
    """The report's own wording: `text` without the cover (the firm's logo and a kicker set
    in capitals), the raw-evidence appendix, the quoted observations in finding cards
    (server banners, record text and certificate fields are what the client's systems said,
    not words the report uses) and reference lists (titles of documents)."""
    pages = text.split("\f")[1:]
    kept = []
    skipping = False
    for page in pages:
        lines = []
        for line in page.splitlines():
            stripped = line.strip()
            if stripped == RAW_EVIDENCE_HEADING:
                skipping = True
            elif stripped == GLOSSARY_HEADING:
                skipping = False
            if not skipping and not stripped.startswith("References:"):
                lines.append(line)
        kept.append("\n".join(lines))
    body = "\f".join(kept)
    # Quoted observations: from the label to the next label of the card.
    ends = "|".join(re.escape(label) for label in _AFTER_OBSERVED)
    return re.sub(
        rf"{re.escape(OBSERVED_LABEL)}.*?(?=^\s*(?:{ends}))",
        "",
        body,
        flags=re.DOTALL | re.MULTILINE,
    )


# ------------------------------------------------------------------------------ selection

_TAG: Final = re.compile(r"<[^>]+>")


def glossary_for(html: str) -> tuple[GlossaryEntry, ...]:
    """The glossary entries a report's own text needs: those whose acronyms or tags it uses,
    or whose term it names. A glossary of the terms a client meets, not of the whole field."""
    # The renderer glues MTA-STS and TLS-RPT with a word joiner (U+2060) so they never break
    # at the hyphen; the terms are the same words.
    text = " ".join(_TAG.sub(" ", html).replace("\u2060", "").split())
    used = terms_used(text)
    lowered = f" {text.lower()} "
    chosen = []
    for entry in GLOSSARY:
        names = [part.strip().lower() for part in entry.term.split(" / ")]
        if entry.tokens & used or any(f" {name}" in lowered for name in names if name):
            chosen.append(entry)
    return tuple(chosen)
