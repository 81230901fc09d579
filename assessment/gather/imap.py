"""Read report messages (TLS-RPT, DMARC) from an IMAP folder over TLS, without changing it.

It lives in gather/, the only layer that opens sockets; intake/sources.py calls it for
``imaps://`` sources. The mailbox is opened with
``EXAMINE`` (read-only) and bodies are fetched with ``BODY.PEEK[]`` so that no
``\\Seen`` flag is set on the consultant's or client's mailbox.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import re
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote, urlsplit

from assessment.gather.connection import DestinationRefused, imap_client
from assessment.intake.mail import message_payloads
from assessment.intake.payloads import MAX_FILE_BYTES, MIB, Extracted, ReportFormat

PASSWORD_ENV: Final = "MAILPOSTURE_IMAP_PASSWORD"  # noqa: S105 (a variable name, not a secret)
CA_ENV: Final = "MAILPOSTURE_IMAP_CA"
TIMEOUT_SECONDS: Final = 30.0
_FETCH_CHUNK: Final = 50
_FETCH_BYTES: Final = 32 * MIB
"""Memory bound of one FETCH: a batch of large messages is split before this."""
TOTAL_SECONDS: Final = 600.0
"""Wall-clock limit for one folder, checked between FETCH commands."""
_UID_RE: Final = re.compile(rb"UID (\d+)")
_SIZE_RE: Final = re.compile(rb"RFC822\.SIZE (\d+)")


@dataclass(frozen=True)
class ImapLocation:
    user: str
    host: str
    port: int
    folder: str

    def __str__(self) -> str:
        return f"imaps://{self.user}@{self.host}:{self.port}/{self.folder}"


def parse_location(source: str) -> ImapLocation:
    """``imaps://user@host:port/Folder`` (percent-encoded; folder defaults to INBOX)."""
    parts = urlsplit(source)
    if parts.scheme.lower() != "imaps":
        raise ValueError("only imaps:// (IMAP over TLS) is supported")
    if not parts.hostname:
        raise ValueError("IMAP URL has no host")
    if not parts.username:
        raise ValueError("IMAP URL has no user (imaps://user@host/Folder)")
    if parts.password is not None:
        # A password in the URL would end up in import logs and in the executed notebooks
        # kept with every run.
        raise ValueError(f"put the password in {PASSWORD_ENV}, not in the URL")
    try:
        port = parts.port or 993
    except ValueError as exc:
        raise ValueError(f"IMAP URL has a bad port: {exc}") from None
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return ImapLocation(unquote(parts.username), parts.hostname, port, folder)


def redacted(source: str) -> str:
    """The source with any password removed, safe to log and store."""
    parts = urlsplit(source)
    if parts.password is None:
        return source
    netloc = parts.netloc.rsplit("@", 1)[-1]
    user = parts.username or ""
    return parts._replace(netloc=f"{user}:***@{netloc}").geturl()


def _quoted(mailbox: str) -> str:
    escaped = mailbox.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def imap_payloads(source: str, report: ReportFormat) -> Iterator[Extracted]:
    """Each message (by UID) of the folder is an item; connection trouble is one item."""
    try:
        location = parse_location(source)
    except ValueError as exc:
        yield Extracted(redacted(source), None, f"bad IMAP source: {exc}")
        return
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        yield Extracted(str(location), None, f"{PASSWORD_ENV} is not set")
        return
    try:
        context = ssl.create_default_context(cafile=os.environ.get(CA_ENV) or None)
        client = imap_client(location.host, location.port, context, TIMEOUT_SECONDS)
    except (OSError, imaplib.IMAP4.error, DestinationRefused) as exc:
        yield Extracted(str(location), None, f"cannot connect to the IMAP server: {exc}")
        return
    try:
        yield from _folder_payloads(client, location, password, report)
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.logout()


def _folder_payloads(
    client: imaplib.IMAP4_SSL, location: ImapLocation, password: str, report: ReportFormat
) -> Iterator[Extracted]:
    try:
        client.login(location.user, password)
        status, _ = client.select(_quoted(location.folder), readonly=True)
        if status != "OK":
            yield Extracted(str(location), None, f"cannot open folder {location.folder!r}")
            return
        sizes = _uid_sizes(client)
    except (OSError, imaplib.IMAP4.error) as exc:
        yield Extracted(str(location), None, f"IMAP error: {exc}")
        return
    wanted = []
    for uid, size in sizes:
        if size > MAX_FILE_BYTES:
            yield Extracted(
                f"{location}#UID{uid}",
                None,
                f"message of {size} bytes exceeds the {MAX_FILE_BYTES // MIB} MiB cap",
            )
        else:
            wanted.append(uid)
    deadline = time.monotonic() + TOTAL_SECONDS
    for chunk in _chunks(wanted, dict(sizes)):
        if time.monotonic() > deadline:
            # Socket timeouts bound each read, not a server that drips bytes forever.
            for uid in chunk:
                yield Extracted(
                    f"{location}#UID{uid}",
                    None,
                    f"not fetched: the import's {TOTAL_SECONDS:g} s limit for this folder "
                    "was reached; run the import again to continue",
                )
            continue
        try:
            bodies = _fetch_bodies(client, chunk)
        except (OSError, imaplib.IMAP4.error) as exc:
            for uid in chunk:
                yield Extracted(f"{location}#UID{uid}", None, f"IMAP fetch failed: {exc}")
            continue
        for uid in chunk:
            item = f"{location}#UID{uid}"
            raw = bodies.get(uid)
            if raw is None:
                yield Extracted(item, None, "server returned no body for this message")
            else:
                yield from message_payloads(raw, item, report)


def _chunks(uids: list[int], sizes: dict[int, int]) -> Iterator[list[int]]:
    """UIDs grouped so one FETCH holds at most `_FETCH_CHUNK` messages and `_FETCH_BYTES`."""
    chunk: list[int] = []
    total = 0
    for uid in uids:
        size = sizes.get(uid, 0)
        if chunk and (len(chunk) >= _FETCH_CHUNK or total + size > _FETCH_BYTES):
            yield chunk
            chunk, total = [], 0
        chunk.append(uid)
        total += size
    if chunk:
        yield chunk


def _uid_sizes(client: imaplib.IMAP4_SSL) -> list[tuple[int, int]]:
    status, data = client.uid("FETCH", "1:*", "(UID RFC822.SIZE)")
    if status != "OK":
        raise imaplib.IMAP4.error(f"UID FETCH sizes failed: {data!r}")
    sizes: list[tuple[int, int]] = []
    for line in data:
        text = line[0] if isinstance(line, tuple) else line
        if not isinstance(text, bytes):
            continue
        uid = _UID_RE.search(text)
        size = _SIZE_RE.search(text)
        if uid and size:
            sizes.append((int(uid.group(1)), int(size.group(1))))
    return sorted(set(sizes))


def _fetch_bodies(client: imaplib.IMAP4_SSL, uids: list[int]) -> dict[int, bytes]:
    status, data = client.uid("FETCH", ",".join(map(str, uids)), "(UID BODY.PEEK[])")
    if status != "OK":
        raise imaplib.IMAP4.error(f"UID FETCH failed: {data!r}")
    bodies: dict[int, bytes] = {}
    for line in data:
        if isinstance(line, tuple) and len(line) == 2:
            uid = _UID_RE.search(line[0])
            if uid:
                bodies[int(uid.group(1))] = line[1]
    return bodies
