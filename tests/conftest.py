"""Shared fixtures: live loopback sandboxes for the test scenario and the demo client."""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assessment.sandbox import Sandbox, demo_scenario_dir

SANDBOX_SCENARIO = Path(__file__).parent / "fixtures" / "sandbox" / "scenario"


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """The test scenario (tests/fixtures/sandbox/scenario, see its README), running."""
    with Sandbox(SANDBOX_SCENARIO) as running:
        yield running


@pytest.fixture(scope="session")
def demo_sandbox() -> Iterator[Sandbox]:
    """The demo client's scenario (data/demo/sandbox), running."""
    with Sandbox(demo_scenario_dir()) as running:
        yield running


# No test may leave loopback. Every socket connect, sendto and name lookup of this process is
# seen by an audit hook (PEP 578): a destination outside 127.0.0.0/8 and ::1 is refused before
# the call runs, and the session fails. Notebook kernels are other processes; .ci/run covers
# them by running pytest inside a loopback-only network namespace.
LEFT_LOOPBACK: list[str] = []
_LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))


def _outside_loopback(host: object) -> bool:
    if not isinstance(host, str):
        return False  # AF_UNIX paths, netlink and the like
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host not in ("localhost", "")
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not any(address in network for network in _LOOPBACK)


def _loopback_only(event: str, args: tuple[object, ...]) -> None:
    if event in ("socket.connect", "socket.sendto"):
        destination = args[1]
        host = destination[0] if isinstance(destination, tuple) and destination else None
    elif event == "socket.getaddrinfo":
        host = args[0].decode() if isinstance(args[0], bytes) else args[0]
    else:
        return
    if _outside_loopback(host):
        LEFT_LOOPBACK.append(f"{event} {host!r}")
        raise PermissionError(f"a test tried to leave loopback: {event} {host!r}")


sys.addaudithook(_loopback_only)


# Under CI every test must run: a skip there means a missing install step (Dovecot,
# poppler-utils, the shared samples), and a judged behaviour would go untested unnoticed.
_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI") and _skipped and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if LEFT_LOOPBACK and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if LEFT_LOOPBACK:
        terminalreporter.write_line(
            f"{len(LEFT_LOOPBACK)} attempt(s) to leave loopback were refused: "
            + ", ".join(sorted(set(LEFT_LOOPBACK))[:5]),
            red=True,
        )
    if os.environ.get("CI") and _skipped:
        terminalreporter.write_line(
            f"CI: {len(_skipped)} test(s) skipped, which CI treats as a failure: "
            + ", ".join(_skipped[:5]),
            red=True,
        )
