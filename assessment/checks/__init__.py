"""Pure checks: evidence in, findings out. No I/O, no dnspython types."""

from assessment.checks.registry import (
    check_domain,
    findings_to_json,
    load_findings,
    run_checks,
    save_findings,
)

__all__ = ["check_domain", "findings_to_json", "load_findings", "run_checks", "save_findings"]
