"""View model -> HTML (Jinja2) -> PDF (WeasyPrint), with nothing loaded from outside our folders."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Final

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from assessment.model import Severity
from assessment.report.brand import Brand
from assessment.report.formatting import long_date
from assessment.report.glossary import in_columns
from assessment.report.locations import TEMPLATES_DIR
from assessment.report.pdf import BackgroundRender, RenderResult, html_to_pdf
from assessment.report.proofing import glossary_for
from assessment.report.svg import sanitize_svg
from assessment.report.view import ReportView

MAIN_TEMPLATE = "report.html.j2"
EVIDENCE_TEMPLATE = "evidence.html.j2"


def environment(templates_dir: Path = TEMPLATES_DIR) -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["svg"] = _svg_filter
    env.filters["longdate"] = _long_date
    env.filters["shortdate"] = _short_date
    env.filters["percent"] = _percent
    env.filters["thousands"] = _thousands
    env.filters["code"] = code_spans
    env.filters["hostname"] = hostname
    env.filters["utc"] = _utc
    return env


_CODE_SPAN = re.compile(r"`([^`\n]{1,400})`")

# Line breaking in names. UAX #14 (which Pango follows) allows a break after a hyphen and none
# after a dot, so `backup-mx.harbourit.example` broke as `backup-` / `mx...` and a long name in
# a narrow cell fell through to `overflow-wrap: anywhere` (`mail.protection.o` / `utlook.com`).
# The fix is two invisible characters: a zero-width space after each dot and slash (a break
# opportunity) and a word joiner after each hyphen (no break). Both are default-ignorable, so
# HarfBuzz draws nothing for them and pdftotext does not see them: the PDF's text is the name.
ZWSP: Final = "\u200b"
WORD_JOINER: Final = "\u2060"
# Not between two digits: `12.5` and an IPv4 address stay whole.
_NAME_BREAK = re.compile(r"(/|(?<!\d)\.|\.(?!\d))(?=[^\s./\u200b])|(-)(?=[^\s\u2060])")
# A host name (two or more labels, the last of two or more characters starting with a letter,
# so `e.g.` is not one) or an http(s) URL, as it appears in running text. Matched on escaped
# text: `&amp;` and its kind have no dot.
_NAME_IN_TEXT = re.compile(
    r"https?://[^\s<>\"'`]+[^\s<>\"'`.,;:)]"
    r"|(?<![\w.-])(?:\w(?:[\w-]{0,61}\w)?\.)+[^\W\d_][\w-]{1,62}(?![\w-])"
)


def break_name(name: str) -> str:
    """`name` with break opportunities after dots and slashes and none at hyphens."""
    return _NAME_BREAK.sub(lambda m: (m.group(1) and m.group(1) + ZWSP) or "-" + WORD_JOINER, name)


def hostname(text: object) -> Markup:
    """A host name, e.g. an MX, or a URL: breaks only after a dot or a slash. Escaped."""
    return Markup(break_name(str(escape(str(text)))))  # noqa: S704  (escaped just now)


# Elements whose whole text is a name, a file name or a record: every template marks them with
# one of these classes, so they break like names without each template applying the filter.
_MARKED_NAME = re.compile(
    r'(<(?:span|td|p)\b[^>]*\bclass="(?:domain|code|record)"[^>]*>)([^<]+)(?=<)'
)


def _break_marked_names(html: str) -> str:
    return _MARKED_NAME.sub(lambda m: m.group(1) + break_name(m.group(2)), html)


def _keep_acronyms_whole(html: str) -> str:
    """`MTA-STS` and `TLS-RPT` never break at their hyphen, in template text too."""
    return html.replace("MTA-STS", "MTA-" + WORD_JOINER + "STS").replace(
        "TLS-RPT", "TLS-" + WORD_JOINER + "RPT"
    )


def _break_names(escaped: str) -> str:
    return _NAME_IN_TEXT.sub(lambda m: break_name(m.group(0)), escaped)


def code_spans(text: object) -> Markup:
    """Text with `backtick` spans set as code, and host names and URLs that break only after
    a dot or a slash. Escapes first, so record text or a hostile server's words can never
    become markup: only our own <code> tags are added."""
    escaped = _break_names(str(escape(str(text))))
    return Markup(_CODE_SPAN.sub(r"<code>\1</code>", escaped))  # noqa: S704


def _utc(stamp: object) -> str:
    """`2026-11-28T19:02:20.559Z` -> `28 Nov 2026 19:02 UTC`; other text unchanged."""
    text = str(stamp)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return f"{moment:%d %b %Y %H:%M} UTC"


@functools.lru_cache(maxsize=4)
def _shared_environment(templates_dir: Path) -> Environment:
    """One environment per templates folder, so each template is compiled once per process
    (compiling them all took about 0.13 s of every render). The loader still notices a
    template file that changed and recompiles it."""
    return environment(templates_dir)


def render_html(
    view: ReportView, *, templates_dir: Path = TEMPLATES_DIR, template: str = MAIN_TEMPLATE
) -> str:
    compiled = _shared_environment(templates_dir).get_template(template)
    # The chart counter belongs to this render, not to the shared environment.
    html = compiled.render(view=view, brand_css=brand_css(view.brand), chart_ids=itertools.count(1))
    return _keep_acronyms_whole(_break_marked_names(html))


def render_pdf(
    view: ReportView,
    out_path: Path,
    *,
    templates_dir: Path = TEMPLATES_DIR,
    template: str = MAIN_TEMPLATE,
) -> RenderResult:
    if template == MAIN_TEMPLATE:
        view = _with_glossary_in_use(view, templates_dir)
    html = render_html(view, templates_dir=templates_dir, template=template)
    return html_to_pdf(html, out_path, templates_dir=templates_dir, brand_roots=view.brand.roots)


def render_report_and_evidence(
    view: ReportView,
    report_path: Path,
    evidence_path: Path,
    *,
    templates_dir: Path = TEMPLATES_DIR,
) -> tuple[RenderResult, RenderResult]:
    """The report and its evidence file; the evidence file renders in a helper process
    meanwhile (see `assessment.report.pdf`), or here after the report if the helper fails."""
    roots = view.brand.roots
    evidence_html = render_html(view, templates_dir=templates_dir, template=EVIDENCE_TEMPLATE)
    helper = BackgroundRender(
        evidence_html, evidence_path, templates_dir=templates_dir, brand_roots=roots
    )
    try:
        report = render_pdf(view, report_path, templates_dir=templates_dir)
    finally:
        evidence = helper.result()
    if evidence is None:
        evidence = html_to_pdf(
            evidence_html, evidence_path, templates_dir=templates_dir, brand_roots=roots
        )
    return report, evidence


def _with_glossary_in_use(view: ReportView, templates_dir: Path) -> ReportView:
    """The view with a glossary of the terms the report's text uses (rendering the HTML
    without a glossary first costs about 0.05 s; the PDF is the slow part)."""
    bare = dataclasses.replace(
        view, appendix=dataclasses.replace(view.appendix, glossary_columns=())
    )
    entries = glossary_for(render_html(bare, templates_dir=templates_dir))
    return dataclasses.replace(
        view, appendix=dataclasses.replace(view.appendix, glossary_columns=in_columns(entries))
    )


def brand_css(brand: Brand) -> Markup:
    """CSS for the brand's fonts and colours.

    Safe to mark up: colours and family names were validated by `load_brand` against narrow
    patterns, and file URIs from `Path.as_uri` are percent-encoded (no quotes or parentheses).
    """
    c = brand.colours
    lines = [
        f"@font-face {{ font-family: '{face.family}'; src: url('{face.path.resolve().as_uri()}');"
        f" font-weight: {face.weight}; font-style: {face.style}; }}"
        for face in brand.fonts.faces
    ]
    variables = {
        "primary": c.primary,
        "accent": c.accent,
        "text": c.text,
        "muted": c.muted,
        "tint": c.tint,
        "good": c.good,
        **{f"sev-{s.value}": c.severity.of(s) for s in Severity},
        "font-body": f"'{brand.fonts.body}', sans-serif",
        "font-heading": f"'{brand.fonts.heading}', serif",
        "font-mono": f"'{brand.fonts.mono}', monospace",
    }
    lines.append(":root { " + " ".join(f"--{k}: {v};" for k, v in variables.items()) + " }")
    return Markup("\n".join(lines))  # noqa: S704  (validated values only, see docstring)


@pass_context
def _svg_filter(context: Context, text: str) -> Markup:
    # Each inlined chart gets its own id namespace (see `sanitize_svg`), numbered per render.
    chart_ids: Iterator[int] = context["chart_ids"]
    return _inline_svg(text, f"chart{next(chart_ids)}-")


def _inline_svg(text: str, id_prefix: str) -> Markup:
    return Markup(sanitize_svg(text, id_prefix))  # noqa: S704  (sanitised just now)


def _short_date(value: object) -> str:
    return f"{value.day} {value:%b %Y}" if isinstance(value, date) else str(value)


def _long_date(day: date | None) -> str:
    return long_date(day) if day is not None else "ongoing"


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%" if value < 0.1 else f"{value * 100:.0f}%"


def _thousands(value: int) -> str:
    return f"{value:,}"
