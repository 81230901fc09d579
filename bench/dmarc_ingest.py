"""Benchmark: full DMARC aggregate import (parse, validate, dedupe, durable SQLite) vs parsedmarc.

    unshare -n sh -c 'ip link set lo up && exec .venv/bin/python bench/dmarc_ingest.py'

parsedmarc's ``parse_report_file`` (parse only; ``offline=True`` and
``always_use_local_files=True``: no DNS, no download; run it in a loopback-only
namespace anyway) runs over the same files, or a deterministic evenly spaced subset
(``--peer-max``), when it is installed (``pip install -e '.[bench]'``). The two
sides alternate for ``--rounds`` rounds: parsedmarc parses half the subset, we import
everything into a fresh store, parsedmarc parses the other half; so a machine whose
speed drifts slows both alike. Every round is printed, then the medians. Our import
runs as the product runs it (default parse workers, ``--workers`` to change that);
its CPU time includes the workers', and it ends with its commit (WAL synced).
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dmarc_corpus import generate

from assessment.dmarc.ingest import default_workers, import_sources
from assessment.dmarc.store import DmarcStore


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds(children: bool = False) -> float:
    times = os.times()
    own = times.user + times.system
    return own + (times.children_user + times.children_system if children else 0.0)


def run_ours(folder: Path, store_path: Path, workers: int) -> tuple[float, float, str]:
    started, cpu = time.perf_counter(), cpu_seconds(children=True)
    with DmarcStore(store_path) as store:
        result = import_sources(store, [folder], workers=workers)
        elapsed = time.perf_counter() - started
        used = cpu_seconds(children=True) - cpu
        counts = store.summary()
    summary = (
        f"{result.imported} imported, {result.duplicate} duplicate, {len(result.rejected)} "
        f"rejected; store: {counts['records']:,} records, {counts['messages']:,} messages"
    )
    return elapsed, used, summary


def run_peer(paths: list[Path]) -> tuple[float, float, int] | None:
    """(wall, CPU) seconds of parsedmarc over ``paths``, and the records it returned."""
    try:
        import parsedmarc
    except ImportError:
        return None
    logging.getLogger("parsedmarc").setLevel(logging.CRITICAL)
    started, cpu = time.perf_counter(), cpu_seconds()
    records = 0
    for path in paths:
        parsed = parsedmarc.parse_report_file(str(path), offline=True, always_use_local_files=True)
        records += len(parsed["report"]["records"])
    return time.perf_counter() - started, cpu_seconds() - cpu, records


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20_000, help="number of reports")
    parser.add_argument("--peer-max", type=int, default=2_000, help="files given to parsedmarc")
    parser.add_argument("--workers", type=int, default=None, help="parse workers (0: in-process)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds")
    args = parser.parse_args()
    workers = default_workers() if args.workers is None else args.workers
    with tempfile.TemporaryDirectory(prefix="dmarc-bench-") as tmp:
        folder = Path(tmp) / "reports"
        started = time.perf_counter()
        paths = generate(folder, args.n)
        print(f"generated {len(paths)} reports in {time.perf_counter() - started:.1f}s")
        step = max(1, len(paths) // args.peer_max)
        subset = paths[::step][: args.peer_max]
        scope = "all files" if len(subset) == len(paths) else f"every {step}th file"
        print(
            f"mailposture: full import with {workers} parse worker(s) beside the writing "
            f"process on {os.cpu_count()} CPUs; parsedmarc parse_report_file (offline) over "
            f"{len(subset)} files ({scope})"
        )
        ours_rates: list[float] = []
        peer_rates: list[float] = []
        for number in range(1, args.rounds + 1):
            before = run_peer(subset[: len(subset) // 2])
            store = Path(tmp) / f"dmarc-{number}.sqlite"
            elapsed, cpu, summary = run_ours(folder, store, workers)
            ours_rates.append(len(paths) / elapsed)
            line = (
                f"round {number}: mailposture {ours_rates[-1]:,.0f} reports/s ({elapsed:.1f}s "
                f"wall, {cpu:.1f}s CPU = {cpu / len(paths) * 1e6:.0f} us/report; {summary})"
            )
            after = run_peer(subset[len(subset) // 2 :])
            if before is not None and after is not None:
                wall, peer_cpu = before[0] + after[0], before[1] + after[1]
                peer_rates.append(len(subset) / wall)
                line += (
                    f"; parsedmarc {peer_rates[-1]:,.0f} reports/s "
                    f"({peer_cpu / len(subset) * 1e6:.0f} us CPU/report, "
                    f"{before[2] + after[2]:,} records); "
                    f"ratio {ours_rates[-1] / peer_rates[-1]:.2f}x"
                )
            print(line, flush=True)
            store.unlink()
        print(f"peak RSS of the importing process: {peak_rss_mib():.0f} MiB")
        print(f"median: mailposture full import {statistics.median(ours_rates):,.0f} reports/s")
        if not peer_rates:
            print("parsedmarc: not installed (pip install -e '.[bench]'); comparison skipped")
        else:
            ratios = [a / b for a, b in zip(ours_rates, peer_rates, strict=True)]
            print(
                f"median: parsedmarc parse-only {statistics.median(peer_rates):,.0f} reports/s; "
                f"ratio mailposture full import / parsedmarc parse-only: "
                f"{statistics.median(ratios):.2f}x (rounds: "
                + ", ".join(f"{ratio:.2f}x" for ratio in ratios)
                + ")"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
