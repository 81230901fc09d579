"""Benchmark: full TLS-RPT ingest (parse, validate, dedupe, durable SQLite) vs parsedmarc.

    .venv/bin/python bench/tlsrpt_ingest.py --n 100000

parsedmarc's ``parse_report_file`` (parse only, offline) runs over the same files, or a
deterministic evenly spaced subset of them (``--peer-max``), when it is installed
(``pip install .[bench]``). The two sides alternate for ``--rounds`` rounds: in each,
parsedmarc parses half the subset, we import everything into a fresh store, parsedmarc
parses the other half; so a machine whose speed drifts (shared VMs do, by +-30% within
minutes here) slows both alike. Every round is printed, then the medians. Our import runs as
the product runs it: with its default parse workers (``--workers`` to change that);
our CPU time includes the workers', and the import ends with its commit (WAL synced,
checkpoint included).

``--cli`` times the command a user runs instead, `mailposture tlsrpt import` in a new process
per round, from its start to its exit (``--frames-rows 0`` skips the rest).

Then, unless ``--frames-rows 0``, a store with that many failure-detail rows (reports of
200 details each) is built and ``TlsRptStore.frames()`` is timed on it.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tlsrpt_corpus import generate, generate_failure_heavy

from assessment.tlsrpt.ingest import default_workers, import_sources
from assessment.tlsrpt.store import TlsRptStore


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def children_cpu_seconds() -> float:
    times = os.times()
    return times.children_user + times.children_system


def run_cli(folder: Path, data: Path) -> tuple[float, float, str]:
    """(wall, CPU incl. workers) seconds of `mailposture tlsrpt import` as a user runs it:
    a new process, from its start to its exit (imports, output and teardown included),
    with the product's default workers."""
    data.mkdir(parents=True)
    env = dict(os.environ, MAILPOSTURE_DATA=str(data))
    command = [sys.executable, "-m", "assessment.cli", "tlsrpt", "import"]
    started = time.perf_counter()
    cpu = children_cpu_seconds()
    done = subprocess.run(
        [*command, "--client", "Bench", str(folder)],
        env=env,
        cwd=data.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    used = children_cpu_seconds() - cpu
    if done.returncode not in (0, 1):
        raise SystemExit(f"mailposture tlsrpt import failed: {done.stderr.strip()}")
    return elapsed, used, done.stdout.splitlines()[0]


def run_ours(folder: Path, store_path: Path, workers: int | None) -> tuple[float, float, str]:
    """(wall, CPU incl. workers) seconds of one full import into a new store; a summary."""
    started = time.perf_counter()
    cpu = cpu_seconds() + children_cpu_seconds()
    with TlsRptStore(store_path) as store:
        result = import_sources(store, [folder], workers=workers)
        elapsed = time.perf_counter() - started
        used = cpu_seconds() + children_cpu_seconds() - cpu
        counts = store.summary()
    summary = (
        f"{result.imported} imported, {result.duplicate} duplicate, "
        f"{len(result.rejected)} rejected; store: {counts['policies']} policies, "
        f"{counts['failure_details']} failure rows"
    )
    return elapsed, used, summary


def run_peer(paths: list[Path]) -> tuple[float, float] | None:
    """(wall, CPU) seconds of parsedmarc over ``paths``."""
    try:
        import parsedmarc
    except ImportError:
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
    parser.add_argument("--n", type=int, default=100_000, help="number of reports")
    parser.add_argument(
        "--peer-max", type=int, default=20_000, help="files given to parsedmarc (subset)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="parse worker processes (default: the product's default; 0: in-process)",
    )
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds")
    parser.add_argument(
        "--cli",
        action="store_true",
        help="time the command a user runs (`mailposture tlsrpt import`, a new process "
        "each round, start to exit) instead of import_sources in this process",
    )
    parser.add_argument(
        "--frames-rows",
        type=int,
        default=1_000_000,
        help="failure rows of the store frames() is timed on (0: skip)",
    )
    args = parser.parse_args()
    workers = default_workers() if args.workers is None else args.workers
    with tempfile.TemporaryDirectory(prefix="tlsrpt-bench-") as tmp:
        folder = Path(tmp) / "reports"
        started = time.perf_counter()
        paths = generate(folder, args.n)
        print(f"generated {len(paths)} reports in {time.perf_counter() - started:.1f}s")
        step = max(1, len(paths) // args.peer_max)
        subset = paths[::step][: args.peer_max]
        scope = "all files" if len(subset) == len(paths) else f"every {step}th file"
        how = "`mailposture tlsrpt import` (a new process per round)" if args.cli else "full ingest"
        print(
            f"mailposture: {how} with {workers} parse worker(s) beside the writing "
            f"process on {os.cpu_count()} CPUs; parsedmarc parse_report_file (parse only, "
            f"offline) over {len(subset)} files ({scope})"
        )
        ours_rates: list[float] = []
        peer_rates: list[float] = []
        for round_number in range(1, args.rounds + 1):
            before = run_peer(subset[: len(subset) // 2])
            if args.cli:
                data = Path(tmp) / f"data-{round_number}"
                elapsed, cpu, summary = run_cli(folder, data)
            else:
                elapsed, cpu, summary = run_ours(
                    folder, Path(tmp) / f"tlsrpt-{round_number}.sqlite", workers
                )
            ours_rates.append(len(paths) / elapsed)
            line = (
                f"round {round_number}: mailposture {ours_rates[-1]:,.0f} reports/s "
                f"({elapsed:.1f}s wall, {cpu:.1f}s CPU = {cpu / len(paths) * 1e6:.0f} us/report; "
                f"{summary})"
            )
            after = run_peer(subset[len(subset) // 2 :])
            if before is not None and after is not None:
                peer_wall, peer_cpu = before[0] + after[0], before[1] + after[1]
                peer_rates.append(len(subset) / peer_wall)
                line += (
                    f"; parsedmarc {peer_rates[-1]:,.0f} reports/s "
                    f"({peer_cpu / len(subset) * 1e6:.0f} us CPU/report); "
                    f"ratio {ours_rates[-1] / peer_rates[-1]:.2f}x"
                )
            print(line)
            if args.cli:
                shutil.rmtree(Path(tmp) / f"data-{round_number}")
            else:
                (Path(tmp) / f"tlsrpt-{round_number}.sqlite").unlink()
        # Workers hold one chunk (256 reports) at a time; the importing process
        # holds the corpus's paths, the outcomes and up to ~40 chunks of results.
        if args.cli:
            child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"peak RSS of the largest child process (the command): {child:.0f} MiB")
        else:
            print(f"peak RSS of the importing process: {peak_rss_mib():.0f} MiB")
        ours = statistics.median(ours_rates)
        print(f"median: mailposture full ingest {ours:,.0f} reports/s")
        if not peer_rates:
            print("parsedmarc: not installed (pip install '.[bench]'); peer comparison skipped")
        else:
            peer_rate = statistics.median(peer_rates)
            ratios = [a / b for a, b in zip(ours_rates, peer_rates, strict=True)]
            print(
                f"median: parsedmarc parse-only {peer_rate:,.0f} reports/s; "
                f"ratio mailposture full ingest / parsedmarc parse-only: "
                f"{statistics.median(ratios):.2f}x (rounds: "
                + ", ".join(f"{ratio:.2f}x" for ratio in ratios)
                + ")"
            )
        if args.frames_rows > 0:
            time_frames(Path(tmp), args.frames_rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
