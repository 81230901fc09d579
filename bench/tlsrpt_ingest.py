"""Benchmark: full TLS-RPT ingest (parse, validate, dedupe, durable SQLite) vs parsedmarc.

    .venv/bin/python bench/tlsrpt_ingest.py --n 100000

parsedmarc's ``parse_report_file`` (parse only, offline) runs over the same files, or a
deterministic evenly spaced subset of them (``--peer-max``), when it is installed
(``pip install .[bench]``). Both sides run in the same process, one after the other, so
that a loaded machine slows both; wall time and ``os.times()`` CPU time are printed for
each (ours: this process only; worker processes' CPU is not visible to ``os.times()``).

Then, unless ``--frames-rows 0``, a store with that many failure-detail rows (reports of
200 details each) is built and ``TlsRptStore.frames()`` is timed on it.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tlsrpt_corpus import generate, generate_failure_heavy

from assessment.tlsrpt.ingest import import_sources
from assessment.tlsrpt.store import TlsRptStore


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def run_peer(paths: list[Path]) -> tuple[float, float] | None:
    """(wall, CPU) seconds of parsedmarc over ``paths``."""
    try:
        import parsedmarc
    except ImportError:
        print("parsedmarc: not installed (pip install '.[bench]'); peer comparison skipped")
        return None
    logging.getLogger("parsedmarc").setLevel(logging.CRITICAL)
    started, cpu = time.perf_counter(), cpu_seconds()
    for path in paths:
        parsedmarc.parse_report_file(str(path), offline=True)
    return time.perf_counter() - started, cpu_seconds() - cpu


def time_frames(tmp: Path, rows: int) -> None:
    folder = tmp / "heavy"
    started = time.perf_counter()
    generate_failure_heavy(folder, rows)
    with TlsRptStore(tmp / "frames.sqlite") as store:
        import_sources(store, [folder])
        built = time.perf_counter() - started
        started, cpu = time.perf_counter(), cpu_seconds()
        frames = store.frames()
        elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    print(
        f"frames(): {len(frames.failures):,} failure rows, {len(frames.policies):,} policies, "
        f"{len(frames.reports):,} reports in {elapsed:.2f}s wall, {cpu:.2f}s CPU "
        f"(store built in {built:.0f}s); peak RSS {peak_rss_mib():.0f} MiB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000, help="number of reports")
    parser.add_argument(
        "--peer-max", type=int, default=20_000, help="files given to parsedmarc (subset)"
    )
    parser.add_argument(
        "--workers", type=int, default=0, help="parse worker processes (0: in-process)"
    )
    parser.add_argument(
        "--frames-rows",
        type=int,
        default=1_000_000,
        help="failure rows of the store frames() is timed on (0: skip)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tlsrpt-bench-") as tmp:
        folder = Path(tmp) / "reports"
        started = time.perf_counter()
        paths = generate(folder, args.n)
        print(f"generated {len(paths)} reports in {time.perf_counter() - started:.1f}s")
        rss_before = peak_rss_mib()
        with TlsRptStore(Path(tmp) / "tlsrpt.sqlite") as store:
            started, cpu = time.perf_counter(), cpu_seconds()
            result = import_sources(store, [folder], workers=args.workers)
            elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
            counts = store.summary()
        ours = len(paths) / elapsed
        print(
            f"mailposture ingest: {result.imported} imported, {result.duplicate} duplicate, "
            f"{len(result.rejected)} rejected in {elapsed:.1f}s = {ours:,.0f} reports/s "
            f"(this process {cpu:.1f}s CPU = {len(paths) / cpu:,.0f} reports/CPU-s); "
            f"peak RSS {peak_rss_mib():.0f} MiB (before ingest {rss_before:.0f} MiB); "
            f"store: {counts['policies']} policies, {counts['failure_details']} failure rows"
        )
        step = max(1, len(paths) // args.peer_max)
        subset = paths[::step][: args.peer_max]
        peer = run_peer(subset)
        if peer is not None:
            peer_wall, peer_cpu = peer
            rate = len(subset) / peer_wall
            scope = "all files" if len(subset) == len(paths) else f"every {step}th file"
            print(
                f"parsedmarc parse_report_file (parse only, offline): {len(subset)} files "
                f"({scope}) in {peer_wall:.1f}s = {rate:,.0f} reports/s "
                f"({peer_cpu:.1f}s CPU = {len(subset) / peer_cpu:,.0f} reports/CPU-s)"
            )
            print(f"ratio mailposture full ingest / parsedmarc parse-only: {ours / rate:.2f}x")
        if args.frames_rows > 0:
            time_frames(Path(tmp), args.frames_rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
