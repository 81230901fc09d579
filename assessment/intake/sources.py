"""What the consultant names on the command line, expanded into readable units.

A unit is one file, one Maildir folder, or one IMAP folder; each unit yields one
or more items (a zip member, a message, an IMAP UID). Folders are walked
recursively in sorted order so that imports are deterministic.
"""

from __future__ import annotations

import email.errors
import errno
import mailbox
import os
import stat
import zlib
from collections.abc import Iterable, Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Final, NamedTuple

from assessment.intake.mail import maildir_payloads, mbox_payloads, message_payloads
from assessment.intake.payloads import (
    MAX_FILE_BYTES,
    MIB,
    Extracted,
    PayloadKind,
    ReportFormat,
    report_payloads,
    sniff,
)


class UnitKind(StrEnum):
    FILE = "file"
    MAILDIR = "maildir"
    IMAP = "imap"
    MISSING = "missing"


class Unit(NamedTuple):
    """One file, Maildir or IMAP folder named by (or found under) a source.

    A NamedTuple rather than a frozen dataclass: folders of 100k reports make
    100k of them, and a dataclass cost ~1 us more each to create.
    """

    source: str
    location: str
    kind: UnitKind


def _is_maildir(path: Path) -> bool:
    return all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def is_imap_source(source: str) -> bool:
    return source.lower().startswith("imaps://")


def expand(source: str | Path) -> list[Unit]:
    """The units one command-line source stands for."""
    return list(iter_units([source]))


def iter_units(sources: Iterable[str | Path]) -> Iterator[Unit]:
    """The units of every source, in order, as folders are walked (not all at once)."""
    for source in sources:
        text = str(source)
        if isinstance(source, str) and is_imap_source(source):
            yield Unit(text, text, UnitKind.IMAP)
            continue
        path = Path(source)
        if path.is_file():
            yield Unit(text, str(path), UnitKind.FILE)
        elif path.is_dir():
            if _is_maildir(path):
                yield Unit(text, str(path), UnitKind.MAILDIR)
            else:
                yield from _walk(text, path)
        else:
            yield Unit(text, str(path), UnitKind.MISSING)


def _walk(source: str, root: Path) -> Iterator[Unit]:
    # Plain string joins and one list per folder rather than Path objects and a
    # yield per file: this runs once per file of folders holding 100k reports,
    # where the per-file overhead was most of the walk's time (0.5 s against os.walk's
    # 0.13 s).
    join = os.path.join
    file_kind = UnitKind.FILE
    for directory, subdirs, files in os.walk(root):
        here = Path(directory)
        maildirs = [name for name in subdirs if _is_maildir(here / name)]
        for name in sorted(maildirs):
            yield Unit(source, join(directory, name), UnitKind.MAILDIR)
        # Hidden folders and Maildir internals are not walked further.
        subdirs[:] = sorted(
            name for name in subdirs if name not in maildirs and not name.startswith(".")
        )
        prefix = join(directory, "")
        yield from [
            Unit(source, prefix + name, file_kind) for name in sorted(files) if name[:1] != "."
        ]


# Failures of the readers on hostile input that are not already turned into reasons.
READ_ERRORS: Final = (
    OSError,
    ValueError,
    LookupError,
    EOFError,
    zlib.error,
    mailbox.Error,
    email.errors.MessageError,
)


def unit_items(
    unit: Unit, report: ReportFormat, read: tuple[int, bytes] | None = None
) -> Iterable[Extracted]:
    """``unit_payloads``, where a reader's failure becomes the unit's last item (a reason).

    What was read before the failure is kept (a mailbox's earlier messages). ``read``:
    the file's (size, bytes) when ``read_ahead`` already has them.
    """
    try:
        items = unit_payloads(unit, report, read)
        if isinstance(items, list):
            return items
    except READ_ERRORS as exc:
        return [_unreadable(unit, exc)]
    return _guarded(unit, items)


def _guarded(unit: Unit, items: Iterable[Extracted]) -> Iterator[Extracted]:
    try:
        yield from items
    except READ_ERRORS as exc:
        yield _unreadable(unit, exc)


def _unreadable(unit: Unit, exc: BaseException) -> Extracted:
    return Extracted(unit.location, None, f"cannot read: {type(exc).__name__}: {exc}")


def unit_payloads(
    unit: Unit, report: ReportFormat, read: tuple[int, bytes] | None = None
) -> Iterable[Extracted]:
    """Every item of one unit, each as report bytes or a rejection reason.

    A plain or gzip report file (nearly every unit of a big import) comes as a list,
    without a chain of generators (~4 us a file of 100k); mailboxes, archives and
    IMAP folders are streamed, item by item.
    """
    if unit.kind is UnitKind.FILE:
        return _file_payloads(unit.location, report, read)
    return _folder_payloads(unit, report)


def _folder_payloads(unit: Unit, report: ReportFormat) -> Iterator[Extracted]:
    if unit.kind is UnitKind.IMAP:
        # Imported here: assessment.gather costs ~0.7 s to import (dnspython and
        # friends), and parse workers, which import this module, never read IMAP.
        from assessment.gather.imap import imap_payloads

        yield from imap_payloads(unit.location, report)
    elif unit.kind is UnitKind.MAILDIR:
        yield from maildir_payloads(Path(unit.location), report)
    else:  # UnitKind.MISSING (files are unit_payloads' own case)
        yield Extracted(unit.location, None, "no such file or folder")


