"""The public notebook API: `import assessment as mp`. Its names are pinned here, visible to
`dir()` and completion, documented in docs/api.md, cheap to import, and the only ones the
shipped notebooks use."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import assessment
from assessment.resources import notebooks_dir
from assessment.sandbox import Sandbox

REPO = Path(__file__).resolve().parents[2]

PINNED = [
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


def test_public_names_are_pinned() -> None:
    # Adding or removing a public name is a decision: change PINNED and docs/api.md with it.
    assert assessment.__all__ == PINNED
    assert sorted([*assessment._LAZY, "__version__"]) == PINNED


def test_every_name_resolves_and_is_listed_by_dir() -> None:
    listed = dir(assessment)
    for name in assessment.__all__:
        assert name in listed, name
        assert getattr(assessment, name) is not None
    with pytest.raises(AttributeError):
        _ = assessment.no_such_name  # type: ignore[attr-defined]


def test_the_documented_calls_work(demo_sandbox: Sandbox, tmp_path: Path) -> None:
    mp = assessment
    lab = demo_sandbox
    made = mp.assess(lab.client, lab.domains, lab.dkim_selectors, lab.profile, data_dir=tmp_path)
    assert made.path.parent == tmp_path / "clients" / "brightsmile-dental-care" / "runs"
    run = mp.load_run(made.path)
    assert run.info is not None and run.info.domains == tuple(lab.domains)
    table = mp.findings_table(run)
    assert len(table) == len(run.findings) == len(made.findings)
    assert set(mp.severity_counts(run).index) == set(lab.domains)
    assert not mp.probes_table(run).empty and not mp.lookups_table(run).empty


def test_import_is_cheap() -> None:
    # The command line and JupyterLab import the package; the layers load on first use.
    code = (
        "import sys, assessment; dir(assessment); "
        "print([m for m in ('pandas', 'dns', 'papermill', 'weasyprint', 'assessment.model')"
        " if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_docs_name_every_public_name() -> None:
    text = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)", text))
    assert set(PINNED) - documented == set()


def _cells(name: str) -> list[str]:
    content = json.loads((notebooks_dir() / name).read_text(encoding="utf-8"))
    return [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in content["cells"]
        if c["cell_type"] == "code"
    ]


def public_name_problems(source: str) -> list[str]:
    """Imports of the kit that are not `import assessment [as x]` or public names from it,
    and attributes of the package alias that are not public."""
    problems = []
    aliases = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "assessment":
                    aliases.add(alias.asname or "assessment")
                elif alias.name.startswith("assessment."):
                    problems.append(f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("assessment"):
            if node.module != "assessment":
                problems.append(f"from {node.module} import ...")
            else:
                problems += [
                    f"from assessment import {a.name}"
                    for a in node.names
                    if a.name not in assessment.__all__
                ]
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and node.attr not in assessment.__all__
        ):
            problems.append(f"{node.value.id}.{node.attr}")
    return problems


@pytest.mark.parametrize(
    "name", ["assess.ipynb", "tlsrpt.ipynb", "dmarc.ipynb", "report.ipynb", "explore.ipynb"]
)
def test_notebooks_use_only_public_names(name: str) -> None:
    problems = [p for source in _cells(name) for p in public_name_problems(source)]
    assert problems == []


def test_the_notebook_import_check_can_fail() -> None:
    assert public_name_problems("from assessment.pipeline import assess") != []
    assert public_name_problems("import assessment.tables") != []
    assert public_name_problems("import assessment as mp\nmp.tables.findings_table(x)") != []
    assert public_name_problems("from assessment import tables") != []
    assert public_name_problems("import assessment as mp\nmp.findings_table(run)") == []


def test_ipython_completion_lists_the_lazy_names() -> None:
    # What JupyterLab shows on `mp.<Tab>`: IPython's completer, with and without jedi.
    code = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "from IPython.core.completer import provisionalcompleter\n"
        "ip = InteractiveShell.instance()\n"
        "ip.run_cell('import assessment as mp')\n"
        "with provisionalcompleter():\n"
        "    for jedi in (True, False):\n"
        "        ip.Completer.use_jedi = jedi\n"
        "        texts = [c.text for c in ip.Completer.completions('mp.load_', 8)]\n"
        "        print(sorted(t.lstrip('.') for t in texts))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    expected = str(["load_evidence", "load_findings", "load_run"])
    assert done.stdout.splitlines() == [expected, expected]
