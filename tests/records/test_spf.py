from pathlib import Path

import pytest
from hypothesis import given, settings

from assessment.records.problem import ProblemLevel
from assessment.records.spf import (
    Qualifier,
    SpfRecord,
    TermKind,
    is_spf_record,
    parse_spf,
    spf_size_problems,
)

from .strategies import assert_problems_well_formed, codes, record_texts

FIXTURES = Path(__file__).parents[1] / "fixtures" / "records"
VALID = [
    line.rstrip("\n") for line in (FIXTURES / "spf_valid.txt").read_text().splitlines() if line
]


def errors(record: SpfRecord) -> list[str]:
    return [p.code for p in record.problems if p.level is ProblemLevel.ERROR]


@pytest.mark.parametrize("text", VALID)
def test_realistic_records_have_no_errors(text: str) -> None:
    record = parse_spf(text)
    assert record.version_ok
    assert errors(record) == []
    assert record.valid


def test_microsoft_365_record() -> None:
    record = parse_spf("v=spf1 include:spf.protection.outlook.com -all")
    assert record.problems == ()
    assert record.includes == ("spf.protection.outlook.com",)
    assert record.all_qualifier is Qualifier.FAIL
    assert [t.raw for t in record.lookup_terms] == ["include:spf.protection.outlook.com"]
    include = record.terms[0]
    assert include.kind is TermKind.MECHANISM
    assert include.qualifier is Qualifier.PASS
    assert include.position == 7


def test_mixed_record_terms() -> None:
    record = parse_spf(VALID[2])
    ip4, ip6 = record.terms[0], record.terms[1]
    assert (ip4.name, ip4.value, ip4.cidr4, ip4.cidr6) == ("ip4", "203.0.113.0", 24, None)
    assert (ip6.name, ip6.value, ip6.cidr4, ip6.cidr6) == ("ip6", "2001:db8:1::", None, 48)
    assert len(record.lookup_terms) == 5
    assert record.all_qualifier is Qualifier.FAIL
    assert not record.has_macros


def test_dual_cidr_on_a_and_mx() -> None:
    record = parse_spf("v=spf1 a/24//64 mx:mx.example.com//64 -all")
    a, mx = record.terms[0], record.terms[1]
    assert (a.value, a.cidr4, a.cidr6) == (None, 24, 64)
    assert (mx.value, mx.cidr4, mx.cidr6) == ("mx.example.com", None, 64)


def test_redirect_and_exp_helpers() -> None:
    record = parse_spf("v=spf1 mx -all exp=explain._spf.%{d}")
    assert record.exp == "explain._spf.%{d}"
    assert record.redirect is None
    assert record.has_macros
    redirected = parse_spf("v=spf1 redirect=_spf.example.com")
    assert redirected.redirect == "_spf.example.com"
    assert redirected.all_qualifier is None
    assert [t.name for t in redirected.lookup_terms] == ["redirect"]
    assert redirected.terms[0].kind is TermKind.MODIFIER
    assert redirected.terms[0].qualifier is None


def test_selection_rule() -> None:
    assert is_spf_record("v=spf1 -all")
    assert is_spf_record("v=spf1")
    assert is_spf_record("V=SPF1 -all")
    assert not is_spf_record("v=spf10 -all")
    assert not is_spf_record("v=spf1a")
    assert not is_spf_record(" v=spf1 -all")
    assert not is_spf_record("spf2.0/pra -all")
    assert not is_spf_record("v=spf1\t-all")


@pytest.mark.parametrize("text", ["v=spf10 -all", "v=spf1a -all", "spf1 -all", "", "v=DMARC1"])
def test_bad_version_yields_no_terms(text: str) -> None:
    record = parse_spf(text)
    assert not record.version_ok
    assert record.terms == ()
    assert "SPF_BAD_VERSION" in codes(record.problems)


def test_upper_case_version_is_info() -> None:
    record = parse_spf("V=SPF1 mx -all")
    assert codes(record.problems) == ["SPF_VERSION_CASE"]
    assert record.valid


def test_leading_whitespace_and_quotes() -> None:
    record = parse_spf(" v=spf1 -all")
    assert codes(record.problems) == ["SPF_LEADING_WHITESPACE"]
    assert not record.version_ok
    assert record.terms[0].name == "all"
    quoted = parse_spf('"v=spf1 -all"')
    assert "SPF_BAD_VERSION" in codes(quoted.problems)


