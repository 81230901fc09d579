"""Display formatting shared by the view builders: clipping long text, dates, timestamps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime


@dataclass(frozen=True)
class Clipped:
    """Text cut to a printable length, remembering how much was left out."""

    text: str
    omitted: int = 0
    """Characters not shown; the full text is in the evidence snapshot."""


def clip(text: str, limit: int) -> Clipped:
    if len(text) <= limit:
        return Clipped(text)
    return Clipped(text[:limit], len(text) - limit)


def first_sentence(text: str, limit: int = 220) -> str:
    """The opening sentence, or a word-boundary cut, for one-line summaries."""
    text = " ".join(text.split())
    for end in (". ", "; "):
        head, sep, _ = text.partition(end)
        if sep and len(head) < limit:
            return head + "."
    if len(text) <= limit:
        return text if text.endswith((".", "!", "?", "…")) else text + "."
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def timestamp(iso: str) -> str:
    """ISO 8601 to 'YYYY-MM-DD HH:MM:SS UTC'; unparseable input is shown as recorded."""
    if not iso:
        return "not recorded"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"
