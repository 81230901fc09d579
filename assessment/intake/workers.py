"""Parse worker processes for big imports, driven from the importing process without threads.

Each worker is ``python -m <module>`` (``assessment.tlsrpt.worker``,
``assessment.dmarc.worker``) on a pair of pipes (see ``assessment.intake.worker``
for the messages). Chunks of units go to a worker; its results come back in
the order it was given them. Pipes are non-blocking and only served when the
importing process asks (``pump``), so nothing runs behind its back.

Why not ``concurrent.futures.ProcessPoolExecutor``: with the safe start methods it
re-imports the caller's ``__main__`` in the children (a consultant's script without
a main guard would run again; the notebook kernel's start-up module is imported),
which cost ~0.9 s of CPU per import, and its manager and feeder threads compete
for the GIL with the thread writing to SQLite: measured on 100k reports, the write
path went from 57 to 74 us per report while a pool was running.

A worker that cannot start, dies, or reports an error only loses its work to the
importing process, which parses those chunks itself; an import never fails or
hangs because of a worker.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import selectors
import subprocess
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from assessment.intake.worker import HEADER, frame
from assessment.spawn import module_command

# Pipe capacity asked of Linux (F_SETPIPE_SZ); 1 MiB is its default ceiling for
# unprivileged processes. A few chunks' results then fit without the worker
# waiting for the importing process to read. Elsewhere the default is kept.
_PIPE_BYTES: Final = 1 << 20
_READ_BYTES: Final = 1 << 20
# A worker that was given work gets this long to exit once its input is closed.
_EXIT_WAIT_S: Final = 5.0
# Below this many units, starting worker processes is not worth it.
PARALLEL_MIN_UNITS: Final = 500


def default_workers() -> int:
    """Parse processes beside this one: one per usable core but this one's."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        cores = os.cpu_count() or 1
    return max(0, cores - 1)


def start_early(sources: Sequence[str | Path], module: str) -> WorkerPool | None:
    """The import's parse workers, started before its sources are walked, if it is big.

    For the command line: the workers then load their modules (~0.15 s) while the
    command loads its own and opens the store, instead of after. Started only when the
    sources hold at least ``PARALLEL_MIN_UNITS`` units, counted here without reading
    a file and stopping at that count; an import that still turns out small (a
    Maildir inside a folder is one unit, not one per message) closes them unused.
    """
    count = default_workers()
    if count == 0 or not _units_reach(sources, PARALLEL_MIN_UNITS):
        return None
    return WorkerPool(count, module)


def with_early_workers(
    sources: Sequence[str | Path], module: str, body: Callable[[WorkerPool | None], int]
) -> int:
    """``body(start_early(...))``; the workers are closed (reaped) after it, whatever happens."""
    started = start_early(sources, module)
    try:
        return body(started)
    finally:
        if started is not None:
            started.close()  # no-op when the import closed them


def _units_reach(sources: Sequence[str | Path], needed: int) -> bool:
    """Whether ``sources`` hold ``needed`` units: files found in folders, or sources.

    An approximation of ``intake.sources.iter_units`` (that module costs ~30 ms to
    import): hidden names are skipped and symbolic links to folders not followed, as
    there, but a Maildir inside a folder counts its messages.
    """
    seen = 0
    for source in sources:
        text = str(source)
        path = Path(text)
        if text.lower().startswith("imaps://") or not path.is_dir():
            seen += 1
        elif all((path / sub).is_dir() for sub in ("cur", "new", "tmp")):
            seen += 1  # a Maildir source: one unit
        else:
            seen += _count_files(text, needed - seen)
        if seen >= needed:
            return True
    return False


def _count_files(folder: str, needed: int) -> int:
    """Files under ``folder``, counted until ``needed`` (a huge folder is not listed whole)."""
    seen = 0
    pending = [folder]
    while pending and seen < needed:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    if entry.name[:1] == ".":
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
                    else:
                        seen += 1
                        if seen >= needed:
                            break
        except OSError:
            continue  # unreadable: the import itself says so
    return seen


