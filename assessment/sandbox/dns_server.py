"""Authoritative DNS over UDP and TCP on 127.0.0.1, speaking real wire protocol via dnspython.

The gather layer uses this server as its resolver, so it answers like a validating recursive
resolver that happens to hold the data itself: AA and RA set, CNAME chains expanded across the
served zones, the AD bit for names the scenario marks as DNSSEC-signed, and scripted failures.
"""

from __future__ import annotations

import contextlib
import errno
import selectors
import socket
import struct
import threading

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode

from assessment.sandbox.listener import Connection, TcpListener, bind_all
from assessment.sandbox.scenario import DnsBehaviour, Scenario
from assessment.sandbox.zones import ZoneSet

_UDP_DEFAULT_PAYLOAD = 512
_TCP_IDLE_SECONDS = 10.0
_PORT_ATTEMPTS = 20


class DnsResponder:
    """Turns a query's wire bytes into response wire bytes, or None to stay silent."""

    def __init__(self, scenario: Scenario, zones: ZoneSet) -> None:
        self._scenario = scenario
        self._zones = zones

    def respond(self, wire: bytes, *, udp: bool) -> bytes | None:
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return _formerr(wire)
        response = dns.message.make_response(query, recursion_available=True)
        response.flags |= dns.flags.AA
        if query.opcode() != dns.opcode.QUERY:
            response.set_rcode(dns.rcode.NOTIMP)
            return response.to_wire()
        if len(query.question) != 1:
            response.set_rcode(dns.rcode.FORMERR)
            return response.to_wire()
        question = query.question[0]
        result = self._zones.resolve(question.name, question.rdtype)
        behaviours = {
            rule.behaviour
            for name in result.visited
            if (rule := self._scenario.dns_rule(name.to_text())) is not None
        }
        if DnsBehaviour.TIMEOUT in behaviours:
            return None
        if DnsBehaviour.SERVFAIL in behaviours:
            response.set_rcode(dns.rcode.SERVFAIL)
            return response.to_wire()
        if DnsBehaviour.REFUSED in behaviours:
            response.set_rcode(dns.rcode.REFUSED)
            return response.to_wire()
        response.set_rcode(dns.rcode.from_text(result.rcode))
        if result.rcode in ("NOERROR", "NXDOMAIN"):
            response.answer.extend(result.answer)
            response.authority.extend(result.authority)
            signed = DnsBehaviour.AD in behaviours or all(
                self._scenario.is_signed(name.to_text()) for name in result.visited
            )
            # Validating resolvers only report AD to clients that signal DNSSEC awareness.
            asked = bool(query.flags & dns.flags.AD) or bool(query.ednsflags & dns.flags.DO)
            if signed and asked:
                response.flags |= dns.flags.AD
        return _to_wire(response, _limit(query) if udp else 65535)


def _limit(query: dns.message.Message) -> int:
    if query.edns < 0:
        return _UDP_DEFAULT_PAYLOAD
    return max(_UDP_DEFAULT_PAYLOAD, query.payload)


def _to_wire(response: dns.message.Message, max_size: int) -> bytes:
    try:
        return response.to_wire(max_size=max_size)
    except dns.exception.TooBig:
        # An empty truncated answer makes the client retry the whole question over TCP.
        response.answer.clear()
        response.authority.clear()
        response.additional.clear()
        response.flags |= dns.flags.TC
        return response.to_wire(max_size=max_size)


def _formerr(wire: bytes) -> bytes | None:
    if len(wire) < 2:
        return None
    response = dns.message.Message(id=struct.unpack("!H", wire[:2])[0])
    response.flags |= dns.flags.QR
    response.set_rcode(dns.rcode.FORMERR)
    return response.to_wire()


class DnsServer:
    """UDP and TCP listeners on one port of 127.0.0.1, each served by its own thread."""

    def __init__(self, responder: DnsResponder, address: str = "127.0.0.1", port: int = 0) -> None:
        self._responder = responder
        self._udp, tcp_sockets = _bind_pair(address, port)
        self._tcp = TcpListener(tcp_sockets, self._serve_tcp, "sandbox-dns-tcp")
        self._wake_r, self._wake_w = socket.socketpair()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve_udp, name="sandbox-dns-udp")

    @property
    def port(self) -> int:
        return int(self._udp.getsockname()[1])

    def start(self) -> None:
        self._tcp.start()
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")
        if self._thread.is_alive():
            self._thread.join()
        self._tcp.stop()
        self._udp.close()
        self._wake_r.close()
        self._wake_w.close()

    def _serve_udp(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._udp, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self._wake_r:
                        return
                    try:
                        wire, peer = self._udp.recvfrom(65535)
                    except OSError:
                        continue
                    reply = self._responder.respond(wire, udp=True)
                    if reply is not None:
                        with contextlib.suppress(OSError):
                            self._udp.sendto(reply, peer)

    def _serve_tcp(self, conn: Connection) -> None:
        conn.sock.settimeout(_TCP_IDLE_SECONDS)
        while not conn.stopping.is_set():
            header = _recv_exact(conn.sock, 2)
            if header is None:
                return
            (length,) = struct.unpack("!H", header)
            wire = _recv_exact(conn.sock, length)
            if wire is None:
                return
            reply = self._responder.respond(wire, udp=False)
            if reply is not None:
                conn.sock.sendall(struct.pack("!H", len(reply)) + reply)


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        try:
            chunk = sock.recv(size - len(data))
        except TimeoutError:
            return None
        if not chunk:
            return None
        data += chunk
    return data


def _bind_pair(address: str, port: int) -> tuple[socket.socket, list[socket.socket]]:
    """A UDP and a TCP socket on the same port (UDP picks it; TCP must get it too)."""
    for _ in range(_PORT_ATTEMPTS):
        (udp,) = bind_all([address], socket.SOCK_DGRAM, port)
        try:
            return udp, bind_all([address], socket.SOCK_STREAM, udp.getsockname()[1])
        except OSError as exc:
            udp.close()
            if port or exc.errno != errno.EADDRINUSE:
                raise
    raise OSError(errno.EADDRINUSE, f"no port free for both UDP and TCP on {address}")
