"""The one closed set of evidence statuses, and the one way statuses are combined.

A status says what the public evidence shows against an item's bar; it is never an answer to
give on a form. Every aggregate in the readiness notes (a host's results into a domain's, a
domain's into an item's, an item's into its section's) goes through `combine`, so a row can
never contradict the heading above it.

Each status stands for three facts about its parts: whether some part was seen in place,
whether some part was seen short of the bar, whether some part could not be seen. Combining
joins those facts (a logical or), so `combine` is associative, commutative and idempotent:
combining hosts into domains and domains into items gives the same answer as combining all
hosts at once. Once a part falls short, whether another part was unseen no longer changes the
status, which is why PARTLY and NOT_IN_PLACE each stand for two of the eight combinations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum


class EvidenceStatus(StrEnum):
    IN_PLACE = "in-place"
    """The evidence meets the item's bar."""
    SEEN_IN_PLACE = "seen-in-place"
    """What could be seen meets the bar; the rest cannot be seen from outside."""
    PARTLY = "partly"
    """Something is in place but below the bar, or in place on some domains or hosts only."""
    NOT_IN_PLACE = "not-in-place"
    """No record, or a record receivers cannot use, and nothing seen in place."""
    CONFIRM = "confirm"
    """Nothing could be seen from outside; the client confirms it."""
    NOT_APPLICABLE = "not-applicable"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS: Mapping[EvidenceStatus, str] = {
    EvidenceStatus.IN_PLACE: "In place",
    EvidenceStatus.SEEN_IN_PLACE: "In place as far as visible \N{EM DASH} please confirm",
    EvidenceStatus.PARTLY: "Partly in place",
    EvidenceStatus.NOT_IN_PLACE: "Not in place",
    EvidenceStatus.CONFIRM: "Not visible from outside \N{EM DASH} please confirm",
    EvidenceStatus.NOT_APPLICABLE: "Not applicable",
}

# (some part in place, some part short of the bar, some part unseen)
_Facts = tuple[bool, bool, bool]
_FACTS: Mapping[EvidenceStatus, _Facts] = {
    EvidenceStatus.IN_PLACE: (True, False, False),
    EvidenceStatus.SEEN_IN_PLACE: (True, False, True),
    EvidenceStatus.PARTLY: (True, True, False),
    EvidenceStatus.NOT_IN_PLACE: (False, True, False),
    EvidenceStatus.CONFIRM: (False, False, True),
    EvidenceStatus.NOT_APPLICABLE: (False, False, False),
}


def _status(seen_in: bool, short: bool, unseen: bool) -> EvidenceStatus:
    if short:
        return EvidenceStatus.PARTLY if seen_in else EvidenceStatus.NOT_IN_PLACE
    if seen_in:
        return EvidenceStatus.SEEN_IN_PLACE if unseen else EvidenceStatus.IN_PLACE
    return EvidenceStatus.CONFIRM if unseen else EvidenceStatus.NOT_APPLICABLE


def combine(statuses: Iterable[EvidenceStatus]) -> EvidenceStatus:
    """The status of a whole from its parts; no parts (or only not-applicable ones) is
    NOT_APPLICABLE. An IN_PLACE whole has no part short of the bar or unseen; a NOT_IN_PLACE
    whole has no part seen in place; a PARTLY whole has a part in place and a part short of
    the bar; CONFIRM means nothing at all could be seen."""
    seen_in = short = unseen = False
    for status in statuses:
        a, b, c = _FACTS[status]
        seen_in, short, unseen = seen_in or a, short or b, unseen or c
    return _status(seen_in, short, unseen)
