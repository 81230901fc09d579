"""Small stdlib clients for the sandbox tests: an HTTPS GET with chosen SNI, SMTP with SNI."""

from __future__ import annotations

import http.client
import smtplib
import socket
import ssl
from dataclasses import dataclass

from cryptography import x509

from assessment.sandbox import Sandbox


def client_context(sandbox: Sandbox, *, verify: bool = True) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(sandbox.ca_bundle_path))
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: dict[str, str]
    body: bytes
    cert: x509.Certificate


def https_get(
    sandbox: Sandbox,
    host: str,
    path: str = "/.well-known/mta-sts.txt",
    *,
    verify: bool = True,
    timeout: float = 3.0,
) -> Fetched:
    address = sandbox.addresses(host)[0]
    raw = socket.create_connection((address, sandbox.https_port), timeout=timeout)
    with client_context(sandbox, verify=verify).wrap_socket(raw, server_hostname=host) as tls:
        der = tls.getpeercert(binary_form=True)
        assert der is not None
        tls.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        response = http.client.HTTPResponse(tls)
        response.begin()
        body = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
        response.close()
        return Fetched(response.status, headers, body, x509.load_der_x509_certificate(der))


def smtp_connect(sandbox: Sandbox, host: str, timeout: float = 3.0) -> smtplib.SMTP:
    client = smtplib.SMTP(timeout=timeout)
    client.connect(sandbox.addresses(host)[0], sandbox.smtp_port)
    # smtplib sends the connect address as SNI; an MTA sends the MX name instead.
    client._host = host  # type: ignore[attr-defined]
    return client


def san_names(cert: x509.Certificate) -> list[str]:
    ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    return ext.value.get_values_for_type(x509.DNSName)
