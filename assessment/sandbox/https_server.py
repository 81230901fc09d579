"""HTTPS policy hosts: `https://mta-sts.<domain>/.well-known/mta-sts.txt`, misbehaving on demand.

The host is chosen by SNI (falling back to the local address reached), and that choice fixes both
the certificate presented and the scripted behaviour. Every request is logged so tests can prove a
client never followed a redirect.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Mapping

from assessment.sandbox.ca import SandboxCA
from assessment.sandbox.listener import Connection
from assessment.sandbox.scenario import HttpsBehaviour, HttpsHost
from assessment.sandbox.tls_server import TlsServer

WELL_KNOWN_PATH = "/.well-known/mta-sts.txt"
OVERSIZED_BYTES = 100 * 1024
_MAX_HEADER_BYTES = 16 * 1024
_IO_SECONDS = 10.0

RequestLog = list[tuple[str, str]]


class HttpsServer(TlsServer):
    """Threaded HTTPS on every policy host's loopback address, one shared port."""

    def __init__(
        self,
        hosts: tuple[HttpsHost, ...],
        addresses: Mapping[str, tuple[str, ...]],
        ca: SandboxCA,
        requests: RequestLog,
        port: int = 0,
        round_trip: float = 0.0,
    ) -> None:
        self._by_name = {host.host: host for host in hosts}
        self._by_address: dict[str, HttpsHost] = {}
        for host in hosts:
            for address in addresses[host.host]:
                self._by_address.setdefault(address, host)
        self._requests = requests
        self._requests_lock = threading.Lock()
        self._listen(ca, self._by_address, port, "sandbox-https", round_trip)

    def _pick(
        self, sock: ssl.SSLSocket | ssl.SSLObject, server_name: str | None, _: ssl.SSLContext
    ) -> int | None:
        host = self._by_name.get((server_name or "").lower()) or self._by_address.get(
            self._chosen.local_address
        )
        self._chosen.host = host
        if host is None:
            return ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
        if host.behaviour is HttpsBehaviour.TLSFAIL:
            return ssl.ALERT_DESCRIPTION_HANDSHAKE_FAILURE
        sock.context = self._ca.context(host.cert)
        return None

    def _serve(self, conn: Connection) -> None:
        conn.sock.settimeout(_IO_SECONDS)
        self._chosen.local_address = conn.local_address
        self._chosen.host = None
        conn.await_flight(_IO_SECONDS)
        conn.sock = self._base.wrap_socket(conn.sock, server_side=True)
        host: HttpsHost | None = self._chosen.host
        if host is None:
            return
        request = _read_head(conn)
        if request is None or conn.travel():
            return
        method, path, headers = request
        requested_host = headers.get("host", host.host).rsplit(":", 1)[0].lower() or host.host
        with self._requests_lock:
            self._requests.append((requested_host, path))
        trickle = host.behaviour is HttpsBehaviour.TRICKLE
        if trickle and method == "GET" and path.split("?", 1)[0] == WELL_KNOWN_PATH:
            self._trickle(conn, host)
            return
        conn.sock.sendall(self._reply(conn, host, method, path))

    @staticmethod
    def _trickle(conn: Connection, host: HttpsHost) -> None:
        """Headers at once, then one byte of the policy every `delay` seconds."""
        body = host.policy.encode()
        conn.sock.sendall(_response(200, "OK", "text/plain", body)[: -len(body) or None])
        for index in range(len(body)):
            if conn.stopping.wait(host.delay):
                return
            conn.sock.sendall(body[index : index + 1])

    def _reply(self, conn: Connection, host: HttpsHost, method: str, path: str) -> bytes:
        if method != "GET" or path.split("?", 1)[0] != WELL_KNOWN_PATH:
            return _response(404, "Not Found", "text/plain", b"not found\n")
        policy = host.policy.encode()
        match host.behaviour:
            case HttpsBehaviour.SLOW:
                if conn.stopping.wait(host.delay):
                    return b""
                return _response(200, "OK", "text/plain", policy)
            case HttpsBehaviour.REDIRECT:
                assert host.redirect_to is not None
                extra = (("Location", host.redirect_to),)
                return _response(301, "Moved Permanently", "text/plain", b"moved\n", extra)
            case HttpsBehaviour.CTYPE:
                return _response(200, "OK", "text/html; charset=utf-8", policy)
            case HttpsBehaviour.OVERSIZED:
                return _response(200, "OK", "text/plain", _pad(policy))
            case HttpsBehaviour.NOTFOUND:
                return _response(404, "Not Found", "text/plain", b"not found\n")
            case HttpsBehaviour.ERROR:
                return _response(500, "Internal Server Error", "text/plain", b"error\n")
            case _:
                return _response(200, "OK", "text/plain", policy)


def _pad(policy: bytes) -> bytes:
    """The real policy followed by ignorable extension lines, to exactly OVERSIZED_BYTES."""
    body = bytearray(policy if policy.endswith(b"\n") else policy + b"\n")
    line = b"x-padding: " + b"x" * 80 + b"\n"
    while len(body) + len(line) <= OVERSIZED_BYTES:
        body += line
    body += b"#" * (OVERSIZED_BYTES - len(body) - 1) + b"\n"
    return bytes(body)


def _read_head(conn: Connection) -> tuple[str, str, dict[str, str]] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        if len(data) > _MAX_HEADER_BYTES:
            conn.sock.sendall(_response(431, "Request Header Fields Too Large", "text/plain", b""))
            return None
        chunk = conn.sock.recv(4096)
        if not chunk:
            return None
        data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        conn.sock.sendall(_response(400, "Bad Request", "text/plain", b"bad request\n"))
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return parts[0], parts[1], headers


def _response(
    status: int,
    reason: str,
    content_type: str,
    body: bytes,
    extra: tuple[tuple[str, str], ...] = (),
) -> bytes:
    headers = [
        f"HTTP/1.1 {status} {reason}",
        f"Content-Type: {content_type}",
        f"Content-Length: {len(body)}",
        "Connection: close",
        "Server: mailposture-sandbox",
        *(f"{name}: {value}" for name, value in extra),
    ]
    return ("\r\n".join(headers) + "\r\n\r\n").encode("latin-1") + body
