"""Sandbox start/stop, the profile it hands out, scenario validation, and `run_foreground`."""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import threading
import time
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import pytest

from assessment.model import Endpoint
from assessment.sandbox import Sandbox, ScenarioError, run_foreground

SCENARIO = Path(__file__).parents[1] / "fixtures" / "sandbox" / "scenario"
HEAD = "client = 'x'\ndomains = ['a.test']\n"


def test_profile_points_at_loopback(sandbox: Sandbox) -> None:
    profile = sandbox.profile
    assert profile.resolvers == (Endpoint("127.0.0.1", sandbox.dns_port),)
    assert profile.smtp_port == sandbox.smtp_port > 0
    assert profile.https_port == sandbox.https_port > 0
    assert profile.ca_bundle == str(sandbox.ca_bundle_path)
    assert sandbox.ca_bundle_path.read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert profile.use_system_trust is False
    assert profile.dns_timeout <= 2
    assert profile.io_timeout < 8  # the slow hosts stall for 8 s


def test_scenario_metadata(sandbox: Sandbox) -> None:
    assert sandbox.client == "Sandbox Test Client"
    assert "good.test" in sandbox.domains
    assert sandbox.dkim_selectors == ("s1",)


def test_start_is_fast_and_stop_leaves_nothing(tmp_path: Path) -> None:
    threads_before = set(threading.enumerate())
    started = time.monotonic()
    with Sandbox(SCENARIO) as running:
        elapsed = time.monotonic() - started
        port, bundle = running.dns_port, running.ca_bundle_path
        smtp_address = running.addresses("mx1.good.test")[0]
        smtp_port = running.smtp_port
        reply = dns.query.udp(dns.message.make_query("good.test", "MX"), "127.0.0.1", port=port)
        assert reply.rcode() == dns.rcode.NOERROR
        # Leave a connection open and a slow host stalling: stop must still be prompt.
        idle = socket.create_connection((smtp_address, smtp_port), timeout=2)
        stalled = socket.create_connection(
            (running.addresses("mx.slowsmtp.test")[0], smtp_port), timeout=2
        )
        stop_started = time.monotonic()
    stop_elapsed = time.monotonic() - stop_started
    idle.close()
    stalled.close()
    assert elapsed < 2
    assert stop_elapsed < 2
    assert set(threading.enumerate()) == threads_before
    assert not bundle.exists()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((smtp_address, smtp_port), timeout=1).close()


def test_properties_need_a_running_sandbox() -> None:
    box = Sandbox(SCENARIO)
    with pytest.raises(RuntimeError, match="not running"):
        _ = box.profile
    box.start()
    try:
        with pytest.raises(RuntimeError, match="already started"):
            box.start()
    finally:
        box.stop()
    box.stop()  # idempotent


def test_fixed_dns_port_in_use_is_an_error(sandbox: Sandbox) -> None:
    with pytest.raises(OSError):
        Sandbox(SCENARIO, dns_port=sandbox.dns_port).start()


def _scenario_copy(tmp_path: Path, toml: str) -> Path:
    folder = tmp_path / "scenario"
    shutil.copytree(SCENARIO / "zones", folder / "zones")
    (folder / "scenario.toml").write_text(toml)
    return folder


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("client = 'x'\n", "`domains`"),
        ("client = 'x'\ndomains = []\n", "at least one domain"),
        ("client = 'x'\ndomains = ['good.test']\nbogus = 1\n", "`bogus`: unknown key"),
        ("client = 'x'\ndomains = ['good test']\n", "not a host name"),
        ("client = 'x'\ndomains = ['a.test'\n", "invalid TOML"),
        (
            HEAD + "[[dns.rules]]\nname = 'a.test'\nbehaviour = 'slow'\n",
            "'slow' is not one of: timeout, servfail, refused, ad",
        ),
        (
            HEAD + "[https.'mta-sts.good.test']\nbehaviour = 'redirect'\n",
            "redirect_to",
        ),
        (
            HEAD + "[smtp.'mx1.good.test']\ncert = 'bogus'\n",
            "smtp.mx1.good.test.cert",
        ),
        (
            HEAD + "[https.'mta-sts.good.test']\npolicy = 'nope.txt'\n",
            "cannot read",
        ),
        (
            HEAD + "[smtp.'nowhere.good.test']\n",
            "nowhere.good.test has no A record",
        ),
        (
            HEAD + "[smtp.'www.good.test']\n",
            "must resolve to 127.0.0.0/8",
        ),
        (HEAD + "latency = -0.05\n", "`latency`: expected a non-negative number"),
        (
            HEAD + "[[dns.rules]]\nname = 'a.test'\nbehaviour = 'servfail'\nede = 7\n",
            "only a bogus rule gives an Extended DNS Error",
        ),
        (
            HEAD + "[[dns.rules]]\nname = 'a.test'\nbehaviour = 'bogus'\nede = 'x'\n",
            "expected an Extended DNS Error code",
        ),
    ],
)
def test_scenario_errors_are_clear(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message.replace(".", r"\.").replace("[", r"\[")):
        Sandbox(_scenario_copy(tmp_path, toml))


def test_broken_zone_file_is_reported(tmp_path: Path) -> None:
    folder = _scenario_copy(tmp_path, "client = 'x'\ndomains = ['a.test']\n")
    (folder / "zones" / "broken.test.zone").write_text("@ IN MX not-a-number\n")
    with pytest.raises(ScenarioError, match=r"broken\.test\.zone"):
        Sandbox(folder)


def test_run_foreground_prints_flags_and_stops_on_sigterm() -> None:
    out = io.StringIO()
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    try:
        run_foreground(SCENARIO, out)
    finally:
        timer.cancel()
        timer.join()
    text = out.getvalue()
    assert "Sandbox Test Client" in text
    assert "--nameserver 127.0.0.1:" in text
    assert "--smtp-port " in text and "--https-port " in text and "--ca-bundle " in text
    assert "good.test" in text
    assert text.rstrip().endswith("Sandbox stopped.")
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
