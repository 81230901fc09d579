"""Problems a record parser reports, and the catalogue of every code it can emit.

A parser never raises on bad input: it returns what it could read plus `Problem` values.
Codes are stable UPPER_SNAKE identifiers; the checks layer maps them to findings, so a code
is never renamed once published. Each code carries a level saying how a compliant receiver
treats the defect, which is what the checks layer needs to pick a severity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class ProblemLevel(StrEnum):
    """How a conforming receiver reacts to the defect."""

    ERROR = "error"
    """The record (or the term) is invalid: permerror, record discarded, or key unusable."""
    WARNING = "warning"
    """Works, but not as the publisher probably intends, or breaks some receivers."""
    INFO = "info"
    """Legal and ignored by receivers; worth telling the publisher."""


@dataclass(frozen=True)
class Problem:
    """One defect found while parsing.

    `position` is the 0-based character offset into the parsed text, except for MTA-STS
    policy bodies where it is the 1-based line number (policies are line-oriented, so that
    is what a consultant can act on). None means the problem is about something missing.
    """

    code: str
    message: str
    position: int | None = None
    token: str | None = None

    @property
    def level(self) -> ProblemLevel:
        return PROBLEM_INFO[self.code].level

    @property
    def description(self) -> str:
        return PROBLEM_INFO[self.code].description


@dataclass(frozen=True)
class ProblemInfo:
    code: str
    level: ProblemLevel
    description: str


_E = ProblemLevel.ERROR
_W = ProblemLevel.WARNING
_I = ProblemLevel.INFO


class SpfCode(StrEnum):
    BAD_VERSION = "SPF_BAD_VERSION"
    VERSION_CASE = "SPF_VERSION_CASE"
    LEADING_WHITESPACE = "SPF_LEADING_WHITESPACE"
    BAD_WHITESPACE = "SPF_BAD_WHITESPACE"
    NON_ASCII = "SPF_NON_ASCII"
    CONTROL_CHARACTER = "SPF_CONTROL_CHARACTER"
    UNKNOWN_MECHANISM = "SPF_UNKNOWN_MECHANISM"
    UNEXPECTED_ARGUMENT = "SPF_UNEXPECTED_ARGUMENT"
    MISSING_ARGUMENT = "SPF_MISSING_ARGUMENT"
    BAD_IP4 = "SPF_BAD_IP4"
    BAD_IP6 = "SPF_BAD_IP6"
    IP_VERSION_MISMATCH = "SPF_IP_VERSION_MISMATCH"
    BAD_CIDR = "SPF_BAD_CIDR"
    IP_HOST_BITS = "SPF_IP_HOST_BITS"
    IP_ALL_ADDRESSES = "SPF_IP_ALL_ADDRESSES"
    BAD_DOMAIN_SPEC = "SPF_BAD_DOMAIN_SPEC"
    BAD_MACRO = "SPF_BAD_MACRO"
    MACRO_EXP_ONLY = "SPF_MACRO_EXP_ONLY"
    PTR_MACRO = "SPF_PTR_MACRO"
    DUPLICATE_MODIFIER = "SPF_DUPLICATE_MODIFIER"
    UNKNOWN_MODIFIER = "SPF_UNKNOWN_MODIFIER"
    MODIFIER_TYPO = "SPF_MODIFIER_TYPO"
    BAD_MODIFIER_NAME = "SPF_BAD_MODIFIER_NAME"
    TERMS_AFTER_ALL = "SPF_TERMS_AFTER_ALL"
    REDIRECT_IGNORED = "SPF_REDIRECT_IGNORED"
    REDIRECT_NOT_LAST = "SPF_REDIRECT_NOT_LAST"
    PTR_MECHANISM = "SPF_PTR_MECHANISM"
    PASS_ALL = "SPF_PASS_ALL"  # noqa: S105
    RECORD_LONG = "SPF_RECORD_LONG"
    RECORD_TOO_LONG = "SPF_RECORD_TOO_LONG"


class DmarcCode(StrEnum):
    NOT_DMARC = "DMARC_NOT_DMARC"
    VERSION_NOT_FIRST = "DMARC_VERSION_NOT_FIRST"
    BAD_VERSION = "DMARC_BAD_VERSION"
    LEADING_WHITESPACE = "DMARC_LEADING_WHITESPACE"
    TAG_SYNTAX = "DMARC_TAG_SYNTAX"
    EMPTY_TAG = "DMARC_EMPTY_TAG"
    BAD_CHARACTER = "DMARC_BAD_CHARACTER"
    BAD_SEPARATOR = "DMARC_BAD_SEPARATOR"
    DUPLICATE_TAG = "DMARC_DUPLICATE_TAG"
    UNKNOWN_TAG = "DMARC_UNKNOWN_TAG"
    TAG_TYPO = "DMARC_TAG_TYPO"
    MISSING_POLICY = "DMARC_MISSING_POLICY"
    BAD_POLICY = "DMARC_BAD_POLICY"
    BAD_SUBDOMAIN_POLICY = "DMARC_BAD_SUBDOMAIN_POLICY"
    BAD_NP_POLICY = "DMARC_BAD_NP_POLICY"
    POLICY_NOT_SECOND = "DMARC_POLICY_NOT_SECOND"
    BAD_PCT = "DMARC_BAD_PCT"
    PCT_OUT_OF_RANGE = "DMARC_PCT_OUT_OF_RANGE"
    BAD_ALIGNMENT = "DMARC_BAD_ALIGNMENT"
    BAD_FO = "DMARC_BAD_FO"
    BAD_RF = "DMARC_BAD_RF"
    BAD_RI = "DMARC_BAD_RI"
    BAD_TESTING = "DMARC_BAD_TESTING"
    BAD_PSD = "DMARC_BAD_PSD"
    EMPTY_URI_LIST = "DMARC_EMPTY_URI_LIST"
    BAD_URI = "DMARC_BAD_URI"
    URI_NO_SCHEME = "DMARC_URI_NO_SCHEME"
    URI_NOT_MAILTO = "DMARC_URI_NOT_MAILTO"
    BAD_SIZE_LIMIT = "DMARC_BAD_SIZE_LIMIT"
    REMOVED_TAG = "DMARC_REMOVED_TAG"


class DkimCode(StrEnum):
    TAG_SYNTAX = "DKIM_TAG_SYNTAX"
    EMPTY_TAG = "DKIM_EMPTY_TAG"
    BAD_CHARACTER = "DKIM_BAD_CHARACTER"
    DUPLICATE_TAG = "DKIM_DUPLICATE_TAG"
    BAD_VERSION = "DKIM_BAD_VERSION"
    VERSION_NOT_FIRST = "DKIM_VERSION_NOT_FIRST"
    MISSING_KEY = "DKIM_MISSING_KEY"
    REVOKED = "DKIM_REVOKED"
    BAD_BASE64 = "DKIM_BAD_BASE64"
    UNDECODABLE_KEY = "DKIM_UNDECODABLE_KEY"
    PKCS1_KEY = "DKIM_PKCS1_KEY"
    KEY_TYPE_MISMATCH = "DKIM_KEY_TYPE_MISMATCH"
    UNKNOWN_KEY_TYPE = "DKIM_UNKNOWN_KEY_TYPE"
    ED25519_BAD_LENGTH = "DKIM_ED25519_BAD_LENGTH"
    RSA_TOO_SHORT = "DKIM_RSA_TOO_SHORT"
    SHA1_ONLY = "DKIM_SHA1_ONLY"
    UNKNOWN_HASH = "DKIM_UNKNOWN_HASH"
    SERVICE_NOT_EMAIL = "DKIM_SERVICE_NOT_EMAIL"
    UNKNOWN_FLAG = "DKIM_UNKNOWN_FLAG"
    LEGACY_GRANULARITY = "DKIM_LEGACY_GRANULARITY"
    UNKNOWN_TAG = "DKIM_UNKNOWN_TAG"


class StsCode(StrEnum):
    NOT_STS = "STS_NOT_STS"
    VERSION_SPACE = "STS_VERSION_SPACE"
    BAD_FIELD = "STS_BAD_FIELD"
    EMPTY_FIELD = "STS_EMPTY_FIELD"
    BAD_SEPARATOR = "STS_BAD_SEPARATOR"
    MISSING_ID = "STS_MISSING_ID"
    BAD_ID = "STS_BAD_ID"
    DUPLICATE_FIELD = "STS_DUPLICATE_FIELD"
    UNKNOWN_FIELD = "STS_UNKNOWN_FIELD"


class StsPolicyCode(StrEnum):
    EMPTY = "STS_POLICY_EMPTY"
    BOM = "STS_POLICY_BOM"
    BARE_CR = "STS_POLICY_BARE_CR"
    BLANK_LINE = "STS_POLICY_BLANK_LINE"
    BAD_LINE = "STS_POLICY_BAD_LINE"
    KEY_CASE = "STS_POLICY_KEY_CASE"
    DUPLICATE_KEY = "STS_POLICY_DUPLICATE_KEY"
    UNKNOWN_KEY = "STS_POLICY_UNKNOWN_KEY"
    KEY_TYPO = "STS_POLICY_KEY_TYPO"
    MISSING_VERSION = "STS_POLICY_MISSING_VERSION"
    BAD_VERSION = "STS_POLICY_BAD_VERSION"
    VERSION_NOT_FIRST = "STS_POLICY_VERSION_NOT_FIRST"
    MISSING_MODE = "STS_POLICY_MISSING_MODE"
    BAD_MODE = "STS_POLICY_BAD_MODE"
    MISSING_MAX_AGE = "STS_POLICY_MISSING_MAX_AGE"
    BAD_MAX_AGE = "STS_POLICY_BAD_MAX_AGE"
    MAX_AGE_RANGE = "STS_POLICY_MAX_AGE_RANGE"
    MISSING_MX = "STS_POLICY_MISSING_MX"
    BAD_MX = "STS_POLICY_BAD_MX"
    MX_TRAILING_DOT = "STS_POLICY_MX_TRAILING_DOT"


class TlsRptCode(StrEnum):
    NOT_TLSRPT = "TLSRPT_NOT_TLSRPT"
    VERSION_SPACE = "TLSRPT_VERSION_SPACE"
    BAD_FIELD = "TLSRPT_BAD_FIELD"
    EMPTY_FIELD = "TLSRPT_EMPTY_FIELD"
    BAD_SEPARATOR = "TLSRPT_BAD_SEPARATOR"
    MISSING_RUA = "TLSRPT_MISSING_RUA"
    DUPLICATE_RUA = "TLSRPT_DUPLICATE_RUA"
    EMPTY_RUA = "TLSRPT_EMPTY_RUA"
    BAD_URI = "TLSRPT_BAD_URI"
    URI_NO_SCHEME = "TLSRPT_URI_NO_SCHEME"
    BAD_SCHEME = "TLSRPT_BAD_SCHEME"
    BAD_MAILTO = "TLSRPT_BAD_MAILTO"
    BAD_HTTPS = "TLSRPT_BAD_HTTPS"
    UNKNOWN_FIELD = "TLSRPT_UNKNOWN_FIELD"


_ENTRIES: tuple[tuple[str, ProblemLevel, str], ...] = (
    # SPF, RFC 7208
    (SpfCode.BAD_VERSION, _E, "Does not start with `v=spf1` followed by a space or the end"),
    (SpfCode.VERSION_CASE, _I, "Version written in upper case (`V=SPF1`); legal but unusual"),
    (SpfCode.LEADING_WHITESPACE, _E, "Whitespace before `v=spf1`; verifiers do not select it"),
    (
        SpfCode.BAD_WHITESPACE,
        _I,
        "Terms separated by several spaces: legal (1*SP), some ad-hoc parsers split on one",
    ),
    (SpfCode.NON_ASCII, _E, "Non-ASCII character (smart quote, dash, NBSP) in the record"),
    (
        SpfCode.CONTROL_CHARACTER,
        _E,
        "Control character (tab, CR, LF, NUL) in the record; only SP separates terms",
    ),
    (SpfCode.UNKNOWN_MECHANISM, _E, "Unknown mechanism name; permerror"),
    (SpfCode.UNEXPECTED_ARGUMENT, _E, "Mechanism takes no such argument (e.g. `all:x`); permerror"),
    (SpfCode.MISSING_ARGUMENT, _E, "Required domain-spec or network missing; permerror"),
    (SpfCode.BAD_IP4, _E, "`ip4:` value is not a dotted-quad IPv4 address; permerror"),
    (SpfCode.BAD_IP6, _E, "`ip6:` value is not an IPv6 address; permerror"),
    (SpfCode.IP_VERSION_MISMATCH, _E, "IPv6 address in `ip4:` or IPv4 address in `ip6:`"),
    (SpfCode.BAD_CIDR, _E, "CIDR prefix length malformed or out of range; permerror"),
    (SpfCode.IP_HOST_BITS, _I, "Network address has host bits set below the prefix length"),
    (SpfCode.IP_ALL_ADDRESSES, _W, "`/0` prefix matches every address, like `+all`"),
    (SpfCode.BAD_DOMAIN_SPEC, _E, "Domain-spec is not a valid domain name; permerror"),
    (SpfCode.BAD_MACRO, _E, "Invalid macro syntax (letter, transformer, delimiter, lone %)"),
    (SpfCode.MACRO_EXP_ONLY, _E, "Macro letter c, r or t used outside explanation text"),
    (SpfCode.PTR_MACRO, _W, "`%{p}` macro used; slow and unreliable like `ptr`"),
    (SpfCode.DUPLICATE_MODIFIER, _E, "`redirect=` or `exp=` appears more than once; permerror"),
    (SpfCode.UNKNOWN_MODIFIER, _I, "Unknown modifier; ignored by verifiers"),
    (SpfCode.MODIFIER_TYPO, _W, "Unknown modifier that looks like a misspelt known term"),
    (SpfCode.BAD_MODIFIER_NAME, _E, "Modifier name is not ALPHA *(ALPHA / DIGIT / - / _ / .)"),
    (SpfCode.TERMS_AFTER_ALL, _W, "Mechanisms after `all` are never evaluated"),
    (SpfCode.REDIRECT_IGNORED, _W, "`redirect=` is ignored because an `all` mechanism is present"),
    (SpfCode.REDIRECT_NOT_LAST, _I, "`redirect=` is not the last term"),
    (SpfCode.PTR_MECHANISM, _W, "`ptr` mechanism used; it SHOULD NOT be published"),
    (SpfCode.PASS_ALL, _W, "`+all` or bare `all` lets every host pass"),
    (SpfCode.RECORD_LONG, _W, "Record over 450 octets; the DNS answer may not fit UDP"),
    (SpfCode.RECORD_TOO_LONG, _W, "Record over 512 octets; forces TCP, some verifiers fail"),
    # DMARC, RFC 7489 and RFC 9989
    (DmarcCode.NOT_DMARC, _E, "Does not start with a `v=DMARC1` tag; the record is discarded"),
    (DmarcCode.VERSION_NOT_FIRST, _E, "`v=DMARC1` present but not the first tag"),
    (DmarcCode.BAD_VERSION, _E, "Version value is not exactly `DMARC1` (case-sensitive)"),
    (DmarcCode.LEADING_WHITESPACE, _W, "Whitespace before `v=`; some receivers discard it"),
    (DmarcCode.TAG_SYNTAX, _E, "A tag is not `name=value` (missing `=`, bad name)"),
    (DmarcCode.EMPTY_TAG, _W, "Empty tag between separators (`;;`)"),
    (DmarcCode.BAD_CHARACTER, _W, "Character not allowed in a tag value (control, non-ASCII)"),
    (DmarcCode.BAD_SEPARATOR, _W, "Tags separated by something other than `;` (e.g. `,`)"),
    (DmarcCode.DUPLICATE_TAG, _E, "Tag appears more than once"),
    (DmarcCode.UNKNOWN_TAG, _I, "Unknown tag; ignored by receivers"),
    (DmarcCode.TAG_TYPO, _W, "Unknown tag that looks like a misspelt known tag"),
    (DmarcCode.MISSING_POLICY, _W, "No `p=` tag: invalid under RFC 7489, `none` under RFC 9989"),
    (DmarcCode.BAD_POLICY, _E, "`p=` is not none, quarantine or reject"),
    (DmarcCode.BAD_SUBDOMAIN_POLICY, _W, "`sp=` is not none, quarantine or reject"),
    (DmarcCode.BAD_NP_POLICY, _W, "`np=` is not none, quarantine or reject"),
    (DmarcCode.POLICY_NOT_SECOND, _I, "`p=` is not the second tag (RFC 7489 ABNF order)"),
    (DmarcCode.BAD_PCT, _W, "`pct=` is not an integer; ignored"),
    (DmarcCode.PCT_OUT_OF_RANGE, _W, "`pct=` outside 0..100"),
    (DmarcCode.BAD_ALIGNMENT, _W, "`adkim=`/`aspf=` is not r or s; defaults to relaxed"),
    (DmarcCode.BAD_FO, _W, "`fo=` is not a colon list of 0, 1, d, s"),
    (DmarcCode.BAD_RF, _W, "`rf=` is not a colon list of report format keywords"),
    (DmarcCode.BAD_RI, _W, "`ri=` is not a 32-bit unsigned integer"),
    (DmarcCode.BAD_TESTING, _W, "`t=` is not y or n"),
    (DmarcCode.BAD_PSD, _W, "`psd=` is not y, n or u"),
    (DmarcCode.EMPTY_URI_LIST, _W, "`rua=`/`ruf=` has no URI"),
    (DmarcCode.BAD_URI, _W, "Report URI is malformed (spaces, bad address, unencoded , or ;)"),
    (DmarcCode.URI_NO_SCHEME, _W, "Report URI lacks a scheme (bare address without `mailto:`)"),
    (
        DmarcCode.URI_NOT_MAILTO,
        _W,
        "Report URI scheme is not `mailto:`; receivers need not support",
    ),
    (DmarcCode.BAD_SIZE_LIMIT, _W, "`!size` suffix is not digits with optional k, m, g or t"),
    (
        DmarcCode.REMOVED_TAG,
        _I,
        "`pct`, `rf` or `ri`: removed by RFC 9989, ignored by new receivers",
    ),
    # DKIM key records, RFC 6376, RFC 8301, RFC 8463
    (DkimCode.TAG_SYNTAX, _E, "A tag is not `name=value`; the key record is invalid"),
    (DkimCode.EMPTY_TAG, _W, "Empty tag between separators (`;;`)"),
    (DkimCode.BAD_CHARACTER, _E, "Character not allowed in a tag value (smart quote, control)"),
    (DkimCode.DUPLICATE_TAG, _E, "Tag appears more than once; the key record is invalid"),
    (DkimCode.BAD_VERSION, _E, "`v=` is not `DKIM1`; the key record is discarded"),
    (DkimCode.VERSION_NOT_FIRST, _E, "`v=` is present but not the first tag"),
    (DkimCode.MISSING_KEY, _E, "No `p=` tag (REQUIRED)"),
    (DkimCode.REVOKED, _I, "Empty `p=`: the key is revoked"),
    (DkimCode.BAD_BASE64, _E, "`p=` is not valid base64"),
    (DkimCode.UNDECODABLE_KEY, _E, "`p=` does not decode to a public key of the stated type"),
    (DkimCode.PKCS1_KEY, _W, "RSA key is bare PKCS#1, not SubjectPublicKeyInfo; some reject it"),
    (DkimCode.KEY_TYPE_MISMATCH, _E, "`p=` holds a key of a different type than `k=` says"),
    (DkimCode.UNKNOWN_KEY_TYPE, _E, "`k=` is neither rsa nor ed25519; verifiers ignore the key"),
    (DkimCode.ED25519_BAD_LENGTH, _E, "Ed25519 `p=` is not exactly 32 raw octets"),
    (DkimCode.RSA_TOO_SHORT, _E, "RSA key under 1024 bits; verifiers MUST NOT accept it"),
    (DkimCode.SHA1_ONLY, _E, "`h=` allows only sha1, which verifiers MUST NOT accept"),
    (DkimCode.UNKNOWN_HASH, _I, "`h=` lists an unknown hash algorithm; ignored"),
    (DkimCode.SERVICE_NOT_EMAIL, _E, "`s=` lists neither `*` nor `email`; key not for email"),
    (DkimCode.UNKNOWN_FLAG, _I, "`t=` lists an unknown flag; ignored"),
    (DkimCode.LEGACY_GRANULARITY, _I, "`g=` (RFC 4871) is obsolete and ignored"),
    (DkimCode.UNKNOWN_TAG, _I, "Unknown tag; ignored"),
    # MTA-STS TXT, RFC 8461 §3.1
    (StsCode.NOT_STS, _E, "Does not start with `v=STSv1;`; senders ignore it"),
    (StsCode.VERSION_SPACE, _E, "Space before `;` after `v=STSv1`; senders do not select it"),
    (StsCode.BAD_FIELD, _W, "Field is not `name=value` with a valid name and value"),
    (StsCode.EMPTY_FIELD, _W, "Empty field between separators (`;;`)"),
    (StsCode.BAD_SEPARATOR, _W, "Fields separated by something other than `;` and optional WSP"),
    (StsCode.MISSING_ID, _E, "No `id=` field"),
    (StsCode.BAD_ID, _E, "`id=` is not 1 to 32 letters and digits"),
    (StsCode.DUPLICATE_FIELD, _W, "Field appears more than once; the first is used"),
    (StsCode.UNKNOWN_FIELD, _I, "Unknown extension field; ignored"),
    # MTA-STS policy, RFC 8461 §3.2
    (StsPolicyCode.EMPTY, _E, "Policy body is empty"),
    (StsPolicyCode.BOM, _W, "UTF-8 byte order mark before the first key"),
    (StsPolicyCode.BARE_CR, _W, "Bare CR line ending; only LF and CRLF are allowed"),
    (StsPolicyCode.BLANK_LINE, _I, "Blank line inside the policy; some parsers stop there"),
    (StsPolicyCode.BAD_LINE, _E, "Line is not `key: value`"),
    (StsPolicyCode.KEY_CASE, _E, "Known key in the wrong case; keys are case-sensitive"),
    (StsPolicyCode.DUPLICATE_KEY, _W, "`version`, `mode` or `max_age` repeated; first is used"),
    (StsPolicyCode.UNKNOWN_KEY, _I, "Unknown key; ignored"),
    (StsPolicyCode.KEY_TYPO, _W, "Unknown key that looks like a misspelt known key"),
    (StsPolicyCode.MISSING_VERSION, _E, "No `version:` line"),
    (StsPolicyCode.BAD_VERSION, _E, "`version:` is not exactly `STSv1`"),
    (StsPolicyCode.VERSION_NOT_FIRST, _I, "`version:` is not the first line"),
    (StsPolicyCode.MISSING_MODE, _E, "No `mode:` line"),
    (StsPolicyCode.BAD_MODE, _E, "`mode:` is not enforce, testing or none"),
    (StsPolicyCode.MISSING_MAX_AGE, _E, "No `max_age:` line"),
    (StsPolicyCode.BAD_MAX_AGE, _E, "`max_age:` is not 1 to 10 digits"),
    (StsPolicyCode.MAX_AGE_RANGE, _E, "`max_age:` above 31557600 seconds"),
    (StsPolicyCode.MISSING_MX, _E, "No `mx:` line while mode is enforce or testing"),
    (StsPolicyCode.BAD_MX, _E, "`mx:` pattern is not a hostname with an optional `*.` label"),
    (StsPolicyCode.MX_TRAILING_DOT, _W, "`mx:` pattern ends in a dot"),
    # TLS-RPT TXT, RFC 8460 §3
    (TlsRptCode.NOT_TLSRPT, _E, "Does not start with `v=TLSRPTv1;`; senders ignore it"),
    (TlsRptCode.VERSION_SPACE, _E, "Space before `;` after `v=TLSRPTv1`; not selected"),
    (TlsRptCode.BAD_FIELD, _W, "Field is not `name=value` with a valid name and value"),
    (TlsRptCode.EMPTY_FIELD, _W, "Empty field between separators (`;;`)"),
    (TlsRptCode.BAD_SEPARATOR, _W, "Fields separated by something other than `;`"),
    (TlsRptCode.MISSING_RUA, _E, "No `rua=` field"),
    (TlsRptCode.DUPLICATE_RUA, _E, "`rua=` appears more than once"),
    (TlsRptCode.EMPTY_RUA, _E, "`rua=` has no URI"),
    (TlsRptCode.BAD_URI, _E, "Report URI malformed (spaces, unencoded `,` or `;`)"),
    (TlsRptCode.URI_NO_SCHEME, _E, "Report URI lacks a scheme (bare address)"),
    (TlsRptCode.BAD_SCHEME, _E, "Report URI scheme is neither `mailto:` nor `https:`"),
    (TlsRptCode.BAD_MAILTO, _E, "`mailto:` URI is not a valid address"),
    (TlsRptCode.BAD_HTTPS, _E, "`https:` URI has no valid host"),
    (TlsRptCode.UNKNOWN_FIELD, _I, "Unknown extension field; ignored"),
)

PROBLEM_CATALOGUE: tuple[ProblemInfo, ...] = tuple(
    ProblemInfo(str(code), level, text) for code, level, text in _ENTRIES
)
"""Every code any parser in `assessment.records` can emit, with level and description."""

PROBLEM_INFO: Mapping[str, ProblemInfo] = {info.code: info for info in PROBLEM_CATALOGUE}

CODES_BY_PARSER: Mapping[str, tuple[str, ...]] = {
    "spf": tuple(str(c) for c in SpfCode),
    "dmarc": tuple(str(c) for c in DmarcCode),
    "dkim": tuple(str(c) for c in DkimCode),
    "mta-sts-txt": tuple(str(c) for c in StsCode),
    "mta-sts-policy": tuple(str(c) for c in StsPolicyCode),
    "tlsrpt": tuple(str(c) for c in TlsRptCode),
}


def has_errors(problems: tuple[Problem, ...]) -> bool:
    """Whether any problem makes the record (or a term of it) invalid."""
    return any(p.level is ProblemLevel.ERROR for p in problems)


def ordered(problems: list[Problem]) -> tuple[Problem, ...]:
    """Problems in reading order: by position, whole-record problems (None) last."""
    return tuple(sorted(problems, key=lambda p: (p.position is None, p.position or 0)))
