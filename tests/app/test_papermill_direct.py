"""The shipped notebooks run with papermill directly, as the README invites: a misspelt
parameter or a string where a list belongs stops the notebook before any network work, the
default output is a new run folder under the data folder (never the current folder), and a
papermill-made run folder is complete for report.ipynb and `mailposture report --run`.

Every run here assesses the demo sandbox's fictional domains through its loopback profile;
the refused runs stop in the check cell, before anything could be assessed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

from assessment.codec import to_json
from assessment.parameters import ParameterError, check_parameters, injected_names
from assessment.resources import notebook
from assessment.sandbox import Sandbox


def run_notebook(
    name: str, parameters: dict[str, Any], tmp: Path, *flags: str
) -> subprocess.CompletedProcess[str]:
    """The papermill command as a user types it, in an empty folder: `-y` with the
    parameters as YAML (JSON is YAML), plus any raw `flags` such as ``-p sources /``."""
    output = tmp / f"out-{name}"
    cwd = tmp / "cwd"
    cwd.mkdir(exist_ok=True)
    argv = [sys.executable, "-m", "papermill", str(notebook(name)), str(output)]
    if parameters:
        argv += ["-y", json.dumps(parameters)]
    return subprocess.run(
        [*argv, *flags, "--cwd", str(cwd), "--no-progress-bar"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _refusal(name: str, parameters: dict[str, Any], tmp: Path, *flags: str) -> str:
    done = run_notebook(name, parameters, tmp, *flags)
    assert done.returncode != 0
    executed = nbformat.read(tmp / f"out-{name}", as_version=4)
    code = [c for c in executed.cells if c.cell_type == "code"]
    check = next(i for i, c in enumerate(code) if "check_parameters" in c.source)
    # Stopped in the check cell; no later cell (no network step) ran.
    errors = [out for out in code[check].outputs if out.get("output_type") == "error"]
    assert [e["ename"] for e in errors] == ["ParameterError"]
    assert all(c.execution_count is None for c in code[check + 1 :])
    return str(errors[0]["evalue"])


def test_misspelt_parameter_stops_the_notebook(tmp_path: Path) -> None:
    message = _refusal(
        "assess.ipynb",
        {"client": "Acme", "domain": ["brightsmiledental.example"]},
        tmp_path,
    )
    assert "unknown parameter 'domain' (did you mean 'domains'?)" in message
    assert not any((tmp_path / "cwd").iterdir())


def test_string_for_a_list_is_an_error_not_a_walk(tmp_path: Path) -> None:
    # `-p` passes a string: the issue's `-p sources /some/dir` walked the filesystem root.
    message = _refusal(
        "tlsrpt.ipynb",
        {"client": "Acme", "data_dir": str(tmp_path)},
        tmp_path,
        "-p",
        "sources",
        "/",
    )
    assert "sources must be a list of strings, not str '/'" in message
    assert not (tmp_path / "clients").exists()
    (tmp_path / "again").mkdir()
    message = _refusal(
        "assess.ipynb", {"client": "Acme", "domains": "acme.example"}, tmp_path / "again"
    )
    assert "domains must be a list of domain names" in message


def test_defaults_assess_nothing(tmp_path: Path) -> None:
    message = _refusal("assess.ipynb", {}, tmp_path)
    assert "client must be given" in message and "domains must be given" in message
    message = _refusal("report.ipynb", {}, tmp_path)
    assert "run_dir must be given" in message


@pytest.mark.slow
def test_default_output_and_chaining_assess_to_report(
    demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    done = run_notebook(
        "assess.ipynb",
        {
            "client": demo_sandbox.client,
            "domains": list(demo_sandbox.domains),
            "dkim_selectors": list(demo_sandbox.dkim_selectors),
            "network": to_json(demo_sandbox.profile),
            "data_dir": str(data),
        },
        tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert not any((tmp_path / "cwd").iterdir()), "nothing may land in the current folder"
    runs = sorted((data / "clients" / "brightsmile-dental-care" / "runs").iterdir())
    assert len(runs) == 1
    run_dir = runs[0]
    info = json.loads((run_dir / "run.json").read_text())
    assert info["client"] == demo_sandbox.client and info["demo"] is True
    assert {"evidence.json", "findings.json", "run.json"} <= {p.name for p in run_dir.iterdir()}

    done = run_notebook("report.ipynb", {"run_dir": str(run_dir)}, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (run_dir / "report.pdf").stat().st_size > 10_000

    # ... and the command line re-renders the papermill-made folder too.
    from assessment.cli import main

    (run_dir / "report.pdf").unlink()
    assert main(["report", "--run", str(run_dir)]) == 0
    assert (run_dir / "report.pdf").is_file()


def test_check_parameters_sees_papermill_injected_names() -> None:
    history = ["", 'client = ""\ndomains = []', '# Parameters\nclient = "A"\ndomian = ["x"]\n']
    assert injected_names(history) == ["client", "domian"]
    namespace = {
        "client": "A",
        "domains": ["a.example"],
        "dkim_selectors": [],
        "network": {},
        "out_dir": "",
        "data_dir": "",
        "domian": ["x"],
        "In": history,
    }
    with pytest.raises(ParameterError, match="did you mean 'domains'"):
        check_parameters("assess.ipynb", namespace)
    # Interactively (no injected cell), later variables of the notebook are not parameters.
    quiet = {**namespace, "In": ["", "client = 'A'"], "evidence": object()}
    check_parameters("assess", quiet)


@pytest.mark.parametrize(
    ("name", "values", "words"),
    [
        ("tlsrpt", {"window_days": 0}, "window_days must be a positive whole number"),
        ("tlsrpt", {"window_days": True}, "window_days must be a positive whole number"),
        ("tlsrpt", {"as_of": "22/11/2025"}, "as_of must be an ISO date"),
        ("assess", {"network": "[]"}, "network must be a JSON object"),
        ("assess", {"domains": ["a.example", ""]}, "domains holds an empty string"),
        ("assess", {"domains": ["192.0.2.1"]}, "domains: '192.0.2.1' is an IP address"),
        ("assess", {"domains": "a.example"}, "domains must be a list of domain names"),
        ("assess", {"dkim_selectors": [1]}, "dkim_selectors must be a list of strings"),
    ],
)
def test_parameter_types(name: str, values: dict[str, Any], words: str) -> None:
    from assessment.parameters import parameter_problems

    assert any(words in p for p in parameter_problems(name, values))
