"""The demo client's questionnaire notes as the client reads them: rendered to PDF, read back
with pdftotext. No contradiction phrases, UK instruments, at most two pages."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import pytest

from assessment.readiness import EvidenceStatus, assess_readiness
from assessment.report.brand import neutral_brand
from assessment.report.readiness_view import readiness_section
from assessment.report.render import render_pdf
from assessment.report.sections import ReadinessSection
from assessment.report.view import build_view

from .conftest import Gathered
from .test_rules import ABSENCE_OR_BREAKAGE
from .test_status import consistent

pytestmark = pytest.mark.slow

LABELS = {s.label: s for s in EvidenceStatus}


@pytest.fixture(scope="module")
def uk(demo: Gathered) -> ReadinessSection:
    return readiness_section(assess_readiness(demo.evidence, demo.findings, country="GB"))


@pytest.fixture(scope="module")
def pages(
    demo: Gathered, uk: ReadinessSection, tmp_path_factory: pytest.TempPathFactory
) -> list[str]:
    """The text of the readiness pages only."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    view = build_view(
        demo.evidence,
        demo.findings,
        brand=neutral_brand(),
        assessed_on=date(2026, 12, 4),
        readiness=uk,
    )
    out = tmp_path_factory.mktemp("readiness") / "report.pdf"
    result = render_pdf(view, out)
    assert result.warnings == ()
    text = subprocess.run(
        ["pdftotext", str(result.path), "-"], check=True, capture_output=True, text=True
    ).stdout
    all_pages = text.split("\f")
    start = next(
        i for i, p in enumerate(all_pages) if re.search(r"^\s*Questionnaire readiness\s*$", p, re.M)
    )
    end = next(i for i, p in enumerate(all_pages) if re.search(r"^\s*Appendix\s*$", p, re.M))
    return all_pages[start:end]


def flat(pages: list[str]) -> str:
    return " ".join(" ".join(pages).split())


def test_at_most_two_pages(pages: list[str]) -> None:
    assert 1 <= len(pages) <= 2, len(pages)


def test_no_contradiction_phrases(pages: list[str]) -> None:
    text = flat(pages)
    for phrase in (
        "Not ready",
        "Partially ready",
        "Needs your confirmation",
        "evidence reads",
        "Ready",
        "Security:",
        "Deliverability: Ready",
    ):
        assert phrase not in text, phrase


def test_uk_instruments_and_cyber_essentials_statement(pages: list[str]) -> None:
    text = flat(pages)
    assert "Cyber Essentials has no email authentication requirement" in text
    assert "NCSC" in text and "TMHCC §6c" in text
    assert "United Kingdom" in text
    for foreign in ("BOD 18-01", "ISM-", "SCuBA", "Essential Eight"):
        assert foreign not in text, foreign


def test_facts_are_printed_once_and_plainly(pages: list[str]) -> None:
    text = flat(pages)
    assert "DMARC published, monitoring only (p=none)." in text
    assert "SPF published, ends in ~all (soft fail)." in text
    assert "MTA-STS in testing mode" in text
    # The old notes repeated the whole record evidence on every row (about ten times): now a
    # record's text is never printed, and a fact at most once per lens.
    assert "include:spf.protection.outlook.com" not in text
    assert "v=DMARC1" not in text
    assert text.count("brightsmiledental.example: DMARC published, monitoring only") == 2
    assert "`" not in text


def test_every_status_word_is_a_known_label(pages: list[str], uk: ReadinessSection) -> None:
    text = flat(pages)
    for group in uk.groups:
        assert group.status in text
        for row in group.rows:
            assert row.status in LABELS


def test_rows_never_contradict_their_section(uk: ReadinessSection) -> None:
    for group in uk.groups:
        rows = tuple(LABELS[row.status] for row in group.rows)
        assert consistent(LABELS[group.status], rows), (group.title, group.status, rows)


def test_not_in_place_is_never_said_beside_a_present_record(uk: ReadinessSection) -> None:
    for group in uk.groups:
        for row in group.rows:
            if LABELS[row.status] is EvidenceStatus.NOT_IN_PLACE:
                for fact in row.facts:
                    assert ABSENCE_OR_BREAKAGE.search(fact.text), (row.topic, fact.text)
