"""The SMTP STARTTLS probe: banner, EHLO, STARTTLS, handshake, EHLO, QUIT. Nothing more.

No MAIL, RCPT or DATA is ever sent: the probe must be harmless to the client's servers.
Outbound port 25 is blocked on many networks, so a connect timeout is reported as "could not
test from here", which the checks layer treats as inconclusive rather than a client defect.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

from assessment.gather.connection import DestinationRefused, open_stream
from assessment.gather.dns import utc_now
from assessment.gather.tls import close_quietly, upgrade
from assessment.model import ConnOutcome, NetworkProfile, SmtpProbe, TlsSession

MAX_REPLY_LINE = 2048
"""RFC 5321 §4.5.3.1.5 caps a reply line at 512 octets; allow slack, then stop reading."""
MAX_REPLY_LINES = 100
READER_LIMIT = 8192


class ReplyError(Exception):
    """The server's reply is not an SMTP reply, or breaks our caps."""


@dataclass(frozen=True)
class Reply:
    code: int
    lines: tuple[str, ...]
    """Text after the code and separator, one entry per line."""
    raw: tuple[str, ...]
    """The lines as received (code and separator included), each capped in length."""

    @property
    def text(self) -> str:
        return "\n".join(self.raw)


async def read_reply(reader: asyncio.StreamReader) -> Reply:
    """A possibly multi-line reply (`250-...` continues, `250 ...` ends), capped."""
    lines: list[str] = []
    raw_lines: list[str] = []
    code: int | None = None
    while True:
        try:
            raw = await reader.readuntil(b"\n")
        except asyncio.LimitOverrunError as exc:
            raise ReplyError(f"reply line longer than {READER_LIMIT} bytes") from exc
        except asyncio.IncompleteReadError as exc:
            if exc.partial:
                raise ReplyError(f"connection closed mid-line: {exc.partial[:200]!r}") from exc
            raise ReplyError("connection closed by the server") from exc
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")[:MAX_REPLY_LINE]
        head = line[:3]
        if len(head) < 3 or not head.isdigit() or (len(line) > 3 and line[3] not in " -"):
            raise ReplyError(f"not an SMTP reply line: {line[:200]!r}")
        if code is None:
            code = int(head)
        lines.append(line[4:])
        raw_lines.append(line)
        if len(lines) > MAX_REPLY_LINES:
            raise ReplyError(f"reply longer than {MAX_REPLY_LINES} lines")
        if len(line) == 3 or line[3] == " ":
            return Reply(code, tuple(lines), tuple(raw_lines))


@dataclass
class _Progress:
    stage: str = "reading the banner"
    banner: str | None = None
    ehlo: tuple[str, ...] = ()
    starttls_offered: bool | None = None
    starttls_reply: str | None = None
    tls: TlsSession | None = None
    problems: list[str] = field(default_factory=list)
    connected_at: float = 0.0
    greeting_ms: float | None = None


def _offers_starttls(ehlo: Reply) -> bool:
    return any(line.split(" ", 1)[0].upper() == "STARTTLS" for line in ehlo.lines[1:])


async def _command(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, line: str) -> Reply:
    writer.write(line.encode("ascii") + b"\r\n")
    await writer.drain()
    return await read_reply(reader)


