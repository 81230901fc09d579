"""Reading one HTTP/1.1 response from a hostile server with hard caps on everything.

Header lines, header count and body size are bounded, and the body is read with at most
`limit + 1` bytes ever requested, so a server cannot make us buffer more than it is worth.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

MAX_HEADER_LINE = 8192
MAX_HEADERS = 100
MAX_HEADER_BYTES = 65536


class ResponseError(Exception):
    """The reply is not HTTP/1.x as far as we can tell, or breaks one of our caps."""


@dataclass(frozen=True)
class ResponseHead:
    version: str
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


@dataclass(frozen=True)
class ResponseBody:
    data: bytes
    """At most limit + 1 bytes: one more than allowed proves the body was too big."""
    complete: bool
    """False when reading stopped at the cap (or the framing broke) before the end."""


@dataclass
class Meter:
    """What has arrived so far and when, so a stopped exchange can say what it measured."""

    received: int = 0
    last_at: float | None = None

    def add(self, count: int) -> None:
        if count:
            self.received += count
            self.last_at = time.monotonic()


async def _line(reader: asyncio.StreamReader, meter: Meter) -> bytes:
    try:
        line = await reader.readuntil(b"\n")
    except asyncio.LimitOverrunError as exc:
        raise ResponseError("header line longer than the reader limit") from exc
    except asyncio.IncompleteReadError as exc:
        raise ResponseError("connection closed in the middle of the headers") from exc
    meter.add(len(line))
    if len(line) > MAX_HEADER_LINE:
        raise ResponseError(f"header line longer than {MAX_HEADER_LINE} bytes")
    return line


def _text(raw: bytes) -> str:
    return raw.decode("latin-1").rstrip("\r\n")


async def read_head(reader: asyncio.StreamReader, meter: Meter | None = None) -> ResponseHead:
    meter = meter or Meter()
    status_line = _text(await _line(reader, meter))
    version, _, rest = status_line.partition(" ")
    code, _, reason = rest.partition(" ")
    if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit():
        raise ResponseError(f"not an HTTP/1.x status line: {status_line[:200]!r}")
    headers: list[tuple[str, str]] = []
    total = 0
    while True:
        raw = await _line(reader, meter)
        total += len(raw)
        if total > MAX_HEADER_BYTES:
            raise ResponseError(f"headers larger than {MAX_HEADER_BYTES} bytes")
        line = _text(raw)
        if not line:
            break
        if line[0] in " \t" and headers:
            # Obsolete line folding (RFC 9112 §5.2): append to the previous value.
            key, value = headers[-1]
            headers[-1] = (key, f"{value} {line.strip()}")
            continue
        if len(headers) >= MAX_HEADERS:
            raise ResponseError(f"more than {MAX_HEADERS} header fields")
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            raise ResponseError(f"malformed header line: {line[:200]!r}")
        headers.append((key.strip(), value.strip()))
    return ResponseHead(version, int(code), reason.strip(), tuple(headers))


async def _read_up_to(reader: asyncio.StreamReader, want: int, meter: Meter) -> bytes:
    """Read until `want` bytes or EOF, never asking for more than `want`."""
    parts: list[bytes] = []
    got = 0
    while got < want:
        chunk = await reader.read(min(want - got, 65536))
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
        meter.add(len(chunk))
    return b"".join(parts)


async def _read_chunked(reader: asyncio.StreamReader, cap: int, meter: Meter) -> ResponseBody:
    parts: list[bytes] = []
    got = 0
    while got < cap:
        size_line = _text(await _line(reader, meter)).split(";", 1)[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError as exc:
            raise ResponseError(f"bad chunk size {size_line[:40]!r}") from exc
        if size < 0:
            raise ResponseError("negative chunk size")
        if size == 0:
            return ResponseBody(b"".join(parts), complete=True)
        take = min(size, cap - got)
        data = await _read_up_to(reader, take, meter)
        parts.append(data)
        got += len(data)
        if len(data) < take:
            return ResponseBody(b"".join(parts), complete=False)
        if take < size:
            break
        await _line(reader, meter)  # CRLF that ends the chunk
    return ResponseBody(b"".join(parts), complete=False)


async def read_body(
    reader: asyncio.StreamReader,
    head: ResponseHead,
    limit: int,
    method: str = "GET",
    meter: Meter | None = None,
) -> ResponseBody:
    """The body under RFC 9112 §6.3 framing, reading at most `limit + 1` bytes of it."""
    meter = meter or Meter()
    cap = limit + 1
    if method == "HEAD" or head.status in (204, 304) or 100 <= head.status < 200:
        return ResponseBody(b"", complete=True)
    encoding = (head.header("transfer-encoding") or "").lower()
    if "chunked" in encoding:
        return await _read_chunked(reader, cap, meter)
    length_text = head.header("content-length")
    if length_text is not None:
        try:
            length = int(length_text.split(",")[0].strip())
        except ValueError as exc:
            raise ResponseError(f"bad Content-Length {length_text[:40]!r}") from exc
        if length < 0:
            raise ResponseError("negative Content-Length")
        want = min(length, cap)
        data = await _read_up_to(reader, want, meter)
        return ResponseBody(data, complete=len(data) == length)
    data = await _read_up_to(reader, cap, meter)
    return ResponseBody(data, complete=len(data) < cap)
