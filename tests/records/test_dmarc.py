import pytest
from hypothesis import given, settings

from assessment.records.dmarc import (
    Alignment,
    DmarcRecord,
    Policy,
    PsdFlag,
    is_dmarc_record,
    parse_dmarc,
)

from .strategies import assert_problems_well_formed, codes, record_texts

TYPICAL = [
    "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com",
    "v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc@example.com; "
    "ruf=mailto:dmarc@example.com; fo=1",
    "v=DMARC1; p=reject; sp=reject; adkim=s; aspf=s; "
    "rua=mailto:a@example.com,mailto:b@vendor.example!10m",
    "v=DMARC1;p=reject;np=reject;t=n;psd=n;rua=mailto:x@example.com;",
    "v = DMARC1 ; p = none ; rua = mailto:x@example.com",
]


def test_typical_record() -> None:
    record = parse_dmarc(TYPICAL[2])
    assert record.version_ok and record.valid
    assert record.p is Policy.REJECT and record.sp is Policy.REJECT and record.np is None
    assert record.adkim is Alignment.STRICT and record.aspf is Alignment.STRICT
    assert [u.address for u in record.rua] == ["a@example.com", "b@vendor.example"]
    assert record.rua[1].host == "vendor.example"
    assert record.rua[1].size_limit == 10 * 1024 * 1024
    assert record.problems == ()
    assert record.tags[0] == ("v", "DMARC1")


@pytest.mark.parametrize("text", TYPICAL)
def test_typical_records_are_valid(text: str) -> None:
    record = parse_dmarc(text)
    assert record.valid, record.problems
    assert is_dmarc_record(text)


def test_removed_tags_are_read_and_noted() -> None:
    record = parse_dmarc("v=DMARC1; p=quarantine; pct=25; rf=afrf; ri=86400; fo=0:d")
    assert record.pct == 25 and record.rf == ("afrf",) and record.ri == 86400
    assert record.fo == ("0", "d")
    assert codes(record.problems) == ["DMARC_REMOVED_TAG"] * 3


def test_dmarcbis_tags() -> None:
    record = parse_dmarc("v=DMARC1; p=reject; np=quarantine; t=y; psd=u")
    assert record.np is Policy.QUARANTINE
    assert record.t is True
    assert record.psd is PsdFlag.UNKNOWN


def test_selection() -> None:
    assert is_dmarc_record("v=DMARC1; p=none")
    assert is_dmarc_record("V=DMARC1;p=none")
    assert is_dmarc_record("v=DMARC1")
    assert not is_dmarc_record("v=dmarc1; p=none")
    assert not is_dmarc_record(" v=DMARC1; p=none")
    assert not is_dmarc_record("p=none; v=DMARC1")
    assert not is_dmarc_record("v=DMARC10; p=none")
    assert not is_dmarc_record("v=spf1 -all")


def test_missing_policy_defaults_to_none() -> None:
    record = parse_dmarc("v=DMARC1; rua=mailto:x@example.com")
    assert record.p is None
    assert record.policy_or_default is Policy.NONE
    assert codes(record.problems) == ["DMARC_MISSING_POLICY"]


