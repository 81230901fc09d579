"""Render-time benchmark: a three-domain client, ~30 findings, two SVG charts.

Charts are the fixture's two matplotlib SVG bar charts (the same kind `assessment.tlsrpt.charts`
produces). Prints seconds for: importing WeasyPrint, building the view model, the first render (cold
font loading) and the median of the next three, then the page count and the process's peak RSS.
Renders show wall and CPU time, and the load average is printed before and after: on a shared
machine wall time swings with other processes, CPU time much less. Not a test; figures are
compared by hand. Target (issue): under 5 s wall per render on the 2-core dev machine.
"""

from __future__ import annotations

import dataclasses
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "report"))

import report_sample as sample  # noqa: E402

from assessment.model import Finding, Severity  # noqa: E402
from assessment.report.brand import load_brand  # noqa: E402
from assessment.report.locations import DEMO_BRAND_FILE  # noqa: E402
from assessment.report.sections import (  # noqa: E402
    Chart,
    PlanSection,
    ReadinessSection,
    TlsRptSection,
)
from assessment.report.view import build_view  # noqa: E402


def thirty_findings() -> tuple[Finding, ...]:
    base = sample.build_findings()
    extra = [
        dataclasses.replace(f, code=f"{f.code}_B", domain=d)
        for f in base
        for d in (sample.MAIN, sample.MARKETING)
        if f.severity in (Severity.HIGH, Severity.MEDIUM, Severity.LOW) and d != f.domain
    ]
    return base + tuple(extra)


RENDERS = 4  # the first (cold: fonts loaded, caches empty) and three warm ones


def main() -> None:
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    import weasyprint  # noqa: F401  (timed on its own: it loads Pango, cairo and HarfBuzz)

    imported = time.perf_counter() - t0
    from assessment.report.render import render_pdf

    findings = thirty_findings()
    tlsrpt, plan, readiness = sample.build_sections()
    # The fixture annotates them as `object`; narrow them to what build_view takes.
    assert isinstance(tlsrpt, TlsRptSection)
    assert isinstance(plan, PlanSection) and isinstance(readiness, ReadinessSection)
    charts = tlsrpt.charts
    assert len(charts) == 2 and all(isinstance(c, Chart) for c in charts)
    t1 = time.perf_counter()
    view = build_view(
        sample.build_evidence(),
        findings,
        brand=load_brand(DEMO_BRAND_FILE),
        assessed_on=sample.ASSESSED_ON,
        tlsrpt=tlsrpt,
        plan=plan,
        readiness=readiness,
    )
    built = time.perf_counter() - t1
    wall: list[float] = []
    cpu: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(RENDERS):
            w, c = time.perf_counter(), time.process_time()
            result = render_pdf(view, Path(tmp) / f"r{i}.pdf")
            wall.append(time.perf_counter() - w)
            cpu.append(time.process_time() - c)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    warm = len(wall) - 1
    print(
        f"machine: {os.cpu_count()} CPUs, load average {_load(load_before)} before, "
        f"{_load(os.getloadavg())} after"
    )
    print(
        f"report: {len(findings)} findings, 3 domains, {len(charts)} charts, "
        f"{result.pages} pages, {len(result.warnings)} warnings"
    )
    print(f"import weasyprint       {imported:6.2f} s")
    print(f"build view              {built:6.3f} s")
    print(f"first render            {wall[0]:6.2f} s wall  {cpu[0]:5.2f} s CPU")
    print(
        f"median of next {warm}       {statistics.median(wall[1:]):6.2f} s wall  "
        f"{statistics.median(cpu[1:]):5.2f} s CPU   "
        f"(wall: {', '.join(f'{t:.2f}' for t in wall[1:])})"
    )
    print(f"pages                   {result.pages:6d}")
    print(f"peak RSS                {peak_mb:6.0f} MB")


def _load(avg: tuple[float, float, float]) -> str:
    return " ".join(f"{x:.2f}" for x in avg)


if __name__ == "__main__":
    main()
