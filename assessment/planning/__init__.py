"""The dated rollout plan for every control, with the exact records to publish.

`detect.py` reads where a domain stands today, `schedule.py` builds the dated steps,
`texts.py` writes the records and policy files, `plan.py` assembles a client's plan and
`artifacts.py` holds the files it asks the client to publish. All pure but `write_artifacts`.
"""

from assessment.planning.artifacts import Artifact
from assessment.planning.plan import (
    DomainPlan,
    NoMailNote,
    RolloutPlan,
    build_plan,
    write_artifacts,
)

__all__ = [
    "Artifact",
    "DomainPlan",
    "NoMailNote",
    "RolloutPlan",
    "build_plan",
    "write_artifacts",
]
