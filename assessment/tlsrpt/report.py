"""Lenient parser for RFC 8460 §4 JSON reports.

The structure parsed (RFC 8460 §4, with errata EID 6241 for ``mx-host``)::

    {
      "organization-name": <string>,
      "date-range": {"start-datetime": <RFC 3339>, "end-datetime": <RFC 3339>},
      "contact-info": <string>,
      "report-id": <string>,
      "policies": [{
        "policy": {
          "policy-type": "sts" | "tlsa" | "no-policy-found",
          "policy-string": [<string>, ...],
          "policy-domain": <string>,
          "mx-host": [<string>, ...]
        },
        "summary": {
          "total-successful-session-count": <int>,
          "total-failure-session-count": <int>
        },
        "failure-details": [{
          "result-type": <string>,
          "sending-mta-ip": <string>,
          "receiving-mx-hostname": <string>,
          "receiving-mx-helo": <string>,
          "receiving-ip": <string>,
          "failed-session-count": <int>,
          "additional-information": <URI>,
          "failure-reason-code": <string>
        }, ...]
      }, ...]
    }

Real reporters deviate from it (see the samples' SOURCES.md); every deviation
that still leaves the meaning clear is accepted and recorded as a warning, and
inconsistent counts are flagged, never corrected.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Final, NamedTuple

import orjson

from assessment.names import DomainNameError, to_ascii
from assessment.tlsrpt.model import (
    KNOWN_POLICY_TYPES,
    KNOWN_RESULT_TYPES,
    FailureDetail,
    PolicyResult,
    TlsRptReport,
)

# Counts beyond this cannot be real session numbers and would overflow SQLite's INTEGER.
MAX_COUNT = 2**53


class ReportRejected(ValueError):
    """The bytes are not a usable TLS-RPT report; ``reason`` says why, for a human."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
_BOM: Final = b"\xef\xbb\xbf"


class _Warnings:
    """Ordered, de-duplicated warnings: one per kind of tolerance, not per row."""

    def __init__(self) -> None:
        self._seen: dict[str, None] = {}
        # A float was read: orjson reads integers beyond 64 bits as floats, so
        # such a document is read again with the standard library (exact ints).
        self.saw_float = False

    def add(self, message: str) -> None:
        self._seen.setdefault(message, None)

    def as_tuple(self) -> tuple[str, ...]:
        return tuple(self._seen)


# A failure-details entry in FailureDetail's field order.
Detail = tuple[str, str | None, str | None, str | None, str | None, int, str | None, str | None]


class ParsedPolicy(NamedTuple):
    policy_type: str
    policy_strings: tuple[str, ...]
    policy_domain: str
    mx_hosts: tuple[str, ...]
    successful: int
    failed: int
    details: tuple[Detail, ...]
    detail_failed_sum: int
    counts_inconsistent: bool


class ParsedReport(NamedTuple):
    """A validated report as plain tuples: what the import turns into rows directly."""

    org_name: str
    report_id: str
    start: datetime
    end: datetime
    start_us: int
    end_us: int
    contact_info: str | None
    policies: tuple[ParsedPolicy, ...]
    warnings: tuple[str, ...]


def parse_report(data: bytes) -> TlsRptReport:
    """Parse one report's JSON bytes, or raise ``ReportRejected`` with a human reason."""
    parsed = parse_plain(data)
    return TlsRptReport(
        org_name=parsed.org_name,
        report_id=parsed.report_id,
        start=parsed.start,
        end=parsed.end,
        contact_info=parsed.contact_info,
        policies=tuple(
            PolicyResult(
                policy_type=policy.policy_type,
                policy_strings=policy.policy_strings,
                policy_domain=policy.policy_domain,
                mx_hosts=policy.mx_hosts,
                successful=policy.successful,
                failed=policy.failed,
                failure_details=tuple(FailureDetail(*detail) for detail in policy.details),
            )
            for policy in parsed.policies
        ),
        warnings=parsed.warnings,
    )