@pytest.mark.parametrize(
    ("text", "code", "token"),
    [
        ("v=spf1 inlcude:_spf.google.com -all", "SPF_UNKNOWN_MECHANISM", "inlcude:_spf.google.com"),
        ("v=spf1 ip:192.0.2.1 -all", "SPF_UNKNOWN_MECHANISM", "ip:192.0.2.1"),
        ("v=spf1 +-all", "SPF_UNKNOWN_MECHANISM", "+-all"),
        ("v=spf1 ip4:192.0.2.256 -all", "SPF_BAD_IP4", "192.0.2.256"),
        ("v=spf1 ip4:192.0.2.01 -all", "SPF_BAD_IP4", "192.0.2.01"),
        ("v=spf1 ip4:mail.example.com -all", "SPF_BAD_IP4", "mail.example.com"),
        ("v=spf1 ip6:2001:db8::zz -all", "SPF_BAD_IP6", "2001:db8::zz"),
        ("v=spf1 ip6:fe80::1%eth0 -all", "SPF_BAD_IP6", "fe80::1%eth0"),
        ("v=spf1 ip4:2001:db8::1 -all", "SPF_IP_VERSION_MISMATCH", "2001:db8::1"),
        ("v=spf1 ip6:192.0.2.1 -all", "SPF_IP_VERSION_MISMATCH", "192.0.2.1"),
        ("v=spf1 ip4:192.0.2.0/33 -all", "SPF_BAD_CIDR", "/33"),
        ("v=spf1 ip4:192.0.2.0/024 -all", "SPF_BAD_CIDR", "/024"),
        ("v=spf1 ip6:2001:db8::/129 -all", "SPF_BAD_CIDR", "/129"),
        ("v=spf1 ip4:192.0.2.0/ -all", "SPF_BAD_CIDR", "/"),
        ("v=spf1 a/33 -all", "SPF_BAD_CIDR", "/33"),
        ("v=spf1 mx//129 -all", "SPF_BAD_CIDR", "//129"),
        ("v=spf1 a:example.com/24/64 -all", "SPF_BAD_CIDR", "/24/64"),
        ("v=spf1 include -all", "SPF_MISSING_ARGUMENT", "include"),
        ("v=spf1 include: -all", "SPF_MISSING_ARGUMENT", ""),
        ("v=spf1 exists -all", "SPF_MISSING_ARGUMENT", "exists"),
        ("v=spf1 ip4 -all", "SPF_MISSING_ARGUMENT", "ip4"),
        ("v=spf1 -all redirect=", "SPF_MISSING_ARGUMENT", "redirect="),
        ("v=spf1 all:example.com", "SPF_UNEXPECTED_ARGUMENT", "all:example.com"),
        ("v=spf1 include:example.com/24 -all", "SPF_UNEXPECTED_ARGUMENT", "/24"),
        ("v=spf1 ptr/24 -all", "SPF_UNEXPECTED_ARGUMENT", "/24"),
        ("v=spf1 include:localhost -all", "SPF_BAD_DOMAIN_SPEC", "localhost"),
        ("v=spf1 include:example..com -all", "SPF_BAD_DOMAIN_SPEC", "example..com"),
        ("v=spf1 a:192.0.2.1 -all", "SPF_BAD_DOMAIN_SPEC", "192.0.2.1"),
        ("v=spf1 exists:%{i}.x%{d}q -all", "SPF_BAD_DOMAIN_SPEC", "%{i}.x%{d}q"),
        ("v=spf1 exists:%{x}.example.com -all", "SPF_BAD_MACRO", "%{x}"),
        ("v=spf1 exists:%{i0}.example.com -all", "SPF_BAD_MACRO", "%{i0}"),
        ("v=spf1 exists:%{i;}.example.com -all", "SPF_BAD_MACRO", "%{i;}"),
        ("v=spf1 exists:%{i.example.com -all", "SPF_BAD_MACRO", "%{i.example.com"),
        ("v=spf1 exists:100%.example.com -all", "SPF_BAD_MACRO", "%."),
        ("v=spf1 exists:%{c}.example.com -all", "SPF_MACRO_EXP_ONLY", "%{c}"),
        ("v=spf1 -all exp=%{t}.example.com", "SPF_MACRO_EXP_ONLY", "%{t}"),
        ("v=spf1 exists:%{p}.example.com -all", "SPF_PTR_MACRO", "%{p}"),
        (
            "v=spf1 -all exp=a.example.com exp=b.example.com",
            "SPF_DUPLICATE_MODIFIER",
            "exp=b.example.com",
        ),
        (
            "v=spf1 redirect=a.example.com redirect=b.example.com",
            "SPF_DUPLICATE_MODIFIER",
            "redirect=b.example.com",
        ),
        ("v=spf1 -all foo=bar", "SPF_UNKNOWN_MODIFIER", "foo=bar"),
        ("v=spf1 redirec=_spf.example.com", "SPF_MODIFIER_TYPO", "redirec=_spf.example.com"),
        ("v=spf1 include=_spf.google.com -all", "SPF_MODIFIER_TYPO", "include=_spf.google.com"),
        ("v=spf1 -all 9x=1", "SPF_BAD_MODIFIER_NAME", "9x=1"),
        ("v=spf1 -exp=x.example.com", "SPF_UNKNOWN_MECHANISM", "-exp=x.example.com"),
        ("v=spf1 _x=1 -all", "SPF_BAD_MODIFIER_NAME", "_x=1"),
        ("v=spf1 -all mx", "SPF_TERMS_AFTER_ALL", "mx"),
        (
            "v=spf1 mx -all redirect=_spf.example.com",
            "SPF_REDIRECT_IGNORED",
            "redirect=_spf.example.com",
        ),
        (
            "v=spf1 redirect=_spf.example.com mx",
            "SPF_REDIRECT_NOT_LAST",
            "redirect=_spf.example.com",
        ),
        ("v=spf1 ptr -all", "SPF_PTR_MECHANISM", "ptr"),
        ("v=spf1 ptr:example.com -all", "SPF_PTR_MECHANISM", "ptr:example.com"),
        ("v=spf1 +all", "SPF_PASS_ALL", "+all"),
        ("v=spf1 mx all", "SPF_PASS_ALL", "all"),
        ("v=spf1 ip4:0.0.0.0/0 -all", "SPF_IP_ALL_ADDRESSES", "ip4:0.0.0.0/0"),
        ("v=spf1 ip6:::/0 -all", "SPF_IP_ALL_ADDRESSES", "ip6:::/0"),
        ("v=spf1 ip4:192.0.2.1/24 -all", "SPF_IP_HOST_BITS", "192.0.2.1"),
        ("v=spf1  mx -all", "SPF_BAD_WHITESPACE", "  "),
        ("v=spf1 mx\t-all", "SPF_CONTROL_CHARACTER", "\t"),
        ("v=spf1 mx\u00a0-all", "SPF_NON_ASCII", "\u00a0"),
        ("v=spf1 mx –all", "SPF_NON_ASCII", "–"),
    ],
)
def test_problem_detection(text: str, code: str, token: str) -> None:
    record = parse_spf(text)
    matching = [p for p in record.problems if p.code == code]
    assert matching, (code, record.problems)
    problem = matching[0]
    assert problem.token == token
    assert problem.position is not None
    assert text[problem.position :].startswith(token)