class Worker:
    """One worker process, its unread results and the chunks it owes, oldest first."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdin is not None and process.stdout is not None
        self.process = process
        self.task_fd = process.stdin.fileno()
        self.result_fd = process.stdout.fileno()
        for fd in (self.task_fd, self.result_fd):
            os.set_blocking(fd, False)
            with contextlib.suppress(AttributeError, OSError):
                import fcntl  # POSIX only, like this module

                fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
        self.outgoing = bytearray()
        self.incoming = bytearray()
        self.results: deque[bytes] = deque()
        self.owed: deque[int] = deque()
        self.alive = True
        self.used = False
        self.watching_tasks = False


class WorkerPool:
    """``count`` processes running ``python -m module`` (a report type's worker module)."""

    def __init__(self, count: int, module: str) -> None:
        self.workers: list[Worker] = []
        self._closed = False
        self._selector = selectors.DefaultSelector()
        argv, environment = module_command(module)
        for _ in range(count):
            try:
                process = subprocess.Popen(
                    argv,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    env=environment,
                )
            except OSError:
                break  # no more processes: work with those started, or none
            worker = Worker(process)
            self.workers.append(worker)
            self._selector.register(worker.result_fd, selectors.EVENT_READ, worker)

    def available(self, most_owed: int) -> Worker | None:
        """The live worker owing fewest chunks, if it owes fewer than ``most_owed``."""
        live = [w for w in self.workers if w.alive and len(w.owed) < most_owed]
        return min(live, key=lambda w: len(w.owed), default=None)

    def send(self, worker: Worker, chunk: int, task: Any) -> None:
        worker.owed.append(chunk)
        worker.used = True
        worker.outgoing += frame(marshal.dumps(task))
        self._write(worker)

    def take(self, worker: Worker, chunk: int) -> Any | None:
        """The worker's result for ``chunk`` if it has arrived, else None (see ``owes``)."""
        if not worker.results:
            return None
        assert worker.owed[0] == chunk, "chunks are taken in the order they were sent"
        worker.owed.popleft()
        # Bytes from our own worker process (S302 is about untrusted input).
        return marshal.loads(worker.results.popleft())  # noqa: S302

    @staticmethod
    def owes(worker: Worker) -> bool:
        """Whether the worker's next result may still come (False once it is gone)."""
        return worker.alive or bool(worker.results)

    def pump(self, timeout: float | None) -> None:
        """Move bytes on every pipe that is ready; wait up to ``timeout`` (None: for one)."""
        if not self._selector.get_map():
            return  # no live worker: nothing could ever arrive
        for key, _events in self._selector.select(timeout):
            worker: Worker = key.data
            if key.fd == worker.task_fd:
                self._write(worker)
            else:
                self._read(worker)

    def _write(self, worker: Worker) -> None:
        if worker.alive and worker.outgoing:
            try:
                sent = os.write(worker.task_fd, worker.outgoing)
            except BlockingIOError:
                sent = 0
            except OSError:
                self._lost(worker)
                return
            del worker.outgoing[:sent]
        # Watch the task pipe for room only while something waits to be written.
        waiting = worker.alive and bool(worker.outgoing)
        if waiting != worker.watching_tasks:
            if waiting:
                self._selector.register(worker.task_fd, selectors.EVENT_WRITE, worker)
            else:
                self._selector.unregister(worker.task_fd)
            worker.watching_tasks = waiting

    def _read(self, worker: Worker) -> None:
        while True:
            try:
                data = os.read(worker.result_fd, _READ_BYTES)
            except BlockingIOError:
                break
            except OSError:
                data = b""
            if not data:
                self._lost(worker)
                break
            worker.incoming += data
        buffer = worker.incoming
        while len(buffer) >= HEADER:
            size = int.from_bytes(buffer[:HEADER], "little")
            if len(buffer) < HEADER + size:
                break
            worker.results.append(bytes(buffer[HEADER : HEADER + size]))
            del buffer[: HEADER + size]

    def _lost(self, worker: Worker) -> None:
        """The worker exited or its pipes broke: what it already sent is kept."""
        if not worker.alive:
            return
        worker.alive = False
        worker.watching_tasks = False
        for fd in (worker.result_fd, worker.task_fd):
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(fd)

    def release(self) -> None:
        """Close every worker's pipes, so each exits now; ``close`` then reaps them."""
        for worker in self.workers:
            self._lost(worker)
            process = worker.process
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()
            if not worker.used and process.returncode is None:
                process.kill()  # never given work: no need to let it finish starting

    def close(self) -> None:
        """Release and reap every worker; calling it again does nothing."""
        if self._closed:
            return
        self._closed = True
        self.release()
        for worker in self.workers:
            process = worker.process
            try:
                process.wait(_EXIT_WAIT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._selector.close()
