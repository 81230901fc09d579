import pytest
from hypothesis import given, settings

from assessment.records.tlsrpt import TlsRptTxt, is_tlsrpt_record, parse_tlsrpt_txt

from .strategies import assert_problems_well_formed, codes, record_texts

TYPICAL = [
    "v=TLSRPTv1; rua=mailto:tlsrpt@example.com",
    "v=TLSRPTv1;rua=mailto:tls@example.com,https://reports.example.net/v1/tlsrpt",
    "v=TLSRPTv1; rua=mailto:a@example.com , mailto:b@example.org;",
    "v=TLSRPTv1; rua=https://tlsrpt.example.com/report?id=42",
]


@pytest.mark.parametrize("text", TYPICAL)
def test_typical_records(text: str) -> None:
    record = parse_tlsrpt_txt(text)
    assert record.problems == ()
    assert record.valid and record.version_ok
    assert record.version == "TLSRPTv1"
    assert is_tlsrpt_record(text)
    assert all(uri.valid for uri in record.rua)


def test_uris_are_split_in_order() -> None:
    record = parse_tlsrpt_txt(TYPICAL[1])
    assert [(u.scheme, u.host) for u in record.rua] == [
        ("mailto", "example.com"),
        ("https", "reports.example.net"),
    ]
    assert record.rua[0].address == "tls@example.com"


def test_selection() -> None:
    assert not is_tlsrpt_record("v=TLSRPTv1 ; rua=mailto:a@example.com")
    assert not is_tlsrpt_record("v=tlsrptv1; rua=mailto:a@example.com")
    assert not is_tlsrpt_record("v=STSv1; id=1")


@pytest.mark.parametrize(
    ("text", "code", "token"),
    [
        ("v=TLSRPTv1 ; rua=mailto:a@example.com", "TLSRPT_VERSION_SPACE", " ;"),
        ("v=TLSRPTv2; rua=mailto:a@example.com", "TLSRPT_NOT_TLSRPT", "v=TLSRPTv2; "),
        ("v=TLSRPTv1;", "TLSRPT_MISSING_RUA", None),
        ("v=TLSRPTv1; rua=", "TLSRPT_EMPTY_RUA", "rua="),
        (
            "v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com",
            "TLSRPT_DUPLICATE_RUA",
            "rua=mailto:b",
        ),
        ("v=TLSRPTv1; rua=tlsrpt@example.com", "TLSRPT_URI_NO_SCHEME", "tlsrpt@example.com"),
        ("v=TLSRPTv1; rua=http://r.example.com/", "TLSRPT_BAD_SCHEME", "http://r.example.com/"),
        ("v=TLSRPTv1; rua=ftp://r.example.com/", "TLSRPT_BAD_SCHEME", "ftp://r.example.com/"),
        ("v=TLSRPTv1; rua=mailto:no-at-sign", "TLSRPT_BAD_MAILTO", "mailto:no-at-sign"),
        ("v=TLSRPTv1; rua=https:///path", "TLSRPT_BAD_HTTPS", "https:///path"),
        ("v=TLSRPTv1; rua=mailto:a@example.com,,mailto:b@example.com", "TLSRPT_BAD_URI", ""),
        ("v=TLSRPTv1; rua=mailto:a@example.com; ext=1", "TLSRPT_UNKNOWN_FIELD", "ext=1"),
        ("v=TLSRPTv1; rua=mailto:a@example.com; ext = 1", "TLSRPT_BAD_FIELD", "ext = 1"),
        ("v=TLSRPTv1; rua = mailto:a@example.com", "TLSRPT_BAD_FIELD", "rua = mailto"),
        ("v=TLSRPTv1;; rua=mailto:a@example.com", "TLSRPT_EMPTY_FIELD", ""),
        ("v=TLSRPTv1, rua=mailto:a@example.com", "TLSRPT_BAD_SEPARATOR", ", rua="),
    ],
)
def test_problem_detection(text: str, code: str, token: str | None) -> None:
    record = parse_tlsrpt_txt(text)
    matching = [p for p in record.problems if p.code == code]
    assert matching, (code, record.problems)
    if token is not None:
        position = matching[0].position
        assert position is not None
        assert text[position:].startswith(token)


def test_invalid_scheme_makes_uri_unusable() -> None:
    record = parse_tlsrpt_txt("v=TLSRPTv1; rua=http://r.example.com/,mailto:a@example.com")
    assert [u.valid for u in record.rua] == [False, True]
    assert codes(record.problems) == ["TLSRPT_BAD_SCHEME"]
    assert not record.valid


@settings(max_examples=300, deadline=None)
@given(record_texts(TYPICAL))
def test_parser_never_raises_and_result_is_well_typed(text: str) -> None:
    record = parse_tlsrpt_txt(text)
    assert isinstance(record, TlsRptTxt)
    assert_problems_well_formed(text, record.problems, "tlsrpt")
    for uri in record.rua:
        assert text[uri.position :].startswith(uri.raw)
    assert isinstance(record.valid, bool)
