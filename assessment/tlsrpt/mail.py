"""Report attachments out of e-mail: single messages, mbox files and Maildir folders.

A TLS-RPT message (RFC 8460 §5.3) is ``multipart/report; report-type=tlsrpt`` with
an ``application/tlsrpt+gzip`` or ``application/tlsrpt+json`` part. Some reporters
and relays use generic types (``application/gzip``, ``application/zip``,
``application/octet-stream``); those parts are accepted when their bytes sniff as
gzip, zip or JSON.
"""

from __future__ import annotations

import email
import email.policy
import mailbox
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Final

from assessment.tlsrpt.payloads import (
    MAX_FILE_BYTES,
    MIB,
    Extracted,
    PayloadKind,
    report_payloads,
    sniff,
)

REPORT_TYPES: Final = frozenset({"application/tlsrpt+gzip", "application/tlsrpt+json"})
GENERIC_TYPES: Final = frozenset(
    {
        "application/gzip",
        "application/x-gzip",
        "application/zip",
        "application/x-zip-compressed",
        "application/octet-stream",
        "application/json",
    }
)
_SNIFFED_KINDS: Final = frozenset({PayloadKind.GZIP, PayloadKind.ZIP, PayloadKind.JSON})


def message_payloads(raw: bytes, item: str) -> Iterator[Extracted]:
    """Yield the report candidates attached to one RFC 5322 message."""
    if len(raw) > MAX_FILE_BYTES:
        yield Extracted(item, None, f"message exceeds the {MAX_FILE_BYTES // MIB} MiB cap")
        return
    message = email.message_from_bytes(raw, policy=email.policy.default)
    found = 0
    seen_types: list[str] = []
    for number, part in enumerate(message.walk()):
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        seen_types.append(content_type)
        filename = _filename(part)
        if content_type not in REPORT_TYPES and not _generic_report(content_type, filename):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        if content_type not in REPORT_TYPES and sniff(payload[:64]) not in _SNIFFED_KINDS:
            continue
        found += 1
        label = f"{item}#part{number}" + (f" ({filename})" if filename else "")
        if content_type == "application/tlsrpt+gzip" and sniff(payload[:4]) is not (
            PayloadKind.GZIP
        ):
            yield Extracted(label, None, "application/tlsrpt+gzip attachment is not gzip data")
            continue
        yield from report_payloads(payload, label)
    if not found:
        subject = str(message.get("subject", "")).strip()
        described = f" {subject!r}" if subject else ""
        yield Extracted(
            item,
            None,
            f"message{described} has no TLS-RPT report attachment "
            f"(parts: {', '.join(seen_types) or 'none'})",
        )


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except (ValueError, LookupError):
        return ""
    return name or ""


def _generic_report(content_type: str, filename: str) -> bool:
    if content_type in GENERIC_TYPES:
        return True
    lower = filename.lower()
    return lower.endswith((".json", ".json.gz", ".gz", ".zip"))


def mbox_payloads(path: Path) -> Iterator[Extracted]:
    """Each message of an mbox file is an item, in file order."""
    box = mailbox.mbox(path, create=False)
    try:
        for number, key in enumerate(box.keys(), start=1):
            item = f"{path}#message{number}"
            handle = box.get_file(key)
            try:
                raw = handle.read(MAX_FILE_BYTES + 1)
            finally:
                handle.close()
            yield from message_payloads(raw, item)
    finally:
        box.close()


def maildir_payloads(path: Path) -> Iterator[Extracted]:
    """Each message of a Maildir (new/ and cur/) is an item, sorted by key."""
    box = mailbox.Maildir(path, factory=None, create=False)
    for key in sorted(box.keys()):
        item = f"{path}#{key}"
        try:
            handle = box.get_file(key)
        except (KeyError, OSError) as exc:
            yield Extracted(item, None, f"cannot read message: {exc}")
            continue
        try:
            raw = handle.read(MAX_FILE_BYTES + 1)
        finally:
            handle.close()
        yield from message_payloads(raw, item)
