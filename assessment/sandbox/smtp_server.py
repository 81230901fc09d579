"""ESMTP MX hosts with STARTTLS, misbehaving on demand; they never accept mail.

Behaviour is decided by the loopback address a client reached (each MX has its own 127.0.0.N),
because things like "no STARTTLS" must be settled before any TLS and thus before SNI. When several
hosts share an address, SNI picks among them for the certificate.
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import time
from collections.abc import Mapping

from assessment.sandbox.ca import SandboxCA
from assessment.sandbox.listener import Connection
from assessment.sandbox.scenario import SmtpBehaviour, SmtpHost
from assessment.sandbox.tls_server import TlsServer

_MAX_LINE = 1000
"""RFC 5321 §4.5.3.1.4: a command line is at most 1000 octets including CRLF."""
_MAX_COMMANDS = 50
_IO_SECONDS = 10.0
_SILENT_SECONDS = 120.0
"""How long a silent host holds a connection its client has not closed."""
_DROP_FILLERS = 2
"""Connections a dropping port makes to itself: one fills a backlog of 0, one more to spare."""


class _Lines:
    """Reads CRLF-terminated command lines from whatever socket the connection holds now."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._buffer = b""

    def discard(self) -> None:
        # Plaintext pipelined after STARTTLS must not be read as if it came over TLS.
        self._buffer = b""

    def read(self) -> str | None:
        """One line without CRLF; None on EOF; "" stands in for an over-long line."""
        overlong = False
        while b"\n" not in self._buffer:
            if len(self._buffer) > _MAX_LINE:
                # Drop the excess but keep reading: the rest of this line is not a command.
                self._buffer = b""
                overlong = True
            chunk = self._conn.sock.recv(4096)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        if overlong or len(line) >= _MAX_LINE:
            return ""
        return line.rstrip(b"\r").decode("utf-8", errors="replace")


