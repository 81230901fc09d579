"""notebooks/dmarc.ipynb: thin, parameterised, and runs end to end over the demo reports."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import nbformat
import pytest

from assessment.dmarc.demo import generate_demo_reports
from assessment.dmarc.gate import GateStatus, SenderFix, dmarc_verdicts
from assessment.dmarc.session import (
    fixes_table,
    import_and_load,
    import_table,
    primary_domain,
    verdict_markdown,
    verdict_table,
)
from assessment.workspace import Workspace

NOTEBOOK = Path(__file__).parents[2] / "notebooks" / "dmarc.ipynb"
AS_OF = date(2025, 11, 22)


def _notebook() -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK, as_version=4)


def test_notebook_is_thin_and_stored_without_outputs() -> None:
    nb = _notebook()
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "mailposture"
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and code[0] is tagged[0]
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
        "as_of": "",
        "data_dir": "",
        "run_dir": "",
        "interactive": True,
    }


@pytest.mark.slow
def test_notebook_runs_over_the_demo_reports(tmp_path: Path) -> None:
    papermill = pytest.importorskip("papermill")
    reports = tmp_path / "reports"
    generate_demo_reports(reports, AS_OF)
    data = tmp_path / "data"
    output = tmp_path / "dmarc.out.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(output),
        parameters={
            "client": "Brightsmile Dental Care",
            "sources": [str(reports)],
            "as_of": AS_OF.isoformat(),
            "data_dir": str(data),
            "interactive": False,
        },
        kernel_name="mailposture",
        cwd=str(NOTEBOOK.parent),
        progress_bar=False,
    )
    assert Workspace(data).client("Brightsmile Dental Care").dmarc_store.is_file()
    executed = nbformat.read(output, as_version=4)
    outputs = [out for cell in executed.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not any(out.get("output_type") == "error" for out in outputs)
    text = "\n".join(str(out.get("text", "")) + str(out.get("data", {})) for out in outputs)
    assert "brightsmiledental.example: NOT READY to enforce" in text
    assert "brightsmiledental.example: NOT READY" in text
    assert "k2.\\\\_domainkey.brightsmiledental.example" in text or "k2._domainkey" in text
    assert "Mailchimp" in text and "Microsoft 365" in text
    assert "image/svg+xml" in text
    assert "198.51.100.201" in text  # the drill-down into Mailchimp's rows


def test_session_helpers_over_the_demo(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    generate_demo_reports(reports, AS_OF, days=20)
    (reports / "junk.xml").write_text("<feedback>")
    loaded = import_and_load("Brightsmile Dental Care", [reports], tmp_path / "data")
    table = import_table(loaded.imported)
    assert table.loc[0, "count"] == len(loaded.frames.reports)
    assert list(table["outcome"])[-1] == "rejected"
    again = import_and_load("Brightsmile Dental Care", [reports], tmp_path / "data")
    assert again.imported.imported == 0
    assert again.imported.duplicate == len(loaded.frames.reports)

    assert primary_domain(loaded.frames) == "brightsmiledental.example"
    verdicts = dmarc_verdicts(loaded.frames, AS_OF)
    main = verdicts["brightsmiledental.example"]
    assert main.status is GateStatus.NOT_READY
    markdown = verdict_markdown(main)
    assert markdown.startswith("### brightsmiledental.example: NOT READY to enforce")
    assert (
        "1. **Mailchimp**" in markdown and "`k2._domainkey.brightsmiledental.example." in markdown
    )
    assert list(verdict_table(verdicts)["status"]) == ["not-ready"]
    fixes = fixes_table(verdicts)
    assert list(fixes["sender"]) == ["Mailchimp"] and fixes["order"].tolist() == [1]


def test_verdict_markdown_escapes_report_text() -> None:
    from assessment.dmarc.gate import DmarcVerdict, FixKind

    verdict = DmarcVerdict(
        domain="a.example",
        status=GateStatus.NOT_READY,
        reasons=("reported by *Evil* [link](x)",),
        blockers=("<script>",),
        window_start=AS_OF,
        window_end=AS_OF,
        days_covered=1,
        reporters=("*Evil*",),
        messages=1,
        legitimate_messages=1,
        aligned_messages=0,
        aligned_share=0.0,
        forwarded_messages=0,
        unauthenticated_messages=0,
        current_policy="none",
        enforced_days=0,
        to_fix=(SenderFix("`x`", "", FixKind.IDENTIFY, 1, 1.0, 1, AS_OF, "identify _it_"),),
        first_report=None,
        last_report=None,
    )
    text = verdict_markdown(verdict)
    assert "\\*Evil\\*" in text and "\\[link\\]" in text and "\\<script\\>" in text
    assert "\\`x\\`" in text and "\\_it\\_" in text
