"""Every form, question number and control id the notes cite has a source, and the sources
page in docs/ is the one generated from the data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assessment.readiness.instruments import BY_KEY, INSTRUMENTS, sources_markdown
from assessment.readiness.items import CONFIRMATIONS, ITEMS, Rule, Section
from assessment.readiness.rules import RULES
from assessment.readiness.sources import Cite, Provenance

DOC = Path(__file__).parents[2] / "docs" / "readiness-sources.md"

# Shapes of the ids the instruments use; a printed token of one of these shapes must be a
# declared id of some instrument.
ID_SHAPES = re.compile(
    r"§\s?\d+[a-z]?"
    r"|\bQ\d{1,4}[a-z]?\b"
    r"|\bISM-\d{4}\b"
    r"|\bMS\.EXO\.\d+\.\d+v\d\b"
    r"|\bRS\d+\b"
    r"|\bF\d{5}\b"
    r"|\bCYB-\d{5}\b"
    r"|\bA\.\d(?:\.\d)+\b"
    r"|\bAPP\.\d\.\d\.A\d+\b"
    r"|\b(?:CIS|PCI DSS) \d+(?:\.\d+)+\b"
    r"|\bDATA-\d\d\b"
    r"|\bMFA-\d\b"
)


def all_cites() -> list[Cite]:
    return [c for item in ITEMS for c in item.cites] + [
        c for conf in CONFIRMATIONS for c in conf.cites
    ]


def known_labels() -> set[str]:
    return {inst.cite_label(ref) for inst in INSTRUMENTS for ref in (*inst.ids, "")}


def undeclared_ids(text: str) -> list[str]:
    labels = " | ".join(sorted(known_labels()))
    return [m.group(0) for m in ID_SHAPES.finditer(text) if m.group(0) not in labels]


def test_every_citation_names_a_declared_instrument_and_id() -> None:
    for cite in all_cites():
        assert cite.instrument in BY_KEY, cite
        inst = BY_KEY[cite.instrument]
        assert cite.ref == "" or cite.ref in inst.ids, cite
        # Statement-only instruments (Cyber Essentials) are never mapped to items.
        assert not inst.statement, cite


def test_every_instrument_has_a_source_with_provenance() -> None:
    keys = [i.key for i in INSTRUMENTS]
    assert len(keys) == len(set(keys))
    for inst in INSTRUMENTS:
        assert inst.sources, inst.key
        assert inst.name and inst.scope and inst.short, inst.key
        for source in inst.sources:
            assert isinstance(source.provenance, Provenance)
            assert source.url or source.note, inst.key
            assert source.url == "" or re.match(r"https?://[^\s]+$", source.url), source.url
    # A reader can open a source of every instrument, except the one known only second-hand
    # from a published control list (the research note names no URL for it).
    without_url = {i.key for i in INSTRUMENTS if not any(s.url for s in i.sources)}
    assert without_url == {"bsi-grundschutz"}
    for key in without_url:
        inst = BY_KEY[key]
        assert all(s.provenance is not Provenance.PRIMARY and s.note for s in inst.sources)


def test_every_declared_id_is_cited_somewhere() -> None:
    """No id is listed as a source without the notes using it (the list would rot)."""
    cited = {(c.instrument, c.ref) for c in all_cites()}
    for inst in INSTRUMENTS:
        for ref in inst.ids:
            assert (inst.key, ref) in cited, (inst.key, ref)


def test_items_are_complete() -> None:
    keys = [i.key for i in ITEMS]
    assert len(keys) == len(set(keys))
    assert set(RULES) == set(Rule)
    assert {i.section for i in ITEMS} == set(Section)
    for item in ITEMS:
        assert item.cites and item.topic, item.key
    assert len({c.key for c in CONFIRMATIONS}) == len(CONFIRMATIONS)
    for conf in CONFIRMATIONS:
        assert conf.cites and conf.usual_evidence, conf.key


def test_printed_texts_cite_only_declared_ids() -> None:
    """Topics, checklist lines and statements are free text: an id slipped into one must be
    a declared one."""
    texts = [i.topic for i in ITEMS] + [f"{c.topic} {c.usual_evidence}" for c in CONFIRMATIONS]
    texts += [f"{s.heading} {s.intro}" for s in Section]
    texts += [i.statement for i in INSTRUMENTS]
    for text in texts:
        assert undeclared_ids(text) == [], text


@pytest.mark.parametrize(
    "text", ["See Beazley Q7 and ISM-9999.", "CIS 9.9 asks for it", "TMHCC §6z", "RS9 signal"]
)
def test_the_id_scan_catches_an_undeclared_id(text: str) -> None:
    assert undeclared_ids(text)


def test_the_id_scan_passes_declared_ids() -> None:
    assert undeclared_ids("TMHCC §6c · ISM-1540 · SCuBA MS.EXO.4.2v1 · Cork RS7 · CIS 9.5") == []


def test_sources_page_is_generated_from_the_data() -> None:
    assert DOC.read_text(encoding="utf-8") == sources_markdown(), (
        "docs/readiness-sources.md is stale: python -m assessment.readiness > "
        "docs/readiness-sources.md"
    )


def test_sources_page_lists_every_cited_id_and_points_nowhere_private() -> None:
    text = DOC.read_text(encoding="utf-8")
    for cite in all_cites():
        inst = BY_KEY[cite.instrument]
        assert inst.name in text
        if cite.ref:
            assert f"`{inst.cite_label(cite.ref)}`" in text, cite
    assert "../shared" not in text and "/work/" not in text


def test_cyber_essentials_is_stated_as_not_covering_email_authentication() -> None:
    ce = BY_KEY["cyber-essentials"]
    assert "no email authentication requirement" in ce.statement
    assert not ce.ids
