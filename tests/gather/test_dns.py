"""DNS outcomes against the live loopback sandbox resolver."""

from __future__ import annotations

import asyncio

import dns.flags
import dns.message
import dns.query
import dns.rdatatype

from assessment.gather.dns import build_resolver, lookup, normalize_name
from assessment.model import DnsLookup, Outcome
from assessment.sandbox import Sandbox


def ask(sandbox: Sandbox, name: str, rdtype: str) -> DnsLookup:
    async def run() -> DnsLookup:
        return await lookup(build_resolver(sandbox.profile), name, rdtype)

    return asyncio.run(run())


def test_ok_txt_with_ttl_resolver_time_and_ad(sandbox: Sandbox) -> None:
    found = ask(sandbox, "Good.Test.", "txt")
    assert found.outcome is Outcome.OK
    assert found.name == "good.test"
    assert found.rdtype == "TXT"
    assert found.answers == ("v=spf1 ip4:192.0.2.0/24 -all",)
    assert found.txt_strings == (("v=spf1 ip4:192.0.2.0/24 -all",),)
    assert found.ttl is not None and found.ttl > 0
    assert str(sandbox.profile.resolvers[0].port) in found.resolver
    assert found.ad is True
    assert found.observed_at.endswith("Z")
    assert found.error is None


def test_mx_answers_in_presentation_form(sandbox: Sandbox) -> None:
    found = ask(sandbox, "good.test", "MX")
    assert sorted(found.answers) == ["10 mx1.good.test.", "20 mx2.good.test."]


def test_nxdomain(sandbox: Sandbox) -> None:
    found = ask(sandbox, "does-not-exist.good.test", "TXT")
    assert found.outcome is Outcome.NXDOMAIN
    assert found.answers == ()


def test_nodata_and_empty_non_terminal(sandbox: Sandbox) -> None:
    assert ask(sandbox, "nodata.good.test", "TXT").outcome is Outcome.NODATA
    assert ask(sandbox, "_domainkey.good.test", "TXT").outcome is Outcome.NODATA


def test_timeout_is_bounded_by_the_profile(sandbox: Sandbox) -> None:
    found = ask(sandbox, "dns-timeout.test", "TXT")
    assert found.outcome is Outcome.TIMEOUT
    assert found.outcome.inconclusive
    assert found.elapsed_ms < (sandbox.profile.dns_timeout + 1.5) * 1000
    assert found.error


def test_partial_timeout_only_hits_one_name(sandbox: Sandbox) -> None:
    assert ask(sandbox, "_mta-sts.partial-timeout.test", "TXT").outcome is Outcome.TIMEOUT
    assert ask(sandbox, "partial-timeout.test", "MX").outcome is Outcome.OK


def test_servfail_and_refused_are_told_apart(sandbox: Sandbox) -> None:
    servfail = ask(sandbox, "servfail.test", "TXT")
    refused = ask(sandbox, "refused.test", "TXT")
    outside = ask(sandbox, "example.com", "A")
    assert servfail.outcome is Outcome.SERVFAIL
    assert refused.outcome is Outcome.REFUSED
    assert outside.outcome is Outcome.REFUSED
    assert servfail.error is not None and "SERVFAIL" in servfail.error


def test_cname_chain_is_recorded(sandbox: Sandbox) -> None:
    found = ask(sandbox, "mx.cname-mx.test", "A")
    assert found.outcome is Outcome.OK
    assert found.answers == ("127.0.0.11",)
    assert found.cname_chain == ("mx.cname-mx.test", "mx1.good.test")


def test_cname_to_txt(sandbox: Sandbox) -> None:
    found = ask(sandbox, "_mta-sts.signed-cname.test", "TXT")
    assert found.outcome is Outcome.OK
    assert found.cname_chain[0] == "_mta-sts.signed-cname.test"
    assert found.answers[0].startswith("v=STSv1")


def test_truncated_udp_answer_is_retried_over_tcp(sandbox: Sandbox) -> None:
    endpoint = sandbox.profile.resolvers[0]
    query = dns.message.make_query("bigtxt.test.", dns.rdatatype.TXT)
    raw_udp = dns.query.udp(query, endpoint.host, port=endpoint.port, timeout=2)
    assert raw_udp.flags & dns.flags.TC  # the sandbox really truncates

    found = ask(sandbox, "bigtxt.test", "TXT")
    assert found.outcome is Outcome.OK
    assert len(found.answers) == 11
    assert sum(len(a) for a in found.answers) > 512
    assert any(a.startswith("v=spf1") for a in found.answers)


def test_invalid_name_is_an_error_not_an_exception(sandbox: Sandbox) -> None:
    found = ask(sandbox, "a" * 70 + ".good.test", "TXT")
    assert found.outcome is Outcome.ERROR
    assert found.error


def test_names_are_lowercase_a_labels() -> None:
    assert normalize_name("Bücher.Example.") == "xn--bcher-kva.example"
    assert normalize_name("MX1.Good.Test") == "mx1.good.test"
