"""Questionnaire readiness notes: what the public evidence shows for each item insurers, vendor
questionnaires, frameworks and mailbox providers ask about. Facts, never suggested answers.

`items.py` holds the items as data, `rules.py` judges one item on one domain, `assembly.py`
puts them together for a client.
"""

from assessment.readiness.assembly import (
    ConfirmationItem,
    FrameworkResult,
    ItemResult,
    Readiness,
    assess_readiness,
)
from assessment.readiness.items import AnswerStatus

__all__ = [
    "AnswerStatus",
    "ConfirmationItem",
    "FrameworkResult",
    "ItemResult",
    "Readiness",
    "assess_readiness",
]
