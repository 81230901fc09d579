"""What changed between two runs of a client: findings new, resolved and changed in severity;
published records changed (SPF, DMARC, MTA-STS id and policy, MX, TLSA, certificate expiry,
DKIM keys); the drift rules a reviewer applies; and grade changes.

`model.py` holds the values and the definition of "regressed", `findings.py` pairs findings,
`records.py` reads the published values, `drift.py` holds the rules, `runs.py` puts them
together (pure) and reads run folders. The report's "Since your last assessment" section and
the portfolio both call `since_last` / `diff_runs`.
"""

from assessment.diff.model import (
    REGRESSION_SEVERITY,
    Drift,
    DriftRule,
    GradeChange,
    RecordChange,
    RecordKind,
    RunDiff,
    SeverityChange,
)
from assessment.diff.runs import (
    DiffError,
    diff_folders,
    diff_runs,
    load_run,
    previous_run,
    since_last,
)

__all__ = [
    "REGRESSION_SEVERITY",
    "DiffError",
    "Drift",
    "DriftRule",
    "GradeChange",
    "RecordChange",
    "RecordKind",
    "RunDiff",
    "SeverityChange",
    "diff_folders",
    "diff_runs",
    "load_run",
    "previous_run",
    "since_last",
]
