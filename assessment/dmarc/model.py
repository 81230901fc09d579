"""Typed values of one parsed DMARC aggregate report (RFC 7489 appendix C, RFC 9990).

Plain NamedTuples rather than frozen dataclasses: a report of 20,000 records makes
40,000 of them, and they cross from parse worker processes as plain tuples.
Domain names are lower-case A-labels without a trailing dot; values a reporter
wrote outside the schema's enumerations are kept verbatim (and warned about).
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

NAMESPACE_9990 = "urn:ietf:params:xml:ns:dmarc-2.0"
"""RFC 9990 §6.1 (DMARCbis aggregate reporting)."""
NAMESPACE_7489 = "http://dmarc.org/dmarc-xml/0.1"
"""The target namespace of RFC 7489 appendix C (real reports almost never declare it)."""


class Schema(StrEnum):
    """Which generation of the format a report is written in."""

    RFC7489 = "rfc7489"
    RFC9990 = "rfc9990"


class Disposition(StrEnum):
    """``policy_evaluated/disposition``: RFC 7489's three values plus RFC 9990's ``pass``."""

    NONE = "none"
    PASS = "pass"  # noqa: S105 (a disposition, not a password)
    QUARANTINE = "quarantine"
    REJECT = "reject"


class OverrideType(StrEnum):
    """``reason/type`` (RFC 7489 appendix C; RFC 9990 §2.1.5 adds ``policy_test_mode``)."""

    FORWARDED = "forwarded"
    SAMPLED_OUT = "sampled_out"
    TRUSTED_FORWARDER = "trusted_forwarder"
    MAILING_LIST = "mailing_list"
    LOCAL_POLICY = "local_policy"
    POLICY_TEST_MODE = "policy_test_mode"
    OTHER = "other"


class AuthMethod(StrEnum):
    DKIM = "dkim"
    SPF = "spf"


DISPOSITIONS = frozenset(Disposition)
OVERRIDE_TYPES = frozenset(OverrideType)
DMARC_RESULTS = frozenset({"pass", "fail"})
DKIM_RESULTS = frozenset({"none", "pass", "fail", "policy", "neutral", "temperror", "permerror"})
# "unknown" and "error" are the pre-RFC 7208 names some reporters still write.
SPF_RESULTS = frozenset(
    {"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror", "unknown", "error"}
)
ALIGNMENT_MODES = frozenset({"r", "s"})


class PublishedPolicy(NamedTuple):
    """``policy_published``: the DMARC record the reporter found (absent tags: their defaults)."""

    domain: str
    adkim: str  # "r" or "s" (absent: "r", RFC 7489 §6.3)
    aspf: str
    p: str
    sp: str | None
    np: str | None
    pct: int | None
    fo: str | None
    testing: str | None  # RFC 9990 "y" / "n" (the t= tag)
    discovery_method: str | None  # RFC 9990 "psl" / "treewalk"


class RecordRow(NamedTuple):
    """One ``record``: a row of messages from one source IP with one set of results."""

    record_index: int
    source_ip: str
    messages: int
    disposition: str
    dkim: str  # policy_evaluated: DMARC-aligned DKIM result, "pass" / "fail" ("" if absent)
    spf: str
    reason_types: str  # space-separated override types, in report order
    reason_comments: str  # " | "-separated comments
    envelope_to: str | None
    envelope_from: str | None
    header_from: str


class AuthRow(NamedTuple):
    """One ``auth_results`` entry of a record: a DKIM signature or an SPF check."""

    record_index: int
    method: str  # AuthMethod value
    domain: str
    selector: str | None  # DKIM only
    scope: str | None  # SPF only: "mfrom" / "helo"
    result: str
    human_result: str | None


class AggregateReport(NamedTuple):
    """A whole report. ``warnings`` lists every tolerance the parser applied."""

    org_name: str
    email: str
    extra_contact_info: str | None
    report_id: str
    begin_us: int
    end_us: int
    errors: tuple[str, ...]
    generator: str | None
    schema: Schema
    version: str | None
    policy: PublishedPolicy
    records: tuple[RecordRow, ...]
    auth: tuple[AuthRow, ...]
    warnings: tuple[str, ...]

    @property
    def message_count(self) -> int:
        return sum(record.messages for record in self.records)


class Rejected(NamedTuple):
    """The bytes are not a usable DMARC aggregate report; ``reason`` says why, for a human."""

    reason: str
