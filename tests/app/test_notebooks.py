"""The notebooks' contract: one parameters cell, thin code, stored without outputs, and a
runner that refuses parameter names the notebook does not have."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from assessment.errors import ToolError
from assessment.parameters import NOTEBOOK_PARAMETERS
from assessment.resources import notebooks_dir
from assessment.run import notebook_parameters, validate_parameters

NOTEBOOKS = notebooks_dir()
EXPECTED = {
    "assess.ipynb": {"client", "domains", "dkim_selectors", "network", "out_dir", "data_dir"},
    "tlsrpt.ipynb": {
        "client",
        "sources",
        "window_days",
        "as_of",
        "data_dir",
        "run_dir",
        "interactive",
    },
    "dmarc.ipynb": {"client", "sources", "as_of", "data_dir", "run_dir", "interactive"},
    "report.ipynb": {"run_dir", "as_of"},
    "explore.ipynb": {"data_dir", "interactive"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_parameters_cell(name: str) -> None:
    assert set(notebook_parameters(NOTEBOOKS / name)) == EXPECTED[name]


def test_every_shipped_notebook_has_a_parameter_spec() -> None:
    assert {p.name for p in NOTEBOOKS.glob("*.ipynb")} == set(EXPECTED) == set(NOTEBOOK_PARAMETERS)
    for name, spec in NOTEBOOK_PARAMETERS.items():
        # The spec and the parameters cell list the same names in the same order.
        assert [p.name for p in spec] == list(notebook_parameters(NOTEBOOKS / name))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_stored_thin_and_without_outputs(name: str) -> None:
    notebook = json.loads((NOTEBOOKS / name).read_text())
    tagged = [c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        assert cell.get("outputs") == []
        assert cell.get("execution_count") is None
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        tree = ast.parse(source)
        defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        assert defs == [], f"{name} defines {[d.name for d in defs]}: move it to the library"


def test_unknown_parameter_is_refused_before_running() -> None:
    with pytest.raises(ToolError, match="no parameter"):
        validate_parameters(NOTEBOOKS / "assess.ipynb", {"client": "x", "domain": ["typo"]})


def test_notebook_without_parameters_cell_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    with pytest.raises(ToolError, match="exactly one cell tagged"):
        notebook_parameters(path)


def test_kernels_preload_what_their_notebook_will_import() -> None:
    import assessment
    from assessment.kernel import preload_modules

    public = {n: (m, assessment._RENAMED.get(n, n)) for n, m in assessment._LAZY.items()}
    assess = preload_modules(NOTEBOOKS / "assess.ipynb", public)
    report = preload_modules(NOTEBOOKS / "report.ipynb", public)
    assert {"assessment.pipeline", "assessment.gather", "assessment.tables"} <= set(assess)
    # write_report imports the renderer only when called: read from its body, not run.
    assert {"assessment.pipeline", "assessment.report.render"} <= set(report)
    assert "assessment.report.render" not in assess


@pytest.mark.slow
def test_a_notebook_that_fails_is_kept_with_its_error(tmp_path: Path) -> None:
    # The runner has papermill write the executed notebook once, at the end (not after
    # every cell): a failing cell must still leave it, error included, where it says.
    import nbformat

    from assessment.run import execute

    not_a_run = tmp_path / "not-a-run"
    not_a_run.mkdir()
    with pytest.raises(ToolError, match=r"report\.ipynb failed in cell \d+: .*kept at") as caught:
        execute("report.ipynb", not_a_run, {"run_dir": str(not_a_run)})
    kept = not_a_run / "report.ipynb"
    assert str(kept) in str(caught.value)
    executed = nbformat.read(kept, as_version=4)
    errors = [
        output
        for cell in executed.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.get("output_type") == "error"
    ]
    assert len(errors) == 1


def test_a_starting_kernel_warms_what_its_modules_ask_for() -> None:
    import subprocess
    import sys

    # The explorers' charts start vl-convert's engine while the kernel starts.
    code = (
        "import sys, assessment.kernel as k; "
        "import assessment.explore.charts as c; "
        "calls = []; c.kernel_warm_up = lambda: calls.append(1); "
        "k.preload(['assessment.explore.widgets']); "
        "print(len(calls), 'assessment.explore.widgets' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["1", "True"]
