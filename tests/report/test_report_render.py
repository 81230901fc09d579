"""End-to-end: view model -> HTML -> PDF, read back with pdftotext."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import report_sample as sample

from assessment.report.brand import Brand
from assessment.report.render import RenderResult, render_evidence_pdf, render_html, render_pdf
from assessment.report.view import ReportView, build_view

pytestmark = pytest.mark.slow

SECTION_HEADINGS = (
    "At a glance",
    "Can someone send email that looks like it comes from you?",
    "Can email sent to you be read or diverted on its way?",
    "What to do first",
    "Findings",
    "TLS-RPT analysis",
    "Rollout plan",
    "Appendix",
    "A. How we assessed, and how the grade works",
    "B. Glossary",
    "C. About this report",
)


def pdf_text(path: Path, *, layout: bool = True) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    args = ["pdftotext", "-layout", str(path), "-"] if layout else ["pdftotext", str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def squash(text: str) -> str:
    """Drop all whitespace: wrapped lines break long tokens at arbitrary points."""
    return re.sub(r"\s+", "", text)


def make_view(brand: Brand, hostile: str = "") -> ReportView:
    tlsrpt, plan, readiness = sample.build_sections(hostile)
    return build_view(
        sample.build_evidence(hostile),
        sample.build_findings(hostile),
        brand=brand,
        assessed_on=sample.ASSESSED_ON,
        tlsrpt=tlsrpt,  # type: ignore[arg-type]
        plan=plan,  # type: ignore[arg-type]
        readiness=readiness,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def rendered(brand: Brand, tmp_path_factory: pytest.TempPathFactory) -> RenderResult:
    out = tmp_path_factory.mktemp("report") / "report.pdf"
    return render_pdf(make_view(brand), out)


def test_renders_without_warnings(rendered: RenderResult) -> None:
    assert rendered.path.is_file()
    assert rendered.warnings == ()
    assert rendered.pages >= 6


def test_key_sections_in_pdf_text(rendered: RenderResult) -> None:
    text = pdf_text(rendered.path)
    assert sample.CLIENT in text
    plain = squash(pdf_text(rendered.path, layout=False))
    for heading in SECTION_HEADINGS:
        assert squash(heading) in plain, heading
    assert "No DMARC record: anyone can send mail as this domain" in text
    assert "Page 2 of" in text
    assert "Northwind Security Partners" in text
    # The 300-character token is printed in full (wrapped, never clipped).
    assert sample.LONG_TOKEN in squash(text)


def test_summary_fits_one_page_and_opens_with_the_questions(rendered: RenderResult) -> None:
    pages = pdf_text(rendered.path).split("\f")
    assert "At a glance" in pages[1] and "What to do first" in pages[1]
    assert pages[1].index("Can someone send email") < pages[1].index("What to do first")
    assert "Findings" in pages[2].splitlines()[2] or pages[2].lstrip().count("Findings")


def test_page_references_point_at_their_sections(rendered: RenderResult) -> None:
    pages = pdf_text(rendered.path).split("\f")
    match = re.search(r"findings start on page (\d+)", " ".join(pages[1].split()))
    assert match, pages[1]
    assert "Each card is one problem to fix" in pages[int(match.group(1)) - 1]


def test_optional_sections_are_left_out(brand: Brand) -> None:
    view = build_view(
        sample.build_evidence(),
        sample.build_findings(),
        brand=brand,
        assessed_on=sample.ASSESSED_ON,
    )
    html = render_html(view)
    assert 'id="tlsrpt"' not in html and 'id="plan"' not in html and 'id="readiness"' not in html
    assert 'id="appendix"' in html


# --------------------------------------------------------------------------- injection


class _Canary(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Canary.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def canary() -> Iterator[tuple[int, list[str]]]:
    _Canary.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], _Canary.hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def hostile_text(port: int) -> str:
    base = f"http://127.0.0.1:{port}"
    return (
        f'<script>alert(1)</script> <img src="{base}/canary.png"> '
        f"<link rel=stylesheet href={base}/x.css> "
        f"<style>@import url({base}/y.css)</style> url({base}/z)"
    )


def test_canary_server_works(canary: tuple[int, list[str]]) -> None:
    import urllib.request

    port, hits = canary
    urllib.request.urlopen(f"http://127.0.0.1:{port}/selftest", timeout=5).close()
    assert hits == ["/selftest"]


def test_hostile_text_is_printed_not_executed(
    brand: Brand, canary: tuple[int, list[str]], tmp_path: Path
) -> None:
    port, hits = canary
    hostile = hostile_text(port)
    view = make_view(brand, hostile)

    html = render_html(view)
    assert hostile not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<img src="http://' not in html and "<link rel=stylesheet" not in html

    result = render_pdf(view, tmp_path / "hostile.pdf")
    evidence = render_evidence_pdf(view, tmp_path / "hostile-evidence.pdf")
    assert result.warnings == () and evidence.warnings == ()
    assert hits == [], f"renderer fetched {hits}"

    text = squash(pdf_text(result.path, layout=False) + pdf_text(evidence.path, layout=False))
    needle = squash(hostile)
    # Planted in a TXT record, the policy body, the SMTP banner, evidence, a reporter name
    # and a plan artefact: every one is printed literally.
    assert text.count(needle) >= 4
    for fragment in (
        "<script>alert(1)</script>",
        f"http://127.0.0.1:{port}/canary.png",
        "@import",
        f"url(http://127.0.0.1:{port}/z)",
    ):
        assert squash(fragment) in text
