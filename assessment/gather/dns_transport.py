"""A stub resolver's transport: questions to the profile's nameservers over shared sockets.

dnspython's resolver opens a socket and rebuilds its machinery for every question; at the
thousands of questions of a portfolio run that was over half of gather's CPU (profiled with
bench/gather_latency.py). Here each nameserver keeps `SOCKETS_PER_SERVER` UDP sockets for the
whole run, replies are matched by ID and question, and a truncated answer is asked again over
TCP. dnspython still parses every message; only the transport is ours.

The semantics are the stub resolver's (and dnspython's): each try waits `try_timeout`, the
nameservers are tried in order, a SERVFAIL, REFUSED or broken reply moves on to the next
server, silence is retried until `lifetime` has passed.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import struct
import time
from dataclasses import dataclass, field
from typing import cast

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype

from assessment.gather.connection import open_datagram, open_stream
from assessment.model import Endpoint, NetworkProfile

EDNS_PAYLOAD = 1232
"""The DNS flag day 2020 payload size: avoids IP fragmentation, TCP covers the rest."""
SOCKETS_PER_SERVER = 8
"""UDP sockets (random source ports) per nameserver, each question on a random one: an
off-path forger has to guess the port as well as the 16-bit ID (RFC 5452 §4)."""
_FLAG_RD = 0x0100
_FLAG_CD = 0x0010
_EDNS_DO = 0x8000
_OPT = 41


def query_wire(qid: int, qname: dns.name.Name, qtype: int, *, cd: bool) -> bytes:
    """One question with RD, optionally CD, and EDNS(0) with DO and our payload size.

    DO asks a validating resolver to report AD; it does not make us validate.
    """
    flags = _FLAG_RD | (_FLAG_CD if cd else 0)
    header = struct.pack("!HHHHHH", qid, flags, 1, 0, 0, 1)
    question = bytes(qname.to_wire() or b"") + struct.pack("!HH", qtype, dns.rdataclass.IN)
    opt = b"\x00" + struct.pack("!HHIH", _OPT, EDNS_PAYLOAD, _EDNS_DO, 0)
    return header + question + opt


class _Socket(asyncio.DatagramProtocol):
    """One connected UDP socket; replies go to whoever waits for their ID."""

    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.waiting: dict[int, asyncio.Future[bytes]] = {}
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # asyncio's datagram transport does not subclass DatagramTransport on every version.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        if len(data) < 12:
            return
        waiter = self.waiting.get(int.from_bytes(data[:2], "big"))
        if waiter is not None and not waiter.done():
            waiter.set_result(data)

    def error_received(self, exc: Exception) -> None:
        # An ICMP error (port unreachable...) on a connected socket: every question on it
        # failed the same way.
        for waiter in self.waiting.values():
            if not waiter.done():
                waiter.set_exception(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.error_received(exc or ConnectionError("socket closed"))


class ServerFailure(Exception):
    """A reply that ends this server's turn: an rcode other than NOERROR/NXDOMAIN, or junk."""

    def __init__(self, text: str, response: dns.message.Message | None = None) -> None:
        super().__init__(text)
        self.response = response


@dataclass
class Nameserver:
    """One nameserver of the profile and the sockets the run keeps open to it."""

    endpoint: Endpoint
    profile: NetworkProfile
    _sockets: list[_Socket] = field(default_factory=list)
    _opening: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __str__(self) -> str:
        return str(self.endpoint)

    async def _socket(self) -> _Socket:
        if any(sock.closed for sock in self._sockets):
            self._sockets = [sock for sock in self._sockets if not sock.closed]
        if len(self._sockets) < SOCKETS_PER_SERVER:
            async with self._opening:
                self._sockets = [s for s in self._sockets if not s.closed]
                while len(self._sockets) < SOCKETS_PER_SERVER:
                    opened = await open_datagram(
                        self.endpoint.host, self.endpoint.port, self.profile, _Socket
                    )
                    assert isinstance(opened, _Socket)
                    self._sockets.append(opened)
        return self._sockets[secrets.randbelow(len(self._sockets))]

    def close(self) -> None:
        for sock in self._sockets:
            if sock.transport is not None:
                sock.transport.close()
        self._sockets = []

    async def ask(self, qname: dns.name.Name, qtype: int, *, cd: bool, timeout: float) -> Response:
        """One try: the reply to our question, TimeoutError, OSError or `ServerFailure`."""
        sock = await self._socket()
        qid = secrets.randbelow(65536)
        while qid in sock.waiting:
            qid = secrets.randbelow(65536)
        wire = query_wire(qid, qname, qtype, cd=cd)
        question = wire[12:-11].lower()
        deadline = time.monotonic() + timeout
        loop = asyncio.get_running_loop()
        if sock.transport is None or sock.closed:
            raise ConnectionError("socket closed")
        # A timer on the waiter rather than asyncio.wait_for: one handle instead of a task and
        # its callbacks, for every question of the run.
        sock.transport.sendto(wire)
        try:
            while True:
                waiter: asyncio.Future[bytes] = loop.create_future()
                sock.waiting[qid] = waiter
                timer = loop.call_at(loop.time() + deadline - time.monotonic(), _expire, waiter)
                try:
                    data = await waiter
                finally:
                    timer.cancel()
                response = _matching(data, qid, question, qname, qtype)
                if response is not None:
                    break
                # Not our answer (a late or forged reply with our ID): keep listening.
        finally:
            sock.waiting.pop(qid, None)
        if response.flags & dns.flags.TC:
            left = max(0.1, deadline - time.monotonic())
            response = await self._tcp(wire, qid, question, qname, qtype, left)
        return response

    async def _tcp(
        self,
        wire: bytes,
        qid: int,
        question: bytes,
        qname: dns.name.Name,
        qtype: int,
        timeout: float,
    ) -> Response:
        async def exchange() -> bytes:
            reader, writer = await open_stream(
                self.endpoint.host, self.endpoint.port, self.profile, limit=65536
            )
            try:
                writer.write(struct.pack("!H", len(wire)) + wire)
                await writer.drain()
                (length,) = struct.unpack("!H", await reader.readexactly(2))
                return await reader.readexactly(length)
            finally:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()

        try:
            data = await asyncio.wait_for(exchange(), timeout)
        except asyncio.IncompleteReadError as exc:
            raise ServerFailure("TCP connection closed before a complete answer") from exc
        response = _matching(data, qid, question, qname, qtype)
        if response is None:
            raise ServerFailure("TCP answer does not match the question")
        return response


