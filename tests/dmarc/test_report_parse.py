"""The DMARC aggregate report parser: real samples, RFC 9990, quirks, hostile XML."""

from __future__ import annotations

import gzip
import resource
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment.dmarc.model import AggregateReport, Rejected, Schema
from assessment.dmarc.report import MAX_DEPTH, parse_aggregate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dmarc"
SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples" / "dmarc"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared DMARC samples not present")


def parsed(data: bytes) -> AggregateReport:
    result = parse_aggregate(data)
    assert isinstance(result, AggregateReport), result
    return result


def rejected(data: bytes) -> str:
    result = parse_aggregate(data)
    assert isinstance(result, Rejected), result
    return result.reason


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@needs_samples
def test_microsoft_sample() -> None:
    report = parsed(sample("protection.outlook.com!example.com!1711756800!1711843200.xml"))
    assert (report.org_name, report.report_id) == (
        "Outlook.com",
        "cfeafefe4129445e8c81018bd9177197",
    )
    assert report.schema is Schema.RFC7489 and report.version == "1.0"
    assert (report.begin_us, report.end_us) == (1711756800_000_000, 1711843200_000_000)
    assert report.policy.domain == "example.com" and report.policy.p == "none"
    assert report.policy.pct == 100 and report.policy.fo == "0"
    (record,) = report.records
    assert (record.source_ip, record.messages, record.dkim, record.spf) == (
        "100.24.188.149",
        1,
        "fail",
        "fail",
    )
    assert (record.envelope_to, record.envelope_from, record.header_from) == (
        "hotmail.com",
        "example.com",
        "example.com",
    )
    (spf,) = report.auth
    assert (spf.method, spf.domain, spf.scope, spf.result) == (
        "spf",
        "example.com",
        "mfrom",
        "fail",
    )
    assert report.warnings == ()


@needs_samples
def test_rfc9990_sample() -> None:
    report = parsed(sample("rfc9990-sample.xml"))
    assert report.schema is Schema.RFC9990
    assert report.generator == "Example DMARC Aggregate Reporter v1.2"
    policy = report.policy
    assert (policy.p, policy.sp, policy.np, policy.testing, policy.discovery_method) == (
        "quarantine",
        "none",
        "none",
        "n",
        "treewalk",
    )
    # Absent alignment tags default to relaxed (RFC 7489 §6.3); RFC 9990 has no pct.
    assert (policy.adkim, policy.aspf, policy.pct) == ("r", "r", None)
    (record,) = report.records
    assert record.disposition == "pass" and record.messages == 123
    assert [(a.method, a.domain, a.selector, a.result) for a in report.auth] == [
        ("dkim", "example.com", "abc123", "pass"),
        ("spf", "example.com", None, "fail"),
    ]
    # 1979: a specification example, kept but flagged.
    assert any("before DMARC existed" in w for w in report.warnings)


@needs_samples
def test_empty_org_name_is_named_after_the_reporters_address() -> None:
    report = parsed(sample("!example.com!1538204542!1538463818.xml"))
    assert report.org_name == "accurateplastics.com"
    assert report.email == "administrator@accurateplastics.com"
    assert any("empty org_name" in w for w in report.warnings)
    assert any("same second" in w for w in report.warnings)


@needs_samples
def test_large_sample_keeps_every_record() -> None:
    report = parsed(sample("!large-example.com!1711897200!1711983600.xml"))
    assert len(report.records) == 2286 == report.message_count
    assert len({r.source_ip for r in report.records}) == 2286


@needs_samples
def test_stray_text_and_empty_reason_are_tolerated_with_warnings() -> None:
    report = parsed(sample("example.net!example.com!1529366400!1529452799.xml"))
    assert report.policy.sp == "none"
    assert report.warnings == ("stray text in <policy_published> ignored: '11' at line 19",)
    empty = parsed(sample("empty_reason.xml"))
    assert empty.records[0].reason_types == ""
    assert empty.warnings == ("empty <reason> ignored: record 1",)


@needs_samples
def test_bytes_that_are_not_utf8_are_replaced_not_fatal() -> None:
    report = parsed(sample("invalid_utf_8.xml"))
    assert report.records[0].header_from == "bad_byte\ufffd"
    assert any("not UTF-8" in w for w in report.warnings)
    assert any("header_from is not a domain name" in w for w in report.warnings)


@needs_samples
def test_not_well_formed_sample_is_rejected_with_position() -> None:
    reason = rejected(sample("invalid_xml.xml"))
    assert reason == "not well-formed XML: not well-formed (invalid token) at line 5, column 17"


