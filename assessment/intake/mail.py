"""Report attachments out of e-mail: single messages, mbox files and Maildir folders.

Which parts are reports depends on the ``ReportFormat``. A TLS-RPT message (RFC 8460
§5.3) is ``multipart/report; report-type=tlsrpt`` with an ``application/tlsrpt+gzip``
or ``application/tlsrpt+json`` part; a DMARC aggregate report (RFC 7489 §7.2.1.1,
RFC 9990 §2.5) is an ``application/gzip`` or ``text/xml`` part, and Google and many
others attach ``application/zip``. Reporters and relays also use generic types
(``application/octet-stream``...); those parts are accepted when their bytes sniff
as gzip, zip or the format's body kind.
"""

from __future__ import annotations

import email
import email.policy
import mailbox
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

from assessment.intake.payloads import (
    MAX_FILE_BYTES,
    MIB,
    Extracted,
    PayloadKind,
    ReportFormat,
    report_payloads,
    sniff,
)


def message_payloads(raw: bytes, item: str, report: ReportFormat) -> Iterator[Extracted]:
    """Yield the report candidates attached to one RFC 5322 message."""
    if len(raw) > MAX_FILE_BYTES:
        yield Extracted(item, None, f"message exceeds the {MAX_FILE_BYTES // MIB} MiB cap")
        return
    message = email.message_from_bytes(raw, policy=email.policy.default)
    sniffed = frozenset({PayloadKind.GZIP, PayloadKind.ZIP, report.body})
    found = 0
    seen_types: list[str] = []
    for number, part in enumerate(message.walk()):
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        seen_types.append(content_type)
        filename = _filename(part)
        specific = content_type in report.media_types
        if not specific and not _generic_report(content_type, filename, report):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        if not specific and sniff(payload[:64]) not in sniffed:
            continue
        found += 1
        label = f"{item}#part{number}" + (f" ({filename})" if filename else "")
        if content_type in report.gzip_types and sniff(payload[:4]) is not PayloadKind.GZIP:
            yield Extracted(label, None, f"{content_type} attachment is not gzip data")
            continue
        yield from report_payloads(payload, label, report)
    if not found:
        subject = str(message.get("subject", "")).strip()
        described = f" {subject!r}" if subject else ""
        yield Extracted(
            item,
            None,
            f"message{described} has no {report.name} report attachment "
            f"(parts: {', '.join(seen_types) or 'none'})",
        )


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except (ValueError, LookupError):
        return ""
    return name or ""


def _generic_report(content_type: str, filename: str, report: ReportFormat) -> bool:
    if content_type in report.generic_types:
        return True
    return filename.lower().endswith(report.suffixes)


def mbox_payloads(path: Path, report: ReportFormat) -> Iterator[Extracted]:
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
            yield from message_payloads(raw, item, report)
    finally:
        box.close()


def maildir_payloads(path: Path, report: ReportFormat) -> Iterator[Extracted]:
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
        yield from message_payloads(raw, item, report)
