"""Where `mailposture demo` (assess -> PDF for one client) spends its wall time.

Runs the real command N times (each into a fresh data folder) and prints, per stage, the
median over the runs: the command's start-up before the first notebook (imports, sandbox,
demo reports, resolver check), then per notebook the wait for its kernel (papermill's start
to the first cell) and its cells, with the report's render cell on its own, and the exit.
Timestamps come from the executed notebooks papermill keeps in the run folder.

Start the sandbox only inside a loopback-only network namespace, e.g. as root:

    unshare -n sh -c 'ip link set lo up && exec .venv/bin/python bench/demo_timeline.py'

`--kit DIR` times another checkout of the kit (its code first on PYTHONPATH), for a
before/after comparison with the same interpreter and packages.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

NOTEBOOKS = ("assess.ipynb", "tlsrpt.ipynb", "dmarc.ipynb", "report.ipynb")


def _stamp(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def one_run(kit: Path | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="demo-bench-") as tmp:
        env = dict(os.environ)
        if kit is not None:
            env["PYTHONPATH"] = str(kit)
        started = time.time()
        done = subprocess.run(
            [sys.executable, "-m", "assessment.cli", "demo", "--data", tmp],
            env=env,
            cwd=tmp,  # not the checkout: `-m` would import the code from the current folder
            capture_output=True,
            text=True,
            check=False,
        )
        ended = time.time()
        if done.returncode != 0:
            raise SystemExit(f"demo failed ({done.returncode}): {done.stderr.strip()}")
        run_dir = Path(done.stdout.strip().splitlines()[0]).parent
        stages: dict[str, float] = {"total": ended - started}
        previous_end = started
        for name in NOTEBOOKS:
            notebook = json.loads((run_dir / name).read_text(encoding="utf-8"))
            meta = notebook["metadata"]["papermill"]
            cells = [
                c["metadata"]["papermill"]
                for c in notebook["cells"]
                if c["cell_type"] == "code" and c["metadata"].get("papermill", {}).get("start_time")
            ]
            label = name.removesuffix(".ipynb")
            nb_start, nb_end = _stamp(meta["start_time"]), _stamp(meta["end_time"])
            first = _stamp(cells[0]["start_time"])
            stages[f"{label}: before it (command, previous notebook's exit)"] = (
                nb_start - previous_end
            )
            stages[f"{label}: waiting for its kernel"] = first - nb_start
            longest = max(cells, key=lambda c: c["duration"] or 0.0)
            stages[f"{label}: cells"] = sum(c["duration"] or 0.0 for c in cells)
            if name == "report.ipynb":
                stages[f"{label}:   of which the PDF cell (plan, render)"] = longest["duration"]
            stages[f"{label}: after its cells"] = nb_end - _stamp(cells[-1]["end_time"])
            previous_end = nb_end
        stages["exit after the last notebook"] = ended - previous_end
        return stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--kit", type=Path, default=None, help="another checkout to time")
    args = parser.parse_args()
    one_run(args.kit)  # warm-up: disk caches, bytecode
    runs = [one_run(args.kit) for _ in range(args.runs)]
    print(f"mailposture demo, {args.runs} runs, {os.cpu_count()} cores; median (min-max) s")
    for key in runs[0]:
        values = [r[key] for r in runs]
        print(
            f"  {key:<58} {statistics.median(values):6.2f}  ({min(values):.2f}-{max(values):.2f})"
        )


if __name__ == "__main__":
    main()
