"""The lab guard: a lab run refuses every destination outside loopback before connecting.

Proof has three parts: the guard's decisions; each connector under a lab profile returns the
refusal without a socket call (the session's audit hook in tests/conftest.py sees every
connect and would have recorded one); and a scan of gather/ that keeps every connecting call
in `assessment/gather/connection.py`, with a guard test showing the scan can fail.
"""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import ssl
from pathlib import Path

import conftest
import pytest

from assessment.gather.connection import DestinationRefused, guard, imap_client, refusal
from assessment.gather.dns import DnsClient, resolver_problem
from assessment.gather.https import fetch_policy
from assessment.gather.smtp import probe_mx
from assessment.model import ConnOutcome, Endpoint, NetworkProfile, Outcome
from assessment.sandbox import Sandbox

GATHER = Path(__file__).resolve().parents[2] / "assessment" / "gather"
CONNECTION_MODULE = "connection.py"
# Calls that open a connection or make something that will: sockets, streams, datagram
# endpoints, dnspython's resolvers, nameservers and query functions, the stdlib clients.
CONNECTING_CALLS = {
    "socket",
    "create_connection",
    "open_connection",
    "create_datagram_endpoint",
    "sock_connect",
    "Resolver",
    "Do53Nameserver",
    "DoHNameserver",
    "DoTNameserver",
    "udp",
    "tcp",
    "udp_with_fallback",
    "https",
    "tls",
    "quic",
    "IMAP4",
    "IMAP4_SSL",
    "SMTP",
    "SMTP_SSL",
    "HTTPSConnection",
    "HTTPConnection",
    "urlopen",
}

OUTSIDE = ("240.0.0.1", "192.0.2.25", "10.0.0.1", "8.8.8.8", "::2", "2001:db8::1", "fe80::1")
INSIDE = ("127.0.0.1", "127.0.2.10", "127.255.255.254", "::1", "::ffff:127.0.0.1", "[::1]")


@pytest.fixture()
def no_leak() -> list[str]:
    """The audit log of refused non-loopback calls; a test asserts it did not grow."""
    return list(conftest.LEFT_LOOPBACK)


def lab(**changes: object) -> NetworkProfile:
    return dataclasses.replace(
        NetworkProfile(resolvers=(Endpoint("127.0.0.1", 1),), lab=True, connect_timeout=1.0),
        **changes,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("address", OUTSIDE)
def test_lab_refuses_every_address_outside_loopback(address: str) -> None:
    reason = refusal(address)
    assert reason is not None and "no connection was attempted" in reason
    with pytest.raises(DestinationRefused):
        guard(address, lab())


@pytest.mark.parametrize("address", INSIDE)
def test_lab_allows_loopback(address: str) -> None:
    assert refusal(address) is None
    guard(address, lab())


@pytest.mark.parametrize("name", ["localhost", "mx.example.com", "", "127.0.0.1.example"])
def test_lab_refuses_names_which_the_system_would_resolve(name: str) -> None:
    reason = refusal(name)
    assert reason is not None and "not an IP address" in reason


def test_only_lab_profiles_are_held_to_loopback() -> None:
    guard("240.0.0.1", NetworkProfile())  # the real internet: no refusal (and no connection)


def test_smtp_probe_outside_loopback_is_refused_unsent(no_leak: list[str]) -> None:
    got = asyncio.run(probe_mx("mx.mx-private.test", "240.0.0.1", lab()))
    assert got.outcome is ConnOutcome.OUTSIDE_LAB
    assert got.error is not None and "240.0.0.1 is outside 127.0.0.0/8 and ::1" in got.error
    assert got.banner is None and got.elapsed_ms < 100
    assert no_leak == conftest.LEFT_LOOPBACK


def test_policy_fetch_outside_loopback_is_refused_unsent(
    sandbox: Sandbox, no_leak: list[str]
) -> None:
    # mta-sts.outside.test resolves to 240.0.0.7 in the test scenario's zones.
    got = asyncio.run(fetch_policy("outside.test", sandbox.profile))
    assert got.addresses == ("240.0.0.7",)
    assert got.outcome is ConnOutcome.OUTSIDE_LAB
    assert got.error is not None and "240.0.0.7 is outside" in got.error
    assert no_leak == conftest.LEFT_LOOPBACK


def test_resolver_outside_loopback_is_never_asked(no_leak: list[str]) -> None:
    profile = lab(resolvers=(Endpoint("192.0.2.53"),))

    async def ask() -> tuple[object, str | None]:
        client = DnsClient(profile)
        found = await client.query("ok.test", "MX")
        client.close()
        return found, await resolver_problem(profile)

    found, problem = asyncio.run(ask())
    assert found.outcome is Outcome.ERROR  # type: ignore[attr-defined]
    assert found.error.startswith("not sent: resolver 192.0.2.53 is outside")  # type: ignore[attr-defined]
    assert problem is not None and problem.startswith("resolver 192.0.2.53 is outside")
    assert no_leak == conftest.LEFT_LOOPBACK


def test_imap_source_outside_loopback_is_refused_in_a_lab(no_leak: list[str]) -> None:
    with pytest.raises(DestinationRefused):
        imap_client("192.0.2.143", 993, ssl.create_default_context(), 1.0, lab=True)
    assert no_leak == conftest.LEFT_LOOPBACK


def test_the_sessions_audit_hook_refuses_outside_loopback() -> None:
    # Called directly with what CPython passes: no socket is involved.
    before = list(conftest.LEFT_LOOPBACK)
    try:
        with pytest.raises(PermissionError):
            conftest._loopback_only("socket.connect", (None, ("240.0.0.1", 25)))
        with pytest.raises(PermissionError):
            conftest._loopback_only("socket.getaddrinfo", ("mx.example.com", 25, 0, 0, 0))
        conftest._loopback_only("socket.connect", (None, ("127.0.0.1", 25)))
        conftest._loopback_only("socket.sendto", (None, ("::1", 53, 0, 0)))
        conftest._loopback_only("socket.connect", (None, "/run/some.sock"))
    finally:
        conftest.LEFT_LOOPBACK[:] = before


# ------------------------------------------------------------------ one place that connects


def connecting_calls(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in CONNECTING_CALLS:
                found.add(name)
    return found


def test_only_the_connection_module_opens_connections() -> None:
    offenders = {
        path.name: sorted(calls)
        for path in sorted(GATHER.glob("*.py"))
        if path.name != CONNECTION_MODULE and (calls := connecting_calls(path))
    }
    assert offenders == {}
    assert connecting_calls(GATHER / CONNECTION_MODULE) >= {
        "open_connection",
        "create_datagram_endpoint",
        "Resolver",
        "IMAP4_SSL",
    }


def test_the_scan_sees_a_connector_that_bypasses_the_guard(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import asyncio, dns.asyncresolver, dns.query, imaplib\n"
        "async def f():\n"
        "    await asyncio.open_connection('240.0.0.1', 25)\n"
        "    await loop.create_datagram_endpoint(P, remote_addr=('8.8.8.8', 53))\n"
        "    r = dns.asyncresolver.Resolver()\n"
        "    dns.query.udp(q, '8.8.8.8')\n"
        "    imaplib.IMAP4_SSL('imap.example.com')\n"
    )
    assert connecting_calls(bad) == {
        "open_connection",
        "create_datagram_endpoint",
        "Resolver",
        "udp",
        "IMAP4_SSL",
    }
