"""MX RDATA as the evidence records it (`<preference> <exchange>`), RFC 1035 §3.3.9."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class MxEntry:
    preference: int | None
    """None when the preference field was not a number (a broken answer)."""
    exchange: str
    """Lower-case, no trailing dot; "" for the null MX `.` (RFC 7505)."""


def parse_mx_answer(answer: str) -> MxEntry:
    """`10 mail.example.com.` -> MxEntry(10, "mail.example.com"); never raises."""
    preference_text, _, exchange = answer.strip().partition(" ")
    try:
        preference: int | None = int(preference_text)
    except ValueError:
        preference = None
    exchange = exchange.strip()
    name = "" if exchange == "." else exchange.lower().rstrip(".")
    return MxEntry(preference, name)


def exchanges_by_preference(answers: Iterable[str]) -> tuple[str, ...]:
    """Exchange names in preference order (then by name), each once; null MX kept as ""."""
    entries = sorted(
        (parse_mx_answer(a) for a in answers),
        key=lambda e: (e.preference if e.preference is not None else 65536, e.exchange),
    )
    return tuple(dict.fromkeys(e.exchange for e in entries))
