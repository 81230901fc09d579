"""Threaded TCP listening on several loopback addresses that share one port.

Each MX and policy host of a scenario has its own 127.0.0.N, so a server can decide behaviour
from the local address a client reached *before* any TLS (a "no STARTTLS" host must be known at
banner time). Every address binds the same port, so one `NetworkProfile.smtp_port` covers all.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import select
import selectors
import socket
import threading
from collections.abc import Callable, Iterable

Handler = Callable[["Connection"], None]

_PORT_ATTEMPTS = 50
_log = logging.getLogger(__name__)


class Connection:
    """One accepted client connection; `sock` is replaced when the handler wraps it in TLS."""

    def __init__(
        self,
        sock: socket.socket,
        local_address: str,
        stopping: threading.Event,
        round_trip: float = 0.0,
    ) -> None:
        self.sock = sock
        self.local_address = local_address
        self.stopping = stopping
        self.round_trip = round_trip
        """Seconds a reply waits after its request arrived: the played network's round trip."""

    def travel(self) -> bool:
        """Hold the next reply for one round trip; True when the sandbox is stopping."""
        return self.round_trip > 0 and self.stopping.wait(self.round_trip)

    def await_flight(self, timeout: float) -> bool:
        """Wait until the client's next flight (a TLS ClientHello) is here, then let it travel.

        True when the sandbox is stopping. Used before a server-side handshake, whose replies
        the ssl module writes itself, so the delay has to come before it reads.
        """
        if self.round_trip <= 0:
            return False
        try:
            select.select([self.sock], [], [], timeout)
        except (OSError, ValueError):
            return False
        return self.travel()

    def abort(self) -> None:
        """Unblock a handler stuck in recv/send; called from the stopping thread."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)


def bind_all(
    addresses: Iterable[str], kind: socket.SocketKind, port: int = 0
) -> list[socket.socket]:
    """Bind one socket per address, all on the same port (a free one when `port` is 0)."""
    wanted = list(dict.fromkeys(addresses))
    for _ in range(_PORT_ATTEMPTS):
        sockets: list[socket.socket] = []
        try:
            chosen = port
            for address in wanted:
                sock = socket.socket(socket.AF_INET, kind)
                sockets.append(sock)
                if kind == socket.SOCK_STREAM:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((address, chosen))
                if kind == socket.SOCK_STREAM:
                    # Listen at once: with SO_REUSEADDR a clash only shows at listen() on Linux.
                    sock.listen(64)
                chosen = sock.getsockname()[1]
            return sockets
        except OSError as exc:
            for sock in sockets:
                sock.close()
            # Only a port clash on the 2nd..nth address is worth another try with a new port.
            if port or exc.errno != errno.EADDRINUSE:
                raise
    raise OSError(errno.EADDRINUSE, f"no common free port for {', '.join(wanted)}")


class TcpListener:
    """Accept on several bound sockets; run `handler` in one thread per connection."""

    def __init__(
        self,
        sockets: list[socket.socket],
        handler: Handler,
        name: str,
        round_trip: float = 0.0,
    ) -> None:
        self._sockets = sockets
        self._handler = handler
        self._name = name
        self._round_trip = round_trip
        self._stopping = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        self._lock = threading.Lock()
        self._live: dict[threading.Thread, Connection] = {}
        self._thread = threading.Thread(target=self._accept_loop, name=f"{name}-accept")

    @property
    def port(self) -> int:
        return int(self._sockets[0].getsockname()[1])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")
        if self._thread.is_alive():
            self._thread.join()
        for sock in self._sockets:
            sock.close()
        self._wake_r.close()
        self._wake_w.close()
        with self._lock:
            live = list(self._live.items())
        for _, conn in live:
            conn.abort()
        for thread, _ in live:
            thread.join(timeout=5)

    def _accept_loop(self) -> None:
        with selectors.DefaultSelector() as selector:
            for sock in self._sockets:
                selector.register(sock, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self._wake_r:
                        return
                    listening = key.fileobj
                    assert isinstance(listening, socket.socket)
                    try:
                        client, _ = listening.accept()
                    except OSError:
                        continue
                    self._spawn(client, listening.getsockname()[0])

    def _spawn(self, client: socket.socket, local_address: str) -> None:
        conn = Connection(client, local_address, self._stopping, self._round_trip)
        thread = threading.Thread(target=self._run, args=(conn,), name=f"{self._name}-conn")
        with self._lock:
            self._live[thread] = conn
        thread.start()

    def _run(self, conn: Connection) -> None:
        try:
            # The kernel completed the TCP handshake at once; a real one costs a round trip.
            if conn.travel():
                return
            self._handler(conn)
        except OSError:
            pass  # The peer went away or we aborted the connection at shutdown.
        except Exception:
            # A hostile client must never take the server down; keep the trace for debugging.
            _log.exception("%s: handler failed", self._name)
        finally:
            with contextlib.suppress(OSError):
                conn.sock.close()
            with self._lock:
                self._live.pop(threading.current_thread(), None)