class SmtpServer(TlsServer):
    """Threaded ESMTP on every MX host's loopback address, one shared port."""

    def __init__(
        self,
        hosts: tuple[SmtpHost, ...],
        addresses: Mapping[str, tuple[str, ...]],
        ca: SandboxCA,
        port: int = 0,
        round_trip: float = 0.0,
    ) -> None:
        self._by_address: dict[str, list[SmtpHost]] = {}
        for host in hosts:
            for address in addresses[host.host]:
                self._by_address.setdefault(address, []).append(host)
        dropping = sorted(
            address
            for address, on_it in self._by_address.items()
            if any(h.behaviour is SmtpBehaviour.DROP for h in on_it)
        )
        served = [a for a in self._by_address if a not in dropping]
        self._listen(ca, served, port, "sandbox-smtp", round_trip)
        # One port for every address, the dropping ones included (the first one picks it
        # when nothing else is served).
        self._port = self._listener.port if served else port
        self._dropping: list[_DroppingPort] = []
        for address in dropping:
            self._dropping.append(_DroppingPort(address, self._port))
            self._port = self._dropping[-1].port

    @property
    def port(self) -> int:
        return self._port

    def stop(self) -> None:
        super().stop()
        for dropping in self._dropping:
            dropping.close()

    def _pick(
        self, sock: ssl.SSLSocket | ssl.SSLObject, server_name: str | None, _: ssl.SSLContext
    ) -> int | None:
        candidates: list[SmtpHost] = self._chosen.candidates
        named = [h for h in candidates if h.host == (server_name or "").lower()]
        host = (named or candidates)[0]
        if host.behaviour is SmtpBehaviour.TLSFAIL:
            return ssl.ALERT_DESCRIPTION_HANDSHAKE_FAILURE
        sock.context = self._ca.context(host.cert)
        return None

    def _serve(self, conn: Connection) -> None:
        candidates = self._by_address.get(conn.local_address)
        if not candidates:
            return
        host = candidates[0]
        conn.sock.settimeout(_IO_SECONDS)
        # On a real path the client's connect returns one round trip before the server's
        # accept sees the handshake's last ACK, and the greeting takes another to arrive: a
        # server that speaks first pays the accept delay twice.
        if conn.travel():
            return
        if host.behaviour is SmtpBehaviour.CLOSE:
            return
        if host.behaviour is SmtpBehaviour.SILENT:
            _hold(conn, _SILENT_SECONDS)
            return
        if host.behaviour is SmtpBehaviour.SLOWBANNER and not _hold(conn, host.delay):
            return
        if host.behaviour is SmtpBehaviour.BANNER554:
            _send(conn, f"554 5.3.2 {host.host} no SMTP service here")
        else:
            _send(conn, f"220 {host.host} {host.banner}")
        self._chosen.candidates = candidates
        self._dialogue(conn, host)

    def _dialogue(self, conn: Connection, host: SmtpHost) -> None:
        lines = _Lines(conn)
        in_tls = False
        refuse_all = host.behaviour is SmtpBehaviour.BANNER554
        for _ in range(_MAX_COMMANDS):
            line = lines.read()
            if line is None or conn.travel():
                return
            verb, _, argument = line.partition(" ")
            verb = verb.upper()
            if line == "":
                _send(conn, "500 5.5.2 Line too long or empty")
            elif verb == "QUIT":
                _send(conn, "221 2.0.0 Bye")
                return
            elif refuse_all:
                _send(conn, "503 5.5.1 No SMTP service here")
            elif verb == "EHLO":
                _send_multi(conn, self._ehlo(host, argument, in_tls))
            elif verb == "HELO":
                _send(conn, f"250 {host.host}")
            elif verb == "STARTTLS":
                in_tls = self._starttls(conn, host, in_tls, lines) or in_tls
            elif verb in ("NOOP", "RSET"):
                _send(conn, "250 2.0.0 OK")
            elif verb in ("MAIL", "RCPT", "DATA", "BDAT", "VRFY", "EXPN"):
                _send(conn, "502 5.7.0 This sandbox never accepts or relays mail")
            else:
                _send(conn, "500 5.5.1 Command unrecognized")
        _send(conn, "421 4.7.0 Too many commands, closing")

    @staticmethod
    def _ehlo(host: SmtpHost, client: str, in_tls: bool) -> list[str]:
        greeting = f"{host.host} greets {client.strip() or 'client'}"
        lines = [greeting, "PIPELINING", "SIZE 10240000", "8BITMIME"]
        if not in_tls and host.behaviour is not SmtpBehaviour.NOSTARTTLS:
            lines.append("STARTTLS")
        lines.append("ENHANCEDSTATUSCODES")
        return lines

    def _starttls(self, conn: Connection, host: SmtpHost, in_tls: bool, lines: _Lines) -> bool:
        """Handle STARTTLS; True once the connection is encrypted."""
        if in_tls:
            _send(conn, "503 5.5.1 TLS already active")
            return False
        if host.behaviour is SmtpBehaviour.NOSTARTTLS:
            _send(conn, "502 5.5.1 STARTTLS not supported")
            return False
        if host.behaviour is SmtpBehaviour.STARTTLS_REFUSED:
            _send(conn, "454 4.7.0 TLS not available due to temporary reason")
            return False
        _send(conn, "220 2.0.0 Ready to start TLS")
        lines.discard()
        conn.await_flight(_IO_SECONDS)
        conn.sock = self._base.wrap_socket(conn.sock, server_side=True)
        return True


class _DroppingPort:
    """A port on `address` where connections never complete: a real TCP connect timeout.

    It listens with the smallest backlog and never accepts; its own connections fill that
    queue, and Linux then drops every further SYN, so a client's connect waits out its
    timeout with no answer at all (no RST, no ICMP), all on the loopback interface.
    """

    def __init__(self, address: str, port: int) -> None:
        self._listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listening.bind((address, port))
        self._listening.listen(0)
        self.port: int = self._listening.getsockname()[1]
        self._fillers: list[socket.socket] = []
        for _ in range(_DROP_FILLERS):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect((address, self.port))
            self._fillers.append(filler)

    def close(self) -> None:
        for sock in (*self._fillers, self._listening):
            sock.close()


def _hold(conn: Connection, seconds: float) -> bool:
    """Say nothing for `seconds`; False when the client left or the sandbox is stopping."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        if conn.stopping.is_set():
            return False
        try:
            readable, _, _ = select.select([conn.sock], [], [], min(left, 0.25))
            # A silent server still reads: only the client's close (EOF) ends the wait.
            if readable and not conn.sock.recv(4096):
                return False
        except OSError:
            return False
    return not conn.stopping.is_set()


def _send(conn: Connection, line: str) -> None:
    conn.sock.sendall(line.encode("utf-8") + b"\r\n")


def _send_multi(conn: Connection, lines: list[str]) -> None:
    text = "".join(f"250-{line}\r\n" for line in lines[:-1]) + f"250 {lines[-1]}\r\n"
    conn.sock.sendall(text.encode("utf-8"))
