"""read_ahead: small report files in memory are read up front, the others are asked of the disk.

A paged-out file is simulated by a non-blocking read that would block (what the kernel
answers for such a file); everything else is real files on disk.
"""

from __future__ import annotations

import errno
import gzip
import json
import os
from pathlib import Path

import pytest

from assessment.intake import sources
from assessment.intake.sources import Unit, UnitKind, iter_units, read_ahead
from assessment.tlsrpt.ingest import import_sources
from assessment.tlsrpt.store import TlsRptStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tlsrpt"


@pytest.fixture(autouse=True)
def _read_ahead_on(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each test starts with the process-wide switch on and leaves it as it found it.
    monkeypatch.setattr(sources, "_CAN_READ_AHEAD", True)


def _non_blocking_reads(folder: Path) -> bool:
    """Whether the file system under ``folder`` takes RWF_NOWAIT (tmpfs does not)."""
    probe = folder / "probe"
    probe.write_bytes(b"x")
    fd = os.open(probe, os.O_RDONLY)
    try:
        os.preadv(fd, [bytearray(2)], 0, os.RWF_NOWAIT)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
        probe.unlink()
    return True


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    body = (FIXTURES / "google-style-sts.json").read_bytes()
    for n in range(6):
        document = json.loads(body)
        document["report-id"] = f"ahead-{n}"
        data = json.dumps(document).encode()
        name = f"{n}.json.gz" if n % 2 else f"{n}.json"
        (folder / name).write_bytes(gzip.compress(data, mtime=0) if n % 2 else data)
    (folder / "empty.json").write_bytes(b"")
    (folder / "big.json").write_bytes(b" " * (70 * 1024))
    os.mkfifo(folder / "pipe.json")
    return folder


def test_files_in_memory_are_read_up_front_exactly(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    units = [*iter_units([folder]), Unit(str(folder), str(folder / "gone.json"), UnitKind.MISSING)]
    ahead = read_ahead(units)
    if not _non_blocking_reads(tmp_path):
        # tmpfs and the like: nothing is read ahead, everything is read when parsed.
        assert ahead == {}
        assert sources._CAN_READ_AHEAD is False
        return
    names = {Path(location).name for location in ahead}
    # Not the FIFO (never read: it could block), not the big file, not a missing one.
    assert names == {f"{n}.json.gz" if n % 2 else f"{n}.json" for n in range(6)} | {"empty.json"}
    for location, (size, data) in ahead.items():
        assert (size, data) == (Path(location).stat().st_size, Path(location).read_bytes())


def test_a_paged_out_file_is_asked_of_the_disk_and_read_when_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path)
    (folder / "pipe.json").unlink()
    (folder / "big.json").unlink()
    units = list(iter_units([folder]))
    paged_out = str(folder / "2.json")
    real_preadv, real_fadvise = os.preadv, os.posix_fadvise
    advised: list[int] = []

    partly = str(folder / "4.json")

    def preadv(fd: int, buffers: list[bytearray], offset: int, flags: int = 0) -> int:
        path = os.readlink(f"/proc/self/fd/{fd}")
        if path == paged_out:
            raise BlockingIOError(errno.EAGAIN, "would block")
        if path == partly:
            return 10  # only its first bytes are in memory
        return real_preadv(fd, buffers, offset, 0)  # tmpfs refuses RWF_NOWAIT

    def fadvise(fd: int, offset: int, length: int, advice: int) -> None:
        advised.append(advice)
        real_fadvise(fd, offset, length, advice)

    monkeypatch.setattr(os, "preadv", preadv)
    monkeypatch.setattr(os, "posix_fadvise", fadvise)
    ahead = read_ahead(units)
    assert paged_out not in ahead and partly not in ahead and len(ahead) == len(units) - 2
    assert advised == [os.POSIX_FADV_WILLNEED] * 2
    # The import reads it when it gets there, and stores all of them.
    with TlsRptStore(tmp_path / "s.sqlite") as store:
        result = import_sources(store, [folder], workers=0)
    assert (result.imported, result.duplicate, len(result.rejected)) == (6, 0, 1)  # empty.json


def test_a_file_system_without_non_blocking_reads_reads_everything_when_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path)
    units = list(iter_units([folder]))

    def refuse(fd: int, buffers: list[bytearray], offset: int, flags: int = 0) -> int:
        raise OSError(errno.EOPNOTSUPP, "Operation not supported")

    monkeypatch.setattr(os, "preadv", refuse)
    assert read_ahead(units) == {}
    assert sources._CAN_READ_AHEAD is False  # not asked again for every chunk
    with TlsRptStore(tmp_path / "s.sqlite") as store:
        result = import_sources(store, [folder], workers=0)
    assert result.imported == 6
