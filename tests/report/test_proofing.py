"""The rendered text reads as written: no doubled punctuation, no stray Markdown, no sandbox
details in a real report, and every acronym and record tag explained in the glossary."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import report_sample as sample

from assessment.report.brand import Brand
from assessment.report.glossary import GLOSSARY, ORDINARY_WORDS, explained
from assessment.report.proofing import proofread, prose, terms_used, unexplained
from assessment.report.render import render_pdf
from assessment.report.view import build_view

pytestmark = pytest.mark.slow


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    args = ["pdftotext", str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def sample_text(brand: Brand, tmp_path_factory: pytest.TempPathFactory) -> str:
    tlsrpt, plan, readiness = sample.build_sections()
    view = build_view(
        sample.build_evidence(),
        sample.build_findings(),
        brand=brand,
        assessed_on=sample.ASSESSED_ON,
        tlsrpt=tlsrpt,  # type: ignore[arg-type]
        plan=plan,  # type: ignore[arg-type]
        readiness=readiness,  # type: ignore[arg-type]
    )
    out = tmp_path_factory.mktemp("proof") / "report.pdf"
    return pdf_text(render_pdf(view, out).path)


# ------------------------------------------------------------------------------ the rules


@pytest.mark.parametrize(
    ("bad", "rule"),
    [
        ("The verdict: not ready to enforce.. (observed 4 Dec)", "doubled full stop"),
        ("insurers (Hiscox, Travelers, At-Bay, Cork).)", "doubled closing punctuation"),
        ("add a `redir` for this host", "stray backtick"),
        ("it is **required** here", "literal Markdown"),
        ("see [the guide](https://example.com)", "literal Markdown"),
        ("publish the the record", "doubled word"),
        ("resolver 127.0.0.1:47132 answered", "loopback address"),
        ("GET https://mta-sts.example.com:39385/.well-known/mta-sts.txt", "port after a host name"),
        ("220 mx.example.com ESMTP mailposture sandbox", "sandbox banner"),
        ("issuer OU=Testing CA #x5J4,O=Example", "test CA"),
    ],
)
def test_each_rule_catches_its_slip(bad: str, rule: str) -> None:
    assert rule in {slip.rule for slip in proofread(bad)}


@pytest.mark.parametrize(
    "good",
    [
        "Wait… and see... then publish.",
        "Fix mail.example.com. Then re-test (in a week).",
        "Use v=spf1 -all and p=reject.",
        "The server at 192.0.2.10 on port 25 answered.",
        "Pass\nPass\nFail",  # table cells, one per line
        "AD no no",
    ],
)
def test_good_text_passes(good: str) -> None:
    assert proofread(good) == []


def test_a_word_doubled_across_a_wrapped_line_is_caught() -> None:
    wrapped = "This long line of ordinary prose goes on and on until it wraps after the\nthe next"
    assert [s.rule for s in proofread(wrapped)] == ["doubled word"]


def test_sandbox_rules_only_for_real_runs() -> None:
    lab = "resolver 127.0.0.1:47132, 220 mx ESMTP mailposture sandbox"
    assert proofread(lab, real_run=False) == []
    assert len(proofread(lab, real_run=True)) >= 2


def test_prose_leaves_out_quoted_observations_and_raw_evidence() -> None:
    text = "\f".join(
        [
            "EMAIL SECURITY ASSESSMENT",  # the cover
            "Findings\nObserved: OU=Example CA\nWhy it matters. SPF is weak.",
            "B. Raw evidence\nSOA ns1.example\nB. Glossary\nDNS",
        ]
    )
    kept = prose(text)
    assert "OU=" not in kept and "SOA" not in kept and "ASSESSMENT" not in kept
    assert "SPF is weak." in kept and "DNS" in kept


# ------------------------------------------------------------------------------ the sample


def test_sample_report_has_no_slips(sample_text: str) -> None:
    # The sample is not a demo: the sandbox rules apply too.
    assert [str(s) for s in proofread(sample_text, real_run=True)] == []


def test_every_term_the_sample_uses_is_in_the_glossary(sample_text: str) -> None:
    used = terms_used(prose(sample_text))
    assert {"SPF", "DKIM", "DMARC", "MTA-STS", "TLS-RPT", "p=", "rua="} <= used  # it reads
    assert unexplained(prose(sample_text)) == frozenset()


# ------------------------------------------------------------------------------ the glossary


def test_the_glossary_check_can_fail() -> None:
    assert unexplained("We checked the XYZZY record and its qq=1 tag.") == {"XYZZY", "qq="}
    assert unexplained("See ISM-0861 and MS.EXO.4.1v1 (Q12).") == frozenset()


def test_glossary_has_the_terms_the_issue_asked_for() -> None:
    terms = {e.term.lower() for e in GLOSSARY}
    for wanted in ("rua", "alignment", "ad bit", "max_age", "policy id", "tlsa record"):
        assert wanted in terms, wanted
    assert any("selector" in t for t in terms)
    assert {"rua=", "adkim=", "aspf=", "id=", "p=", "AD", "TLSA"} <= explained()


def test_glossary_is_plain_english_and_explains_itself() -> None:
    for entry in GLOSSARY:
        assert 20 <= len(entry.meaning) <= 330, entry.term
        assert entry.meaning.endswith("."), entry.term
        # An entry may only lean on terms the glossary explains.
        assert unexplained(entry.meaning) == frozenset(), entry.term
        assert not proofread(entry.meaning), entry.term
    assert len({e.term.lower() for e in GLOSSARY}) == len(GLOSSARY)
    assert not ORDINARY_WORDS & explained()


def test_glossary_prints_the_entries_the_report_needs(sample_text: str) -> None:
    # Two entries a row: every entry's term stands in the glossary, and the glossary holds
    # the entries for the terms the report uses (and only those).
    glossary = " ".join(sample_text.split("B. Glossary")[-1].split())
    used = terms_used(prose(sample_text.split("B. Glossary")[0]))
    needed = [e for e in GLOSSARY if e.tokens & used]
    assert needed
    for entry in needed:
        assert entry.term in glossary, entry.term
    assert "S/MIME" not in glossary  # nothing in the sample mentions it