def test_unknown_mechanism_suggests_the_right_name() -> None:
    record = parse_spf("v=spf1 inlcude:_spf.google.com -all")
    assert "did you mean `include`" in record.problems[0].message
    assert not record.valid
    assert not record.terms[0].valid
    assert record.terms[1].valid


def test_trailing_spaces_are_allowed() -> None:
    assert parse_spf("v=spf1 -all   ").problems == ()


def test_redirect_is_not_counted_when_all_is_present() -> None:
    record = parse_spf("v=spf1 mx -all redirect=_spf.example.com")
    assert [t.name for t in record.lookup_terms] == ["mx"]


def test_valid_macros_are_accepted() -> None:
    record = parse_spf("v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} include:%{d2}.x.example -all")
    assert record.problems == ()
    assert record.has_macros


def test_size_helper() -> None:
    short = "v=spf1 -all"
    assert spf_size_problems(short) == ()
    long_record = "v=spf1 " + " ".join(f"ip4:192.0.2.{i}" for i in range(30)) + " -all"
    assert 450 < len(long_record) <= 512
    assert [p.code for p in spf_size_problems(long_record)] == ["SPF_RECORD_LONG"]
    longer = long_record + " ip4:198.51.100.1" * 5
    assert [p.code for p in spf_size_problems(longer)] == ["SPF_RECORD_TOO_LONG"]
    assert "SPF_RECORD_TOO_LONG" in codes(parse_spf(longer).problems)


def test_problems_are_in_reading_order() -> None:
    record = parse_spf("v=spf1 ptr inlcude:x.example.com ip4:1.2.3.4/99 +all mx")
    positions = [p.position for p in record.problems if p.position is not None]
    assert positions == sorted(positions)


@settings(max_examples=300, deadline=None)
@given(record_texts([*VALID, "v=spf1 ip4:192.0.2.0/24 a:%{d}/24//64 exp=x.%{d} foo=%{l}"]))
def test_parser_never_raises_and_result_is_well_typed(text: str) -> None:
    record = parse_spf(text)
    assert isinstance(record, SpfRecord)
    assert record.text == text
    assert_problems_well_formed(text, record.problems, "spf")
    for term in record.terms:
        assert text[term.position :].startswith(term.raw)
        assert isinstance(term.kind, TermKind)
        assert term.qualifier is None or isinstance(term.qualifier, Qualifier)
        assert term.cidr4 is None or 0 <= term.cidr4 <= 32
        assert term.cidr6 is None or 0 <= term.cidr6 <= 128
    assert isinstance(record.lookup_terms, tuple)
    assert isinstance(record.valid, bool)