@needs_samples
def test_compressed_and_mailed_samples_parse() -> None:
    report = parsed(
        gzip.decompress(sample("fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz"))
    )
    assert report.org_name == "FastMail Pty Ltd" and report.policy.domain == "indemed.com"
    old = parsed(sample("old_draft_from_wiki.xml"))
    assert old.records[0].messages == 2 and old.auth[0].selector is None


def test_prefixed_rfc9990_with_extensions() -> None:
    report = parsed((FIXTURES / "rfc9990-prefixed.xml").read_bytes())
    assert report.schema is Schema.RFC9990
    assert report.errors == ("sp tag missing",)
    assert report.policy.domain == "client.example"
    assert (report.policy.np, report.policy.testing) == ("reject", "y")
    (record,) = report.records
    # IPv6 written long-hand comes out in canonical form.
    assert record.source_ip == "2001:db8::25"
    assert record.reason_types == "policy_test_mode"
    assert record.envelope_from == "" and record.header_from == "news.client.example"
    assert [(a.method, a.selector, a.scope, a.result) for a in report.auth] == [
        ("dkim", "s1", None, "pass"),
        ("spf", None, "helo", "none"),
    ]
    # Extension elements of other namespaces are ignored silently.
    assert not any("unknown element" in w for w in report.warnings)


def test_quirks_are_read_with_warnings_and_bad_records_dropped() -> None:
    report = parsed((FIXTURES / "quirks.xml").read_bytes())
    assert report.org_name == "quirky-isp.example"
    assert report.report_id == "quirk-1"
    assert report.begin_us == 1762128000_000_000
    assert report.policy.adkim == "r" and report.policy.pct is None
    first, second = report.records
    assert first.source_ip == "not-an-ip" and first.messages == 3
    assert first.disposition == "deliver" and first.reason_types == "forwarded"
    assert first.reason_comments == "via alias" and first.header_from == "client.example"
    assert second.source_ip == "192.0.2.10"
    # The pre-RFC 7208 name for temperror is kept as written.
    assert report.auth[0].result == "unknown"
    text = "\n".join(report.warnings)
    for expected in (
        "empty org_name",
        "date written oddly",
        "adkim outside the schema, read as relaxed",
        "pct outside 0-100 ignored",
        "stray text in <policy_published>",
        "source_ip is not an IP address",
        "disposition outside the schema",
        "empty <reason> ignored",
        "header_from holds an address",
        "unknown element <shiny_new_thing> in <record> ignored",
        "record without a usable message count dropped: record 2: count '-4'",
    ):
        assert expected in text, expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("billion-laughs.xml", "document type declaration"),
        ("xxe.xml", "document type declaration"),
        ("xxe-parameter-entity.xml", "document type declaration"),
        ("external-dtd.xml", "document type declaration"),
    ],
)
def test_hostile_xml_is_refused_quickly_with_bounded_memory(name: str, expected: str) -> None:
    data = (FIXTURES / name).read_bytes()
    tracemalloc.start()
    started = time.perf_counter()
    reason = rejected(data)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert expected in reason and "refused" in reason
    # Expanded, the billion laughs would be ~3 GB; refused, it costs nothing.
    assert elapsed < 0.5
    assert peak < 1_000_000


def test_billion_laughs_does_not_grow_the_process() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(20):
        rejected((FIXTURES / "billion-laughs.xml").read_bytes())
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 20_000  # KiB


def test_undeclared_entities_and_wrong_roots_are_rejected() -> None:
    assert "undefined entity" in rejected(
        b"<feedback><report_metadata><org_name>&x;</org_name></report_metadata></feedback>"
    )
    assert rejected(b"<html><body/></html>") == (
        "root element is <html>, not <feedback>: not a DMARC aggregate report"
    )
    assert "root element is <feedback>" not in rejected(b"<feedback/>")
    assert "JSON document" in rejected(b'{"organization-name": "Google Inc."}')
    assert rejected(b"  \n") == "empty file: no XML"


