"""Benchmark: full TLS-RPT ingest (parse, validate, dedupe, durable SQLite) vs parsedmarc.

    .venv/bin/python bench/tlsrpt_ingest.py --n 100000

parsedmarc's ``parse_report_file`` (parse only, offline) runs over the same files, or a
deterministic evenly spaced subset of them (``--peer-max``), when it is installed
(``pip install .[bench]``).
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tlsrpt_corpus import generate

from assessment.tlsrpt.ingest import import_sources
from assessment.tlsrpt.store import TlsRptStore


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_peer(paths: list[Path]) -> float | None:
    try:
        import parsedmarc
    except ImportError:
        print("parsedmarc: not installed (pip install '.[bench]'); peer comparison skipped")
        return None
    logging.getLogger("parsedmarc").setLevel(logging.CRITICAL)
    started = time.perf_counter()
    for path in paths:
        parsedmarc.parse_report_file(str(path), offline=True)
    elapsed = time.perf_counter() - started
    return len(paths) / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000, help="number of reports")
    parser.add_argument(
        "--peer-max", type=int, default=20_000, help="files given to parsedmarc (subset)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tlsrpt-bench-") as tmp:
        folder = Path(tmp) / "reports"
        started = time.perf_counter()
        paths = generate(folder, args.n)
        print(f"generated {len(paths)} reports in {time.perf_counter() - started:.1f}s")
        rss_before = peak_rss_mib()
        with TlsRptStore(Path(tmp) / "tlsrpt.sqlite") as store:
            started = time.perf_counter()
            result = import_sources(store, [folder])
            elapsed = time.perf_counter() - started
            counts = store.summary()
        ours = len(paths) / elapsed
        print(
            f"mailposture ingest: {result.imported} imported, {result.duplicate} duplicate, "
            f"{len(result.rejected)} rejected in {elapsed:.1f}s = {ours:,.0f} reports/s; "
            f"peak RSS {peak_rss_mib():.0f} MiB (before ingest {rss_before:.0f} MiB); "
            f"store: {counts['policies']} policies, {counts['failure_details']} failure rows"
        )
        step = max(1, len(paths) // args.peer_max)
        subset = paths[::step][: args.peer_max]
        peer = run_peer(subset)
        if peer is not None:
            scope = "all files" if len(subset) == len(paths) else f"every {step}th file"
            print(
                f"parsedmarc parse_report_file (parse only, offline): {len(subset)} files "
                f"({scope}) = {peer:,.0f} reports/s"
            )
            print(f"ratio mailposture full ingest / parsedmarc parse-only: {ours / peer:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