@pytest.mark.parametrize(
    ("text", "code", "token"),
    [
        ("v=dmarc1; p=none", "DMARC_BAD_VERSION", "dmarc1"),
        ("v=DMARC2; p=none", "DMARC_BAD_VERSION", "DMARC2"),
        ("p=none; v=DMARC1", "DMARC_VERSION_NOT_FIRST", "v=DMARC1"),
        ("p=reject", "DMARC_NOT_DMARC", None),
        (" v=DMARC1; p=none", "DMARC_LEADING_WHITESPACE", " "),
        ("v=DMARC1; p=rejected", "DMARC_BAD_POLICY", "rejected"),
        ("v=DMARC1; p=none; sp=block", "DMARC_BAD_SUBDOMAIN_POLICY", "block"),
        ("v=DMARC1; p=none; np=0", "DMARC_BAD_NP_POLICY", "0"),
        ("v=DMARC1; p=none; p=reject", "DMARC_DUPLICATE_TAG", "p=reject"),
        ("v=DMARC1; p=none; pct=abc", "DMARC_BAD_PCT", "abc"),
        ("v=DMARC1; p=none; pct=150", "DMARC_PCT_OUT_OF_RANGE", "150"),
        ("v=DMARC1; p=none; adkim=strict", "DMARC_BAD_ALIGNMENT", "strict"),
        ("v=DMARC1; p=none; fo=2", "DMARC_BAD_FO", "2"),
        ("v=DMARC1; p=none; rf=iodef", "DMARC_BAD_RF", "iodef"),
        ("v=DMARC1; p=none; ri=1d", "DMARC_BAD_RI", "1d"),
        ("v=DMARC1; p=none; ri=99999999999", "DMARC_BAD_RI", "99999999999"),
        ("v=DMARC1; p=none; t=true", "DMARC_BAD_TESTING", "true"),
        ("v=DMARC1; p=none; psd=yes", "DMARC_BAD_PSD", "yes"),
        ("v=DMARC1; p=none; rua=", "DMARC_EMPTY_URI_LIST", "rua="),
        ("v=DMARC1; p=none; rua=dmarc@example.com", "DMARC_URI_NO_SCHEME", "dmarc@example.com"),
        (
            "v=DMARC1; p=none; rua=https://r.example.com/x",
            "DMARC_URI_NOT_MAILTO",
            "https://r.example.com/x",
        ),
        ("v=DMARC1; p=none; rua=mailto:x@example.com!10q", "DMARC_BAD_SIZE_LIMIT", "!10q"),
        ("v=DMARC1; p=none; rua=mailto:x@", "DMARC_BAD_URI", "mailto:x@"),
        (
            "v=DMARC1; p=none; rua:mailto:x@example.com",
            "DMARC_TAG_SYNTAX",
            "rua:mailto:x@example.com",
        ),
        ("v=DMARC1; p=none;; rua=mailto:x@example.com", "DMARC_EMPTY_TAG", ""),
        ("v=DMARC1, p=none", "DMARC_BAD_SEPARATOR", ", p="),
        ("v=DMARC1; p=none; x=“y”", "DMARC_BAD_CHARACTER", "“"),
        ("v=DMARC1; p=none; custom=1", "DMARC_UNKNOWN_TAG", "custom=1"),
        (
            "v=DMARC1; p=none; ruff=mailto:x@example.com",
            "DMARC_TAG_TYPO",
            "ruff=mailto:x@example.com",
        ),
        ("v=DMARC1; rua=mailto:x@example.com; p=none", "DMARC_POLICY_NOT_SECOND", "p=none"),
        ("v=DMARC1; p=none; pct=100", "DMARC_REMOVED_TAG", "pct=100"),
    ],
)
def test_problem_detection(text: str, code: str, token: str | None) -> None:
    record = parse_dmarc(text)
    matching = [p for p in record.problems if p.code == code]
    assert matching, (code, record.problems)
    problem = matching[0]
    assert problem.token == token
    if token:
        assert problem.position is not None
        assert text[problem.position :].startswith(token)


def test_bad_version_and_order_make_record_invalid() -> None:
    for text in ("v=dmarc1; p=reject", "p=reject; v=DMARC1"):
        record = parse_dmarc(text)
        assert not record.version_ok
        assert not record.valid


def test_duplicate_keeps_first_value() -> None:
    record = parse_dmarc("v=DMARC1; p=reject; p=none")
    assert record.p is Policy.REJECT


def test_colon_instead_of_equals_is_explained() -> None:
    record = parse_dmarc("v=DMARC1; p=none; rua:mailto:x@example.com")
    assert "instead of `=`" in record.problems[0].message
    assert record.rua == ()


def test_case_insensitive_tag_names_and_keywords() -> None:
    record = parse_dmarc("v=DMARC1; P=Reject; ADKIM=S")
    assert record.p is Policy.REJECT
    assert record.adkim is Alignment.STRICT


@settings(max_examples=300, deadline=None)
@given(record_texts(TYPICAL))
def test_parser_never_raises_and_result_is_well_typed(text: str) -> None:
    record = parse_dmarc(text)
    assert isinstance(record, DmarcRecord)
    assert_problems_well_formed(text, record.problems, "dmarc")
    assert record.p is None or isinstance(record.p, Policy)
    assert record.pct is None or isinstance(record.pct, int)
    for uri in record.rua + record.ruf:
        assert text[uri.position :].startswith(uri.raw)
    assert isinstance(record.valid, bool)
