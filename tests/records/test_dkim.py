import base64
from pathlib import Path

import pytest
from hypothesis import given, settings

from assessment.records.dkim import DkimKey, KeyType, parse_dkim_key

from .strategies import assert_problems_well_formed, codes, record_texts

FIXTURES = Path(__file__).parents[1] / "fixtures" / "records" / "dkim"


def fixture(name: str) -> str:
    return (FIXTURES / f"{name}.txt").read_text().strip()


def test_microsoft_365_style_2048_bit_key() -> None:
    key = parse_dkim_key(fixture("microsoft365_2048"))
    assert key.problems == ()
    assert key.version == "DKIM1"
    assert key.key_type is KeyType.RSA
    assert key.key_bits == 2048
    assert key.usable
    assert not key.revoked


def test_google_style_key_split_with_folding_whitespace() -> None:
    text = fixture("microsoft365_2048")
    head, _, b64 = text.partition("p=")
    folded = head + "p=" + b64[:200] + " " + b64[200:]
    key = parse_dkim_key(folded)
    assert key.problems == ()
    assert key.key_bits == 2048
    assert " " not in key.public_key_b64


def test_legacy_1024_key_without_version_and_testing_flag() -> None:
    key = parse_dkim_key(fixture("legacy_1024"))
    assert key.version is None
    assert key.key_bits == 1024
    assert key.flags == ("y",)
    assert key.testing
    assert key.problems == ()


def test_4096_key_and_hash_list() -> None:
    key = parse_dkim_key(fixture("rsa_4096"))
    assert key.key_bits == 4096
    assert key.hash_algs == ("sha256",)


def test_weak_key_is_rejected() -> None:
    key = parse_dkim_key(fixture("weak_512"))
    assert key.key_bits == 512
    assert codes(key.problems) == ["DKIM_RSA_TOO_SHORT"]
    assert not key.usable


def test_bare_pkcs1_key_is_read_but_flagged() -> None:
    key = parse_dkim_key(fixture("pkcs1_1024"))
    assert key.key_bits == 1024
    assert codes(key.problems) == ["DKIM_PKCS1_KEY"]


def test_ed25519_raw_key() -> None:
    key = parse_dkim_key(fixture("ed25519"))
    assert key.key_type is KeyType.ED25519
    assert key.key_bits == 256
    assert key.problems == ()


def test_ed25519_wrapped_in_spki_is_wrong() -> None:
    key = parse_dkim_key(fixture("ed25519_spki"))
    assert codes(key.problems) == ["DKIM_ED25519_BAD_LENGTH"]
    assert "SubjectPublicKeyInfo" in key.problems[0].message
    assert key.key_bits is None


def test_ed25519_spki_under_rsa_type_is_a_mismatch() -> None:
    text = fixture("ed25519_spki").replace("k=ed25519; ", "")
    assert codes(parse_dkim_key(text).problems) == ["DKIM_KEY_TYPE_MISMATCH"]


def test_revoked_key() -> None:
    key = parse_dkim_key(fixture("revoked"))
    assert key.revoked
    assert codes(key.problems) == ["DKIM_REVOKED"]
    assert not key.usable


def test_tags_and_notes() -> None:
    key = parse_dkim_key("v=DKIM1; k=rsa; s=email:*; n=rotated 2024; t=s:y; p=")
    assert key.service_types == ("email", "*")
    assert key.notes == "rotated 2024"
    assert key.flags == ("s", "y")
    assert key.tags[0] == ("v", "DKIM1")


