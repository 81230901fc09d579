"""What the sandbox's HTTPS and SMTP servers share: one port on every host's loopback
address, a base TLS context whose SNI callback picks each connection's certificate, and the
listener's lifecycle."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterable

from assessment.sandbox.ca import SandboxCA
from assessment.sandbox.listener import Connection, TcpListener, bind_all
from assessment.sandbox.scenario import CertKind, TlsIdentity

# Presented only until the SNI callback has chosen the host's own certificate.
DEFAULT_IDENTITY = TlsIdentity(CertKind.VALID, ("sandbox.invalid",))


class TlsServer:
    """Base of the sandbox's TLS-speaking servers; subclasses define `_pick` and `_serve`."""

    def _listen(
        self,
        ca: SandboxCA,
        addresses: Iterable[str],
        port: int,
        name: str,
        round_trip: float = 0.0,
    ) -> None:
        self._ca = ca
        self._chosen = threading.local()
        self._base = ca.new_context(DEFAULT_IDENTITY)
        self._base.sni_callback = self._pick
        sockets = bind_all(sorted(addresses), socket.SOCK_STREAM, port)
        self._listener = TcpListener(sockets, self._serve, name, round_trip)

    def _pick(
        self, sock: ssl.SSLSocket | ssl.SSLObject, server_name: str | None, _: ssl.SSLContext
    ) -> int | None:
        raise NotImplementedError

    def _serve(self, conn: Connection) -> None:
        raise NotImplementedError

    @property
    def port(self) -> int:
        return self._listener.port

    def start(self) -> None:
        self._listener.start()

    def stop(self) -> None:
        self._listener.stop()
