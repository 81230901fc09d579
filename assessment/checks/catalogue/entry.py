"""The shape of one catalogue entry: all user-facing wording of one finding code."""

from __future__ import annotations

from dataclasses import dataclass

from assessment.model import Control, Severity


@dataclass(frozen=True)
class Rule:
    """One finding code and its wording.

    `title`, `detail` and `fix` are `str.format` templates; checks pass the values. Templates
    only ever receive plain values and the renderer escapes everything, so a hostile record
    text cannot inject markup through them.
    """

    code: str
    control: Control
    severity: Severity
    title: str
    detail: str
    why: str
    fix: str
    refs: tuple[str, ...]
    checklist: tuple[str, ...] = ()
    """IDs of the audit checklist items this rule implements (e.g. "MTA-06"), listed per code
    in docs/findings.md."""
    inconclusive: bool = False
