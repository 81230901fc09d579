"""The sandbox's played network delay: every answer leaves one round trip after its question.

Timing bounds are loose on purpose (a loaded machine only adds delay): what is checked is that
the delay is there, at least one round trip per exchange, and absent without latency.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import dns.message
import dns.query
import pytest

from assessment.gather.smtp import probe_mx
from assessment.sandbox import Sandbox

SCENARIO = Path(__file__).parents[1] / "fixtures" / "sandbox" / "scenario"
ONE_WAY = 0.05
ROUND_TRIP = 2 * ONE_WAY


@pytest.fixture(scope="module")
def slow_network() -> Iterator[Sandbox]:
    with Sandbox(SCENARIO, latency=ONE_WAY) as running:
        yield running


def test_latency_comes_from_the_constructor_or_the_scenario(tmp_path: Path) -> None:
    assert Sandbox(SCENARIO).latency == 0.0
    assert Sandbox(SCENARIO, latency=0.2).latency == 0.2
    folder = tmp_path / "scenario"
    folder.mkdir()
    (folder / "zones").symlink_to(SCENARIO / "zones")
    (folder / "scenario.toml").write_text("client = 'x'\ndomains = ['good.test']\nlatency = 0.03\n")
    assert Sandbox(folder).latency == 0.03
    with pytest.raises(ValueError, match="negative"):
        Sandbox(SCENARIO, latency=-1)


def test_every_dns_answer_takes_a_round_trip(slow_network: Sandbox, sandbox: Sandbox) -> None:
    query = dns.message.make_query("good.test", "MX")
    for tcp in (False, True):
        send = dns.query.tcp if tcp else dns.query.udp
        started = time.monotonic()
        send(query, "127.0.0.1", port=slow_network.dns_port, timeout=5)
        elapsed = time.monotonic() - started
        # TCP pays the connection's round trip too.
        assert elapsed >= (2 if tcp else 1) * ROUND_TRIP * 0.95, (tcp, elapsed)
    started = time.monotonic()
    dns.query.udp(query, "127.0.0.1", port=sandbox.dns_port, timeout=5)
    assert time.monotonic() - started < ROUND_TRIP


def test_greeting_waits_for_the_connection_round_trips(slow_network: Sandbox) -> None:
    # The handshake's last ACK reaches the server a round trip after connect() returns here
    # (the kernel completed it at once), and the greeting needs another to come back.
    address = slow_network.addresses("mx1.good.test")[0]
    with socket.create_connection((address, slow_network.smtp_port), timeout=5) as conn:
        started = time.monotonic()
        conn.recv(1024)
        assert time.monotonic() - started >= 2 * ROUND_TRIP * 0.95


def test_an_smtp_probe_costs_its_round_trips(slow_network: Sandbox) -> None:
    # Connection, greeting, EHLO, STARTTLS, the TLS handshake, EHLO again and QUIT: seven.
    got = asyncio.run(probe_mx("mx1.good.test", "127.0.0.11", slow_network.profile))
    assert got.tls is not None and got.tls.verified
    assert got.greeting_ms is not None and got.greeting_ms >= 2 * ROUND_TRIP * 1000 * 0.9
    assert got.elapsed_ms >= 7 * ROUND_TRIP * 1000 * 0.95
