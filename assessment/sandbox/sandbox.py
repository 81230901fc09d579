"""The sandbox as one object: DNS, HTTPS and SMTP for a scenario, and the profile to reach them."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType, TracebackType
from typing import Self, TextIO, TypeVar

from assessment.model import Endpoint, NetworkProfile
from assessment.sandbox.ca import SandboxCA
from assessment.sandbox.dns_server import DnsResponder, DnsServer
from assessment.sandbox.https_server import HttpsServer
from assessment.sandbox.scenario import Scenario, ScenarioClient, ScenarioError, load_scenario
from assessment.sandbox.smtp_server import SmtpServer
from assessment.sandbox.zones import ZoneSet

T = TypeVar("T")

DNS_TIMEOUT = 1.5
CONNECT_TIMEOUT = 3.0
IO_TIMEOUT = 5.0
DNS_IN_FLIGHT = 32
"""Questions in flight to the sandbox's resolver: it answers about 700 fresh questions a
second when it shares a process (and the GIL) with the kit, as in the tests; more in flight
would only queue inside it, towards the 1.5 s DNS timeout."""


def demo_scenario_dir() -> Path:
    """The demo client's scenario shipped with the kit (`data/demo/sandbox`)."""
    from assessment.resources import demo_dir

    return demo_dir() / "sandbox"


class Sandbox:
    """Loopback DNS + HTTPS + SMTP serving one scenario. Use as a context manager.

    Loading and validating the scenario happens in the constructor (so a broken scenario fails
    early with `ScenarioError`); sockets are only opened by `start()`.
    """

    def __init__(
        self,
        scenario_dir: Path,
        *,
        dns_port: int = 0,
        smtp_port: int = 0,
        https_port: int = 0,
        latency: float | None = None,
    ) -> None:
        """`latency` (one-way seconds) overrides the scenario's; ports 0 pick free ones."""
        self.scenario: Scenario = load_scenario(scenario_dir)
        if latency is not None and latency < 0:
            raise ValueError("latency must not be negative")
        self.latency = self.scenario.latency if latency is None else latency
        self._ports = (smtp_port, https_port)
        self.zones = ZoneSet.load(self.scenario.zones_dir)
        served = [h.host for h in self.scenario.https] + [h.host for h in self.scenario.smtp]
        self._addresses = {host: self._loopback_addresses(host) for host in served}
        self._dns_port = dns_port
        self.requests: list[tuple[str, str]] = []
        """(host, path) of every HTTPS request, in arrival order."""
        self._ca: SandboxCA | None = None
        self._dns: DnsServer | None = None
        self._https: HttpsServer | None = None
        self._smtp: SmtpServer | None = None

    def _loopback_addresses(self, host: str) -> tuple[str, ...]:
        addresses = self.zones.addresses(host)
        if not addresses:
            raise ScenarioError(f"{self.scenario.folder}: {host} has no A record in the zones")
        outside = [a for a in addresses if not a.startswith("127.")]
        if outside:
            raise ScenarioError(
                f"{self.scenario.folder}: {host} must resolve to 127.0.0.0/8, not {outside}"
            )
        return addresses

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        if self._dns is not None:
            raise RuntimeError("sandbox already started")
        try:
            self._ca = SandboxCA()
            round_trip = 2 * self.latency
            responder = DnsResponder(self.scenario, self.zones)
            self._dns = DnsServer(responder, port=self._dns_port, round_trip=round_trip)
            self._dns.start()
            smtp_port, https_port = self._ports
            if self.scenario.https:
                self._https = HttpsServer(
                    self.scenario.https,
                    self._addresses,
                    self._ca,
                    self.requests,
                    https_port,
                    round_trip,
                )
                self._https.start()
            if self.scenario.smtp:
                self._smtp = SmtpServer(
                    self.scenario.smtp, self._addresses, self._ca, smtp_port, round_trip
                )
                self._smtp.start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for server in (self._smtp, self._https, self._dns):
            if server is not None:
                server.stop()
        self._smtp = self._https = self._dns = None
        if self._ca is not None:
            self._ca.close()
            self._ca = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ what clients need

    @property
    def client(self) -> str:
        return self.scenario.client

    @property
    def domains(self) -> tuple[str, ...]:
        return self.scenario.domains

    @property
    def dkim_selectors(self) -> tuple[str, ...]:
        return self.scenario.dkim_selectors

    @property
    def clients(self) -> tuple[ScenarioClient, ...]:
        """Every client the scenario serves, the top-level `client` first."""
        return self.scenario.clients

    @property
    def book(self) -> Path | None:
        """The data folder seed holding each client's client.toml, if the scenario has one."""
        return self.scenario.book

    @property
    def dns_port(self) -> int:
        return self._running(self._dns).port

    @property
    def https_port(self) -> int:
        return self._https.port if self._https is not None else 0

    @property
    def smtp_port(self) -> int:
        return self._smtp.port if self._smtp is not None else 0

    @property
    def ca_bundle_path(self) -> Path:
        return self._running(self._ca).bundle_path

    @property
    def profile(self) -> NetworkProfile:
        return NetworkProfile(
            resolvers=(Endpoint("127.0.0.1", self.dns_port),),
            dns_timeout=DNS_TIMEOUT,
            connect_timeout=CONNECT_TIMEOUT,
            io_timeout=IO_TIMEOUT,
            ca_bundle=str(self.ca_bundle_path),
            smtp_port=self.smtp_port,
            https_port=self.https_port,
            use_system_trust=False,
            lab=True,
            dns_in_flight=DNS_IN_FLIGHT,
        )

    def issue_certificates(self) -> None:
        """Issue every host's certificate now instead of on its first handshake (benchmarks)."""
        ca = self._running(self._ca)
        for identity in [h.cert for h in self.scenario.https] + [
            h.cert for h in self.scenario.smtp
        ]:
            ca.context(identity)

    def addresses(self, host: str) -> tuple[str, ...]:
        """Loopback addresses a served HTTPS/SMTP host listens on."""
        return self._addresses[host.lower().rstrip(".")]

    @staticmethod
    def _running(part: T | None) -> T:
        if part is None:
            raise RuntimeError("sandbox is not running; call start() first")
        return part


