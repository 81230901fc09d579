"""View model -> HTML (Jinja2) -> PDF (WeasyPrint), with nothing loaded from outside our folders."""

from __future__ import annotations

import itertools
import logging
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from assessment.model import Severity
from assessment.report.brand import Brand
from assessment.report.fetcher import LocalOnlyFetcher
from assessment.report.formatting import long_date
from assessment.report.locations import TEMPLATES_DIR
from assessment.report.svg import sanitize_svg
from assessment.report.view import ReportView

MAIN_TEMPLATE = "report.html.j2"
# WeasyPrint's log is global; serialising renders keeps each RenderResult's warnings its own.
_RENDER_LOCK = threading.Lock()


@dataclass(frozen=True)
class RenderResult:
    path: Path
    pages: int
    warnings: tuple[str, ...]
    """WeasyPrint warnings and errors (missing resources, bad CSS): a clean render has none."""


def environment(templates_dir: Path = TEMPLATES_DIR) -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    charts = itertools.count(1)
    # Each inlined chart gets its own id namespace (see `sanitize_svg`).
    env.filters["svg"] = lambda text: _inline_svg(text, f"chart{next(charts)}-")
    env.filters["longdate"] = _long_date
    env.filters["percent"] = _percent
    env.filters["thousands"] = _thousands
    return env


def render_html(view: ReportView, *, templates_dir: Path = TEMPLATES_DIR) -> str:
    template = environment(templates_dir).get_template(MAIN_TEMPLATE)
    return template.render(view=view, brand_css=brand_css(view.brand))


def render_pdf(
    view: ReportView, out_path: Path, *, templates_dir: Path = TEMPLATES_DIR
) -> RenderResult:
    from weasyprint import HTML  # imported late: it loads Pango/cairo, which is slow

    html = render_html(view, templates_dir=templates_dir)
    fetcher = LocalOnlyFetcher((templates_dir, *view.brand.roots))
    collector = _Collector()
    logger = logging.getLogger("weasyprint")
    with _RENDER_LOCK:
        logger.addHandler(collector)
        try:
            document = HTML(
                string=html, base_url=templates_dir.resolve().as_uri() + "/", url_fetcher=fetcher
            ).render()
            out_path.parent.mkdir(parents=True, exist_ok=True)
            document.write_pdf(out_path)
        finally:
            logger.removeHandler(collector)
    return RenderResult(out_path, len(document.pages), tuple(collector.messages))


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


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


def _inline_svg(text: str, id_prefix: str) -> Markup:
    return Markup(sanitize_svg(text, id_prefix))  # noqa: S704  (sanitised just now)


def _long_date(day: date | None) -> str:
    return long_date(day) if day is not None else "ongoing"


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%" if value < 0.1 else f"{value * 100:.0f}%"


def _thousands(value: int) -> str:
    return f"{value:,}"
