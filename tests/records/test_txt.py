from hypothesis import given
from hypothesis import strategies as st

from assessment.records.txt import (
    EXT_FIELD_NAME,
    TagIssueKind,
    hostname_error,
    near_miss,
    select_records,
    split_tag_list,
)


def test_split_keeps_positions_into_the_text() -> None:
    text = "v=DKIM1; k=rsa ;  p=ABC"
    result = split_tag_list(text)
    assert [(t.name, t.value) for t in result.tags] == [("v", "DKIM1"), ("k", "rsa"), ("p", "ABC")]
    for tag in result.tags:
        assert text[tag.position :].startswith(tag.name)
        assert text[tag.value_position :].startswith(tag.value)
    assert result.issues == ()


def test_trailing_semicolon_is_fine_but_empty_spec_is_not() -> None:
    assert split_tag_list("a=1;").issues == ()
    issues = split_tag_list("a=1;;b=2").issues
    assert [i.kind for i in issues] == [TagIssueKind.EMPTY]
    assert issues[0].position == 4


def test_missing_equals_and_bad_names() -> None:
    issues = split_tag_list("v=DMARC1; rua:mailto:x@y.com; 1x=2").issues
    assert [i.kind for i in issues] == [TagIssueKind.NO_EQUALS, TagIssueKind.BAD_NAME]
    assert issues[0].token == "rua:mailto:x@y.com"


def test_value_characters_and_hidden_separators() -> None:
    result = split_tag_list("v=DMARC1, p=reject; n=“quoted”")
    kinds = [i.kind for i in result.issues]
    assert TagIssueKind.SEPARATOR in kinds
    assert kinds.count(TagIssueKind.BAD_VALUE_CHAR) == 2


def test_folded_base64_padding_is_not_a_hidden_tag() -> None:
    assert split_tag_list("p=MIGfMA0GCS qGSIb3DQ EBAQUAA4= ").issues == ()


def test_extension_name_pattern() -> None:
    result = split_tag_list("v=STSv1; id=1; x-ext.1=ok", name_pattern=EXT_FIELD_NAME)
    assert [t.name for t in result.tags] == ["v", "id", "x-ext.1"]


def test_repeats_and_first() -> None:
    result = split_tag_list("a=1; b=2; a=3")
    assert result.first("a") is not None and result.first("a").value == "1"  # type: ignore[union-attr]
    assert [t.value for t in result.repeats()] == ["3"]


def test_select_records_ignores_unrelated_txt() -> None:
    txts = ["google-site-verification=abc", "v=STSv1; id=1", "v=spf1 -all", "v=STSv1; id=2"]
    assert select_records(txts, lambda t: t.startswith("v=STSv1;")) == (
        "v=STSv1; id=1",
        "v=STSv1; id=2",
    )


def test_near_miss() -> None:
    assert near_miss("inlcude", ["include", "exists"]) == "include"
    assert near_miss("REDIRECT", ["redirect"]) == "redirect"
    assert near_miss("zzz", ["include"]) is None


def test_hostname_error() -> None:
    assert hostname_error("mail.example.com") is None
    assert hostname_error("mail.example.com.") is None
    assert hostname_error("a..b") is not None
    assert hostname_error("-a.example") is not None
    assert hostname_error("x" * 64 + ".example") is not None
    assert hostname_error("192.0.2.1") is not None
    assert hostname_error("") is not None


@given(st.text())
def test_split_never_raises_and_positions_are_in_range(text: str) -> None:
    result = split_tag_list(text)
    for tag in result.tags:
        assert 0 <= tag.position <= tag.value_position <= len(text)
    for issue in result.issues:
        assert 0 <= issue.position <= len(text)
