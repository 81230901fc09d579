"""Questionnaire readiness notes: what the public evidence shows for each item that insurers,
vendor questionnaires, frameworks and mailbox providers ask about. Facts, never suggested answers.

`status.py` owns the closed set of evidence statuses and the one way they combine;
`sources.py` and `instruments.py` every instrument cited, with its ids and sources;
`selection.py` which instruments a client's country gets; `items.py` the items as data;
`rules.py` judges one item on one domain; `assembly.py` puts them together for a client.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assessment.readiness.assembly import (
        ConfirmationResult,
        Fact,
        FindingRef,
        ItemResult,
        Readiness,
        SectionResult,
        assess_readiness,
    )
    from assessment.readiness.rules import DmarcGate
    from assessment.readiness.selection import Selection, known_opt_ins, select_instruments
    from assessment.readiness.status import EvidenceStatus, combine

# Imported on first use: `mailposture assess` checks a client's frameworks with
# `known_opt_ins` before its first notebook starts, and the rules (pandas, the planner) cost
# 0.4 s there.
_LAZY = {
    "ConfirmationResult": "assembly",
    "Fact": "assembly",
    "FindingRef": "assembly",
    "ItemResult": "assembly",
    "Readiness": "assembly",
    "SectionResult": "assembly",
    "assess_readiness": "assembly",
    "DmarcGate": "rules",
    "Selection": "selection",
    "known_opt_ins": "selection",
    "select_instruments": "selection",
    "EvidenceStatus": "status",
    "combine": "status",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "ConfirmationResult",
    "DmarcGate",
    "EvidenceStatus",
    "Fact",
    "FindingRef",
    "ItemResult",
    "Readiness",
    "SectionResult",
    "Selection",
    "assess_readiness",
    "combine",
    "known_opt_ins",
    "select_instruments",
]
