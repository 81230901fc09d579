"""Wall time of `mailposture portfolio` over the demo sandbox's book (six clients, nine domains),
for each --jobs value given, each on a fresh copy of the book (first assessments).

    unshare -n sh -c 'ip link set lo up && exec .venv/bin/python bench/portfolio_book.py 1 2 3'

Prints one line per --jobs value: wall time, the slowest and the sum of the per-client times.
Run it as root inside a loopback-only network namespace: it starts the sandbox.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from assessment.portfolio.executors import LocalExecutor
from assessment.portfolio.runner import run_portfolio
from assessment.sandbox import Sandbox, demo_scenario_dir
from assessment.workspace import Workspace


def main(argv: list[str]) -> int:
    widths = [int(a) for a in argv] or [2]
    print(f"cores: {os.cpu_count()}; book: {demo_scenario_dir() / 'book'}")
    with Sandbox(demo_scenario_dir()) as sandbox:
        for width in widths:
            with tempfile.TemporaryDirectory(prefix="mailposture-bench-") as tmp:
                data = Path(tmp) / "data"
                shutil.copytree(demo_scenario_dir() / "book", data)
                started = time.perf_counter()
                with contextlib.redirect_stdout(io.StringIO()):
                    result = run_portfolio(Workspace(data), sandbox.profile, LocalExecutor(width))
                wall = time.perf_counter() - started
                per_client = [o.seconds for o in result.outcomes]
                failed = [o.name for o in result.outcomes if o.failed]
                print(
                    f"--jobs {width}: {wall:6.1f} s wall for {len(per_client)} clients; "
                    f"slowest client {max(per_client):.1f} s, sum {sum(per_client):.1f} s"
                    + (f"; FAILED {failed}" if failed else "")
                )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