@pytest.mark.parametrize(
    ("text", "code", "token"),
    [
        ("v=DKIM2; p=", "DKIM_BAD_VERSION", "DKIM2"),
        ("k=rsa; v=DKIM1; p=", "DKIM_VERSION_NOT_FIRST", "v=DKIM1"),
        ("v=DKIM1; k=rsa", "DKIM_MISSING_KEY", None),
        ("v=DKIM1; p=; p=", "DKIM_DUPLICATE_TAG", "p="),
        ("v=DKIM1; p=MIIB*bad", "DKIM_BAD_BASE64", "MIIB*bad"),
        ("v=DKIM1; p=QUJD", "DKIM_UNDECODABLE_KEY", "QUJD"),
        ("v=DKIM1; p=QUJDRA", "DKIM_BAD_BASE64", "QUJDRA"),
        ("v=DKIM1; k=dsa; p=QUJD", "DKIM_UNKNOWN_KEY_TYPE", "dsa"),
        ("v=DKIM1; k=ed25519; p=QUJD", "DKIM_ED25519_BAD_LENGTH", "QUJD"),
        ("v=DKIM1; h=sha1; p=", "DKIM_SHA1_ONLY", "sha1"),
        ("v=DKIM1; h=sha256:md5; p=", "DKIM_UNKNOWN_HASH", "md5"),
        ("v=DKIM1; s=tlsrpt; p=", "DKIM_SERVICE_NOT_EMAIL", "tlsrpt"),
        ("v=DKIM1; t=z; p=", "DKIM_UNKNOWN_FLAG", "z"),
        ("v=DKIM1; g=*; p=", "DKIM_LEGACY_GRANULARITY", "g=*"),
        ("v=DKIM1; x=1; p=", "DKIM_UNKNOWN_TAG", "x=1"),
        ("v=DKIM1; p=“MIIB”", "DKIM_BAD_CHARACTER", "“"),
        ("v=DKIM1;; p=", "DKIM_EMPTY_TAG", ""),
        ("v=DKIM1; k rsa; p=", "DKIM_TAG_SYNTAX", "k rsa"),
    ],
)
def test_problem_detection(text: str, code: str, token: str | None) -> None:
    key = parse_dkim_key(text)
    matching = [p for p in key.problems if p.code == code]
    assert matching, (code, key.problems)
    problem = matching[0]
    if token is not None:
        assert problem.position is not None
        assert text[problem.position :].startswith(token), (problem, token)


def test_sha1_alongside_sha256_is_fine() -> None:
    assert codes(parse_dkim_key("v=DKIM1; h=sha1:sha256; p=").problems) == ["DKIM_REVOKED"]


def test_quoted_key_from_a_bad_split_is_not_usable() -> None:
    b64 = fixture("microsoft365_2048").partition("p=")[2]
    key = parse_dkim_key(f'v=DKIM1; k=rsa; p={b64[:100]}" "{b64[100:]}')
    assert "DKIM_BAD_BASE64" in codes(key.problems)
    assert not key.usable


SEEDS = [fixture(name) for name in ("microsoft365_2048", "ed25519", "legacy_1024", "revoked")]


@settings(max_examples=200, deadline=None)
@given(record_texts(SEEDS))
def test_parser_never_raises_and_result_is_well_typed(text: str) -> None:
    key = parse_dkim_key(text)
    assert isinstance(key, DkimKey)
    assert_problems_well_formed(text, key.problems, "dkim")
    assert isinstance(key.key_type, KeyType)
    assert key.key_bits is None or key.key_bits > 0
    assert isinstance(key.usable, bool)


def test_unknown_algorithm_oid_is_an_undecodable_key_not_a_crash() -> None:
    """Found by bench/fuzz_parsers.py: cryptography raises UnsupportedAlgorithm for it."""
    good = fixture("microsoft365_2048").split("p=")[1].split(";")[0].strip()
    der = bytearray(base64.b64decode(good))
    oid = der.find(bytes.fromhex("2a864886f70d010101"))  # rsaEncryption 1.2.840.113549.1.1.1
    der[oid + 8] = 0x00  # 1.2.840.113549.1.1.0: no such algorithm
    key = parse_dkim_key("v=DKIM1; k=rsa; p=" + base64.b64encode(bytes(der)).decode())
    assert [p.code for p in key.problems] == ["DKIM_UNDECODABLE_KEY"]
    assert "Unknown key type" in key.problems[0].message
    assert not key.usable
