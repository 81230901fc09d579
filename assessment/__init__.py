"""mailposture: email transport-security assessment kit (import package `assessment`).

The names in `__all__` are the public API for notebooks and scripts, documented in
docs/api.md and pinned by tests/app/test_api.py:

    import assessment as mp
    run = mp.load_run(path)
    mp.findings_table(run)

Every name loads its module on first use, so `import assessment` (and the command line) stays
cheap; `dir()` and JupyterLab completion still list them all.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public name -> the module that defines it, grouped by consultant task. The subpackages
# `gather`, `report`, `tlsrpt` and `sandbox` are deliberately not shadowed by same-named
# functions.
_LAZY: dict[str, str] = {
    # values
    "Control": "assessment.model",
    "DnsLookup": "assessment.model",
    "DomainEvidence": "assessment.model",
    "Endpoint": "assessment.model",
    "Evidence": "assessment.model",
    "Finding": "assessment.model",
    "NetworkProfile": "assessment.model",
    "Outcome": "assessment.model",
    "Severity": "assessment.model",
    # runs: assess, load a past run, the data folder
    "Run": "assessment.runs",
    "load_run": "assessment.runs",
    "load_findings": "assessment.runs",
    "assess": "assessment.pipeline",
    "write_report": "assessment.pipeline",
    "run_assessment": "assessment.run",
    "data_dir": "assessment.workspace",
    "load_evidence": "assessment.gather",
    "save_evidence": "assessment.gather",
    "run_checks": "assessment.checks",
    # notebook parameters
    "check_parameters": "assessment.parameters",
    "ParameterError": "assessment.parameters",
    # findings and evidence as tables
    "findings_table": "assessment.tables",
    "severity_counts": "assessment.tables",
    "lookups_table": "assessment.tables",
    "policy_table": "assessment.tables",
    "probes_table": "assessment.tables",
    # TLS-RPT: import reports, the enforce gate, analysis and charts
    "TlsRptStore": "assessment.tlsrpt.store",
    "import_sources": "assessment.tlsrpt.ingest",
    "import_tlsrpt": "assessment.tlsrpt.session",
    "import_table": "assessment.tlsrpt.session",
    "parse_as_of": "assessment.tlsrpt.session",
    "primary_domain": "assessment.tlsrpt.session",
    "verdict_table": "assessment.tlsrpt.session",
    "verdict_markdown": "assessment.tlsrpt.session",
    "EnforceGates": "assessment.tlsrpt.gate",
    "enforce_verdicts": "assessment.tlsrpt.gate",
    "FailureKey": "assessment.tlsrpt.analyze",
    "daily_sessions": "assessment.tlsrpt.analyze",
    "success_rate": "assessment.tlsrpt.analyze",
    "failures_by": "assessment.tlsrpt.analyze",
    "failure_details": "assessment.tlsrpt.analyze",
    "reporters_table": "assessment.tlsrpt.analyze",
    "reporter_gaps": "assessment.tlsrpt.analyze",
    "count_inconsistencies": "assessment.tlsrpt.analyze",
    "foreign_domains": "assessment.tlsrpt.analyze",
    "daily_sessions_chart": "assessment.tlsrpt.charts",
    "failures_by_mx_chart": "assessment.tlsrpt.charts",
    "failures_by_type_chart": "assessment.tlsrpt.charts",
    "figure_to_svg": "assessment.tlsrpt.charts",
    # DMARC aggregate reports: import, who sends as the client, the p=reject gate
    "DmarcStore": "assessment.dmarc.store",
    "DmarcGates": "assessment.dmarc.gate",
    "dmarc_verdicts": "assessment.dmarc.gate",
    "import_dmarc": "assessment.dmarc.session",
    "dmarc_verdict_table": "assessment.dmarc.session",
    "dmarc_verdict_markdown": "assessment.dmarc.session",
    "dmarc_fixes_table": "assessment.dmarc.session",
    "dmarc_primary_domain": "assessment.dmarc.session",
    "SenderCategory": "assessment.dmarc.inventory",
    "classify_senders": "assessment.dmarc.inventory",
    "dmarc_senders": "assessment.dmarc.inventory",
    "dmarc_daily": "assessment.dmarc.inventory",
    "sender_drill_down": "assessment.dmarc.inventory",
    "dmarc_daily_chart": "assessment.dmarc.charts",
    # exploring in JupyterLab: filters, widgets, searchable tables, every client at once
    "explore_tlsrpt": "assessment.explore.widgets",
    "explore_dmarc": "assessment.explore.widgets",
    "TlsRptFilter": "assessment.explore.sessions",
    "tlsrpt_sessions": "assessment.explore.sessions",
    "filter_tlsrpt": "assessment.explore.sessions",
    "DmarcFilter": "assessment.explore.messages",
    "filter_dmarc": "assessment.explore.messages",
    "searchable_table": "assessment.explore.tables",
    "findings_of_all_clients": "assessment.explore.clients",
    "stores_of_all_clients": "assessment.explore.clients",
    # plan and readiness
    "build_plan": "assessment.planning",
    "assess_readiness": "assessment.readiness",
    # the loopback sandbox
    "Sandbox": "assessment.sandbox",
    "demo_scenario_dir": "assessment.sandbox",
}
# Public names whose attribute in the defining module is named differently.
_RENAMED: dict[str, str] = {
    "write_report": "report",
    "import_tlsrpt": "import_and_load",
    "import_dmarc": "import_and_load",
    "dmarc_verdict_table": "verdict_table",
    "dmarc_verdict_markdown": "verdict_markdown",
    "dmarc_fixes_table": "fixes_table",
    "dmarc_primary_domain": "primary_domain",
    "SenderCategory": "Category",
    "classify_senders": "classify",
    "dmarc_senders": "senders",
    "dmarc_daily": "daily",
    "sender_drill_down": "drill_down",
    "dmarc_daily_chart": "daily_chart",
}

if TYPE_CHECKING:
    from assessment.checks import run_checks
    from assessment.dmarc.charts import daily_chart as dmarc_daily_chart
    from assessment.dmarc.gate import DmarcGates, dmarc_verdicts
    from assessment.dmarc.inventory import Category as SenderCategory
    from assessment.dmarc.inventory import classify as classify_senders
    from assessment.dmarc.inventory import daily as dmarc_daily
    from assessment.dmarc.inventory import drill_down as sender_drill_down
    from assessment.dmarc.inventory import senders as dmarc_senders
    from assessment.dmarc.session import fixes_table as dmarc_fixes_table
    from assessment.dmarc.session import import_and_load as import_dmarc
    from assessment.dmarc.session import primary_domain as dmarc_primary_domain
    from assessment.dmarc.session import verdict_markdown as dmarc_verdict_markdown
    from assessment.dmarc.session import verdict_table as dmarc_verdict_table
    from assessment.dmarc.store import DmarcStore
    from assessment.explore.clients import findings_of_all_clients, stores_of_all_clients
    from assessment.explore.messages import DmarcFilter, filter_dmarc
    from assessment.explore.sessions import TlsRptFilter, filter_tlsrpt, tlsrpt_sessions
    from assessment.explore.tables import searchable_table
    from assessment.explore.widgets import explore_dmarc, explore_tlsrpt
    from assessment.gather import load_evidence, save_evidence
    from assessment.model import (
        Control,
        DnsLookup,
        DomainEvidence,
        Endpoint,
        Evidence,
        Finding,
        NetworkProfile,
        Outcome,
        Severity,
    )
    from assessment.parameters import ParameterError, check_parameters
    from assessment.pipeline import assess
    from assessment.pipeline import report as write_report
    from assessment.planning import build_plan
    from assessment.readiness import assess_readiness
    from assessment.run import run_assessment
    from assessment.runs import Run, load_findings, load_run
    from assessment.sandbox import Sandbox, demo_scenario_dir
    from assessment.tables import (
        findings_table,
        lookups_table,
        policy_table,
        probes_table,
        severity_counts,
    )
    from assessment.tlsrpt.analyze import (
        FailureKey,
        count_inconsistencies,
        daily_sessions,
        failure_details,
        failures_by,
        foreign_domains,
        reporter_gaps,
        reporters_table,
        success_rate,
    )
    from assessment.tlsrpt.charts import (
        daily_sessions_chart,
        failures_by_mx_chart,
        failures_by_type_chart,
        figure_to_svg,
    )
    from assessment.tlsrpt.gate import EnforceGates, enforce_verdicts
    from assessment.tlsrpt.ingest import import_sources
    from assessment.tlsrpt.session import import_and_load as import_tlsrpt
    from assessment.tlsrpt.session import (
        import_table,
        parse_as_of,
        primary_domain,
        verdict_markdown,
        verdict_table,
    )
    from assessment.tlsrpt.store import TlsRptStore
    from assessment.workspace import data_dir


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'assessment' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), _RENAMED.get(name, name))
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


# Literal, so that linters and editors read it; tests/app/test_api.py keeps it equal to _LAZY.
__all__ = [
    "Control",
    "DmarcFilter",
    "DmarcGates",
    "DmarcStore",
    "DnsLookup",
    "DomainEvidence",
    "Endpoint",
    "EnforceGates",
    "Evidence",
    "FailureKey",
    "Finding",
    "NetworkProfile",
    "Outcome",
    "ParameterError",
    "Run",
    "Sandbox",
    "SenderCategory",
    "Severity",
    "TlsRptFilter",
    "TlsRptStore",
    "__version__",
    "assess",
    "assess_readiness",
    "build_plan",
    "check_parameters",
    "classify_senders",
    "count_inconsistencies",
    "daily_sessions",
    "daily_sessions_chart",
    "data_dir",
    "demo_scenario_dir",
    "dmarc_daily",
    "dmarc_daily_chart",
    "dmarc_fixes_table",
    "dmarc_primary_domain",
    "dmarc_senders",
    "dmarc_verdict_markdown",
    "dmarc_verdict_table",
    "dmarc_verdicts",
    "enforce_verdicts",
    "explore_dmarc",
    "explore_tlsrpt",
    "failure_details",
    "failures_by",
    "failures_by_mx_chart",
    "failures_by_type_chart",
    "figure_to_svg",
    "filter_dmarc",
    "filter_tlsrpt",
    "findings_of_all_clients",
    "findings_table",
    "foreign_domains",
    "import_dmarc",
    "import_sources",
    "import_table",
    "import_tlsrpt",
    "load_evidence",
    "load_findings",
    "load_run",
    "lookups_table",
    "parse_as_of",
    "policy_table",
    "primary_domain",
    "probes_table",
    "reporter_gaps",
    "reporters_table",
    "run_assessment",
    "run_checks",
    "save_evidence",
    "searchable_table",
    "sender_drill_down",
    "severity_counts",
    "stores_of_all_clients",
    "success_rate",
    "tlsrpt_sessions",
    "verdict_markdown",
    "verdict_table",
    "write_report",
]