def test_missing_essentials_are_rejected_with_reasons() -> None:
    meta = (
        "<report_metadata><org_name>r</org_name><email>a@r.example</email>"
        "<report_id>{id}</report_id>{range}</report_metadata>"
    )
    good_range = "<date_range><begin>1762128000</begin><end>1762214399</end></date_range>"
    policy = "<policy_published><domain>client.example</domain><p>none</p></policy_published>"

    def doc(report_id: str = "x", date_range: str = good_range, pol: str = policy) -> bytes:
        return f"<feedback>{meta.format(id=report_id, range=date_range)}{pol}</feedback>".encode()

    assert "no report_id" in rejected(doc(report_id=""))
    assert "no <date_range>" in rejected(doc(date_range=""))
    assert "no <policy_published>" in rejected(doc(pol=""))
    assert "no domain in <policy_published>" in rejected(
        doc(pol="<policy_published><p>none</p></policy_published>")
    )
    swapped = "<date_range><begin>1762214399</begin><end>1762128000</end></date_range>"
    assert "ends (1762128000) before it begins" in rejected(doc(date_range=swapped))
    words = "<date_range><begin>yesterday</begin><end>1762128000</end></date_range>"
    assert "not a number of seconds" in rejected(doc(date_range=words))
    far = "<date_range><begin>1762128000</begin><end>99999999999999</end></date_range>"
    assert "not a plausible time" in rejected(doc(date_range=far))
    assert parsed(doc()).warnings == ("report has no usable records",)


def test_nesting_beyond_the_limit_is_refused() -> None:
    deep = b"<feedback>" + b"<extension>" + b"<x>" * (MAX_DEPTH + 5) + b"</x>" * (MAX_DEPTH + 5)
    assert "nested more than" in rejected(deep + b"</extension></feedback>")


def test_utf16_documents_are_read() -> None:
    text = (
        '<?xml version="1.0" encoding="UTF-16"?><feedback><report_metadata>'
        "<org_name>Réseau</org_name><email>a@r.example</email><report_id>u16</report_id>"
        "<date_range><begin>1762128000</begin><end>1762214399</end></date_range>"
        "</report_metadata><policy_published><domain>client.example</domain><p>none</p>"
        "</policy_published></feedback>"
    )
    assert parsed(text.encode("utf-16")).org_name == "Réseau"


def test_long_fields_are_cut() -> None:
    long = "a" * 5000
    data = (
        f"<feedback><report_metadata><org_name>r</org_name><email>a@r.example</email>"
        f"<report_id>x</report_id><extra_contact_info>{long}</extra_contact_info>"
        "<date_range><begin>1762128000</begin><end>1762214399</end></date_range>"
        "</report_metadata><policy_published><domain>client.example</domain><p>none</p>"
        "</policy_published></feedback>"
    ).encode()
    report = parsed(data)
    assert report.extra_contact_info is not None and len(report.extra_contact_info) == 2048
    assert any("longer than 2048" in w for w in report.warnings)


_VALID = (FIXTURES / "rfc9990-prefixed.xml").read_bytes()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cut=st.integers(min_value=0, max_value=len(_VALID)),
    edits=st.lists(
        st.tuples(st.integers(min_value=0, max_value=len(_VALID) - 1), st.binary(max_size=4)),
        max_size=6,
    ),
)
def test_mutated_or_truncated_xml_never_raises(cut: int, edits: list[tuple[int, bytes]]) -> None:
    data = bytearray(_VALID[:cut])
    for position, replacement in edits:
        if position < len(data):
            data[position : position + len(replacement)] = replacement
    result = parse_aggregate(bytes(data))
    assert isinstance(result, AggregateReport | Rejected)
    if isinstance(result, Rejected):
        assert result.reason


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    assert isinstance(parse_aggregate(data), AggregateReport | Rejected)


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",)),
        max_size=40,
    )
)
def test_any_field_text_is_handled(text: str) -> None:
    from xml.sax.saxutils import escape

    value = escape(text)
    data = (
        f"<feedback><report_metadata><org_name>{value}</org_name><email>{value}</email>"
        f"<report_id>{value}</report_id><date_range><begin>{value}</begin><end>1</end>"
        f"</date_range></report_metadata><policy_published><domain>{value}</domain>"
        f"<pct>{value}</pct><p>{value}</p></policy_published><record><row><source_ip>{value}"
        f"</source_ip><count>{value}</count></row><identifiers><header_from>{value}"
        "</header_from></identifiers></record></feedback>"
    ).encode("utf-8", "surrogatepass")
    assert isinstance(parse_aggregate(data), AggregateReport | Rejected)


def test_parsing_leaves_no_reference_cycles() -> None:
    """Imports pause the cycle collector: a cycle per report would hold every report."""
    import gc

    data = (FIXTURES / "rfc9990-prefixed.xml").read_bytes()
    bad = b"<feedback><oops></feedback>"
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(50):
            parsed(data)
            rejected(bad)
            rejected((FIXTURES / "billion-laughs.xml").read_bytes())
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()


def test_unknown_declared_encoding_is_a_rejection_not_a_crash() -> None:
    # Found by hypothesis: expat looks the declared encoding up in Python's codec registry.
    result = parse_aggregate(b'<?xml version="1.0" encoding="ATF-8"?><feedback/>')
    assert isinstance(result, Rejected) and "unknown encoding" in result.reason
