"""The evidence statuses and the one function that combines them: a whole can never contradict
its parts, checked over every combination of up to five parts."""

from __future__ import annotations

import itertools
import re

import pytest

from assessment.readiness.status import EvidenceStatus, combine

S = EvidenceStatus
IN, SEEN, PARTLY, NOT, CONFIRM, NA = (
    S.IN_PLACE,
    S.SEEN_IN_PLACE,
    S.PARTLY,
    S.NOT_IN_PLACE,
    S.CONFIRM,
    S.NOT_APPLICABLE,
)


def consistent(whole: EvidenceStatus, parts: tuple[EvidenceStatus, ...]) -> bool:
    """What a reader may infer from the heading holds for every row under it."""
    seen = [p for p in parts if p is not NA]
    if whole is NA:
        return not seen
    if whole is IN:
        return bool(seen) and all(p is IN for p in seen)
    if whole is NOT:
        return NOT in seen and all(p in (NOT, CONFIRM) for p in seen)
    if whole is CONFIRM:
        return bool(seen) and all(p is CONFIRM for p in seen)
    if whole is SEEN:
        return (
            all(p in (IN, SEEN, CONFIRM) for p in seen)
            and any(p in (IN, SEEN) for p in seen)
            and any(p in (SEEN, CONFIRM) for p in seen)
        )
    # PARTLY: something is (at least partly) in place and something falls short.
    return any(p in (IN, SEEN, PARTLY) for p in seen) and any(p in (PARTLY, NOT) for p in seen)


ALL_PARTS = [
    parts for n in range(0, 6) for parts in itertools.product(tuple(EvidenceStatus), repeat=n)
]
"""Every sequence of up to five parts: 9,331 combinations."""


def test_every_combination_is_consistent() -> None:
    assert len(ALL_PARTS) == sum(6**n for n in range(6))
    for parts in ALL_PARTS:
        whole = combine(parts)
        assert consistent(whole, parts), (parts, whole)


def test_order_and_repetition_do_not_matter() -> None:
    for parts in ALL_PARTS:
        whole = combine(parts)
        assert combine(reversed(parts)) is whole
        assert combine(parts + parts) is whole
        assert combine(set(parts)) is whole


def test_combining_is_associative() -> None:
    """Hosts into domains into items into sections gives what one flat combine gives."""
    for left, right in itertools.product(ALL_PARTS[:259], repeat=2):
        assert combine([combine(left), combine(right)]) is combine(left + right), (left, right)


def test_a_single_part_is_its_own_whole() -> None:
    for status in EvidenceStatus:
        assert combine([status]) is status


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ((IN, NOT), PARTLY),
        ((IN, CONFIRM), SEEN),
        ((NOT, CONFIRM), NOT),
        ((SEEN, NOT), PARTLY),
        ((CONFIRM, CONFIRM, NA), CONFIRM),
        ((IN, NA), IN),
        ((), NA),
        ((NA, NA), NA),
        ((PARTLY, CONFIRM), PARTLY),
    ],
)
def test_examples(parts: tuple[EvidenceStatus, ...], expected: EvidenceStatus) -> None:
    assert combine(parts) is expected


def test_the_checker_itself_can_fail() -> None:
    """The consistency predicate rejects the contradictions the old notes printed."""
    assert not consistent(NOT, (IN, NOT))  # "Ready" row under a "Not ready" heading
    assert not consistent(IN, (IN, PARTLY))
    assert not consistent(NA, (NOT,))  # "Not applicable" yet "the evidence reads not ready"
    assert not consistent(CONFIRM, (IN, NOT))
    assert not consistent(CONFIRM, (IN, CONFIRM))
    assert not consistent(PARTLY, (NOT, NOT))


def test_labels_describe_evidence_not_answers() -> None:
    labels = [s.label for s in EvidenceStatus]
    assert len(set(labels)) == len(labels)
    for label in labels:
        assert not re.search(r"\bready\b|\byes\b|\bno\b|\banswer", label, re.IGNORECASE), label
