from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.records.mtasts import (
    MxPattern,
    StsMode,
    StsPolicy,
    StsTxt,
    is_sts_record,
    mx_pattern_matches,
    parse_sts_policy,
    parse_sts_txt,
    render_sts_policy,
)

from .strategies import assert_problems_well_formed, codes, record_texts

FIXTURES = Path(__file__).parents[1] / "fixtures" / "records" / "mtasts"


def policy_fixture(name: str) -> str:
    return (FIXTURES / f"{name}.txt").read_bytes().decode("utf-8")


# --------------------------------------------------------------------- TXT record


def test_txt_record() -> None:
    record = parse_sts_txt("v=STSv1; id=20240115T120000;")
    assert record.valid and record.version_ok
    assert record.version == "STSv1"
    assert record.id == "20240115T120000" and record.id_valid
    assert record.problems == ()


def test_txt_selection() -> None:
    assert is_sts_record("v=STSv1; id=1")
    assert is_sts_record("v=STSv1;id=1")
    assert not is_sts_record("v=STSv1 ; id=1")
    assert not is_sts_record("v=stsv1; id=1")
    assert not is_sts_record(" v=STSv1; id=1")
    assert not is_sts_record("v=spf1 -all")


@pytest.mark.parametrize(
    ("text", "code", "token"),
    [
        ("v=STSv1 ; id=1", "STS_VERSION_SPACE", " ;"),
        ("v=stsv1; id=1", "STS_NOT_STS", "v=stsv1; id="),
        ("v=STSv1;", "STS_MISSING_ID", None),
        ("v=STSv1; id=2024-01-01T00:00", "STS_BAD_ID", "2024-01-01T00:00"),
        ("v=STSv1; id=" + "a" * 33, "STS_BAD_ID", "a" * 33),
        ("v=STSv1; id=", "STS_BAD_ID", ""),
        ("v=STSv1; id=1; id=2", "STS_DUPLICATE_FIELD", "id=2"),
        ("v=STSv1; id=1; ext=ok", "STS_UNKNOWN_FIELD", "ext=ok"),
        ("v=STSv1; id = 1", "STS_BAD_FIELD", "id = 1"),
        ("v=STSv1; id=1;; x=y", "STS_EMPTY_FIELD", ""),
        ("v=STSv1; id=1 x=y", "STS_BAD_SEPARATOR", " x="),
        ("v=STSv1; id=1; junk", "STS_BAD_FIELD", "junk"),
    ],
)
def test_txt_problems(text: str, code: str, token: str | None) -> None:
    record = parse_sts_txt(text)
    matching = [p for p in record.problems if p.code == code]
    assert matching, (code, record.problems)
    if token:
        position = matching[0].position
        assert position is not None
        assert text[position:].startswith(token)


def test_txt_first_id_wins() -> None:
    record = parse_sts_txt("v=STSv1; id=first; id=second")
    assert record.id == "first"


def test_txt_upper_case_id_is_unknown() -> None:
    record = parse_sts_txt("v=STSv1; ID=abc")
    assert record.id is None
    assert "case-sensitive" in record.problems[0].message
    assert "STS_MISSING_ID" in codes(record.problems)


# ------------------------------------------------------------------------- policy


def test_enforce_policy_with_crlf() -> None:
    policy = parse_sts_policy(policy_fixture("enforce_crlf"))
    assert policy.problems == ()
    assert policy.valid
    assert policy.version == "STSv1"
    assert policy.mode is StsMode.ENFORCE
    assert policy.max_age == 1209600
    assert policy.mx == (
        MxPattern("mail.example.com", 3, True),
        MxPattern("*.mx.example.net", 4, True),
    )
    assert policy.matches("MAIL.example.com.")
    assert policy.matches("a.mx.example.net")
    assert not policy.matches("a.b.mx.example.net")


def test_testing_policy_with_lf() -> None:
    policy = parse_sts_policy(policy_fixture("testing_lf"))
    assert policy.problems == ()
    assert policy.mode is StsMode.TESTING


def test_none_policy_needs_no_mx_and_no_final_newline() -> None:
    policy = parse_sts_policy(policy_fixture("none_no_mx"))
    assert policy.problems == ()
    assert policy.mode is StsMode.NONE and policy.mx == ()


def test_mixed_line_endings_are_fine() -> None:
    text = "version: STSv1\r\nmode: enforce\nmx: mail.example.com\r\nmax_age:86400\n"
    assert parse_sts_policy(text).problems == ()


