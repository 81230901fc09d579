"""End-to-end: view model -> HTML -> PDF, read back with pdftotext."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import report_sample as sample

from assessment.report.brand import Brand, neutral_brand
from assessment.report.locations import TEMPLATES_DIR
from assessment.report.pdf import BackgroundRender
from assessment.report.render import (
    EVIDENCE_TEMPLATE,
    RenderResult,
    brand_css,
    code_spans,
    hostname,
    render_html,
    render_pdf,
    render_report_and_evidence,
)
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


def test_only_the_vendored_fonts_are_embedded(rendered: RenderResult) -> None:
    # A glyph missing from IBM Plex would pull in a system font (DejaVu, here) silently.
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    listing = subprocess.run(
        ["pdffonts", str(rendered.path)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    names = {line.split()[0].split("+", 1)[1] for line in listing}
    assert names and all(name.startswith("IBM-Plex-") for name in names), names
    assert all(line.split()[-4:-2] == ["yes", "yes"] for line in listing)  # embedded, subset


def test_file_names_keep_their_case_and_acronyms_stay_whole(rendered: RenderResult) -> None:
    text = pdf_text(rendered.path)
    assert "mta-sts-enforce.txt" in text and "parked-domain.zone" in text
    assert "MTA-STS-ENFORCE.TXT" not in text and "PARKED-DOMAIN.ZONE" not in text
    assert not re.search(r"(MTA|TLS)-\s*\n", text)
    # The break opportunities are invisible characters: none may reach the PDF's text, or a
    # name copied out of the report would not work in DNS.
    html = render_html(make_view(neutral_brand()))
    assert "\u200b" in html and "\u2060" in html
    assert "\u200b" not in text and "\u2060" not in text


def test_neutral_report_names_no_firm(tmp_path: Path) -> None:
    view = make_view(neutral_brand())
    html = render_html(view)
    assert "contact-card" not in html and "cover-band" not in html
    result = render_pdf(view, tmp_path / "neutral.pdf")
    assert result.warnings == ()
    text = pdf_text(result.path)
    cover = text.split("\f")[0]
    assert "Prepared by" not in cover and sample.CLIENT in cover
    for firm_word in ("Northwind", "Alex Morgan", "Harbour Row", "Questions about this report"):
        assert firm_word not in text
    assert "DEMO" not in text


def test_demo_cover_says_demo(brand: Brand, tmp_path: Path) -> None:
    view = build_view(
        sample.build_evidence(),
        sample.build_findings(),
        brand=brand,
        assessed_on=sample.ASSESSED_ON,
        demo=True,
    )
    result = render_pdf(view, tmp_path / "demo.pdf")
    pages = pdf_text(result.path).split("\f")
    assert "DEMO" in pages[0] and "fictional client" in pages[0]
    assert "DEMO · Northwind Security Partners" in pages[2]  # the running head, every page


def test_names_break_only_after_dots(tmp_path: Path) -> None:
    # A column too narrow for the whole name: it must wrap after a dot, never at a hyphen
    # and never inside a label.
    from weasyprint import HTML

    from assessment.report.locations import TEMPLATES_DIR

    names = ("brightsmiledental-example.mail.protection.outlook.com", "backup-mx.harbourit.example")
    cells = "".join(f"<p>{hostname(n)}</p><p>see {code_spans(n)} here</p>" for n in names)
    faces = brand_css(neutral_brand())
    html = (
        f"<html><head><style>{faces} p {{ width: 30mm; font-family: var(--font-body); }}"
        f"</style></head><body>{cells}</body></html>"
    )
    out = tmp_path / "names.pdf"
    HTML(string=html, base_url=TEMPLATES_DIR.as_uri() + "/").write_pdf(out)
    lines = [line.strip() for line in pdf_text(out, layout=False).splitlines() if line.strip()]
    joined = " ".join(lines)
    for name in names:
        assert name in squash(joined)
    assert not any(line.endswith("-") for line in lines), lines
    labels = {label for n in names for label in n.split(".")}
    for line in lines:
        for word in line.replace("see ", "").replace(" here", "").split():
            pieces = [p for p in word.split(".") if p]
            assert all(p in labels or p == "see" or p == "here" for p in pieces), line
    assert len(lines) > 4  # the names did wrap


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

    # As a run renders them: the evidence file in the helper process, with its own fetcher.
    result, evidence = render_report_and_evidence(
        view, tmp_path / "hostile.pdf", tmp_path / "hostile-evidence.pdf"
    )
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


def test_the_evidence_file_comes_out_the_same_from_the_helper_or_from_here(
    brand: Brand, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = make_view(brand)
    helped = render_report_and_evidence(view, tmp_path / "a.pdf", tmp_path / "a-evidence.pdf")
    # No interpreter to start the helper with: the evidence file is rendered here instead.
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    alone = render_report_and_evidence(view, tmp_path / "b.pdf", tmp_path / "b-evidence.pdf")
    for one, other in zip(helped, alone, strict=True):
        assert one.pages == other.pages > 1 and one.warnings == other.warnings == ()
        assert pdf_text(one.path) == pdf_text(other.path)


def test_a_helper_that_fails_gives_no_result_not_an_error(brand: Brand, tmp_path: Path) -> None:
    html = render_html(make_view(brand), template=EVIDENCE_TEMPLATE)
    done = BackgroundRender(html, tmp_path / "evidence.pdf", templates_dir=TEMPLATES_DIR)
    result = done.result()
    assert result is not None and result.pages > 1 and result.path.is_file()
    # A folder holds its output's name: the helper renders, cannot save, and exits with an
    # error; the caller gets no result (and renders here), and the job file is gone.
    (tmp_path / "taken.pdf").mkdir()
    failed = BackgroundRender(html, tmp_path / "taken.pdf", templates_dir=TEMPLATES_DIR)
    assert failed.result() is None
    # Its output folder cannot even be made: no helper is started at all.
    (tmp_path / "a-file").write_text("x")
    nowhere = tmp_path / "a-file" / "e.pdf"
    unstarted = BackgroundRender(html, nowhere, templates_dir=TEMPLATES_DIR)
    assert unstarted.result() is None
    assert not list(tmp_path.glob(".*.job"))