def parse_plain(data: bytes) -> ParsedReport:
    """``parse_report`` without the dataclasses (same validation, warnings, rejections).

    orjson reads the common case; anything it refuses, any rejection and any
    float (orjson turns integers beyond 64 bits into floats) is read again with
    the standard library, so reasons and values are exactly the stdlib's.
    """
    warnings = _Warnings()
    body = data
    if body.startswith(_BOM):
        warnings.add("UTF-8 byte order mark ignored")
        body = body[3:]
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return _parse_stdlib(data)
    if not isinstance(document, dict):
        return _parse_stdlib(data)
    try:
        parsed = _report(document, warnings)
    except ReportRejected:
        return _parse_stdlib(data)
    return _parse_stdlib(data) if warnings.saw_float else parsed


def _parse_stdlib(data: bytes) -> ParsedReport:
    warnings = _Warnings()
    text = _decode(data, warnings)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportRejected(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise ReportRejected("not valid JSON: nested too deeply") from None
    except ValueError as exc:
        # Python refuses integers of more than 4300 digits (int_max_str_digits) with a
        # plain ValueError, not a JSONDecodeError (found by bench/fuzz_parsers.py).
        raise ReportRejected(f"not usable JSON: {exc}") from None
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        pass
    except UnicodeEncodeError:
        # The stdlib accepts "\ud800" escapes; they are not Unicode text (and
        # could not be stored).
        raise ReportRejected(
            "not valid JSON text: a \\u escape encodes a lone UTF-16 surrogate"
        ) from None
    if not isinstance(document, dict):
        raise ReportRejected(
            f"JSON is a {_json_kind(document)}, not a TLS-RPT report object (RFC 8460 §4)"
        )
    return _report(document, warnings)


def _decode(data: bytes, warnings: _Warnings) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        warnings.add("UTF-8 byte order mark ignored")
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReportRejected(
            f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "null" if value is None else type(value).__name__


_REQUIRED_ORDER: Final = ("organization-name", "report-id", "date-range", "policies")
_REQUIRED: Final = frozenset(_REQUIRED_ORDER)


def _report(document: dict[str, Any], warnings: _Warnings) -> ParsedReport:
    if not document.keys() >= _REQUIRED:
        missing = [key for key in _REQUIRED_ORDER if key not in document]
        raise ReportRejected(
            "not a TLS-RPT report: missing " + ", ".join(f'"{key}"' for key in missing)
        )
    org_name = _required_text(document, "organization-name")
    report_id = _required_text(document, "report-id")
    date_range = document["date-range"]
    if not isinstance(date_range, dict):
        raise ReportRejected(f'"date-range" is a {_json_kind(date_range)}, not an object')
    start, start_us = _timestamp(date_range, "start-datetime", warnings)
    end, end_us = _timestamp(date_range, "end-datetime", warnings)
    if end_us < start_us:
        warnings.add("end-datetime is before start-datetime (kept as reported)")
    contact = document.get("contact-info")
    if contact is None:
        warnings.add("contact-info missing or null")
    elif not isinstance(contact, str):
        raise ReportRejected(f'"contact-info" is a {_json_kind(contact)}, not a string')
    raw_policies = document["policies"]
    if not isinstance(raw_policies, list):
        raise ReportRejected(f'"policies" is a {_json_kind(raw_policies)}, not an array')
    if not raw_policies:
        warnings.add("policies array is empty")
    policies = tuple([_policy(index, entry, warnings) for index, entry in enumerate(raw_policies)])
    return ParsedReport(
        org_name, report_id, start, end, start_us, end_us, contact, policies, warnings.as_tuple()
    )


def _required_text(document: dict[str, Any], key: str) -> str:
    value = document[key]
    if not isinstance(value, str):
        raise ReportRejected(f'"{key}" is a {_json_kind(value)}, not a string')
    value = value.strip()
    if not value:
        raise ReportRejected(f'"{key}" is empty')
    return value


def _timestamp(date_range: dict[str, Any], key: str, warnings: _Warnings) -> tuple[datetime, int]:
    """The instant in UTC and as epoch microseconds (exact)."""
    value = date_range.get(key)
    if not isinstance(value, str):
        what = "missing" if value is None else f"a {_json_kind(value)}, not a string"
        raise ReportRejected(f'date-range "{key}" is {what}')
    instant = _instant(value)
    if instant is None:
        raise ReportRejected(f'date-range "{key}" is not an RFC 3339 date-time: {value!r}')
    moment, micros, zoneless = instant
    if zoneless:
        # Microsoft's early reports (2023) dropped the zone; they meant UTC.
        warnings.add("timestamp without zone taken as UTC")
    return moment, micros


@lru_cache(maxsize=4096)
def _instant(value: str) -> tuple[datetime, int, bool] | None:
    # Cached: a reporter's daily reports share their date-range strings.
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    zoneless = parsed.tzinfo is None
    try:
        moment = parsed.replace(tzinfo=UTC) if zoneless else parsed.astimezone(UTC)
    except OverflowError:
        # e.g. 0001-01-01T00:00:00+01:00: before year 1 once converted to UTC.
        return None
    return moment, (moment - _EPOCH) // _MICROSECOND, zoneless


def _policy(index: int, entry: object, warnings: _Warnings) -> ParsedPolicy:
    where = f"policies[{index}]"
    if not isinstance(entry, dict):
        raise ReportRejected(f"{where} is a {_json_kind(entry)}, not an object")
    policy = entry.get("policy")
    if not isinstance(policy, dict):
        raise ReportRejected(f'{where} has no "policy" object')
    policy_type = policy.get("policy-type")
    if not isinstance(policy_type, str) or not policy_type.strip():
        warnings.add("policy-type missing (kept as empty)")
        policy_type = ""
    policy_type = policy_type.strip()
    if policy_type and policy_type not in KNOWN_POLICY_TYPES:
        warnings.add(f"unknown policy-type {policy_type!r} kept verbatim")
    domain_value = policy.get("policy-domain")
    if isinstance(domain_value, str) and domain_value.strip():
        policy_domain = _domain(domain_value, warnings)
    else:
        warnings.add("policy-domain missing (kept as empty)")
        policy_domain = ""
    policy_strings = _policy_strings(policy.get("policy-string"), where, warnings)
    mx_hosts = _mx_hosts(policy.get("mx-host"), where, warnings)

    summary = entry.get("summary")
    if not isinstance(summary, dict):
        warnings.add("policy summary missing (counts taken as 0)")
        summary = {}
    successful = _count(summary, "total-successful-session-count", where, warnings)
    failed = _count(summary, "total-failure-session-count", where, warnings)

    raw_details = entry.get("failure-details")
    if raw_details is None:
        details: tuple[Detail, ...] = ()
    elif isinstance(raw_details, list):
        details = tuple(
            _failure(f"{where}.failure-details[{n}]", item, warnings)
            for n, item in enumerate(raw_details)
        )
    else:
        raise ReportRejected(
            f'{where} "failure-details" is a {_json_kind(raw_details)}, not an array'
        )
    detail_sum = sum(detail[5] for detail in details)
    # Only meaningful when details were sent: Google omits them on success.
    inconsistent = bool(details) and detail_sum != failed
    if inconsistent:
        warnings.add(
            f"{where} failure-details sum {detail_sum} != summary {failed} (kept as reported)"
        )
    return ParsedPolicy(
        policy_type,
        policy_strings,
        policy_domain,
        mx_hosts,
        successful,
        failed,
        details,
        detail_sum,
        inconsistent,
    )


@lru_cache(maxsize=4096)
def _normalised_domain(value: str) -> tuple[str, bool]:
    name = value.strip().rstrip(".").lower()
    if name.isascii():
        return name, True
    try:
        return to_ascii(name), True
    except DomainNameError:
        return name, False


def _domain(value: str, warnings: _Warnings) -> str:
    name, ok = _normalised_domain(value)
    if not ok:
        warnings.add(f"policy-domain {value!r} is not a valid IDN (kept lower-cased)")
    return name


def _policy_strings(value: object, where: str, warnings: _Warnings) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        warnings.add("policy-string given as a string, not an array")
        value = [value]
    if not isinstance(value, list):
        raise ReportRejected(f'{where} "policy-string" is a {_json_kind(value)}, not an array')
    try:
        joined = "".join(value)
    except TypeError:
        joined = "["  # an element that is not a string: the loop below names it
    if "[" not in joined:
        # The usual case, no element that could hold a JSON array: kept as sent.
        return tuple(value)
    strings: list[str] = []
    for element in value:
        if not isinstance(element, str):
            raise ReportRejected(f'{where} "policy-string" holds a {_json_kind(element)}')
        if element.lstrip().startswith("["):
            decoded = _json_array_of_strings(element)
            if decoded is not None:
                # Microsoft packs all TLSA records into one JSON-encoded array element.
                warnings.add("policy-string element holding a JSON array decoded")
                strings.extend(decoded)
                continue
        strings.append(element)
    return tuple(strings)


def _json_array_of_strings(text: str) -> list[str] | None:
    try:
        decoded = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None
    if isinstance(decoded, list) and all(isinstance(item, str) for item in decoded):
        return decoded
    return None


def _mx_hosts(value: object, where: str, warnings: _Warnings) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        # RFC 8460 as published shows a string; erratum 6241 made it an array.
        warnings.add("mx-host given as a string, not an array")
        value = [value]
    if not isinstance(value, list):
        raise ReportRejected(f'{where} "mx-host" is a {_json_kind(value)}, not an array')
    hosts: list[str] = []
    for element in value:
        if not isinstance(element, str):
            raise ReportRejected(f'{where} "mx-host" holds a {_json_kind(element)}')
        if element.strip():
            hosts.append(element.strip().rstrip(".").lower())
    return tuple(hosts)


def _count(container: dict[str, Any], key: str, where: str, warnings: _Warnings) -> int:
    value = container.get(key)
    if type(value) is int:
        count = value
    elif value is None:
        warnings.add(f"{key} missing (taken as 0)")
        return 0
    elif isinstance(value, str) and value.strip().isdigit():
        warnings.add("count given as string")
        count = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        warnings.saw_float = True
        warnings.add("count given as a decimal number")
        count = int(value)
    else:
        raise ReportRejected(f'{where} "{key}" is not a session count: {value!r}')
    if count < 0 or count > MAX_COUNT:
        raise ReportRejected(f'{where} "{key}" is out of range: {count}')
    return count


_DETAIL_TEXT_FIELDS = (
    "sending-mta-ip",
    "receiving-mx-helo",
    "receiving-ip",
    "failure-reason-code",
    "additional-information",
)


def _failure(where: str, item: object, warnings: _Warnings) -> Detail:
    if not isinstance(item, dict):
        raise ReportRejected(f"{where} is a {_json_kind(item)}, not an object")
    result_type = item.get("result-type")
    if not isinstance(result_type, str) or not result_type.strip():
        warnings.add("failure-details entry without result-type (kept as empty)")
        result_type = ""
    result_type = result_type.strip()
    if result_type and result_type not in KNOWN_RESULT_TYPES:
        warnings.add(f"unknown result-type {result_type!r} kept verbatim")
    text: dict[str, str | None] = {}
    for key in (*_DETAIL_TEXT_FIELDS, "receiving-mx-hostname"):
        value = item.get(key)
        if value is None:
            text[key] = None
        elif isinstance(value, str):
            if value.strip():
                text[key] = value.strip()
            else:
                warnings.add(f"empty {key} treated as missing")
                text[key] = None
        elif isinstance(value, int | float) and not isinstance(value, bool):
            warnings.saw_float = warnings.saw_float or isinstance(value, float)
            warnings.add(f"{key} given as a number")
            text[key] = str(value)
        else:
            raise ReportRejected(f'{where} "{key}" is a {_json_kind(value)}, not a string')
    hostname = text["receiving-mx-hostname"]
    if hostname is not None:
        hostname = hostname.rstrip(".").lower() or None
    return (
        result_type,
        text["sending-mta-ip"],
        hostname,
        text["receiving-mx-helo"],
        text["receiving-ip"],
        _count(item, "failed-session-count", where, warnings),
        text["failure-reason-code"],
        text["additional-information"],
    )
