"""Typed values of one parsed TLS-RPT (RFC 8460) report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class PolicyType(StrEnum):
    """The ``policy-type`` values RFC 8460 §4.3 defines; others are kept verbatim."""

    STS = "sts"
    TLSA = "tlsa"
    NO_POLICY_FOUND = "no-policy-found"


class ResultType(StrEnum):
    """The ``result-type`` values of RFC 8460 §4.3; others are kept verbatim."""

    STARTTLS_NOT_SUPPORTED = "starttls-not-supported"
    CERTIFICATE_HOST_MISMATCH = "certificate-host-mismatch"
    CERTIFICATE_EXPIRED = "certificate-expired"
    CERTIFICATE_NOT_TRUSTED = "certificate-not-trusted"
    VALIDATION_FAILURE = "validation-failure"
    TLSA_INVALID = "tlsa-invalid"
    DNSSEC_INVALID = "dnssec-invalid"
    DANE_REQUIRED = "dane-required"
    STS_POLICY_FETCH_ERROR = "sts-policy-fetch-error"
    STS_POLICY_INVALID = "sts-policy-invalid"
    STS_WEBPKI_INVALID = "sts-webpki-invalid"


KNOWN_POLICY_TYPES = frozenset(PolicyType)
KNOWN_RESULT_TYPES = frozenset(ResultType)


@dataclass(frozen=True)
class FailureDetail:
    """One ``failure-details`` entry; absent or empty fields are ``None``."""

    result_type: str
    sending_mta_ip: str | None
    receiving_mx_hostname: str | None
    receiving_mx_helo: str | None
    receiving_ip: str | None
    failed_sessions: int
    failure_reason_code: str | None
    additional_information: str | None


@dataclass(frozen=True)
class PolicyResult:
    """One ``policies[]`` block: the policy applied and its session counts as reported."""

    policy_type: str
    policy_strings: tuple[str, ...]
    policy_domain: str
    mx_hosts: tuple[str, ...]
    successful: int
    failed: int
    failure_details: tuple[FailureDetail, ...]

    @property
    def detail_failed_sum(self) -> int:
        return sum(detail.failed_sessions for detail in self.failure_details)

    @property
    def counts_inconsistent(self) -> bool:
        # Only meaningful when details were sent: Google omits them on success.
        return bool(self.failure_details) and self.detail_failed_sum != self.failed


@dataclass(frozen=True)
class TlsRptReport:
    """A whole report. ``warnings`` lists every tolerance the parser applied."""

    org_name: str
    report_id: str
    start: datetime
    end: datetime
    contact_info: str | None
    policies: tuple[PolicyResult, ...]
    warnings: tuple[str, ...]
