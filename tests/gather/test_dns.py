"""DNS outcomes against the live loopback sandbox resolver."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from assessment.gather import ResolverUnavailable, check_resolvers
from assessment.gather.dns import (
    DnsClient,
    DnsRun,
    build_resolver,
    lookup,
    normalize_name,
)
from assessment.model import DnsLookup, Endpoint, NetworkProfile, Outcome
from assessment.sandbox import Sandbox


def ask(sandbox: Sandbox, name: str, rdtype: str) -> DnsLookup:
    async def run() -> DnsLookup:
        resolver = build_resolver(sandbox.profile)
        try:
            return await lookup(resolver, name, rdtype)
        finally:
            resolver.close()

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


# ------------------------------------------------------------------ DNSSEC: bogus or unreachable


def test_bogus_zone_is_told_from_a_failing_one(sandbox: Sandbox) -> None:
    bogus = ask(sandbox, "bogus.test", "MX")
    assert bogus.outcome is Outcome.SERVFAIL
    assert bogus.checking_disabled is Outcome.OK and bogus.bogus
    assert bogus.ede == ("EDE 7 (SIGNATURE_EXPIRED)",)
    assert bogus.outcome.inconclusive  # validating senders see no data either
    nodata = ask(sandbox, "_smtp._tls.bogus.test", "MX")
    assert nodata.checking_disabled is Outcome.NODATA and nodata.bogus
    failing = ask(sandbox, "servfail.test", "MX")
    assert failing.outcome is Outcome.SERVFAIL
    assert failing.checking_disabled is Outcome.SERVFAIL and not failing.bogus
    assert failing.ede == ()


def test_only_a_servfail_is_asked_again(sandbox: Sandbox) -> None:
    assert ask(sandbox, "good.test", "MX").checking_disabled is None
    assert ask(sandbox, "refused.test", "MX").checking_disabled is None


# ------------------------------------------------------------------ one question per run


def test_a_run_asks_each_question_once_for_every_domain(sandbox: Sandbox) -> None:
    async def run() -> tuple[DnsLookup, DnsLookup, int]:
        shared = DnsRun(sandbox.profile)
        first, second = DnsClient(sandbox.profile, shared), DnsClient(sandbox.profile, shared)
        a, b = await asyncio.gather(
            first.query("_mta-sts.dns-timeout.test", "TXT"),
            second.query("_MTA-STS.dns-timeout.test.", "txt"),
        )
        await second.query("good.test", "MX")
        shared.close()
        return a, b, len(shared._tasks)

    a, b, asked = asyncio.run(run())
    # The timeout is paid once and both domains get the very same observation.
    assert a is b and a.outcome is Outcome.TIMEOUT
    assert asked == 2


# ------------------------------------------------------------------ resolver pre-flight


class _Responder:
    """A resolver on 127.0.0.1 that answers every question with one rcode, or never.

    `hostile` first sends replies that must be ignored (another question under our ID, a
    reply without QR) or refused (junk under our ID) before or instead of the right one.
    """

    def __init__(self, rcode: int | None, hostile: str = "") -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.rcode = rcode
        self.hostile = hostile
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve)
        self.thread.start()

    @property
    def profile(self) -> NetworkProfile:
        port = self.sock.getsockname()[1]
        return NetworkProfile(resolvers=(Endpoint("127.0.0.1", port),), dns_timeout=0.5, lab=True)

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                wire, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            if self.rcode is None:
                continue
            query = dns.message.from_wire(wire)
            if self.hostile == "junk":
                self.sock.sendto(wire[:2] + b"\x81\x80\x00\x01\x00\x01garbage", peer)
                continue
            if self.hostile == "decoys":
                other = dns.message.make_query("decoy.example.", "TXT")
                other.id = query.id
                forged = dns.message.make_response(other)
                forged.answer.append(dns.rrset.from_text("decoy.example.", 60, "IN", "TXT", "x"))
                self.sock.sendto(forged.to_wire(), peer)
                self.sock.sendto(wire, peer)  # our own question back: no QR bit
            response = dns.message.make_response(query)
            response.set_rcode(self.rcode)
            if self.hostile == "decoys":
                answer = dns.rrset.from_text(query.question[0].name, 60, "IN", "A", "192.0.2.1")
                response.answer.append(answer)
            self.sock.sendto(response.to_wire(), peer)

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture()
def liar() -> Iterator[_Responder]:
    server = _Responder(dns.rcode.NXDOMAIN)
    yield server
    server.close()


@pytest.fixture()
def silent() -> Iterator[_Responder]:
    server = _Responder(None)
    yield server
    server.close()


def test_preflight_accepts_the_sandbox_resolver(sandbox: Sandbox) -> None:
    check_resolvers(sandbox.profile)  # it serves the root and com. apexes, as resolvers do


def test_preflight_rejects_a_resolver_denying_the_root(liar: _Responder) -> None:
    with pytest.raises(ResolverUnavailable) as caught:
        check_resolvers(liar.profile)
    message = str(caught.value)
    assert "answers NXDOMAIN for the root zone (.), which exists" in message
    assert "\n" not in message


def test_preflight_rejects_a_liar_even_beside_an_honest_resolver(
    sandbox: Sandbox, liar: _Responder
) -> None:
    both = NetworkProfile(
        resolvers=(*sandbox.profile.resolvers, *liar.profile.resolvers), dns_timeout=0.5
    )
    with pytest.raises(ResolverUnavailable, match="denies names that exist"):
        check_resolvers(both)


def test_preflight_rejects_silence(silent: _Responder) -> None:
    with pytest.raises(ResolverUnavailable, match=r"no answer from 127\.0\.0\.1:\d+ within 0.5 s"):
        check_resolvers(silent.profile)


def test_preflight_accepts_one_silent_resolver_beside_a_working_one(
    sandbox: Sandbox, silent: _Responder
) -> None:
    both = NetworkProfile(
        resolvers=(*silent.profile.resolvers, *sandbox.profile.resolvers), dns_timeout=0.5
    )
    check_resolvers(both)


def _lookup_at(server: _Responder, name: str, rdtype: str) -> DnsLookup:
    async def run() -> DnsLookup:
        resolver = build_resolver(server.profile)
        try:
            return await lookup(resolver, name, rdtype)
        finally:
            resolver.close()

    return asyncio.run(run())


def test_replies_to_other_questions_under_our_id_are_ignored() -> None:
    server = _Responder(dns.rcode.NOERROR, hostile="decoys")
    try:
        found = _lookup_at(server, "mx.example", "A")
    finally:
        server.close()
    assert found.outcome is Outcome.OK and found.answers == ("192.0.2.1",)


def test_junk_under_our_id_is_an_error_not_an_exception() -> None:
    server = _Responder(dns.rcode.NOERROR, hostile="junk")
    try:
        found = _lookup_at(server, "mx.example", "A")
    finally:
        server.close()
    assert found.outcome is Outcome.ERROR
    assert found.error is not None and "malformed answer" in found.error