async def _converse(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    host: str,
    profile: NetworkProfile,
    progress: _Progress,
) -> ConnOutcome:
    banner = await read_reply(reader)
    progress.greeting_ms = round((time.monotonic() - progress.connected_at) * 1000, 1)
    progress.banner = banner.text
    if banner.code != 220:
        progress.problems.append(f"banner code {banner.code}, not 220")
        return ConnOutcome.PROTOCOL_ERROR
    progress.stage = "waiting for the EHLO reply"
    ehlo = await _command(reader, writer, f"EHLO {profile.ehlo_name}")
    progress.ehlo = ehlo.raw
    if ehlo.code != 250:
        progress.problems.append(f"EHLO answered {ehlo.code}")
        return ConnOutcome.PROTOCOL_ERROR
    progress.starttls_offered = _offers_starttls(ehlo)
    if progress.starttls_offered:
        progress.stage = "waiting for the STARTTLS reply"
        reply = await _command(reader, writer, "STARTTLS")
        progress.starttls_reply = reply.text
        if reply.code != 220:
            progress.problems.append(f"STARTTLS answered {reply.code}")
            return ConnOutcome.TLS_ERROR
        progress.stage = "TLS handshake"
        progress.tls = await upgrade(writer, host, profile, profile.io_timeout)
        if progress.tls.handshake_error:
            return ConnOutcome.TLS_ERROR
        progress.stage = "waiting for the EHLO reply after STARTTLS"
        await _command(reader, writer, f"EHLO {profile.ehlo_name}")
    progress.stage = "waiting for the QUIT reply"
    # Everything we came for is recorded; a rude goodbye changes nothing.
    with contextlib.suppress(ReplyError, ConnectionError, OSError):
        await _command(reader, writer, "QUIT")
    return ConnOutcome.OK


async def probe_mx(host: str, address: str, profile: NetworkProfile) -> SmtpProbe:
    """Probe one MX address; every failure is recorded in the result, nothing is raised."""
    observed_at = utc_now()
    started = time.monotonic()
    host = host.lower().rstrip(".")
    port = profile.smtp_port

    connect_ms: float | None = None

    def result(outcome: ConnOutcome, progress: _Progress, error: str | None) -> SmtpProbe:
        return SmtpProbe(
            connect_ms=connect_ms,
            greeting_ms=progress.greeting_ms,
            host=host,
            address=address,
            port=port,
            outcome=outcome,
            banner=progress.banner,
            ehlo=progress.ehlo,
            starttls_offered=progress.starttls_offered,
            starttls_reply=progress.starttls_reply,
            tls=progress.tls,
            observed_at=observed_at,
            elapsed_ms=round((time.monotonic() - started) * 1000, 1),
            error=error,
        )

    progress = _Progress()
    try:
        reader, writer = await asyncio.wait_for(
            open_stream(address, port, profile, limit=READER_LIMIT),
            timeout=profile.connect_timeout,
        )
    except DestinationRefused as exc:
        return result(ConnOutcome.OUTSIDE_LAB, progress, str(exc))
    except TimeoutError:
        return result(
            ConnOutcome.TIMEOUT,
            progress,
            f"could not reach {address} port {port} from this vantage point within "
            f"{profile.connect_timeout:g}s (outbound port {port} is often blocked by the "
            "network the test runs from; this is not evidence of a fault at the server)",
        )
    except ConnectionRefusedError:
        return result(ConnOutcome.REFUSED, progress, f"{address} port {port}: connection refused")
    except OSError as exc:
        return result(
            ConnOutcome.UNREACHABLE,
            progress,
            f"{address} port {port} unreachable from this vantage point: {exc}",
        )

    progress.connected_at = time.monotonic()
    connect_ms = round((progress.connected_at - started) * 1000, 1)
    error: str | None = None
    try:
        outcome = await asyncio.wait_for(
            _converse(reader, writer, host, profile, progress), timeout=profile.io_timeout
        )
    except TimeoutError:
        outcome = ConnOutcome.TIMEOUT
        error = (
            f"connected in {connect_ms:g} ms, then no greeting within {profile.io_timeout:g}s"
            if progress.banner is None
            else f"connected, but no reply within {profile.io_timeout:g}s while {progress.stage}"
        )
    except ReplyError as exc:
        outcome = ConnOutcome.PROTOCOL_ERROR
        error = f"{exc} (while {progress.stage})"
    except (ConnectionError, OSError) as exc:
        outcome = ConnOutcome.ERROR
        error = f"connection failed while {progress.stage}: {exc!r}"
    finally:
        await close_quietly(writer)
    if error is None and progress.problems:
        error = "; ".join(progress.problems)
    if error is None and progress.tls is not None and progress.tls.handshake_error:
        error = progress.tls.handshake_error
    return result(outcome, progress, error)
