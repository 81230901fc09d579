"""The import's fast path (orjson, no dataclasses) gives exactly what parse_report gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assessment.tlsrpt.batch import ReportRows, micros, parsed_rows
from assessment.tlsrpt.model import TlsRptReport
from assessment.tlsrpt.report import ReportRejected, parse_plain, parse_report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tlsrpt"


def report_rows(report: TlsRptReport, digest: str, raw_zlib: bytes) -> ReportRows:
    # Reference: the rows spelled out from the public dataclasses, field by field.
    policies: list[tuple[Any, ...]] = []
    failures: list[tuple[Any, ...]] = []
    for index, policy in enumerate(report.policies):
        policies.append(
            (
                index,
                policy.policy_type,
                policy.policy_domain,
                "\n".join(policy.policy_strings),
                " ".join(policy.mx_hosts),
                policy.successful,
                policy.failed,
                policy.detail_failed_sum,
                int(policy.counts_inconsistent),
            )
        )
        failures.extend(
            (
                index,
                detail.result_type,
                detail.sending_mta_ip,
                detail.receiving_mx_hostname,
                detail.receiving_mx_helo,
                detail.receiving_ip,
                detail.failed_sessions,
                detail.failure_reason_code,
                detail.additional_information,
            )
            for detail in policy.failure_details
        )
    warnings = report.warnings
    return ReportRows(
        report.org_name,
        report.report_id,
        digest,
        (
            report.org_name,
            report.report_id,
            micros(report.start),
            micros(report.end),
            report.contact_info,
            digest,
            raw_zlib,
            json.dumps(warnings) if warnings else "[]",
            len(warnings),
        ),
        "; ".join(warnings),
        tuple(policies),
        tuple(failures),
    )


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.name)
def test_rows_of_the_fast_path_equal_the_dataclass_rows(path: Path) -> None:
    data = path.read_bytes()
    for body in (data, b"\xef\xbb\xbf" + data):
        assert parsed_rows(parse_plain(body), "d", b"z") == report_rows(
            parse_report(body), "d", b"z"
        )


def _sts_with(**summary: object) -> bytes:
    base = json.loads((FIXTURES / "google-style-sts.json").read_bytes())
    base["policies"][0]["summary"].update(summary)
    return json.dumps(base).encode()


def test_integers_beyond_64_bits_keep_their_exact_value_in_the_reason() -> None:
    big = 123456789012345678901234567890
    with pytest.raises(ReportRejected) as caught:
        parse_plain(_sts_with(**{"total-successful-session-count": big}))
    assert caught.value.reason.endswith(f"out of range: {big}")


def test_stdlib_only_json_is_still_read_and_lone_surrogates_are_rejected() -> None:
    nan = _sts_with(**{"total-successful-session-count": 1}).replace(
        b'"summary": {', b'"x": NaN, "summary": {'
    )
    assert parse_plain(nan).policies[0].successful == 1
    body = _sts_with().replace(b'"report-id": "', b'"report-id": "\\ud800')
    with pytest.raises(ReportRejected, match="lone UTF-16 surrogate"):
        parse_plain(body)
    with pytest.raises(ReportRejected, match=r"not UTF-8 text \(invalid byte 0xe9"):
        parse_plain(_sts_with().replace(b'"report-id": "', b'"report-id": "\xe9'))
