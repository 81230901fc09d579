"""Pure checks: evidence in, findings out. No I/O, no dnspython types."""

from assessment.checks.registry import (
    check_domain,
    findings_from_json,
    findings_to_json,
    run_checks,
)

__all__ = ["check_domain", "findings_from_json", "findings_to_json", "run_checks"]
