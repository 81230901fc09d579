"""The MTA-STS policy fetch against the sandbox's HTTPS server."""

from __future__ import annotations

import asyncio
import re
import time

from assessment.gather.https import BODY_LIMIT, fetch_policy
from assessment.model import ConnOutcome, HttpsFetch
from assessment.sandbox import Sandbox


def fetch(sandbox: Sandbox, domain: str) -> HttpsFetch:
    return asyncio.run(fetch_policy(domain, sandbox.profile))


def test_good_policy(sandbox: Sandbox) -> None:
    got = fetch(sandbox, "good.test")
    assert got.outcome is ConnOutcome.OK
    assert got.status == 200
    assert got.host == "mta-sts.good.test"
    assert (
        got.url == f"https://mta-sts.good.test:{sandbox.profile.https_port}/.well-known/mta-sts.txt"
    )
    assert got.addresses == ("127.0.0.21",)
    assert got.content_type is not None and got.content_type.startswith("text/plain")
    assert got.body is not None and "mode: enforce" in got.body
    assert got.body_truncated is False
    assert got.tls is not None and got.tls.verified is True and got.tls.verify_error is None
    assert got.tls.sni == "mta-sts.good.test"
    assert got.tls.version is not None and got.tls.cipher
    leaf = got.tls.chain[0]
    assert "mta-sts.good.test" in leaf.san_dns
    assert len(leaf.spki_sha256) == 64 and len(leaf.spki_sha512) == 128
    assert leaf.pem.startswith("-----BEGIN CERTIFICATE-----")


def test_redirect_is_recorded_and_not_followed(sandbox: Sandbox) -> None:
    # Only this fetch's requests count: other tests in the session visit the target on purpose.
    before = len(sandbox.requests)
    got = fetch(sandbox, "redirect.test")
    assert got.outcome is ConnOutcome.OK
    assert got.status is not None and 300 <= got.status < 400
    assert got.redirect_location == "https://policy.redirect.test/.well-known/mta-sts.txt"
    # The log did see this fetch, so its silence about the target means something.
    assert ("mta-sts.redirect.test", "/.well-known/mta-sts.txt") in sandbox.requests[before:]
    assert not [r for r in sandbox.requests[before:] if r[0] == "policy.redirect.test"]


def test_wrong_content_type_recorded(sandbox: Sandbox) -> None:
    got = fetch(sandbox, "ctype.test")
    assert got.status == 200
    assert got.content_type == "text/html; charset=utf-8"


def test_oversized_body_is_capped(sandbox: Sandbox) -> None:
    got = fetch(sandbox, "big.test")
    assert got.status == 200
    assert got.body_truncated is True
    assert got.body_bytes == BODY_LIMIT + 1
    assert got.body is not None and len(got.body.encode()) <= BODY_LIMIT
    assert got.body.startswith("version: STSv1")


def test_not_found_and_server_error(sandbox: Sandbox) -> None:
    assert fetch(sandbox, "missing.test").status == 404
    assert fetch(sandbox, "policy-error.test").status == 500


def test_expired_certificate(sandbox: Sandbox) -> None:
    got = fetch(sandbox, "policy-expired.test")
    assert got.status == 200  # recorded although a sender would refuse it
    assert got.tls is not None and got.tls.verified is False
    assert got.tls.verify_error is not None and "expired" in got.tls.verify_error


def test_wrong_host_certificate(sandbox: Sandbox) -> None:
    got = fetch(sandbox, "policy-wronghost.test")
    assert got.tls is not None and got.tls.verified is False
    assert got.tls.verify_error is not None and "name mismatch" in got.tls.verify_error
    assert got.tls.chain[0].san_dns == ("www.policy-wronghost.test",)


def test_untrusted_and_self_signed_certificates(sandbox: Sandbox) -> None:
    untrusted = fetch(sandbox, "policy-untrusted.test")
    assert untrusted.tls is not None and untrusted.tls.verified is False
    assert untrusted.tls.verify_error is not None and "untrusted" in untrusted.tls.verify_error
    selfsigned = fetch(sandbox, "policy-selfsigned.test")
    assert selfsigned.tls is not None and selfsigned.tls.verified is False
    assert selfsigned.tls.chain[0].self_signed is True
    assert selfsigned.tls.verify_error is not None and "self-signed" in selfsigned.tls.verify_error


def test_handshake_failure_is_recorded(sandbox: Sandbox) -> None:
    got = fetch(sandbox, "policy-tlsfail.test")
    assert got.outcome is ConnOutcome.TLS_ERROR
    assert got.tls is not None and got.tls.handshake_error
    assert got.status is None


def test_slow_server_times_out_within_the_profile(sandbox: Sandbox) -> None:
    started = time.monotonic()
    got = fetch(sandbox, "policy-slow.test")
    elapsed = time.monotonic() - started
    assert got.outcome is ConnOutcome.TIMEOUT
    assert got.error is not None
    assert "nothing received in the 5.0 s after the request" in got.error
    assert "stopped by the 5 s limit on the whole exchange" in got.error
    assert elapsed < sandbox.profile.io_timeout + sandbox.profile.dns_timeout + 1.5


def test_trickling_body_says_what_arrived_and_what_stopped_it(sandbox: Sandbox) -> None:
    got = fetch(sandbox, "policy-trickle.test")
    assert got.outcome is ConnOutcome.TIMEOUT and got.status == 200
    assert got.error is not None
    match = re.search(r"(\d+) bytes received in the (\d+\.\d) s after the request", got.error)
    assert match is not None, got.error
    # Headers (about 120 bytes) at once, then one body byte per 0.25 s for about 5 s.
    assert 120 <= int(match.group(1)) <= 200 and 4.5 <= float(match.group(2)) <= 5.5
    assert "so data was still arriving" in got.error
    assert "stopped by the 5 s limit on the whole exchange while reading the response body" in (
        got.error
    )


def test_policy_host_without_address(sandbox: Sandbox) -> None:
    got = fetch(sandbox, "expired.test")
    assert got.outcome is ConnOutcome.DNS_ERROR
    assert got.addresses == ()
    assert got.error is not None and "nxdomain" in got.error