def test_broken_policy_reports_line_numbers() -> None:
    policy = parse_sts_policy(policy_fixture("broken"))
    found = {(p.code, p.position) for p in policy.problems}
    assert ("STS_POLICY_BOM", 1) in found
    assert ("STS_POLICY_BAD_MODE", 2) in found
    assert ("STS_POLICY_BAD_LINE", 3) in found
    assert ("STS_POLICY_BAD_MX", 4) in found
    assert ("STS_POLICY_MAX_AGE_RANGE", 5) in found
    assert ("STS_POLICY_KEY_TYPO", 6) in found
    assert ("STS_POLICY_BLANK_LINE", 7) in found
    assert ("STS_POLICY_DUPLICATE_KEY", 8) in found
    assert policy.version == "STSv1"
    assert policy.mode is None
    assert policy.max_age == 31557601
    assert not policy.valid
    assert policy.mx == (MxPattern("mail.*.example.com", 4, False),)


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("", "STS_POLICY_EMPTY", None),
        ("mode: none\nmax_age: 1\n", "STS_POLICY_MISSING_VERSION", None),
        ("version: STSv1\nmax_age: 1\n", "STS_POLICY_MISSING_MODE", None),
        ("version: STSv1\nmode: none\n", "STS_POLICY_MISSING_MAX_AGE", None),
        ("version: STSv1\nmode: enforce\nmax_age: 1\n", "STS_POLICY_MISSING_MX", 2),
        ("version: STSv2\nmode: none\nmax_age: 1\n", "STS_POLICY_BAD_VERSION", 1),
        ("mode: none\nversion: STSv1\nmax_age: 1\n", "STS_POLICY_VERSION_NOT_FIRST", 2),
        ("version: STSv1\nmode: enforcing\nmax_age: 1\n", "STS_POLICY_BAD_MODE", 2),
        ("version: STSv1\nmode: none\nmax_age: 1w\n", "STS_POLICY_BAD_MAX_AGE", 3),
        ("version: STSv1\nmode: none\nmax_age: -1\n", "STS_POLICY_BAD_MAX_AGE", 3),
        ("version: STSv1\nmode: none\nmax_age: 31557601\n", "STS_POLICY_MAX_AGE_RANGE", 3),
        ("version: STSv1\nMode: none\nmax_age: 1\n", "STS_POLICY_KEY_CASE", 2),
        ("version: STSv1\nmode: none\nmax_age: 1\nfoo: bar\n", "STS_POLICY_UNKNOWN_KEY", 4),
        ("version: STSv1\nmode: none\nmaxage: 1\n", "STS_POLICY_KEY_TYPO", 3),
        ("version: STSv1\nmode: none\nmax_age: 1\nmode: enforce\n", "STS_POLICY_DUPLICATE_KEY", 4),
        ("version: STSv1\nmode: none\rmax_age: 1\n", "STS_POLICY_BARE_CR", 2),
        ("version: STSv1\n mode: none\nmax_age: 1\n", "STS_POLICY_BAD_LINE", 2),
        ("version: STSv1\nmode none\nmax_age: 1\n", "STS_POLICY_BAD_LINE", 2),
        (
            "version: STSv1\nmode: none\nmx: mail.example.com.\nmax_age: 1",
            "STS_POLICY_MX_TRAILING_DOT",
            3,
        ),
        ("<html><body>Not found</body></html>", "STS_POLICY_BAD_LINE", 1),
    ],
)
def test_policy_problems(text: str, code: str, line: int | None) -> None:
    policy = parse_sts_policy(text)
    matching = [p for p in policy.problems if p.code == code]
    assert matching, (code, policy.problems)
    assert matching[0].position == line


@pytest.mark.parametrize(
    "pattern",
    [
        "*mail.example.com",
        "mail.*.com",
        "*.*.example.com",
        "*",
        "*.",
        "192.0.2.25",
        "[2001:db8::1]",
        "mail..example.com",
        "-mail.example.com",
        "mäil.example.com",
        "mail_1.example.com",
    ],
)
def test_invalid_mx_patterns(pattern: str) -> None:
    policy = parse_sts_policy(f"version: STSv1\nmode: enforce\nmx: {pattern}\nmax_age: 86400\n")
    assert "STS_POLICY_BAD_MX" in codes(policy.problems)
    assert policy.mx[0].valid is False
    assert not policy.matches("mail.example.com")


# ----------------------------------------------------------------------- matching


