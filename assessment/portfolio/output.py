"""The portfolio's three files: `portfolio.csv` (one row per client and domain, for a
spreadsheet), `portfolio.html` and `portfolio.pdf` (the same table for reading).

Rendering follows the report's safety rules: Jinja2 autoescapes every value (domain names and
errors can carry hostile text) with undefined names an error, and WeasyPrint loads only local
files under report_templates/ and the brand's folder. CSV cells that a spreadsheet would run
as a formula are quoted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from assessment.portfolio.jobs import ClientOutcome
from assessment.portfolio.summary import NO_MAIL, DomainRow
from assessment.report.brand import Brand, consultant_brand_file, load_brand, neutral_brand
from assessment.report.locations import DEMO_BRAND_FILE, TEMPLATES_DIR
from assessment.report.pdf import html_to_pdf
from assessment.report.render import brand_css, environment
from assessment.workspace import write_atomic

TEMPLATE = "portfolio.html.j2"
CSV_COLUMNS = (
    "client",
    "domain",
    "status",
    "grade",
    "previous_grade",
    "spoofable",
    "transport_protected",
    "mta_sts_phase",
    "dmarc_policy",
    "days_since_clean_tlsrpt_day",
    "next_plan_date",
    "next_step",
    "changes_since_previous_run",
    "regressed",
    "regressions",
    "run_folder",
    "report_pdf",
    "error",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHOWN_CHANGES = 4
"""Change items a table cell shows; the CSV keeps them all."""


@dataclass(frozen=True)
class PortfolioFiles:
    folder: Path
    csv: Path
    html: Path
    pdf: Path
    warnings: tuple[str, ...]
    """WeasyPrint warnings: a clean render has none."""


# ------------------------------------------------------------------ CSV


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A cell starting like a formula runs as one when the file is opened in a spreadsheet.
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_text(outcomes: Sequence[ClientOutcome]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for outcome in outcomes:
        for row in outcome.rows:
            values = (
                row.client,
                row.domain,
                row.status,
                row.grade,
                row.previous_grade,
                row.spoofable,
                row.transport_protected,
                row.mta_sts_phase,
                row.dmarc_policy,
                "" if row.clean_tlsrpt_days is None else row.clean_tlsrpt_days,
                row.next_plan_date,
                row.next_step,
                "; ".join(row.changes),
                "yes" if row.regressed else "no",
                "; ".join(row.regressions),
                outcome.run_dir,
                outcome.pdf,
                outcome.error,
            )
            writer.writerow([_cell(v) for v in values])
    return buffer.getvalue()


# ------------------------------------------------------------------ view


@dataclass(frozen=True)
class RowView:
    client: str
    first_of_client: bool
    client_rows: int
    domain: str
    failed: bool
    absent: str
    """Why the domain has no verdicts (it does not exist, every lookup failed); "" if it has."""
    grade: str
    previous_grade: str
    spoofable: str
    spoofable_class: str
    protected: str
    protected_class: str
    phase: str
    dmarc: str
    tlsrpt: str
    next_date: str
    next_step: str
    changes: tuple[str, ...]
    more_changes: int
    regressed: bool


@dataclass(frozen=True)
class AttentionView:
    client: str
    kind: str
    """"regressed" or "failed"."""
    lines: tuple[str, ...]


@dataclass(frozen=True)
class PortfolioView:
    brand: Brand
    logo_uri: str
    title: str
    created: str
    clients: int
    domains: int
    regressed: int
    failed: int
    attention: tuple[AttentionView, ...]
    rows: tuple[RowView, ...]
    demo: bool


_SPOOF_CLASS = {"Yes": "bad", "Partly": "warn", "No": "good"}
_PROTECTED_CLASS = {"Yes": "good", "Partly": "warn", "No": "bad", NO_MAIL: "none"}


def _tlsrpt_text(row: DomainRow) -> str:
    if row.clean_tlsrpt_days is None:
        return row.tlsrpt_note
    days = row.clean_tlsrpt_days
    return "1 day" if days == 1 else f"{days} days"


_NOT_ASSESSED = {
    "missing": "The domain does not exist (NXDOMAIN): ask the client whether it is still "
    "theirs, or take it out of client.toml",
    "unassessable": "Could not be assessed: every lookup failed",
}


def _row_view(row: DomainRow, first: bool, count: int) -> RowView:
    failed = row.status == "failed"
    absent = _NOT_ASSESSED.get(row.status)
    return RowView(
        client=row.client,
        first_of_client=first,
        client_rows=count,
        domain=row.domain,
        failed=failed,
        absent=absent or "",
        grade=row.grade or ("" if failed else "\u2013"),
        previous_grade=row.previous_grade
        if row.previous_grade and row.previous_grade != row.grade
        else "",
        spoofable="" if absent else row.spoofable,
        spoofable_class=_SPOOF_CLASS.get(row.spoofable, "unknown"),
        protected="" if absent else row.transport_protected,
        protected_class=_PROTECTED_CLASS.get(row.transport_protected, "unknown"),
        phase="" if absent else row.mta_sts_phase,
        dmarc=row.dmarc_policy,
        tlsrpt=_tlsrpt_text(row) if not (failed or absent) else "",
        next_date=f"{date.fromisoformat(row.next_plan_date):%d %b %Y}"
        if row.next_plan_date
        else "",
        next_step=row.next_step,
        changes=row.changes[:SHOWN_CHANGES],
        more_changes=max(0, len(row.changes) - SHOWN_CHANGES),
        regressed=row.regressed,
    )


def portfolio_view(
    outcomes: Sequence[ClientOutcome], brand: Brand, created: datetime, *, demo: bool = False
) -> PortfolioView:
    rows: list[RowView] = []
    attention: list[AttentionView] = []
    for outcome in outcomes:
        for index, row in enumerate(outcome.rows):
            rows.append(_row_view(row, index == 0, len(outcome.rows)))
        if outcome.failed:
            attention.append(AttentionView(outcome.name, "failed", (outcome.error,)))
        elif outcome.regressed:
            attention.append(AttentionView(outcome.name, "regressed", outcome.regressions))
    return PortfolioView(
        brand=brand,
        logo_uri=brand.logo.as_uri() if brand.logo is not None else "",
        title=f"Email security across {len(outcomes)} clients",
        created=f"{created:%d %B %Y, %H:%M} UTC",
        clients=len(outcomes),
        domains=sum(len(o.rows) for o in outcomes if not o.failed),
        regressed=sum(1 for o in outcomes if o.regressed),
        failed=sum(1 for o in outcomes if o.failed),
        attention=tuple(attention),
        rows=tuple(rows),
        demo=demo,
    )


# ------------------------------------------------------------------ HTML and PDF


def consultant_brand(data_dir: Path, *, demo: bool = False) -> Brand:
    """The consultant's brand (`mailposture brand init`), as the client reports use it; the
    fictional demo firm for a book assessed against the sandbox; unbranded without either.
    A broken brand file raises `BrandError`: the portfolio does not start."""
    if demo:
        return load_brand(DEMO_BRAND_FILE)
    own = consultant_brand_file(data_dir)
    return load_brand(own) if own.is_file() else neutral_brand()


def render_html(view: PortfolioView, templates_dir: Path = TEMPLATES_DIR) -> str:
    template = environment(templates_dir).get_template(TEMPLATE)
    return template.render(view=view, brand_css=brand_css(view.brand))


def render_pdf(
    html: str, brand: Brand, out: Path, templates_dir: Path = TEMPLATES_DIR
) -> tuple[str, ...]:
    """Write the PDF; return WeasyPrint's warnings."""
    return html_to_pdf(html, out, templates_dir=templates_dir, brand_roots=brand.roots).warnings


def write_portfolio(
    folder: Path,
    outcomes: Sequence[ClientOutcome],
    brand: Brand,
    created: datetime,
    *,
    demo: bool = False,
) -> PortfolioFiles:
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = write_atomic(folder / "portfolio.csv", csv_text(outcomes))
    html = render_html(portfolio_view(outcomes, brand, created, demo=demo))
    html_path = write_atomic(folder / "portfolio.html", html)
    pdf_path = folder / "portfolio.pdf"
    warnings = render_pdf(html, brand, pdf_path)
    if warnings:
        write_atomic(folder / "render-warnings.txt", "\n".join(warnings) + "\n")
    return PortfolioFiles(folder, csv_path, html_path, pdf_path, warnings)
