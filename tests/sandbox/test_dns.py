"""The sandbox DNS server over real UDP and TCP, asked with plain dnspython queries."""

from __future__ import annotations

import socket

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from assessment.sandbox import Sandbox

HOST = "127.0.0.1"


def ask(
    sandbox: Sandbox, name: str, rdtype: str, *, tcp: bool = False, **kwargs: object
) -> dns.message.Message:
    query = dns.message.make_query(name, rdtype, **kwargs)  # type: ignore[arg-type]
    send = dns.query.tcp if tcp else dns.query.udp
    return send(query, HOST, port=sandbox.dns_port, timeout=2)


def texts(response: dns.message.Message) -> list[str]:
    return [rdata.to_text() for rrset in response.answer for rdata in rrset]


def test_answer_is_authoritative(sandbox: Sandbox) -> None:
    response = ask(sandbox, "good.test", "MX")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.flags & dns.flags.AA
    assert sorted(texts(response)) == ["10 mx1.good.test.", "20 mx2.good.test."]


def test_tcp_gives_same_answer(sandbox: Sandbox) -> None:
    assert texts(ask(sandbox, "_dmarc.good.test", "TXT", tcp=True)) == [
        '"v=DMARC1; p=reject; rua=mailto:dmarc@good.test"'
    ]


def test_nxdomain_carries_soa(sandbox: Sandbox) -> None:
    response = ask(sandbox, "does-not-exist.good.test", "TXT")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert not response.answer
    assert [rrset.rdtype for rrset in response.authority] == [dns.rdatatype.SOA]
    assert response.authority[0].name.to_text() == "good.test."


@pytest.mark.parametrize("name", ["nodata.good.test", "_domainkey.good.test"])
def test_nodata_is_noerror_with_soa(sandbox: Sandbox, name: str) -> None:
    response = ask(sandbox, name, "TXT")
    assert response.rcode() == dns.rcode.NOERROR
    assert not response.answer
    assert [rrset.rdtype for rrset in response.authority] == [dns.rdatatype.SOA]


def test_cname_chain_is_in_answer(sandbox: Sandbox) -> None:
    response = ask(sandbox, "mx.cname-mx.test", "A")
    assert [(r.name.to_text(), r.rdtype) for r in response.answer] == [
        ("mx.cname-mx.test.", dns.rdatatype.CNAME),
        ("mx1.good.test.", dns.rdatatype.A),
    ]
    assert texts(response) == ["mx1.good.test.", "127.0.0.11"]


def test_cname_query_returns_the_alias_itself(sandbox: Sandbox) -> None:
    assert texts(ask(sandbox, "mx.cname-mx.test", "CNAME")) == ["mx1.good.test."]


def test_cname_to_nodata_keeps_chain_and_soa(sandbox: Sandbox) -> None:
    response = ask(sandbox, "mx.cname-mx.test", "TXT")
    assert response.rcode() == dns.rcode.NOERROR
    assert texts(response) == ["mx1.good.test."]
    assert response.authority[0].name.to_text() == "good.test."


def test_wildcard_synthesises_owner(sandbox: Sandbox) -> None:
    response = ask(sandbox, "_dmarc.wildcard.test", "TXT")
    assert response.answer[0].name.to_text() == "_dmarc.wildcard.test."
    assert texts(response) == ['"v=spf1 include:_spf.wildcard.test ~all"']


def test_null_mx(sandbox: Sandbox) -> None:
    assert texts(ask(sandbox, "nullmx.test", "MX")) == ["0 ."]


def test_outside_zones_is_refused(sandbox: Sandbox) -> None:
    assert ask(sandbox, "example.com", "A").rcode() == dns.rcode.REFUSED


def test_big_txt_truncates_over_udp_then_tcp_works(sandbox: Sandbox) -> None:
    udp = ask(sandbox, "bigtxt.test", "TXT")
    assert udp.flags & dns.flags.TC
    assert not udp.answer
    tcp = ask(sandbox, "bigtxt.test", "TXT", tcp=True)
    assert not tcp.flags & dns.flags.TC
    assert len(texts(tcp)) == 11
    assert len(tcp.to_wire()) > 512


def test_big_txt_fits_large_edns_payload(sandbox: Sandbox) -> None:
    response = ask(sandbox, "bigtxt.test", "TXT", use_edns=0, payload=4096)
    assert not response.flags & dns.flags.TC
    assert len(texts(response)) == 11


