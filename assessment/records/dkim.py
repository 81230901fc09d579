"""DKIM public key records (RFC 6376 §3.6.1, RFC 8301, RFC 8463).

The key itself is decoded with `cryptography` to learn its real type and size: the
record's `k=` only says what the publisher meant to put there.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from enum import StrEnum

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_der_public_key,
)

from assessment.records.problem import DkimCode, Problem, ProblemLevel, ordered
from assessment.records.txt import Tag, TagIssueKind, split_tag_list

KNOWN_TAGS = ("v", "h", "k", "n", "p", "s", "t")
KNOWN_HASHES = ("sha1", "sha256")
KNOWN_FLAGS = ("y", "s")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_FWS = re.compile(r"[ \t\r\n]+")

_TAG_ISSUE_CODES = {
    TagIssueKind.EMPTY: DkimCode.EMPTY_TAG,
    TagIssueKind.NO_EQUALS: DkimCode.TAG_SYNTAX,
    TagIssueKind.BAD_NAME: DkimCode.TAG_SYNTAX,
    TagIssueKind.BAD_VALUE_CHAR: DkimCode.BAD_CHARACTER,
    TagIssueKind.SEPARATOR: DkimCode.TAG_SYNTAX,
}


class KeyType(StrEnum):
    RSA = "rsa"
    ED25519 = "ed25519"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class DkimKey:
    text: str
    version: str | None
    key_type: KeyType
    """From `k=` (default rsa); UNKNOWN when `k=` names another algorithm."""
    key_type_text: str
    """`k=` as written, or `rsa` when absent."""
    public_key_b64: str
    """`p=` with folding whitespace removed."""
    revoked: bool
    key_bits: int | None
    """RSA modulus size, 256 for Ed25519; None when the key does not decode."""
    hash_algs: tuple[str, ...]
    """`h=` values, lower-case; empty means any."""
    flags: tuple[str, ...]
    """`t=` values, e.g. `y` (testing) and `s` (strict i= domain)."""
    service_types: tuple[str, ...]
    """`s=` values; empty means `*`."""
    notes: str | None
    tags: tuple[tuple[str, str], ...]
    problems: tuple[Problem, ...]

    @property
    def testing(self) -> bool:
        return "y" in self.flags

    @property
    def usable(self) -> bool:
        """A verifier could verify signatures with this key."""
        return (
            not self.revoked
            and self.key_bits is not None
            and not any(p.level is ProblemLevel.ERROR for p in self.problems)
        )


def parse_dkim_key(text: str) -> DkimKey:
    """Parse a DKIM key record, RFC 6376 §3.6.1 (tag list per §3.2).

    ::

        key-v-tag      = %x76 [FWS] "=" [FWS] %x44.4B.49.4D.31
        key-h-tag      = %x68 [FWS] "=" [FWS] key-h-tag-alg
                         *( [FWS] ":" [FWS] key-h-tag-alg )
        key-h-tag-alg  = "sha1" / "sha256" / x-key-h-tag-alg
        key-k-tag      = %x6b [FWS] "=" [FWS] key-k-tag-type
        key-k-tag-type = "rsa" / x-key-k-tag-type
        key-n-tag      = %x6e [FWS] "=" [FWS] qp-section
        key-p-tag      = %x70 [FWS] "=" [ [FWS] base64string]
        key-s-tag      = %x73 [FWS] "=" [FWS] key-s-tag-type
                         *( [FWS] ":" [FWS] key-s-tag-type )
        key-s-tag-type = "email" / "*" / x-key-s-tag-type
        key-t-tag      = %x74 [FWS] "=" [FWS] key-t-tag-flag
                         *( [FWS] ":" [FWS] key-t-tag-flag )
        key-t-tag-flag = "y" / "s" / x-key-t-tag-flag

    `v=`, if present, MUST be first and `DKIM1`. `p=` is REQUIRED; empty means revoked.
    RFC 8463 §4.2 adds `k=ed25519` with `p=` the raw 32-octet key; RFC 8301 §3.1/§3.2
    forbid rsa-sha1 and keys under 1024 bits. Tag names are case-sensitive. Never raises.
    """
    problems: list[Problem] = []
    split = split_tag_list(text)
    for issue in split.issues:
        problems.append(
            Problem(
                _TAG_ISSUE_CODES[issue.kind],
                _issue_message(issue.kind, issue.token),
                issue.position,
                issue.token,
            )
        )
    values: dict[str, Tag] = {}
    for tag in split.tags:
        if tag.name in values:
            problems.append(
                Problem(
                    DkimCode.DUPLICATE_TAG,
                    f"`{tag.name}=` appears more than once; the record is invalid",
                    tag.position,
                    tag.raw,
                )
            )
            continue
        values[tag.name] = tag
        if tag.name == "g":
            problems.append(
                Problem(
                    DkimCode.LEGACY_GRANULARITY,
                    "`g=` is obsolete and ignored",
                    tag.position,
                    tag.raw,
                )
            )
        elif tag.name not in KNOWN_TAGS:
            problems.append(
                Problem(
                    DkimCode.UNKNOWN_TAG,
                    f"unknown tag `{tag.name}` is ignored",
                    tag.position,
                    tag.raw,
                )
            )
    version = _version(split.tags, values.get("v"), problems)
    k_tag = values.get("k")
    key_type_text = k_tag.value if k_tag is not None else "rsa"
    try:
        key_type = KeyType(key_type_text.lower())
    except ValueError:
        key_type = KeyType.UNKNOWN
    if key_type is KeyType.UNKNOWN and k_tag is not None:
        problems.append(
            Problem(
                DkimCode.UNKNOWN_KEY_TYPE,
                f"`k={k_tag.value}` is neither rsa nor ed25519; verifiers ignore the key",
                k_tag.value_position,
                k_tag.value,
            )
        )
    hash_algs = _colon_values(values.get("h"))
    _check_hashes(values.get("h"), hash_algs, problems)
    flags = _colon_values(values.get("t"))
    for flag in flags:
        if flag not in KNOWN_FLAGS:
            tag = values["t"]
            problems.append(
                Problem(
                    DkimCode.UNKNOWN_FLAG,
                    f"unknown flag `t={flag}` is ignored",
                    _item_position(tag, flag),
                    flag,
                )
            )
    service_types = _colon_values(values.get("s"))
    if service_types and not {"*", "email"} & set(service_types):
        tag = values["s"]
        problems.append(
            Problem(
                DkimCode.SERVICE_NOT_EMAIL,
                f"`s={tag.value}` does not include `email` or `*`; the key is not for email",
                tag.value_position,
                tag.value,
            )
        )
    p_tag = values.get("p")
    public_key = _FWS.sub("", p_tag.value) if p_tag is not None else ""
    revoked = p_tag is not None and not public_key
    key_bits: int | None = None
    if p_tag is None:
        problems.append(Problem(DkimCode.MISSING_KEY, "no `p=` tag; it is required", None))
    elif revoked:
        problems.append(
            Problem(
                DkimCode.REVOKED, "`p=` is empty: this key is revoked", p_tag.position, p_tag.raw
            )
        )
    else:
        key_bits = _decode_key(public_key, key_type, p_tag, problems)
    notes_tag = values.get("n")
    return DkimKey(
        text=text,
        version=version,
        key_type=key_type,
        key_type_text=key_type_text,
        public_key_b64=public_key,
        revoked=revoked,
        key_bits=key_bits,
        hash_algs=hash_algs,
        flags=flags,
        service_types=service_types,
        notes=notes_tag.value if notes_tag is not None else None,
        tags=tuple((tag.name, tag.value) for tag in split.tags),
        problems=ordered(problems),
    )


def _issue_message(kind: TagIssueKind, token: str) -> str:
    if kind is TagIssueKind.BAD_VALUE_CHAR:
        return f"character {token!r} is not allowed in a tag value (stray quote?)"
    if kind is TagIssueKind.EMPTY:
        return "empty tag between semicolons"
    if kind is TagIssueKind.SEPARATOR:
        return f"`{token.strip()}` looks like another tag: separate tags with `;`"
    return f"`{token}` is not `tag=value`"


def _version(tags: tuple[Tag, ...], tag: Tag | None, problems: list[Problem]) -> str | None:
    if tag is None:
        return None
    if tag.value != "DKIM1":
        problems.append(
            Problem(
                DkimCode.BAD_VERSION,
                f"`v={tag.value}` must be exactly `DKIM1`; the record is discarded",
                tag.value_position,
                tag.value,
            )
        )
    if tags and tags[0] is not tag:
        problems.append(
            Problem(DkimCode.VERSION_NOT_FIRST, "`v=` must be the first tag", tag.position, tag.raw)
        )
    return tag.value


def _item_position(tag: Tag, item: str) -> int:
    found = tag.value.lower().find(item)
    return tag.value_position + max(found, 0)


def _colon_values(tag: Tag | None) -> tuple[str, ...]:
    if tag is None:
        return ()
    return tuple(part.strip(" \t\r\n").lower() for part in tag.value.split(":") if part.strip())


def _check_hashes(tag: Tag | None, hash_algs: tuple[str, ...], problems: list[Problem]) -> None:
    if tag is None:
        return
    for alg in hash_algs:
        if alg not in KNOWN_HASHES:
            problems.append(
                Problem(
                    DkimCode.UNKNOWN_HASH,
                    f"unknown hash `{alg}` in `h=` is ignored",
                    _item_position(tag, alg),
                    alg,
                )
            )
    if "sha1" in hash_algs and "sha256" not in hash_algs:
        problems.append(
            Problem(
                DkimCode.SHA1_ONLY,
                f"`h={tag.value}` allows only sha1, which verifiers must not accept (RFC 8301)",
                tag.value_position,
                tag.value,
            )
        )


def _decode_key(b64: str, key_type: KeyType, tag: Tag, problems: list[Problem]) -> int | None:
    """Key size in bits, or None after recording why the key is unusable."""
    if _BASE64.fullmatch(b64) is None or len(b64) % 4:
        problems.append(
            Problem(
                DkimCode.BAD_BASE64,
                "`p=` is not valid base64 (stray quote, space or truncated copy?)",
                tag.value_position,
                tag.value[:40],
            )
        )
        return None
    try:
        der = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        problems.append(
            Problem(
                DkimCode.BAD_BASE64, "`p=` is not valid base64", tag.value_position, tag.value[:40]
            )
        )
        return None
    if key_type is KeyType.ED25519:
        if len(der) == 32:
            return 256
        problems.append(
            Problem(
                DkimCode.ED25519_BAD_LENGTH,
                f"Ed25519 `p=` decodes to {len(der)} octets; RFC 8463 wants the raw "
                "32-octet key"
                + (" (this looks like a SubjectPublicKeyInfo wrapper)" if len(der) == 44 else ""),
                tag.value_position,
                tag.value[:40],
            )
        )
        return None
    try:
        key = load_der_public_key(der)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        # UnsupportedAlgorithm: a SubjectPublicKeyInfo whose algorithm OID is unknown, e.g.
        # a damaged rsaEncryption OID (found by bench/fuzz_parsers.py).
        problems.append(
            Problem(
                DkimCode.UNDECODABLE_KEY,
                f"`p=` is not a DER public key: {exc}",
                tag.value_position,
                tag.value[:40],
            )
        )
        return None
    if isinstance(key, ed25519.Ed25519PublicKey):
        problems.append(
            Problem(
                DkimCode.KEY_TYPE_MISMATCH,
                "`p=` holds an Ed25519 key but `k=` does not say ed25519",
                tag.value_position,
                tag.value[:40],
            )
        )
        return 256
    if not isinstance(key, rsa.RSAPublicKey):
        problems.append(
            Problem(
                DkimCode.KEY_TYPE_MISMATCH,
                f"`p=` holds a {type(key).__name__}, not an RSA key",
                tag.value_position,
                tag.value[:40],
            )
        )
        return None
    if key_type is KeyType.UNKNOWN:
        return key.key_size
    if key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo) != der:
        problems.append(
            Problem(
                DkimCode.PKCS1_KEY,
                "`p=` is a bare PKCS#1 RSAPublicKey; RFC 6376 expects SubjectPublicKeyInfo",
                tag.value_position,
                tag.value[:40],
            )
        )
    if key.key_size < 1024:
        problems.append(
            Problem(
                DkimCode.RSA_TOO_SHORT,
                f"RSA key is {key.key_size} bits; verifiers must reject keys under 1024 bits",
                tag.value_position,
                tag.value[:40],
            )
        )
    return key.key_size
