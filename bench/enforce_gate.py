"""Benchmark: enforce gate verdicts and daily sessions over 1M failure-detail rows.

Builds synthetic but contract-shaped frames (vectorised, seeded) for a busy multi-client
rua mailbox: 60 policy domains, 24 reporters, 120 days, an sts block per report and a tlsa
copy for a third of them, and 1,000,000 failure-details rows. Then times
``enforce_verdicts`` and ``daily_sessions`` and prints seconds and peak memory.

    .venv/bin/python bench/enforce_gate.py [--failures N] [--tracemalloc]

Target: readiness over 1M failure rows in under 2 s and under 1 GiB.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from datetime import date, timedelta

import numpy as np
import pandas as pd

from assessment.tlsrpt.analyze import daily_sessions
from assessment.tlsrpt.frames import (
    FAILURE_COLUMNS,
    POLICY_COLUMNS,
    REPORT_COLUMNS,
    Frames,
)
from assessment.tlsrpt.gate import enforce_verdicts
from assessment.typed_frames import typed_frame

DOMAINS = 60
REPORTERS = 24
DAYS = 120
AS_OF = date(2025, 11, 22)
RESULT_TYPES = np.array(
    [
        "certificate-host-mismatch",
        "certificate-expired",
        "certificate-not-trusted",
        "validation-failure",
        "starttls-not-supported",
        "sts-policy-fetch-error",
        "sts-webpki-invalid",
        "sts-policy-invalid",
        "tlsa-invalid",
        "dnssec-invalid",
    ],
    dtype=object,
)


def _maxrss_mib() -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def build_frames(failure_rows: int, seed: int = 8460) -> Frames:
    rng = np.random.default_rng(seed)
    domains = np.array([f"client{n:02d}.example" for n in range(DOMAINS)], dtype=object)
    orgs = np.array([f"Reporter {n:02d}" for n in range(REPORTERS)], dtype=object)
    first = pd.Timestamp(AS_OF - timedelta(days=DAYS), tz="UTC")

    # Each domain hears from a third of the reporters, every day.
    pairs = np.array([(d, r) for d in range(DOMAINS) for r in range(REPORTERS) if (d + r) % 3 == 0])
    day_idx = np.repeat(np.arange(DAYS), len(pairs))
    dom_idx = np.tile(pairs[:, 0], DAYS)
    org_idx = np.tile(pairs[:, 1], DAYS)
    n_reports = len(day_idx)
    report_pk = np.arange(1, n_reports + 1, dtype=np.int64)
    start = first + pd.to_timedelta(day_idx, unit="D")
    end = start + pd.Timedelta(hours=23, minutes=59, seconds=59)
    org = orgs[org_idx]
    report_id = pd.Series(report_pk).astype(str).to_numpy(dtype=object)
    reports = pd.DataFrame(
        {
            "report_pk": report_pk,
            "org_name": org,
            "report_id": report_id,
            "start": start,
            "end": end,
            "contact_info": "tlsrpt@reporter.example",
            "imported_at": pd.Timestamp("2025-11-22T08:00:00Z"),
            "source": "bench",
            "warnings": 0,
        }
    )

    # An sts block per report; a third of reports repeat it as tlsa (Microsoft-style).
    tlsa = rng.random(n_reports) < 1 / 3
    pol_report = np.concatenate([np.arange(n_reports), np.flatnonzero(tlsa)])
    pol_type = np.array(["sts"] * n_reports + ["tlsa"] * int(tlsa.sum()), dtype=object)
    pol_index = np.concatenate([np.zeros(n_reports), np.ones(int(tlsa.sum()))]).astype(np.int64)
    n_pol = len(pol_report)
    ok = rng.integers(5, 400, n_pol)

    # Failure rows spread over policy blocks; a few domains fail a lot, most rarely.
    weight = rng.pareto(1.2, n_pol) + 0.01
    fail_pol = rng.choice(n_pol, size=failure_rows, p=weight / weight.sum())
    sessions = rng.integers(1, 6, failure_rows)
    detail_sum = np.bincount(fail_pol, weights=sessions, minlength=n_pol).astype(np.int64)
    failed = detail_sum.copy()
    odd = rng.random(n_pol) < 0.002
    failed[odd] = np.maximum(failed[odd] - 1, 0)

    rep = pol_report
    policies = pd.DataFrame(
        {
            "report_pk": report_pk[rep],
            "org_name": org[rep],
            "report_id": report_id[rep],
            "start": start[rep],
            "end": end[rep],
            "policy_index": pol_index,
            "policy_type": pol_type,
            "policy_domain": domains[dom_idx[rep]],
            "policy_strings": "version: STSv1\nmode: testing",
            "mx_hosts": "",
            "successful": ok,
            "failed": failed,
            "detail_failed_sum": detail_sum,
            "counts_inconsistent": failed != detail_sum,
        }
    )
    fr = rep[fail_pol]
    dom = dom_idx[fr]
    mx_names = np.array(
        [f"mx{m}.client{d:02d}.example" for d in range(DOMAINS) for m in range(3)], dtype=object
    )
    mx = mx_names[dom * 3 + rng.integers(0, 3, failure_rows)]
    mx[rng.random(failure_rows) < 0.05] = None  # fetch errors name no MX
    ips = np.array([f"192.0.2.{n}" for n in range(1, 255)], dtype=object)
    failures = pd.DataFrame(
        {
            "report_pk": report_pk[fr],
            "org_name": org[fr],
            "report_id": report_id[fr],
            "start": start[fr],
            "end": end[fr],
            "policy_index": pol_index[fail_pol],
            "policy_type": pol_type[fail_pol],
            "policy_domain": domains[dom],
            "result_type": RESULT_TYPES[rng.integers(0, len(RESULT_TYPES), failure_rows)],
            "sending_mta_ip": ips[rng.integers(0, len(ips), failure_rows)],
            "receiving_mx_hostname": mx,
            "receiving_mx_helo": None,
            "receiving_ip": ips[rng.integers(0, len(ips), failure_rows)],
            "failed_sessions": sessions,
            "failure_reason_code": None,
            "additional_information": None,
        }
    )
    return Frames(
        reports=typed_frame(reports, REPORT_COLUMNS),
        policies=typed_frame(policies, POLICY_COLUMNS),
        failures=typed_frame(failures, FAILURE_COLUMNS),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--failures", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also measure Python heap peak (slower)"
    )
    args = parser.parse_args()

    t0 = time.perf_counter()
    frames = build_frames(args.failures)
    built = time.perf_counter() - t0
    frames_mib = (
        sum(
            f.memory_usage(deep=True).sum()
            for f in (frames.reports, frames.policies, frames.failures)
        )
        / 2**20
    )
    rss_before = _maxrss_mib()
    print(
        f"frames: {len(frames.reports):,} reports, {len(frames.policies):,} policy blocks, "
        f"{len(frames.failures):,} failure rows; built in {built:.2f} s; "
        f"{frames_mib:,.0f} MiB in frames; peak RSS so far {rss_before:,.0f} MiB"
    )

    def timed(label: str, run: object) -> None:
        best = float("inf")
        for _ in range(args.repeat):
            t = time.perf_counter()
            result = run()  # type: ignore[operator]
            best = min(best, time.perf_counter() - t)
        print(f"{label}: best of {args.repeat}: {best:.3f} s ({len(result):,} rows/verdicts)")

    timed("enforce_verdicts", lambda: enforce_verdicts(frames, AS_OF))
    timed("daily_sessions", lambda: daily_sessions(frames))
    rss_after = _maxrss_mib()
    print(
        f"peak RSS: {rss_after:,.0f} MiB (analysis added {rss_after - rss_before:,.0f} MiB "
        "over the frames)"
    )
    verdicts = enforce_verdicts(frames, AS_OF)
    statuses = pd.Series([v.status.value for v in verdicts.values()]).value_counts()
    print("verdicts:", ", ".join(f"{k}={v}" for k, v in statuses.items()))

    if args.tracemalloc:
        tracemalloc.start()
        t = time.perf_counter()
        enforce_verdicts(frames, AS_OF)
        elapsed = time.perf_counter() - t
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"enforce_verdicts under tracemalloc: {elapsed:.2f} s, "
            f"peak traced allocation {peak / 2**20:,.0f} MiB"
        )


if __name__ == "__main__":
    main()