@pytest.mark.parametrize(
    ("pattern", "host", "expected"),
    [
        ("mail.example.com", "mail.example.com", True),
        ("mail.example.com", "MAIL.EXAMPLE.COM", True),
        ("mail.example.com.", "mail.example.com", True),
        ("mail.example.com", "mail.example.com.", True),
        ("Mail.Example.Com", "mail.example.com", True),
        ("mail.example.com", "xmail.example.com", False),
        ("mail.example.com", "mail.example.com.evil.test", False),
        ("mail.example.com", "a.mail.example.com", False),
        ("mail.example.com", "example.com", False),
        ("*.example.com", "mail.example.com", True),
        ("*.example.com", "MAIL.example.com.", True),
        ("*.example.com", "a.b.example.com", False),
        ("*.example.com", "example.com", False),
        ("*.example.com", "xexample.com", False),
        ("*.example.com", ".example.com", False),
        ("*.example.com", "mail.example.com.evil.test", False),
        ("*.example.com", "mail.example.co", False),
        ("*mail.example.com", "xmail.example.com", False),
        ("mail.*.com", "mail.example.com", False),
        ("*", "mail.example.com", False),
        ("", "", False),
    ],
)
def test_mx_pattern_matches(pattern: str, host: str, expected: bool) -> None:
    assert mx_pattern_matches(pattern, host) is expected


# ---------------------------------------------------------------------- rendering


def test_render_round_trips() -> None:
    body = render_sts_policy(StsMode.ENFORCE, ["mail.example.com", "*.mx.example.net."], 604800)
    assert body == (
        "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n"
        "mx: *.mx.example.net\r\nmax_age: 604800\r\n"
    )
    policy = parse_sts_policy(body)
    assert policy.problems == ()
    assert [m.pattern for m in policy.mx] == ["mail.example.com", "*.mx.example.net"]


def test_render_none_mode_without_mx() -> None:
    assert parse_sts_policy(render_sts_policy("none", [], 86400)).problems == ()


@pytest.mark.parametrize(
    ("mode", "mx", "max_age"),
    [
        ("enforcing", ["mail.example.com"], 1),
        ("enforce", ["mail.*.com"], 1),
        ("enforce", [], 1),
        ("testing", ["mail.example.com"], 31557601),
        ("testing", ["mail.example.com"], -1),
    ],
)
def test_render_refuses_invalid_policies(mode: str, mx: list[str], max_age: int) -> None:
    with pytest.raises(ValueError):
        render_sts_policy(mode, mx, max_age)


# ----------------------------------------------------------------------- properties

TXT_SEEDS = ["v=STSv1; id=20240115T120000;", "v=STSv1;id=abc123; ext=1"]
POLICY_SEEDS = [policy_fixture(n) for n in ("enforce_crlf", "testing_lf", "none_no_mx", "broken")]


@settings(max_examples=200, deadline=None)
@given(record_texts(TXT_SEEDS))
def test_txt_parser_never_raises(text: str) -> None:
    record = parse_sts_txt(text)
    assert isinstance(record, StsTxt)
    assert_problems_well_formed(text, record.problems, "mta-sts-txt")
    assert isinstance(record.valid, bool)


@settings(max_examples=300, deadline=None)
@given(record_texts(POLICY_SEEDS))
def test_policy_parser_never_raises(text: str) -> None:
    policy = parse_sts_policy(text)
    assert isinstance(policy, StsPolicy)
    assert_problems_well_formed(text, policy.problems, "mta-sts-policy", lines=True)
    assert policy.mode is None or isinstance(policy.mode, StsMode)
    assert policy.max_age is None or policy.max_age >= 0
    for pattern in policy.mx:
        assert 1 <= pattern.line <= text.count("\n") + 1


_LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)


_TLD = st.from_regex(r"[a-z]{2,6}", fullmatch=True)


@given(
    st.lists(_LABEL, min_size=1, max_size=3),
    _TLD,
    st.lists(_LABEL, min_size=0, max_size=2),
)
def test_wildcard_matches_exactly_one_extra_label(
    base: list[str], tld: str, extra: list[str]
) -> None:
    domain = ".".join([*base, tld])
    host = ".".join([*extra, domain])
    assert mx_pattern_matches(f"*.{domain}", host) is (len(extra) == 1)
    assert mx_pattern_matches(domain, host) is (not extra)


@given(st.text(), st.text())
def test_matching_never_raises(pattern: str, host: str) -> None:
    assert isinstance(mx_pattern_matches(pattern, host), bool)
