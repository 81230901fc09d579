"""The MTA-STS policy fetch, done the way an RFC 8461 §3.3 sender does it.

`https://mta-sts.<domain>/.well-known/mta-sts.txt`, resolved through the profile's resolvers,
SNI and Host set to the policy host, HTTP/1.1 with `Connection: close`, redirects recorded but
never followed, the body capped at 64 KiB. A bad certificate does not stop the fetch: we record
both what the server serves and that a sender would have refused it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import assessment
from assessment.gather.connection import DestinationRefused, open_stream
from assessment.gather.dns import DnsClient, normalize_name, utc_now
from assessment.gather.http_response import (
    MAX_HEADER_LINE,
    Meter,
    ResponseError,
    read_body,
    read_head,
)
from assessment.gather.tls import close_quietly, upgrade
from assessment.model import ConnOutcome, HttpsFetch, NetworkProfile, TlsSession

POLICY_PATH = "/.well-known/mta-sts.txt"
BODY_LIMIT = 65536
"""RFC 8461 §3.3 lets senders cap the policy; 64 KiB is what mox and others use."""


@dataclass
class _Progress:
    """What the exchange saw so far, so a timeout still reports the handshake and headers."""

    tls: TlsSession | None = None
    status: int | None = None
    reason: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    stage: str = "connecting"
    body: bytes = b""
    body_complete: bool = True
    errors: list[str] = field(default_factory=list)
    meter: Meter = field(default_factory=Meter)
    sent_at: float | None = None


def _request(host: str, port: int) -> bytes:
    authority = host if port == 443 else f"{host}:{port}"
    return (
        f"GET {POLICY_PATH} HTTP/1.1\r\n"
        f"Host: {authority}\r\n"
        f"User-Agent: mailposture/{assessment.__version__}\r\n"
        "Accept: */*\r\n"
        "Connection: close\r\n"
        "\r\n"
    ).encode("ascii")


async def _exchange(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    host: str,
    profile: NetworkProfile,
    progress: _Progress,
) -> None:
    progress.stage = "TLS handshake"
    progress.tls = await upgrade(writer, host, profile, profile.io_timeout)
    if progress.tls.handshake_error:
        return
    progress.stage = "sending the request"
    writer.write(_request(host, profile.https_port))
    await writer.drain()
    progress.sent_at = time.monotonic()
    progress.stage = "reading the response headers"
    head = await read_head(reader, progress.meter)
    progress.status, progress.reason, progress.headers = head.status, head.reason, head.headers
    progress.stage = "reading the response body"
    body = await read_body(reader, head, BODY_LIMIT, meter=progress.meter)
    progress.body, progress.body_complete = body.data, body.complete
    progress.stage = "done"


class _ConnectFailure(Exception):
    def __init__(self, outcome: ConnOutcome, text: str) -> None:
        super().__init__(text)
        self.outcome = outcome


async def _connect(
    address: str, profile: NetworkProfile
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    port = profile.https_port
    try:
        return await asyncio.wait_for(
            open_stream(address, port, profile, limit=MAX_HEADER_LINE),
            timeout=profile.connect_timeout,
        )
    except DestinationRefused as exc:
        raise _ConnectFailure(ConnOutcome.OUTSIDE_LAB, str(exc)) from exc
    except TimeoutError as exc:
        raise _ConnectFailure(
            ConnOutcome.TIMEOUT,
            f"{address} port {port}: no TCP connection within {profile.connect_timeout:g}s",
        ) from exc
    except ConnectionRefusedError as exc:
        raise _ConnectFailure(
            ConnOutcome.REFUSED, f"{address} port {port}: connection refused"
        ) from exc
    except OSError as exc:
        raise _ConnectFailure(ConnOutcome.UNREACHABLE, f"{address} port {port}: {exc}") from exc


Limit = Callable[[str], asyncio.Semaphore]
"""Connections allowed at once to an address (a politeness limit), by address."""


async def fetch_policy(
    domain: str, profile: NetworkProfile, dns: DnsClient | None = None, limit: Limit | None = None
) -> HttpsFetch:
    """Fetch the MTA-STS policy of `domain`; every failure is recorded, nothing is raised."""
    observed_at = utc_now()
    started = time.monotonic()
    host = f"mta-sts.{normalize_name(domain)}"
    authority = host if profile.https_port == 443 else f"{host}:{profile.https_port}"
    url = f"https://{authority}{POLICY_PATH}"
    client = dns or DnsClient(profile)
    try:
        return await _fetch(client, host, url, profile, limit, observed_at, started)
    finally:
        if dns is None:
            client.close()


async def _fetch(
    client: DnsClient,
    host: str,
    url: str,
    profile: NetworkProfile,
    limit: Limit | None,
    observed_at: str,
    started: float,
) -> HttpsFetch:
    """`fetch_policy` once the client is settled."""

    def result(outcome: ConnOutcome, **fields: object) -> HttpsFetch:
        return HttpsFetch(
            url=url,
            host=host,
            port=profile.https_port,
            outcome=outcome,
            observed_at=observed_at,
            elapsed_ms=round((time.monotonic() - started) * 1000, 1),
            **fields,  # type: ignore[arg-type]
        )

    found_a, found_aaaa = await asyncio.gather(client.query(host, "A"), client.query(host, "AAAA"))
    addresses = found_a.answers + found_aaaa.answers
    if not addresses:
        return result(
            ConnOutcome.DNS_ERROR,
            error=f"{host} has no address: A {found_a.outcome}, AAAA {found_aaaa.outcome}",
        )

    # Like a sender, move on to the next address when one fails; the evidence keeps the
    # first complete exchange (or the success) and names every failed address.
    failures: list[str] = []
    outcome = ConnOutcome.ERROR
    first: tuple[ConnOutcome, dict[str, object]] | None = None
    for address in addresses:
        async with limit(address) if limit else contextlib.nullcontext():
            try:
                reader, writer = await _connect(address, profile)
            except _ConnectFailure as exc:
                outcome = exc.outcome
                failures.append(str(exc))
                continue
            attempt = await _fetch_on(reader, writer, host, address, profile)
        if attempt[0] is ConnOutcome.OK:
            fields = dict(attempt[1])
            if failures:
                fields["error"] = "earlier addresses failed: " + "; ".join(failures)
            return result(ConnOutcome.OK, addresses=addresses, **fields)
        failures.append(str(attempt[1].get("error") or f"{address}: {attempt[0].value}"))
        first = first or attempt
    if first is not None:
        return result(first[0], addresses=addresses, **{**first[1], "error": "; ".join(failures)})
    return result(outcome, addresses=addresses, error="; ".join(failures))


async def _fetch_on(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    host: str,
    address: str,
    profile: NetworkProfile,
) -> tuple[ConnOutcome, dict[str, object]]:
    progress = _Progress()
    outcome = ConnOutcome.OK
    error: str | None = None
    try:
        await asyncio.wait_for(
            _exchange(reader, writer, host, profile, progress), timeout=profile.io_timeout
        )
    except TimeoutError:
        outcome = ConnOutcome.TIMEOUT
        error = f"{address}: {_stopped(progress, profile.io_timeout)}"
    except ResponseError as exc:
        outcome = ConnOutcome.PROTOCOL_ERROR
        error = f"{address}: {exc} (while {progress.stage})"
    except (ConnectionError, OSError) as exc:
        outcome = ConnOutcome.ERROR
        error = f"{address}: connection failed while {progress.stage}: {exc!r}"
    finally:
        await close_quietly(writer)

    if progress.tls is not None and progress.tls.handshake_error and outcome is ConnOutcome.OK:
        outcome = ConnOutcome.TLS_ERROR
        error = f"{address}: {progress.tls.handshake_error}"
    head_seen = progress.status is not None
    location = _header(progress.headers, "location")
    is_redirect = progress.status is not None and 300 <= progress.status < 400
    return outcome, {
        "status": progress.status,
        "reason": progress.reason,
        "headers": progress.headers,
        "content_type": _header(progress.headers, "content-type"),
        "redirect_location": location if is_redirect else None,
        "body": progress.body[:BODY_LIMIT].decode("utf-8", errors="replace") if head_seen else None,
        "body_bytes": len(progress.body),
        "body_truncated": len(progress.body) > BODY_LIMIT,
        "body_limit": BODY_LIMIT,
        "tls": progress.tls,
        "error": error,
    }


def _stopped(progress: _Progress, limit: float) -> str:
    """What a timed-out exchange had measured when the limit stopped it."""
    stop = f"stopped by the {limit:g} s limit on the whole exchange while {progress.stage}"
    if progress.sent_at is None:
        return f"no progress: {stop}"
    waited = time.monotonic() - progress.sent_at
    meter = progress.meter
    if meter.received == 0 or meter.last_at is None:
        return f"nothing received in the {waited:.1f} s after the request; {stop}"
    idle = time.monotonic() - meter.last_at
    return (
        f"{meter.received} bytes received in the {waited:.1f} s after the request (the last "
        f"{idle:.1f} s before the stop, so data was still arriving); {stop}"
        if idle < 1.0
        else f"{meter.received} bytes received in the {waited:.1f} s after the request, then "
        f"nothing for {idle:.1f} s; {stop}"
    )


def _header(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None
