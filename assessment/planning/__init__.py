"""One dated plan for every control of every domain, with the exact records to publish.

`detect.py` reads where a domain stands today; `calendar.py` holds the client's working days;
`steps.py` the shape of a step; `sts.py`, `dmarc.py` and `hygiene.py` build the steps of each
control; `texts.py` writes the records and policy files; `verify.py` parses every printed record
back before the plan is returned; `plan.py` puts it together. All pure but `write_artifacts`.
"""

from assessment.planning.artifacts import Artifact
from assessment.planning.calendar import WorkCalendar
from assessment.planning.dmarc import DmarcGate, DmarcReadiness, SenderFix
from assessment.planning.plan import (
    DomainPlan,
    PlanSelfCheckError,
    RolloutPlan,
    build_plan,
    write_artifacts,
)
from assessment.planning.steps import Effort, Owner, PlanStep, Record, StepKind, Track

__all__ = [
    "Artifact",
    "DmarcGate",
    "DmarcReadiness",
    "DomainPlan",
    "Effort",
    "Owner",
    "PlanSelfCheckError",
    "PlanStep",
    "Record",
    "RolloutPlan",
    "SenderFix",
    "StepKind",
    "Track",
    "WorkCalendar",
    "build_plan",
    "write_artifacts",
]
