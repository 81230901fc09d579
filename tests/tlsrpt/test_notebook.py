"""notebooks/tlsrpt.ipynb: thin, parameterised, and runs end to end over the demo reports."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import nbformat
import pytest

from assessment.tlsrpt.demo import generate_demo_reports
from assessment.workspace import Workspace

NOTEBOOK = Path(__file__).parents[2] / "notebooks" / "tlsrpt.ipynb"


def _notebook() -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK, as_version=4)


def test_notebook_is_thin_and_stored_without_outputs() -> None:
    nb = _notebook()
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "mailposture"
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert code[0] is tagged[0]
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None
        tree = ast.parse(cell.source)
        assert not any(
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)
            for node in ast.walk(tree)
        )


def test_parameters_cell_names_and_defaults() -> None:
    params = next(c for c in _notebook().cells if "parameters" in c.metadata.get("tags", []))
    values: dict[str, object] = {}
    for node in ast.parse(params.source).body:
        target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]  # type: ignore[attr-defined]
        values[target.id] = ast.literal_eval(node.value)  # type: ignore[arg-type]
    assert values == {
        "client": "",
        "sources": [],
        "window_days": 14,
        "as_of": "",
        "data_dir": "",
        "run_dir": "",
        "interactive": True,
    }


@pytest.mark.slow
def test_notebook_runs_over_the_demo_reports(tmp_path: Path) -> None:
    papermill = pytest.importorskip("papermill")
    reports = tmp_path / "reports"
    generate_demo_reports(reports, date(2025, 11, 22))
    data = tmp_path / "data"
    output = tmp_path / "tlsrpt.out.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(output),
        parameters={
            "client": "Brightsmile Dental Care",
            "sources": [str(reports)],
            "as_of": "2025-11-22",
            "data_dir": str(data),
            "interactive": False,
        },
        kernel_name="mailposture",
        cwd=str(NOTEBOOK.parent),
        progress_bar=False,
    )
    assert Workspace(data).client("Brightsmile Dental Care").tlsrpt_store.is_file()
    executed = nbformat.read(output, as_version=4)
    text = "\n".join(
        str(out.get("text", "")) + str(out.get("data", {}))
        for cell in executed.cells
        if cell.cell_type == "code"
        for out in cell.outputs
    )
    assert "NOT READY for mode: enforce" in text
    assert "backup-mx.harbourit.example" in text
    assert "image/svg+xml" in text
    assert "Yahoo" in text
    assert not any(
        out.get("output_type") == "error"
        for cell in executed.cells
        if cell.cell_type == "code"
        for out in cell.outputs
    )


def test_session_helpers_over_the_demo(tmp_path: Path) -> None:
    from assessment.tlsrpt.gate import enforce_verdicts
    from assessment.tlsrpt.session import (
        import_and_load,
        import_table,
        parse_as_of,
        primary_domain,
        verdict_markdown,
        verdict_table,
    )

    reports = tmp_path / "reports"
    generate_demo_reports(reports, date(2025, 11, 22), days=20)
    (reports / "junk.json").write_text("{not json")
    loaded = import_and_load("Brightsmile Dental Care", [reports], tmp_path / "data")
    table = import_table(loaded.imported)
    assert table.loc[0, "count"] == len(loaded.frames.reports)
    assert list(table["outcome"])[-1] == "rejected"
    again = import_and_load("Brightsmile Dental Care", [reports], tmp_path / "data")
    assert again.imported.imported == 0
    assert again.imported.duplicate == len(loaded.frames.reports)

    domain = primary_domain(loaded.frames)
    assert domain == "brightsmiledental.example"
    verdicts = enforce_verdicts(loaded.frames, parse_as_of("2025-11-22"))
    text = verdict_markdown(verdicts[domain])
    assert text.startswith("### brightsmiledental.example: NOT READY for mode: enforce")
    assert "backup-mx.harbourit.example" in text
    assert list(verdict_table(verdicts)["failing_mx"]) == ["backup-mx.harbourit.example"]


def test_parse_as_of() -> None:
    from assessment.tlsrpt.session import parse_as_of

    assert parse_as_of("2025-11-22") == date(2025, 11, 22)
    assert parse_as_of(date(2025, 1, 2)) == date(2025, 1, 2)
    assert isinstance(parse_as_of(""), date)
    with pytest.raises(ValueError, match="ISO date"):
        parse_as_of("22/11/2025")


def test_verdict_markdown_escapes_report_text() -> None:
    from assessment.tlsrpt.gate import EnforceStatus, EnforceVerdict
    from assessment.tlsrpt.session import verdict_markdown

    verdict = EnforceVerdict(
        domain="a.example",
        status=EnforceStatus.NOT_READY,
        reasons=("reported by *Evil* [link](x)",),
        blockers=("<script>",),
        window_start=date(2025, 11, 8),
        window_end=date(2025, 11, 21),
        days_covered=14,
        reporters=("*Evil*",),
        total_successful=1,
        total_failed=1,
        failure_rate=0.5,
        failing_mx=(),
        first_report=None,
        last_report=None,
    )
    text = verdict_markdown(verdict)
    assert "\\*Evil\\*" in text and "\\[link\\]" in text and "\\<script\\>" in text