def run_foreground(scenario_dir: Path, out: TextIO) -> None:
    """`mailposture sandbox up`: serve until Ctrl-C or SIGTERM, printing how to reach it."""
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, request_stop)
    try:
        with Sandbox(scenario_dir) as sandbox:
            profile = sandbox.profile
            print(f"Sandbox for {sandbox.client} is up ({scenario_dir}).", file=out)
            print(f"  DNS        127.0.0.1:{sandbox.dns_port} (UDP and TCP)", file=out)
            print(f"  SMTP port  {sandbox.smtp_port}", file=out)
            print(f"  HTTPS port {sandbox.https_port}", file=out)
            print(f"  CA bundle  {sandbox.ca_bundle_path}", file=out)
            print(f"  Domains    {', '.join(sandbox.domains)}", file=out)
            if sandbox.dkim_selectors:
                print(f"  DKIM selectors {', '.join(sandbox.dkim_selectors)}", file=out)
            for client in sandbox.clients[1:]:
                print(f"  Client     {client.name}: {', '.join(client.domains)}", file=out)
            if sandbox.book is not None:
                print(f"  Client files (copy as a --data folder) {sandbox.book}", file=out)
            print("Command-line flags:", file=out)
            print(
                f"  --nameserver {profile.resolvers[0]} --smtp-port {profile.smtp_port}"
                f" --https-port {profile.https_port} --ca-bundle {profile.ca_bundle} --lab",
                file=out,
            )
            print("Press Ctrl-C to stop.", file=out, flush=True)
            try:
                while not stop.wait(0.5):
                    pass
            except KeyboardInterrupt:
                pass
        print("Sandbox stopped.", file=out, flush=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
