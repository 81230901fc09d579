"""The report's "Since your last assessment" section: the view converted from a comparison, the
template rendered (autoescaped) and printed by WeasyPrint without a warning."""

from __future__ import annotations

import logging
import shutil
import subprocess
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from assessment.diff import diff_runs
from assessment.model import Severity
from assessment.report.brand import Brand, neutral_brand
from assessment.report.fetcher import LocalOnlyFetcher
from assessment.report.locations import TEMPLATES_DIR
from assessment.report.render import brand_css, environment
from assessment.report.since_view import SinceSection, since_section

from .test_diff import POLICY, evidence, finding

HOSTILE = '<img src="file:///etc/passwd">'
WRAPPER = (
    '<!DOCTYPE html><html><head><meta charset="utf-8">'
    '<link rel="stylesheet" href="report.css"><link rel="stylesheet" href="layout.css">'
    "<style>{{ brand_css }}</style></head><body>"
    '{% include "sections/since.html.j2" %}</body></html>'
)


@pytest.fixture(scope="module")
def brand() -> Brand:
    return neutral_brand()


def _section() -> SinceSection:
    before = [
        finding("DMARC_POLICY_NONE", Severity.MEDIUM),
        finding("TLS_CERT_EXPIRING", Severity.LOW, host="mx1.example.test"),
    ]
    after = [
        finding("TLS_CERT_EXPIRING", Severity.HIGH, host="mx1.example.test"),
        finding("MTA_STS_MX_NOT_COVERED", Severity.CRITICAL, host="mx2.example.test"),
    ]
    diff = diff_runs(
        evidence(),
        before,
        evidence(
            mx=("10 mx1.example.test.", "20 mx2.example.test."),
            spf=f"v=spf1 mx -all {HOSTILE}",
        ),
        after,
    )
    return since_section(diff, "2026-01-05")


def _html(section: SinceSection, brand: Brand) -> str:
    view = SimpleNamespace(since=section)
    template = environment(TEMPLATES_DIR).from_string(WRAPPER)
    return template.render(view=view, brand_css=brand_css(brand))


def test_the_view_says_what_changed() -> None:
    section = _section()
    assert section.previous_date == "5 January 2026"
    assert section.headline == (
        "the grade of example.test fell from A to D, 1 problem fixed, 1 new finding, "
        "1 finding changed severity, 1 change to check, 2 published records changed."
    )
    assert section.regressed
    assert [(f.code, f.severity) for f in section.new] == [("MTA_STS_MX_NOT_COVERED", "critical")]
    assert [(f.code, f.before, f.after, f.raised) for f in section.changed] == [
        ("TLS_CERT_EXPIRING", "low", "high", True)
    ]
    assert [f.code for f in section.resolved] == ["DMARC_POLICY_NONE"]
    assert [d.headline for d in section.drift] == [
        "MX records changed but the MTA-STS policy did not"
    ]
    assert [r.what for r in section.records] == ["SPF record", "MX records"]


def test_nothing_changed() -> None:
    diff = diff_runs(evidence(), [], evidence(), [])
    section = since_section(diff, date(2026, 1, 5))
    assert section.nothing_changed
    assert section.headline.startswith("nothing we check has changed;")
    assert not section.regressed


def test_template_escapes_what_the_network_said(brand: Brand) -> None:
    html = _html(_section(), brand)
    assert "Since your last assessment" in html
    assert HOSTILE not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html


def test_long_policy_text_is_cut_in_the_report() -> None:
    long_policy = POLICY + "".join(f"mx: host{i}.example.test\n" for i in range(60))
    diff = diff_runs(evidence(), [], evidence(policy=long_policy, sts_id="2"), [])
    section = since_section(diff, "2026-01-05")
    (policy,) = [r for r in section.records if r.what == "MTA-STS policy"]
    assert len(policy.after) == 300 and policy.after.endswith("…")


def test_pdf_renders_without_warnings(brand: Brand, tmp_path: Path) -> None:
    from weasyprint import HTML

    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    handler = Collect(level=logging.WARNING)
    logging.getLogger("weasyprint").addHandler(handler)
    try:
        out = tmp_path / "since.pdf"
        HTML(
            string=_html(_section(), brand),
            base_url=TEMPLATES_DIR.as_uri() + "/",
            url_fetcher=LocalOnlyFetcher((TEMPLATES_DIR, *brand.roots)),
        ).write_pdf(out)
    finally:
        logging.getLogger("weasyprint").removeHandler(handler)
    assert records == []
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = " ".join(text.split())
    assert "Since your last assessment" in flat
    assert "Compared with the assessment of 5 January 2026" in flat
    assert "MX records changed but the MTA-STS policy did not" in flat
