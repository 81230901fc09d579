"""The sandbox MTA-STS policy hosts over real TLS, fetched with the stdlib."""

from __future__ import annotations

import contextlib
import socket
import ssl
import time

import pytest

from assessment.sandbox import Sandbox

from .tls_client import client_context, https_get, san_names


def test_good_policy(sandbox: Sandbox) -> None:
    fetched = https_get(sandbox, "mta-sts.good.test")
    assert fetched.status == 200
    assert fetched.headers["content-type"] == "text/plain"
    assert b"mode: enforce" in fetched.body
    assert b"mx: mx2.good.test" in fetched.body
    assert san_names(fetched.cert) == ["mta-sts.good.test"]


def test_certificate_is_chosen_by_sni(sandbox: Sandbox) -> None:
    # Reach the good.test address but ask for another host by SNI: SNI wins.
    raw = socket.create_connection(
        (sandbox.addresses("mta-sts.good.test")[0], sandbox.https_port), timeout=3
    )
    ctx = client_context(sandbox)
    with ctx.wrap_socket(raw, server_hostname="mta-sts.ctype.test") as tls:
        assert tls.getpeercert() is not None


def test_other_paths_are_404(sandbox: Sandbox) -> None:
    assert https_get(sandbox, "mta-sts.good.test", "/").status == 404
    assert https_get(sandbox, "mta-sts.good.test", "/.well-known/mta-sts.txt/").status == 404


def test_redirect_is_logged_and_target_not_fetched(sandbox: Sandbox) -> None:
    before = len(sandbox.requests)
    fetched = https_get(sandbox, "mta-sts.redirect.test")
    assert fetched.status == 301
    assert fetched.headers["location"] == "https://policy.redirect.test/.well-known/mta-sts.txt"
    new = sandbox.requests[before:]
    assert ("mta-sts.redirect.test", "/.well-known/mta-sts.txt") in new
    assert all(host != "policy.redirect.test" for host, _ in new)


def test_redirect_target_serves_a_policy(sandbox: Sandbox) -> None:
    fetched = https_get(sandbox, "policy.redirect.test")
    assert fetched.status == 200
    assert ("policy.redirect.test", "/.well-known/mta-sts.txt") in sandbox.requests


def test_wrong_content_type(sandbox: Sandbox) -> None:
    fetched = https_get(sandbox, "mta-sts.ctype.test")
    assert fetched.status == 200
    assert fetched.headers["content-type"].startswith("text/html")


def test_oversized_body(sandbox: Sandbox) -> None:
    fetched = https_get(sandbox, "mta-sts.big.test")
    assert len(fetched.body) == 100 * 1024
    assert fetched.body.startswith(b"version: STSv1\n")


@pytest.mark.parametrize(
    ("host", "status"), [("mta-sts.missing.test", 404), ("mta-sts.policy-error.test", 500)]
)
def test_error_statuses(sandbox: Sandbox, host: str, status: int) -> None:
    assert https_get(sandbox, host).status == status


def test_slow_host_outlasts_client_timeout(sandbox: Sandbox) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        https_get(sandbox, "mta-sts.policy-slow.test", timeout=0.5)
    assert time.monotonic() - started < 2


def test_tls_handshake_failure(sandbox: Sandbox) -> None:
    with pytest.raises(ssl.SSLError, match=r"HANDSHAKE_FAILURE|handshake failure"):
        https_get(sandbox, "mta-sts.policy-tlsfail.test", verify=False)


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("mta-sts.policy-expired.test", "certificate has expired"),
        ("mta-sts.policy-wronghost.test", "Hostname mismatch"),
        ("mta-sts.policy-untrusted.test", "unable to get local issuer certificate"),
        ("mta-sts.policy-selfsigned.test", "self-signed certificate"),
    ],
)
def test_bad_certificates_fail_verification(sandbox: Sandbox, host: str, reason: str) -> None:
    with pytest.raises(ssl.SSLCertVerificationError, match=reason):
        https_get(sandbox, host)
    # Without verification the policy is still there: only the certificate is wrong.
    assert https_get(sandbox, host, verify=False).status == 200


def test_wronghost_cert_names(sandbox: Sandbox) -> None:
    fetched = https_get(sandbox, "mta-sts.policy-wronghost.test", verify=False)
    assert san_names(fetched.cert) == ["www.policy-wronghost.test"]


def test_plaintext_http_on_tls_port_is_survived(sandbox: Sandbox) -> None:
    address = sandbox.addresses("mta-sts.good.test")[0]
    with socket.create_connection((address, sandbox.https_port), timeout=2) as raw:
        raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        with contextlib.suppress(OSError):
            raw.recv(100)
    assert https_get(sandbox, "mta-sts.good.test").status == 200


def test_without_sni_the_address_decides(sandbox: Sandbox) -> None:
    address = sandbox.addresses("mta-sts.ctype.test")[0]
    raw = socket.create_connection((address, sandbox.https_port), timeout=3)
    with client_context(sandbox, verify=False).wrap_socket(raw) as tls:
        tls.sendall(b"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.ctype.test\r\n\r\n")
        head = tls.recv(4096)
    assert b"Content-Type: text/html" in head