@pytest.mark.parametrize("tcp", [False, True])
def test_timeout_drops_query(sandbox: Sandbox, tcp: bool) -> None:
    query = dns.message.make_query("_mta-sts.dns-timeout.test", "TXT")
    send = dns.query.tcp if tcp else dns.query.udp
    with pytest.raises(dns.exception.Timeout):
        send(query, HOST, port=sandbox.dns_port, timeout=0.4)


def test_partial_timeout_only_hits_one_name(sandbox: Sandbox) -> None:
    assert ask(sandbox, "partial-timeout.test", "MX").rcode() == dns.rcode.NOERROR
    with pytest.raises(dns.exception.Timeout):
        dns.query.udp(
            dns.message.make_query("_mta-sts.partial-timeout.test", "TXT"),
            HOST,
            port=sandbox.dns_port,
            timeout=0.4,
        )


def test_servfail_and_refused(sandbox: Sandbox) -> None:
    assert ask(sandbox, "servfail.test", "MX").rcode() == dns.rcode.SERVFAIL
    assert ask(sandbox, "_dmarc.servfail.test", "TXT").rcode() == dns.rcode.SERVFAIL
    assert ask(sandbox, "refused.test", "TXT", tcp=True).rcode() == dns.rcode.REFUSED


def test_ad_bit_only_for_signed_names_and_dnssec_aware_queries(sandbox: Sandbox) -> None:
    assert ask(sandbox, "good.test", "MX", want_dnssec=True).flags & dns.flags.AD
    assert not ask(sandbox, "good.test", "MX").flags & dns.flags.AD
    assert not ask(sandbox, "nullmx.test", "MX", want_dnssec=True).flags & dns.flags.AD
    # An alias in an unsigned zone spoils the chain even though the target is signed.
    chained = ask(sandbox, "_mta-sts.signed-cname.test", "TXT", want_dnssec=True)
    assert texts(chained)[-1] == '"v=STSv1; id=20261015T090000;"'
    assert not chained.flags & dns.flags.AD


def test_ad_flag_in_query_also_asks(sandbox: Sandbox) -> None:
    query = dns.message.make_query("good.test", "MX")
    query.flags |= dns.flags.AD
    response = dns.query.udp(query, HOST, port=sandbox.dns_port, timeout=2)
    assert response.flags & dns.flags.AD


def test_garbage_does_not_kill_the_server(sandbox: Sandbox) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(1)
        sock.sendto(b"\x12\x34garbage-not-dns", (HOST, sandbox.dns_port))
        reply = dns.message.from_wire(sock.recv(512))
        assert reply.id == 0x1234
        assert reply.rcode() == dns.rcode.FORMERR
        sock.sendto(b"x", (HOST, sandbox.dns_port))
    with socket.create_connection((HOST, sandbox.dns_port), timeout=1) as sock:
        sock.sendall(b"\x00\x05abc")
        sock.shutdown(socket.SHUT_WR)
        sock.recv(100)
    assert ask(sandbox, "good.test", "MX").rcode() == dns.rcode.NOERROR


def test_tcp_connection_serves_several_queries(sandbox: Sandbox) -> None:
    with socket.create_connection((HOST, sandbox.dns_port), timeout=2) as sock:
        for name in ("good.test", "nullmx.test"):
            dns.query.send_tcp(sock, dns.message.make_query(name, "MX"))
            response, _ = dns.query.receive_tcp(sock)
            assert response.rcode() == dns.rcode.NOERROR


def test_resolver_apexes_are_served_but_nothing_below_them(sandbox: Sandbox) -> None:
    for apex in (".", "com."):
        response = ask(sandbox, apex, "SOA")
        assert response.rcode() == dns.rcode.NOERROR
        assert [r.rdtype for r in response.answer] == [dns.rdatatype.SOA]
    assert ask(sandbox, "com.", "TXT").answer == []  # NODATA, not REFUSED
    assert ask(sandbox, "example.com", "SOA").rcode() == dns.rcode.REFUSED


def test_bogus_zone_plays_a_validating_resolver(sandbox: Sandbox) -> None:
    withheld = ask(sandbox, "bogus.test", "MX", use_edns=0, ednsflags=dns.flags.DO)
    assert withheld.rcode() == dns.rcode.SERVFAIL and not withheld.answer
    assert [(e.code, e.text) for e in withheld.extended_errors()] == [(7, None)]
    query = dns.message.make_query("bogus.test", "MX", use_edns=0, want_dnssec=True)
    query.flags |= dns.flags.CD
    unchecked = dns.query.udp(query, HOST, port=sandbox.dns_port, timeout=2)
    assert unchecked.rcode() == dns.rcode.NOERROR
    assert texts(unchecked) == ["10 mx1.good.test."]
    assert not unchecked.flags & dns.flags.AD
