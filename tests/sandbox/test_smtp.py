"""The sandbox MX hosts over real SMTP and STARTTLS, driven with smtplib."""

from __future__ import annotations

import smtplib
import socket
import ssl
import time

import pytest

from assessment.sandbox import Sandbox

from .tls_client import client_context, san_names, smtp_connect


def peer_cert_names(client: smtplib.SMTP) -> list[str]:
    from cryptography import x509

    sock = client.sock
    assert isinstance(sock, ssl.SSLSocket)
    der = sock.getpeercert(binary_form=True)
    assert der is not None
    return san_names(x509.load_der_x509_certificate(der))


@pytest.mark.parametrize("host", ["mx1.good.test", "mx2.good.test"])
def test_starttls_with_valid_certificate(sandbox: Sandbox, host: str) -> None:
    with smtp_connect(sandbox, host) as client:
        code, text = client.ehlo("probe.test")
        assert code == 250
        assert text.startswith(host.encode())
        assert client.has_extn("starttls")
        code, reply = client.starttls(context=client_context(sandbox))
        assert (code, reply) == (220, b"2.0.0 Ready to start TLS")
        assert peer_cert_names(client) == [host]
        code, _ = client.ehlo("probe.test")
        assert code == 250
        assert not client.has_extn("starttls")


def test_banner_and_mail_refused(sandbox: Sandbox) -> None:
    client = smtplib.SMTP(timeout=3)
    code, banner = client.connect(sandbox.addresses("mx1.good.test")[0], sandbox.smtp_port)
    assert code == 220
    assert banner.startswith(b"mx1.good.test ESMTP")
    client.ehlo("probe.test")
    assert client.mail("a@probe.test")[0] == 502
    assert client.rcpt("b@good.test")[0] == 502
    assert client.quit()[0] == 221
    client.close()


def test_cname_mx_presents_target_certificate(sandbox: Sandbox) -> None:
    with smtp_connect(sandbox, "mx1.good.test") as client:
        client._host = "mx.cname-mx.test"  # type: ignore[attr-defined]
        client.ehlo("probe.test")
        with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
            client.starttls(context=client_context(sandbox))


@pytest.mark.parametrize(
    ("host", "reason", "names"),
    [
        ("mx.expired.test", "certificate has expired", ["mx.expired.test"]),
        ("mx.wronghost.test", "Hostname mismatch", ["mail.elsewhere.test"]),
        ("mx.untrusted.test", "unable to get local issuer certificate", ["mx.untrusted.test"]),
        ("mx.selfsigned.test", "self-signed certificate", ["mx.selfsigned.test"]),
    ],
)
def test_bad_certificates(sandbox: Sandbox, host: str, reason: str, names: list[str]) -> None:
    with smtp_connect(sandbox, host) as client:
        client.ehlo("probe.test")
        with pytest.raises(ssl.SSLCertVerificationError, match=reason):
            client.starttls(context=client_context(sandbox))
    with smtp_connect(sandbox, host) as client:
        client.ehlo("probe.test")
        assert client.starttls(context=client_context(sandbox, verify=False))[0] == 220
        assert peer_cert_names(client) == names


def test_no_starttls_offered(sandbox: Sandbox) -> None:
    with smtp_connect(sandbox, "mx.nostarttls.test") as client:
        client.ehlo("probe.test")
        assert not client.has_extn("starttls")
        assert client.docmd("STARTTLS")[0] == 502


def test_starttls_refused(sandbox: Sandbox) -> None:
    with smtp_connect(sandbox, "mx.starttls-refused.test") as client:
        client.ehlo("probe.test")
        assert client.has_extn("starttls")
        code, text = client.docmd("STARTTLS")
        assert code == 454
        assert text.startswith(b"4.7.0")


def test_tls_handshake_failure(sandbox: Sandbox) -> None:
    with smtp_connect(sandbox, "mx.tlsfail.test") as client:
        client.ehlo("probe.test")
        with pytest.raises(ssl.SSLError, match=r"HANDSHAKE_FAILURE|handshake failure"):
            client.starttls(context=client_context(sandbox, verify=False))


def test_banner_554(sandbox: Sandbox) -> None:
    client = smtplib.SMTP(timeout=3)
    code, text = client.connect(sandbox.addresses("mx.banner554.test")[0], sandbox.smtp_port)
    assert (code, text[:5]) == (554, b"5.3.2")
    assert client.ehlo("probe.test")[0] == 503
    assert client.quit()[0] == 221
    client.close()


def test_slow_banner_outlasts_timeout(sandbox: Sandbox) -> None:
    started = time.monotonic()
    client = smtplib.SMTP(timeout=0.5)
    with pytest.raises(smtplib.SMTPServerDisconnected, match="timed out"):
        client.connect(sandbox.addresses("mx.slowsmtp.test")[0], sandbox.smtp_port)
    client.close()
    assert time.monotonic() - started < 2


def test_hangup_right_after_connect(sandbox: Sandbox) -> None:
    client = smtplib.SMTP(timeout=3)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        client.connect(sandbox.addresses("mx.hangup.test")[0], sandbox.smtp_port)
    client.close()


def test_closed_address_refuses_connection(sandbox: Sandbox) -> None:
    address = sandbox.zones.addresses("mx.closed.test")[0]
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((address, sandbox.smtp_port), timeout=2).close()


def test_hostile_lines_are_survived(sandbox: Sandbox) -> None:
    address = sandbox.addresses("mx1.good.test")[0]
    with socket.create_connection((address, sandbox.smtp_port), timeout=3) as raw:
        reader = raw.makefile("rb")
        assert reader.readline().startswith(b"220 ")
        raw.sendall(b"X" * 5000 + b"\r\n")
        assert reader.readline().startswith(b"500 ")
        raw.sendall(b"\xff\xfe\r\nQUIT\r\n")
        assert reader.readline().startswith(b"500 ")
        assert reader.readline().startswith(b"221 ")
        reader.close()
    with smtp_connect(sandbox, "mx1.good.test") as client:
        assert client.ehlo("probe.test")[0] == 250
