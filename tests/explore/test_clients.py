"""Every client at once: explore.ipynb and the tables under it, over a data folder holding
two clients (the demo, and a copy of it under another name)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

import assessment as mp
from assessment.cli import main
from assessment.resources import notebook

FIRST = "Brightsmile Dental Care"
SECOND = "Second Smile Clinic"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("data")
    assert main(["demo", "--data", str(data)]) == 0
    clients = data / "clients"
    first = clients / "brightsmile-dental-care"
    second = clients / "second-smile-clinic"
    shutil.copytree(first, second)
    (second / "tlsrpt.sqlite").unlink()
    (second / "client.toml").write_text(
        f'name = "{SECOND}"\ndomains = ["brightsmiledental.example"]\n', encoding="utf-8"
    )
    for info in second.glob("runs/*/run.json"):
        content = json.loads(info.read_text(encoding="utf-8"))
        content["client"] = SECOND
        info.write_text(json.dumps(content), encoding="utf-8")
    # A third folder whose run is damaged: listed with the reason, never a crash.
    broken = clients / "broken-client" / "runs" / "20250101-000000"
    broken.mkdir(parents=True)
    (broken / "evidence.json").write_text("{not json", encoding="utf-8")
    (broken / "findings.json").write_text("[]", encoding="utf-8")
    return data


def test_findings_of_all_clients_is_one_table(data: Path) -> None:
    table = mp.findings_of_all_clients(data)
    first = mp.load_run(next((data / "clients" / "brightsmile-dental-care" / "runs").iterdir()))
    assert set(table["client"]) == {FIRST, SECOND, "broken-client"}
    mine = table[table["client"] == FIRST]
    assert (mine["code"] != "").sum() == len(first.findings)
    assert set(mine["domain"]) == set(first.info.domains)  # type: ignore[union-attr]
    assert set(mine["grade"]) <= set("ABCDEF") and (mine["grade"] != "").all()
    assert (table[table["client"] == SECOND]["code"] != "").sum() == len(first.findings)
    broken = table[table["client"] == "broken-client"]
    assert len(broken) == 1 and broken.iloc[0]["title"].startswith("latest run unreadable")
    # Worst first within each domain (a browser table would sort severity alphabetically).
    ranks = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
    for _, rows in mine.groupby("domain"):
        order = [ranks[v] for v in rows["severity"] if v]
        assert order == sorted(order)


def test_stores_of_all_clients(data: Path) -> None:
    stores = mp.stores_of_all_clients(data).set_index("client")
    assert list(stores.index) == ["brightsmile-dental-care", "second-smile-clinic"]
    assert stores.loc["brightsmile-dental-care", "tlsrpt_reports"] > 0
    assert stores.loc["second-smile-clinic", "tlsrpt_reports"] == 0  # its store was removed
    assert (stores["dmarc_messages"] > 0).all() and (stores["problem"] == "").all()


def test_an_empty_data_folder_gives_empty_tables(tmp_path: Path) -> None:
    assert mp.findings_of_all_clients(tmp_path).empty
    assert mp.stores_of_all_clients(tmp_path).empty


@pytest.mark.slow
def test_explore_notebook_runs_under_papermill(data: Path, tmp_path: Path) -> None:
    papermill = pytest.importorskip("papermill")
    output = tmp_path / "explore.out.ipynb"
    papermill.execute_notebook(
        str(notebook("explore.ipynb")),
        str(output),
        parameters={"data_dir": str(data), "interactive": False},
        kernel_name="mailposture",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    executed = nbformat.read(output, as_version=4)
    outputs = [out for cell in executed.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not any(out.get("output_type") == "error" for out in outputs)
    text = "\n".join(str(out.get("text", "")) + str(out.get("data", {})) for out in outputs)
    assert "Clients: 3; domains: 4" in text
    assert FIRST in text and SECOND in text and "latest run unreadable" in text
    assert "MTA_STS" in text or "DMARC" in text
    # Static: plain tables, no widget or DataTables code in the record.
    assert "application/vnd.jupyter.widget-view+json" not in text
    assert "dt_bundle" not in text and "itables" not in text


@pytest.mark.slow
def test_explore_notebook_refuses_a_string_flag(data: Path, tmp_path: Path) -> None:
    papermill = pytest.importorskip("papermill")
    with pytest.raises(papermill.PapermillExecutionError, match="interactive must be True or"):
        papermill.execute_notebook(
            str(notebook("explore.ipynb")),
            str(tmp_path / "out.ipynb"),
            parameters={"data_dir": str(data), "interactive": "no"},
            kernel_name="mailposture",
            cwd=str(tmp_path),
            progress_bar=False,
        )
