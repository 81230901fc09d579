"""The import's fast path (orjson, no dataclasses) gives exactly what parse_report gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assessment.tlsrpt.batch import parsed_rows, report_rows
from assessment.tlsrpt.report import ReportRejected, parse_plain, parse_report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tlsrpt"


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
