"""Where gather's sockets are opened, behind one guard: the only module that connects.

A lab run (`NetworkProfile.lab`, the loopback sandbox) must never reach past 127.0.0.0/8 and
::1: its scenarios are fictional, and an address such as 240.0.0.1 in a test zone would
otherwise be dialled for real. `refusal` decides before any socket exists; the SMTP probe,
the policy fetch, the resolvers and the IMAP source all connect through this module, and
`tests/gather/test_connection.py` scans gather/ to keep it that way. A refused destination is
recorded by the caller like any other outcome (`ConnOutcome.OUTSIDE_LAB`, a DNS error naming
the resolver), so the checks turn it into a finding instead of a crash.
"""

from __future__ import annotations

import asyncio
import imaplib
import ipaddress
import ssl
from collections.abc import Callable
from typing import TypeVar

import dns.asyncresolver

from assessment.model import Endpoint, NetworkProfile

Protocol = TypeVar("Protocol", bound=asyncio.DatagramProtocol)

LOOPBACK_NETWORKS = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
"""Everything a lab run may contact."""


class DestinationRefused(Exception):
    """The profile forbids contacting this address; nothing was sent to it."""


def refusal(address: str) -> str | None:
    """Why a lab run must not contact `address`, or None when it is a loopback address."""
    text = address.strip().strip("[]").split("%", 1)[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        # A name would be resolved by the system, outside the scenario: refuse it too.
        return f"{address!r} is not an IP address; a lab run connects to loopback addresses only"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in network for network in LOOPBACK_NETWORKS):
        return None
    return (
        f"{address} is outside 127.0.0.0/8 and ::1, the only addresses a lab run may "
        "contact; no connection was attempted"
    )


def guard(address: str, profile: NetworkProfile) -> None:
    """Raise `DestinationRefused` when `profile` may not contact `address`."""
    if profile.lab:
        reason = refusal(address)
        if reason is not None:
            raise DestinationRefused(reason)


async def open_stream(
    address: str, port: int, profile: NetworkProfile, *, limit: int
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A TCP stream to `address`:`port`, after the guard allowed it."""
    guard(address, profile)
    return await asyncio.open_connection(address, port, limit=limit)


async def open_datagram(
    address: str, port: int, profile: NetworkProfile, protocol: Callable[[], Protocol]
) -> Protocol:
    """A UDP socket connected to `address`:`port`, after the guard allowed it."""
    guard(address, profile)
    loop = asyncio.get_running_loop()
    _, opened = await loop.create_datagram_endpoint(protocol, remote_addr=(address, port))
    return opened


def nameservers(profile: NetworkProfile) -> list[Endpoint]:
    """The profile's resolvers, or the system's (read from its configuration, no traffic),
    each passed by the guard (`DestinationRefused` if one may not be used)."""
    found = list(profile.resolvers)
    if not found:
        system = dns.asyncresolver.Resolver(configure=True)
        for server in system.nameservers:
            address = server if isinstance(server, str) else getattr(server, "address", "")
            port = getattr(server, "port", 53) if not isinstance(server, str) else system.port
            found.append(Endpoint(str(address), int(port)))
    for endpoint in found:
        try:
            guard(endpoint.host, profile)
        except DestinationRefused as exc:
            raise DestinationRefused(f"resolver {exc}") from None
    return found


def imap_client(
    host: str, port: int, context: ssl.SSLContext, timeout: float, *, lab: bool = False
) -> imaplib.IMAP4_SSL:
    """An IMAP-over-TLS session; `lab` holds it to loopback like the other connectors."""
    if lab and (reason := refusal(host)) is not None:
        raise DestinationRefused(reason)
    return imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=timeout)
