"""Render-time benchmark: a three-domain client, ~30 findings, two SVG charts.

Charts are the fixture's two matplotlib SVG bar charts (the same kind `assessment.tlsrpt.charts`
produces). Prints seconds for: importing WeasyPrint, building the view model, the first render (cold
font loading) and the median of further renders. Not a test; figures are compared by hand.
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "report"))

import report_sample as sample  # noqa: E402

from assessment.model import Severity  # noqa: E402
from assessment.report.brand import load_brand  # noqa: E402
from assessment.report.locations import DEFAULT_BRAND_FILE  # noqa: E402
from assessment.report.sections import Chart  # noqa: E402
from assessment.report.view import build_view  # noqa: E402


def thirty_findings() -> tuple:  # type: ignore[type-arg]
    base = sample.build_findings()
    extra = [
        dataclasses.replace(f, code=f"{f.code}_B", domain=d)
        for f in base
        for d in (sample.MAIN, sample.MARKETING)
        if f.severity in (Severity.HIGH, Severity.MEDIUM, Severity.LOW) and d != f.domain
    ]
    return base + tuple(extra)


def main() -> None:
    t0 = time.perf_counter()
    from assessment.report.render import render_pdf

    imported = time.perf_counter() - t0
    findings = thirty_findings()
    tlsrpt, plan, readiness = sample.build_sections()
    charts = tlsrpt.charts  # type: ignore[attr-defined]
    assert len(charts) == 2 and all(isinstance(c, Chart) for c in charts)
    t1 = time.perf_counter()
    view = build_view(
        sample.build_evidence(),
        findings,
        brand=load_brand(DEFAULT_BRAND_FILE),
        assessed_on=sample.ASSESSED_ON,
        tlsrpt=tlsrpt,
        plan=plan,
        readiness=readiness,
    )
    built = time.perf_counter() - t1
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(4):
            t2 = time.perf_counter()
            result = render_pdf(view, Path(tmp) / f"r{i}.pdf")
            times.append(time.perf_counter() - t2)
    print(f"findings: {len(findings)}, domains: 3, charts: {len(charts)}, pages: {result.pages}")
    print(f"warnings: {len(result.warnings)}")
    print(f"import weasyprint: {imported:.2f} s")
    print(f"build view: {built:.3f} s")
    print(f"first render: {times[0]:.2f} s")
    print(f"median of next {len(times) - 1} renders: {statistics.median(times[1:]):.2f} s")


if __name__ == "__main__":
    main()
