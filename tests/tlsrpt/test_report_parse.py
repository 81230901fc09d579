"""parse_report: RFC 8460 structure plus every provider quirk from the samples' notes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessment.tlsrpt.report import ReportRejected, parse_report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tlsrpt"
SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples" / "tlsrpt"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_google_style_sts_normalises_domain_and_hostname() -> None:
    report = parse_report(fixture("google-style-sts.json"))
    assert report.org_name == "Google Inc."
    assert report.start == datetime(2025, 3, 2, tzinfo=UTC)
    (policy,) = report.policies
    assert policy.policy_domain == "fixture.example"
    assert policy.mx_hosts == ("mx1.fixture.example", "*.backup.fixture.example")
    assert policy.policy_strings[2] == "max_age: 604800"
    (detail,) = policy.failure_details
    assert detail.receiving_mx_hostname == "mx1.fixture.example"
    assert detail.failure_reason_code is None
    assert report.warnings == ()


def test_no_policy_found_without_strings_or_details() -> None:
    (policy,) = parse_report(fixture("google-style-no-policy.json")).policies
    assert policy.policy_type == "no-policy-found"
    assert policy.policy_strings == () and policy.mx_hosts == () and policy.failure_details == ()
    assert not policy.counts_inconsistent


def test_microsoft_timestamp_without_zone_and_tlsa_json_array() -> None:
    report = parse_report(fixture("microsoft-style-nozone-tlsa.json"))
    assert report.start == datetime(2025, 3, 4, tzinfo=UTC)
    assert "timestamp without zone taken as UTC" in report.warnings
    tlsa = report.policies[1]
    assert tlsa.policy_type == "tlsa"
    assert len(tlsa.policy_strings) == 2
    assert all(s.startswith("3 1 1 ") for s in tlsa.policy_strings)
    assert "policy-string element holding a JSON array decoded" in report.warnings


def test_microsoft_fetch_error_without_ip_or_hostname() -> None:
    report = parse_report(fixture("microsoft-style-fetch-error.json"))
    assert report.report_id == "133855900000000000+"
    (detail,) = report.policies[0].failure_details
    assert detail.sending_mta_ip is None and detail.receiving_mx_hostname is None
    assert detail.failed_sessions == 4


def test_mailru_inconsistent_counts_are_flagged_not_fixed() -> None:
    report = parse_report(fixture("mailru-style-inconsistent.json"))
    (policy,) = report.policies
    assert policy.failed == 2
    assert policy.detail_failed_sum == 3
    assert policy.counts_inconsistent
    assert any(
        "failure-details sum 3 != summary 2 (kept as reported)" in w for w in report.warnings
    )


def test_stalwart_null_contact_and_empty_arrays() -> None:
    report = parse_report(fixture("stalwart-style-nulls.json"))
    assert report.contact_info is None
    assert report.policies[0].failure_details == ()
    assert "contact-info missing or null" in report.warnings


def test_string_counts_mx_string_offsets_and_unknown_types() -> None:
    report = parse_report(fixture("quirks-string-counts-mx-string.json"))
    assert report.start == datetime(2025, 3, 7, 22, tzinfo=UTC)
    first, second = report.policies
    assert (first.successful, first.failed) == (42, 5)
    assert first.mx_hosts == ("*.fixture.example",)
    assert first.failure_details[0].sending_mta_ip is None
    assert second.policy_type == "dane-ish" and second.policy_domain == ""
    assert second.failure_details[0].result_type == "Testing"
    for expected in (
        "count given as string",
        "mx-host given as a string, not an array",
        "policy-domain missing (kept as empty)",
        "total-failure-session-count missing (taken as 0)",
        "unknown result-type 'Testing' kept verbatim",
        "unknown policy-type 'dane-ish' kept verbatim",
        "empty sending-mta-ip treated as missing",
    ):
        assert expected in report.warnings


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[1, 2]", "is a array, not a TLS-RPT report"),
        (b'{"feedback": {}}', 'missing "organization-name"'),
        (
            b'{"organization-name":"x","report-id":"y","policies":[],'
            b'"date-range":{"start-datetime":"yesterday","end-datetime":"today"}}',
            "not an RFC 3339 date-time",
        ),
        (
            b'{"organization-name":"x","report-id":"y","policies":[{"policy":{},'
            b'"summary":{"total-successful-session-count":-1}}],'
            b'"date-range":{"start-datetime":"2025-01-01T00:00:00Z",'
            b'"end-datetime":"2025-01-01T23:59:59Z"}}',
            "out of range",
        ),
        (
            b'{"organization-name":"x","report-id":"y","policies":"none",'
            b'"date-range":{"start-datetime":"2025-01-01T00:00:00Z",'
            b'"end-datetime":"2025-01-01T23:59:59Z"}}',
            '"policies" is a string',
        ),
    ],
)
def test_rejections_have_clear_reasons(data: bytes, reason: str) -> None:
    with pytest.raises(ReportRejected) as caught:
        parse_report(data)
    assert reason in caught.value.reason


def test_deep_nesting_is_rejected_not_crashing() -> None:
    with pytest.raises(ReportRejected):
        parse_report(b"[" * 100_000 + b"]" * 100_000)


@given(st.binary(max_size=200))
def test_arbitrary_bytes_parse_or_reject(data: bytes) -> None:
    try:
        parse_report(data)
    except ReportRejected as exc:
        assert exc.reason


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=5), children, max_size=3)
        ),
        max_leaves=20,
    )
)
def test_arbitrary_json_values_in_report_fields_parse_or_reject(value: object) -> None:
    document = json.loads(fixture("google-style-sts.json"))
    for target in (document, document["policies"][0], document["policies"][0]["policy"]):
        for key in list(target):
            mutated = json.loads(json.dumps(document))
            holder = mutated
            if target is document["policies"][0]:
                holder = mutated["policies"][0]
            elif target is document["policies"][0]["policy"]:
                holder = mutated["policies"][0]["policy"]
            holder[key] = value
            try:
                parse_report(json.dumps(mutated).encode())
            except ReportRejected as exc:
                assert exc.reason


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared TLS-RPT samples not present")
def test_every_shared_sample_parses() -> None:
    for path in sorted(SAMPLES.glob("*.json")):
        report = parse_report(path.read_bytes())
        assert report.policies, path.name


def test_timestamp_outside_the_calendar_is_rejected_not_a_crash() -> None:
    import json as _json

    from assessment.tlsrpt.report import ReportRejected, parse_report

    document = {
        "organization-name": "Example",
        "report-id": "overflow-1",
        "contact-info": "x@example.com",
        "date-range": {
            "start-datetime": "0001-01-01T00:00:00+01:00",
            "end-datetime": "0001-01-01T23:59:59+01:00",
        },
        "policies": [],
    }
    with pytest.raises(ReportRejected, match="not an RFC 3339 date-time"):
        parse_report(_json.dumps(document).encode())


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"6" * 10_000, id="document-is-a-huge-integer"),
        pytest.param(
            b'{"organization-name": "x", "report-id": "y", "policies": [], '
            b'"date-range": {"start-datetime": "2025-03-07T00:00:00Z", '
            b'"end-datetime": "2025-03-08T00:00:00Z"}, "n": ' + b"9" * 5000 + b"}",
            id="report-with-a-huge-integer",
        ),
    ],
)
def test_integer_beyond_python_digit_limit_is_rejected_not_raised(data: bytes) -> None:
    """Found by bench/fuzz_parsers.py: json.loads raised a bare ValueError (4300 digits)."""
    with pytest.raises(ReportRejected, match="4300 digits"):
        parse_report(data)
