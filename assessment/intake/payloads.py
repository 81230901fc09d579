"""Bytes to report candidates: content sniffing and capped decompression.

Every function here works on bytes already read and returns or yields
``Extracted`` values: either one report's bytes (JSON for TLS-RPT, XML for DMARC)
or the reason an item could not be used. Decompression is streamed against a cap
so that a gzip or zip bomb is stopped after at most the cap's worth of output.
What distinguishes one kind of report from another is a ``ReportFormat``.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import Final, NamedTuple

MIB: Final = 1024 * 1024
MAX_REPORT_BYTES: Final = 20 * MIB
MAX_FILE_BYTES: Final = 25 * MIB
MAX_ZIP_MEMBERS: Final = 1000
MAX_ZIP_TOTAL_BYTES: Final = 200 * MIB
_CHUNK: Final = 256 * 1024


class PayloadKind(StrEnum):
    GZIP = "gzip"
    ZIP = "zip"
    JSON = "json"
    XML = "xml"
    MBOX = "mbox"
    EMAIL = "email"
    UNKNOWN = "unknown"


class ReportFormat(NamedTuple):
    """What one kind of report looks like in files and in e-mail.

    The uncompressed report is ``body`` (JSON or XML). In a message, parts of a
    ``media_types`` type are taken as reports; parts of a ``generic_types`` type or
    named with one of ``suffixes`` only when their bytes sniff as gzip, zip or the
    body kind; a ``gzip_types`` part must hold gzip data.
    """

    name: str
    body: PayloadKind
    media_types: frozenset[str]
    generic_types: frozenset[str]
    suffixes: tuple[str, ...]
    gzip_types: frozenset[str]
    foreign: str
    """The reason given for a document of the other body kind (the other report type)."""

    @property
    def body_label(self) -> str:
        return self.body.value.upper()


class Extracted(NamedTuple):
    """One input item: report bytes, or the reason there is none.

    A NamedTuple, not a frozen dataclass: one is made per report of imports of
    100k reports, where the dataclass's ``__init__`` was a measurable cost.
    """

    item: str
    data: bytes | None
    reason: str = ""
    # The original bytes when they are one whole gzip member holding exactly
    # ``data``: the store keeps those as the audit copy instead of compressing
    # ``data`` again (same content, no second deflate).
    gzipped: bytes | None = None


class PayloadRejected(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sniff(head: bytes, name: str = "") -> PayloadKind:
    """Classify by magic bytes first, then by the first text, then by the name."""
    if head.startswith(b"\x1f\x8b"):
        return PayloadKind.GZIP
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return PayloadKind.ZIP
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith((b"{", b"[")):
        return PayloadKind.JSON
    # "<" also in UTF-16 (with or without a byte order mark).
    if text.startswith(b"<") or head.startswith(_UTF16_XML):
        return PayloadKind.XML
    if head.startswith(b"From "):
        return PayloadKind.MBOX
    lower = name.lower()
    if lower.endswith(".mbox"):
        return PayloadKind.MBOX
    if lower.endswith(".eml") or _looks_like_headers(head):
        return PayloadKind.EMAIL
    if lower.endswith(".json"):
        return PayloadKind.JSON
    if lower.endswith(".xml"):
        return PayloadKind.XML
    return PayloadKind.UNKNOWN


_UTF16_XML: Final = (b"\xff\xfe<\x00", b"\xfe\xff\x00<", b"\x00<")


def _looks_like_headers(head: bytes) -> bool:
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    field, colon, _ = first.partition(b":")
    return bool(colon) and 0 < len(field) < 80 and field.replace(b"-", b"").isalnum()


def gunzip(data: bytes, limit: int = MAX_REPORT_BYTES) -> bytes:
    """Decompress gzip data (all members), refusing output beyond ``limit`` bytes."""
    return _gunzip(data, limit)[0]


def _gunzip(data: bytes, limit: int) -> tuple[bytes, bool]:
    """(output, whether ``data`` is exactly one gzip member with nothing after it)."""
    # The usual case, a whole single-member file within the cap, in one call; the
    # output is still bounded by the cap (max_length), so a bomb stops there.
    decompressor = zlib.decompressobj(wbits=31)
    try:
        whole = decompressor.decompress(data, limit + 1)
    except zlib.error:
        whole = None  # the loop below gives the reason
    if (
        whole is not None
        and decompressor.eof
        and not decompressor.unused_data
        and len(whole) <= limit
    ):
        return whole, True
    out = bytearray()
    pending = data
    members = 0
    while pending:
        decompressor = zlib.decompressobj(wbits=31)
        position = 0
        try:
            while not decompressor.eof:
                if decompressor.unconsumed_tail:
                    chunk = decompressor.decompress(
                        decompressor.unconsumed_tail, limit + 1 - len(out)
                    )
                elif position < len(pending):
                    piece = pending[position : position + _CHUNK]
                    position += len(piece)
                    chunk = decompressor.decompress(piece, limit + 1 - len(out))
                else:
                    raise PayloadRejected(
                        f"truncated gzip data (stream ends after {len(out)} decompressed bytes)"
                    )
                out += chunk
                if len(out) > limit:
                    raise PayloadRejected(
                        f"decompressed size exceeds the {limit // MIB} MiB cap per report"
                    )
        except zlib.error as exc:
            raise PayloadRejected(f"corrupt gzip data: {exc}") from None
        members += 1
        pending = decompressor.unused_data + pending[position:]
        # Trailing zero padding after the last member is common and harmless.
        if not pending.strip(b"\x00"):
            break
        if not pending.startswith(b"\x1f\x8b"):
            raise PayloadRejected("trailing garbage after gzip data")
    return bytes(out), members == 1 and not pending


def report_payloads(
    data: bytes,
    item: str,
    report: ReportFormat,
    *,
    allow_zip: bool = True,
    kind: PayloadKind | None = None,
) -> Iterable[Extracted]:
    """The report candidates held by one blob (the body kind, gzip, zip members).

    One candidate (a list) unless the blob is a zip archive, whose members are
    streamed.
    """
    if kind is None:
        kind = sniff(data[:64], item)
    if kind is PayloadKind.GZIP:
        try:
            out, single = _gunzip(data, MAX_REPORT_BYTES)
        except PayloadRejected as exc:
            return [Extracted(item, None, exc.reason)]
        return [Extracted(item, out, gzipped=data if single else None)]
    if kind is PayloadKind.ZIP:
        if allow_zip:
            return zip_payloads(data, item, report)
        return [Extracted(item, None, "nested zip archive not supported")]
    if kind is report.body:
        if len(data) > MAX_REPORT_BYTES:
            return [Extracted(item, None, f"report exceeds the {MAX_REPORT_BYTES // MIB} MiB cap")]
        return [Extracted(item, data)]
    if kind in (PayloadKind.JSON, PayloadKind.XML):
        return [Extracted(item, None, report.foreign)]
    return [
        Extracted(
            item,
            None,
            f"not a {report.name} report: neither {report.body_label} nor gzip nor zip data",
        )
    ]


def zip_payloads(data: bytes, item: str, report: ReportFormat) -> Iterator[Extracted]:
    """Each zip member is an item; sizes are checked while decompressing, not trusted."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        yield Extracted(item, None, f"corrupt zip archive: {exc}")
        return
    if not members:
        yield Extracted(item, None, "zip archive has no members")
        return
    if len(members) > MAX_ZIP_MEMBERS:
        yield Extracted(
            item, None, f"zip archive has {len(members)} members (cap {MAX_ZIP_MEMBERS})"
        )
        return
    total = 0
    for info in members:
        name = f"{item}:{info.filename}"
        if total > MAX_ZIP_TOTAL_BYTES:
            yield Extracted(
                name, None, f"zip archive exceeds {MAX_ZIP_TOTAL_BYTES // MIB} MiB in total"
            )
            continue
        try:
            with archive.open(info) as member:
                content = member.read(MAX_REPORT_BYTES + 1)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
            yield Extracted(name, None, f"cannot read zip member: {exc}")
            continue
        except RuntimeError as exc:  # encrypted members
            yield Extracted(name, None, f"cannot read zip member: {exc}")
            continue
        except zlib.error as exc:
            yield Extracted(name, None, f"corrupt zip member: {exc}")
            continue
        total += len(content)
        if len(content) > MAX_REPORT_BYTES:
            yield Extracted(
                name,
                None,
                f"decompressed size exceeds the {MAX_REPORT_BYTES // MIB} MiB cap per report",
            )
            continue
        yield from report_payloads(content, name, report, allow_zip=False)
