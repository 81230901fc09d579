"""What the consultant names on the command line, expanded into readable units.

A unit is one file, one Maildir folder, or one IMAP folder; each unit yields one
or more items (a zip member, a message, an IMAP UID). Folders are walked
recursively in sorted order so that imports are deterministic.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from assessment.gather.imap import imap_payloads, is_imap_source
from assessment.tlsrpt.mail import maildir_payloads, mbox_payloads, message_payloads
from assessment.tlsrpt.payloads import (
    MAX_FILE_BYTES,
    MIB,
    Extracted,
    PayloadKind,
    report_payloads,
    sniff,
)


class UnitKind(StrEnum):
    FILE = "file"
    MAILDIR = "maildir"
    IMAP = "imap"
    MISSING = "missing"


@dataclass(frozen=True)
class Unit:
    source: str
    location: str
    kind: UnitKind


def _is_maildir(path: Path) -> bool:
    return all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def expand(source: str | Path) -> list[Unit]:
    """The units one command-line source stands for."""
    text = str(source)
    if isinstance(source, str) and is_imap_source(source):
        return [Unit(text, text, UnitKind.IMAP)]
    path = Path(source)
    if path.is_file():
        return [Unit(text, str(path), UnitKind.FILE)]
    if path.is_dir():
        if _is_maildir(path):
            return [Unit(text, str(path), UnitKind.MAILDIR)]
        return list(_walk(text, path))
    return [Unit(text, str(path), UnitKind.MISSING)]


def _walk(source: str, root: Path) -> Iterator[Unit]:
    for directory, subdirs, files in os.walk(root):
        here = Path(directory)
        maildirs = [name for name in subdirs if _is_maildir(here / name)]
        for name in sorted(maildirs):
            yield Unit(source, str(here / name), UnitKind.MAILDIR)
        # Hidden folders and Maildir internals are not walked further.
        subdirs[:] = sorted(
            name for name in subdirs if name not in maildirs and not name.startswith(".")
        )
        for name in sorted(files):
            if not name.startswith("."):
                yield Unit(source, str(here / name), UnitKind.FILE)


def unit_payloads(unit: Unit) -> Iterator[Extracted]:
    """Every item of one unit, each as report bytes or a rejection reason."""
    if unit.kind is UnitKind.IMAP:
        yield from imap_payloads(unit.location)
    elif unit.kind is UnitKind.MAILDIR:
        yield from maildir_payloads(Path(unit.location))
    elif unit.kind is UnitKind.MISSING:
        yield Extracted(unit.location, None, "no such file or folder")
    else:
        yield from _file_payloads(Path(unit.location))


def _file_payloads(path: Path) -> Iterator[Extracted]:
    item = str(path)
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            # One read for the common small file; the size is known before reading.
            data = handle.read(MAX_FILE_BYTES + 1 if size <= MAX_FILE_BYTES else 64)
    except OSError as exc:
        yield Extracted(item, None, f"cannot read file: {exc.strerror or exc}")
        return
    kind = sniff(data[:64], path.name)
    if kind is PayloadKind.MBOX:
        # An mbox legitimately holds many messages; each is capped on its own.
        yield from mbox_payloads(path)
    elif size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
        yield Extracted(
            item,
            None,
            f"file of {max(size, len(data))} bytes exceeds the {MAX_FILE_BYTES // MIB} MiB cap",
        )
    elif kind is PayloadKind.EMAIL:
        yield from message_payloads(data, item)
    elif kind is PayloadKind.UNKNOWN:
        yield Extracted(
            item,
            None,
            "not a recognised report file (expected JSON, gzip, zip, an e-mail message or mbox)",
        )
    else:
        yield from report_payloads(data, item, kind=kind)
