"""Authoritative DNS over UDP and TCP on 127.0.0.1, speaking real wire protocol via dnspython.

The gather layer uses this server as its resolver, so it answers like a validating recursive
resolver that happens to hold the data itself: AA and RA set, CNAME chains expanded across the
served zones, the AD bit for names the scenario marks as DNSSEC-signed, and scripted failures.
"""

from __future__ import annotations

import contextlib
import errno
import heapq
import selectors
import socket
import struct
import threading
import time

import dns.edns
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
_UNKNOWN = b"\x00unknown"
_ANSWERS_KEPT = 200_000
_DRAIN_BATCH = 512
_UDP_BUFFER = 4 * 1024 * 1024
"""Receive buffer asked for (the kernel caps it at net.core.rmem_max): bursts of thousands
of queries must queue, not drop."""


class DnsResponder:
    """Turns a query's wire bytes into response wire bytes, or None to stay silent.

    The scenario never changes while served, so the answer depends only on the query's bytes
    after its ID (and on the transport): answers are remembered under those, and a repeated
    question costs a dictionary probe instead of about half a millisecond of dnspython.
    """

    def __init__(self, scenario: Scenario, zones: ZoneSet) -> None:
        self._scenario = scenario
        self._zones = zones
        self._answers: dict[tuple[bool, bytes], bytes | None] = {}
        self._lock = threading.Lock()

    def respond(self, wire: bytes, *, udp: bool) -> bytes | None:
        key = (udp, wire[2:])
        with self._lock:
            known = self._answers.get(key, _UNKNOWN)
        if known is not _UNKNOWN:
            return None if known is None else wire[:2] + known[2:]
        answer = self._answer(wire, udp=udp)
        if len(wire) >= 2:
            with self._lock:
                if len(self._answers) < _ANSWERS_KEPT:
                    self._answers[key] = answer
        return answer

    def _answer(self, wire: bytes, *, udp: bool) -> bytes | None:
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
        rules = [
            rule
            for name in result.visited
            if (rule := self._scenario.dns_rule(name.to_text())) is not None
        ]
        behaviours = {rule.behaviour for rule in rules}
        if DnsBehaviour.TIMEOUT in behaviours:
            return None
        checking_disabled = bool(query.flags & dns.flags.CD)
        bogus = [rule for rule in rules if rule.behaviour is DnsBehaviour.BOGUS]
        if bogus and not checking_disabled:
            # What a validating resolver says when the signatures do not check out.
            response.set_rcode(dns.rcode.SERVFAIL)
            if query.edns >= 0:
                code = dns.edns.EDECode.make(bogus[0].ede)
                response.use_edns(0, 0, options=[dns.edns.EDEOption(code)])
            return response.to_wire()
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
            signed = not bogus and (
                DnsBehaviour.AD in behaviours
                or all(self._scenario.is_signed(name.to_text()) for name in result.visited)
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
    """UDP and TCP listeners on one port of 127.0.0.1, each served by its own thread.

    With a `round_trip` every answer leaves that long after its query arrived; UDP answers wait
    in a queue ordered by due time, so one thread keeps serving while thousands are in flight.
    """

    def __init__(
        self,
        responder: DnsResponder,
        address: str = "127.0.0.1",
        port: int = 0,
        round_trip: float = 0.0,
    ) -> None:
        self._responder = responder
        self._round_trip = round_trip
        self._udp, tcp_sockets = _bind_pair(address, port)
        self._udp.setblocking(False)
        with contextlib.suppress(OSError):
            self._udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _UDP_BUFFER)
        self._tcp = TcpListener(tcp_sockets, self._serve_tcp, "sandbox-dns-tcp", round_trip)
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
        due: list[tuple[float, int, bytes, tuple[str, int]]] = []
        sequence = 0
        with selectors.DefaultSelector() as selector:
            selector.register(self._udp, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self._stopping.is_set():
                wait = max(0.0, due[0][0] - time.monotonic()) if due else None
                for key, _ in selector.select(wait):
                    if key.fileobj is self._wake_r:
                        return
                    for wire, peer in self._drain():
                        reply = self._responder.respond(wire, udp=True)
                        if reply is None:
                            continue
                        if self._round_trip <= 0:
                            with contextlib.suppress(OSError):
                                self._udp.sendto(reply, peer)
                            continue
                        sequence += 1
                        heapq.heappush(
                            due, (time.monotonic() + self._round_trip, sequence, reply, peer)
                        )
                now = time.monotonic()
                while due and due[0][0] <= now:
                    _, _, reply, peer = heapq.heappop(due)
                    with contextlib.suppress(OSError):
                        self._udp.sendto(reply, peer)

    def _drain(self) -> list[tuple[bytes, tuple[str, int]]]:
        """Every datagram waiting now, up to a bound.

        One wake-up serves a whole burst: in a process whose other threads keep the GIL
        busy (the tests run the kit beside the sandbox), a thread gets it back only every
        few milliseconds, and one datagram per wake-up would overflow the socket buffer.
        """
        found = []
        for _ in range(_DRAIN_BATCH):
            try:
                wire, peer = self._udp.recvfrom(65535)
            except BlockingIOError:
                break
            except OSError:
                continue
            found.append((wire, peer))
        return found

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
            if conn.travel():
                return
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