# Files up to this size are read ahead (held for one chunk of units at most).
_AHEAD_MAX_BYTES: Final = 64 * 1024
# Cleared when the file system refuses non-blocking reads (then everything is read
# when it is parsed, as before).
_CAN_READ_AHEAD = hasattr(os, "RWF_NOWAIT") and hasattr(os, "posix_fadvise")


def read_ahead(units: Sequence[Unit]) -> dict[str, tuple[int, bytes]]:
    """(size, bytes) of the small report files among ``units`` that are in memory now.

    For a file that is not (the page cache dropped it, or it was never read), the
    kernel is asked to start reading it (POSIX_FADV_WILLNEED) and it is left out: by
    the time the chunk's parsing reaches it, it is usually in memory. Without this,
    each such file stops the import for one disk read in turn. On the 2-core VM, whose
    kernel pages out files left untouched for a few seconds, an import of 100k files
    took 10-25% longer after a 15 s pause than right after the files were read. A
    file in memory costs what it did (the same four system calls, made earlier); the
    read itself (RWF_NOWAIT) never waits for the disk, though opening a file may read
    its metadata. A file only partly in memory is asked for and left out as well.
    Anything unusual (not a regular file, too big, changed while read, any error) is
    left out too, for ``_read_head_or_all`` to read and report as before. The first
    file whose file system refuses non-blocking reads (tmpfs, NFS, a seccomp filter)
    switches this off for the rest of the process: it costs speed, never a result.
    """
    global _CAN_READ_AHEAD  # one process-wide switch
    found: dict[str, tuple[int, bytes]] = {}
    if not _CAN_READ_AHEAD:
        return found
    for unit in units:
        if unit.kind is not UnitKind.FILE:
            continue
        try:
            fd = os.open(unit.location, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            status = os.fstat(fd)
            size = status.st_size
            if not stat.S_ISREG(status.st_mode) or size > _AHEAD_MAX_BYTES:
                continue
            buffer = bytearray(size + 1)
            try:
                got = os.preadv(fd, [buffer], 0, os.RWF_NOWAIT)
            except BlockingIOError:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
                continue
            if got == size:
                found[unit.location] = (size, bytes(memoryview(buffer)[:got]))
            elif got < size:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)  # partly in memory
        except OSError as exc:
            if exc.errno in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS, errno.EPERM):
                _CAN_READ_AHEAD = False  # this file system cannot: stop asking
                break
        finally:
            os.close(fd)
    return found


class NotAFile(OSError):
    """A named pipe, socket or device where a report file was expected."""


def _read_head_or_all(item: str) -> tuple[int, bytes]:
    """(size, bytes): the whole file when within the cap, else only its first 64 bytes.

    Raw ``os.read`` sized from ``fstat``: a buffered ``read(MAX_FILE_BYTES + 1)``
    allocates (and the kernel maps) a 25 MiB buffer per call, which cost ~50 us
    per small report file, more than parsing it. One byte beyond the size is asked
    for so that a file growing while it is read is still caught by the cap check.
    """
    # Non-blocking open: a FIFO (or device) lying in a report folder would otherwise
    # block the import for ever, waiting for a writer. Regular files ignore the flag.
    fd = os.open(item, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise NotAFile(item)
        size = status.st_size
        if size > MAX_FILE_BYTES:
            return size, os.read(fd, 64)
        data = os.read(fd, size + 1)
        if len(data) != size:
            # Short read (pipe, network file system) or a file changing under us:
            # read on to end of file, as a buffered read would, up to the cap.
            parts = [data]
            total = len(data)
            while total <= MAX_FILE_BYTES:
                more = os.read(fd, MAX_FILE_BYTES + 1 - total)
                if not more:
                    break
                parts.append(more)
                total += len(more)
            data = b"".join(parts)
    finally:
        os.close(fd)
    return size, data


def _file_payloads(
    item: str, report: ReportFormat, read: tuple[int, bytes] | None = None
) -> Iterable[Extracted]:
    try:
        size, data = read if read is not None else _read_head_or_all(item)
    except NotAFile:
        return [Extracted(item, None, "not a regular file (a named pipe, socket or device)")]
    except OSError as exc:
        return [Extracted(item, None, f"cannot read file: {exc.strerror or exc}")]
    kind = sniff(data[:64], item)  # only the suffix of the name matters
    if kind is PayloadKind.MBOX:
        # An mbox legitimately holds many messages; each is capped on its own.
        return mbox_payloads(Path(item), report)
    if size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
        return [
            Extracted(
                item,
                None,
                f"file of {max(size, len(data))} bytes exceeds the {MAX_FILE_BYTES // MIB} MiB cap",
            )
        ]
    if kind is PayloadKind.EMAIL:
        return message_payloads(data, item, report)
    if kind is PayloadKind.UNKNOWN:
        return [
            Extracted(
                item,
                None,
                f"not a recognised report file (expected {report.body_label}, gzip, zip, "
                "an e-mail message or mbox)",
            )
        ]
    return report_payloads(data, item, report, kind=kind)