@dataclass(frozen=True)
class Response:
    """A reply to our question: its header always, the parsed message when it has records.

    Most replies of an assessment are negative (DKIM selectors that do not exist, names where
    policies are commonly misplaced, AAAA of IPv4-only hosts): a NOERROR or NXDOMAIN without
    answer records is read from its header and question alone, never parsed further, which
    halves the parsing of a whole run (bench/gather_latency.py).
    """

    rcode: int
    flags: int
    message: dns.message.Message | None = None


def _expire(waiter: asyncio.Future[bytes]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


def _matching(
    data: bytes, qid: int, question: bytes, qname: dns.name.Name, qtype: int
) -> Response | None:
    """The reply if it answers our question; None for someone else's; ServerFailure if junk.

    `question` is our question section, lower-cased: a reply must repeat it.
    """
    if len(data) < 12:
        return None
    rid, flags, qdcount, ancount = struct.unpack_from("!HHHH", data)
    if rid != qid or not flags & dns.flags.QR:
        return None
    rcode = flags & 0x000F
    repeated = qdcount == 1 and data[12 : 12 + len(question)].lower() == question
    if repeated and ancount == 0 and rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        return Response(rcode, flags)
    try:
        response = dns.message.from_wire(data)
    except dns.exception.DNSException as exc:
        if len(data) >= 2 and int.from_bytes(data[:2], "big") == qid:
            raise ServerFailure(f"malformed answer: {exc}") from exc
        return None
    if response.id != qid or not response.flags & dns.flags.QR:
        return None
    asked = response.question
    if len(asked) != 1 or asked[0].name != qname or asked[0].rdtype != qtype:
        if response.rcode() == dns.rcode.FORMERR and not asked:
            raise ServerFailure("FORMERR", response)
        return None
    return Response(response.rcode(), response.flags, response)


@dataclass(frozen=True)
class Reply:
    """A NOERROR or NXDOMAIN reply and the nameserver that gave it."""

    response: Response
    server: Nameserver


@dataclass(frozen=True)
class Failure:
    """No usable reply: what each nameserver said (rcode or error), and the replies."""

    timed_out: bool
    errors: tuple[tuple[str, str, dns.message.Message | None], ...]


class StubResolver:
    """The profile's nameservers, asked in order within the profile's DNS timeout."""

    def __init__(self, profile: NetworkProfile, endpoints: list[Endpoint]) -> None:
        self.profile = profile
        self.servers = [Nameserver(endpoint, profile) for endpoint in endpoints]
        self.lifetime = profile.dns_timeout
        self.try_timeout = min(profile.dns_timeout, 2.0)

    def __str__(self) -> str:
        return ", ".join(str(server) for server in self.servers)

    def close(self) -> None:
        """Close the run's sockets (they belong to the event loop that opened them)."""
        for server in self.servers:
            server.close()

    async def resolve(
        self, qname: dns.name.Name, qtype: int, *, cd: bool = False
    ) -> Reply | Failure:
        deadline = time.monotonic() + self.lifetime
        errors: list[tuple[str, str, dns.message.Message | None]] = []
        live = list(self.servers)
        while live:
            for server in list(live):
                left = deadline - time.monotonic()
                if left <= 0:
                    return Failure(True, tuple(errors))
                try:
                    response = await server.ask(
                        qname, qtype, cd=cd, timeout=min(self.try_timeout, left)
                    )
                except TimeoutError:
                    continue
                except ServerFailure as exc:
                    errors.append((str(server), str(exc), exc.response))
                    live.remove(server)
                    continue
                except OSError as exc:
                    errors.append((str(server), f"{type(exc).__name__}: {exc}", None))
                    live.remove(server)
                    continue
                if response.rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
                    return Reply(response, server)
                rcode = dns.rcode.to_text(dns.rcode.Rcode.make(response.rcode))
                errors.append((str(server), rcode, response.message))
                live.remove(server)
        return Failure(False, tuple(errors))
