"""Instruments (forms, frameworks, guidance, provider rules) and where our knowledge of them
comes from. The data is in `readiness/instruments.py`; docs/readiness-sources.md is generated
from it (`python -m assessment.readiness`).

Every form number, question number and control id the notes print is a `Cite` of an
instrument's declared `ids`, and every instrument carries at least one `Source`: a URL and a
provenance tag saying how directly we know it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Provenance(StrEnum):
    """How directly a fact about an instrument is known (the research note's tags)."""

    PRIMARY = "F-P"
    """Read in the issuer's own page or document, or a verbatim copy of it."""
    SECONDARY = "F-S"
    """Read in a third party's reproduction, paraphrase or summary; wording and edition may
    differ from the current form."""
    INFERRED = "I"
    """Our own mapping; not from any source."""
    UNVERIFIED = "U"
    """Mentioned somewhere but not confirmed in a source."""

    @property
    def meaning(self) -> str:
        return {
            Provenance.PRIMARY: "primary source (the issuer's own text or a verbatim copy)",
            Provenance.SECONDARY: "secondary source (a third party's reproduction or summary)",
            Provenance.INFERRED: "our inference, not from a source",
            Provenance.UNVERIFIED: "unverified lead",
        }[self]


class Group(StrEnum):
    INSURANCE = "insurance"
    FRAMEWORK = "framework"
    VENDOR = "vendor"
    DELIVERABILITY = "deliverability"


@dataclass(frozen=True)
class Source:
    url: str
    provenance: Provenance
    note: str = ""
    """What was read there, and its limits."""


@dataclass(frozen=True)
class Instrument:
    key: str
    short: str
    """How citations name it: "TMHCC", "ISM", "Cork"."""
    name: str
    """Full name with form number or edition, as far as known."""
    group: Group
    scope: str
    """Who it applies to, in one sentence."""
    sources: tuple[Source, ...]
    ids: tuple[str, ...] = ()
    """Question numbers or control ids the notes may cite; a citation without an id names the
    instrument as a whole."""
    cite_format: str = "{short} {ref}"
    federal_only: bool = False
    """US federal agencies and their contractors only: shown only when opted in."""
    statement: str = ""
    """For an instrument shown as a statement rather than items (Cyber Essentials)."""
    offer: str = ""
    """When a client would want it, for the "available on request" line: "if you take card
    payments"."""

    def cite_label(self, ref: str) -> str:
        return self.cite_format.format(short=self.short, ref=ref) if ref else self.short


@dataclass(frozen=True)
class Cite:
    instrument: str
    """`Instrument.key`."""
    ref: str = ""
    """One of the instrument's `ids`, or "" for the instrument as a whole."""
