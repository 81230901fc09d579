"""Questionnaire readiness notes: what the public evidence shows for each item that insurers,
vendor questionnaires, frameworks and mailbox providers ask about. Facts, never suggested answers.

`status.py` owns the closed set of evidence statuses and the one way they combine;
`sources.py` and `instruments.py` every instrument cited, with its ids and sources;
`selection.py` which instruments a client's country gets; `items.py` the items as data;
`rules.py` judges one item on one domain; `assembly.py` puts them together for a client.
"""

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
