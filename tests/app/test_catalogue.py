"""docs/findings.md is generated from the catalogue and must not drift from it."""

from __future__ import annotations

import re
from pathlib import Path

from assessment.checks.catalogue import CATALOGUE, render_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "findings.md"


def test_docs_findings_is_in_sync() -> None:
    assert DOC.read_text(encoding="utf-8") == render_markdown(), (
        "regenerate: python -m assessment.checks.catalogue > docs/findings.md"
    )


def test_codes_are_stable_identifiers_with_complete_wording() -> None:
    for code, rule in CATALOGUE.items():
        assert re.fullmatch(r"[A-Z][A-Z0-9_]+", code)
        assert rule.code == code
        for text in (rule.title, rule.detail, rule.why, rule.fix):
            assert text.strip(), code
        assert rule.refs, code
