"""Import TLS-RPT reports from files, folders, mailboxes and IMAP into a store.

Every input item gets an outcome (imported, duplicate or rejected with a reason);
one bad item never stops the others. An import is one transaction: interrupted,
it leaves the store as it was, and re-running it does it again (what an earlier
import stored is recognised as duplicate, never stored twice).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Final

from assessment.tlsrpt.batch import ImportBatch, LoggedItem, Outcome, Pending
from assessment.tlsrpt.prepare import (
    PlainPending,
    from_plain,
    gc_paused,
    prepare_plain,
    prepare_units,
    to_plain,
)
from assessment.tlsrpt.sources import Unit, UnitKind, expand
from assessment.tlsrpt.store import TlsRptStore

# Items buffered before they are written (within the import's one transaction):
# bounds this process's memory; executemany over thousands of rows at a time.
BATCH_ITEMS: Final = 5000
# Progress is reported per chunk of units, not per file, to keep the callback cheap;
# a chunk is also what one worker parses per task (big enough to amortise pickling).
_CHUNK_UNITS: Final = 256
# Below this many units, starting worker processes is not worth it.
PARALLEL_MIN_UNITS: Final = 500
# Chunks queued per worker: enough to keep it busy while this process writes a
# flush (~0.25 s for 5,000 reports, ~10 chunks of parsing), bounded for memory.
_AHEAD_PER_WORKER: Final = 12
# Chunks this process may parse ahead of the writes while it would otherwise wait
# for a worker (bounds the memory of results held back for ordering).
_STOLEN_MAX: Final = 8


def default_workers() -> int:
    """Parse processes beside this one: one per usable core but this one's."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        cores = os.cpu_count() or 1
    return max(0, cores - 1)


@dataclass(frozen=True)
class Rejection:
    source: str
    reason: str


# One per input item: source, item, outcome, reason, report_pk (an import-log row).
ItemOutcome = LoggedItem


@dataclass(frozen=True)
class ImportResult:
    imported: int
    duplicate: int
    rejected: tuple[Rejection, ...]
    items: tuple[ItemOutcome, ...]


def _ready() -> None:
    """A no-op task: its completion says the worker processes are up."""


def _prepared_chunks(
    units: list[Unit], workers: int
) -> Generator[tuple[int, list[Pending]], None, None]:
    """Prepared items per chunk of units, in unit order; (units done so far, items).

    With ``workers`` >= 1 and enough units, chunks are parsed in worker processes
    while this process writes; results are still consumed strictly in unit order,
    so outcomes (which of two duplicates is kept) never depend on scheduling.

    This process never sits idle waiting: while the pool starts (a forkserver,
    then imports: up to a second) it parses chunks itself, in order; later, a
    chunk no worker has started yet is taken back, and while a worker is busy
    with the next chunk this process parses a later one and holds its result
    back (at most ``_STOLEN_MAX`` chunks). So workers only ever add throughput,
    also on a loaded machine where they get little CPU.
    """
    chunks = [units[start : start + _CHUNK_UNITS] for start in range(0, len(units), _CHUNK_UNITS)]
    ends = list(accumulate(len(chunk) for chunk in chunks))
    if workers < 1 or len(units) < PARALLEL_MIN_UNITS:
        for end, chunk in zip(ends, chunks, strict=True):
            yield end, prepare_units(chunk)
        return
    context = multiprocessing.get_context("forkserver")
    # The forkserver imports the parse module once; each worker is then a cheap
    # fork of it instead of importing it again ("__main__" stays preloaded, as
    # by default, so a script's main module is not re-imported per worker).
    context.set_forkserver_preload(["__main__", "assessment.tlsrpt.prepare"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    futures: dict[int, Future[list[PlainPending]]] = {}
    stolen: dict[int, list[Pending]] = {}
    broken = False
    submitted = 0  # chunks before this index are submitted, stolen or done

    def top_up() -> None:
        """Keep every worker's queue full (bounded: results wait until consumed)."""
        nonlocal submitted, broken
        while len(futures) < workers * _AHEAD_PER_WORKER and submitted < len(chunks):
            chunk = chunks[submitted]
            # IMAP folders are read in this process: workers never open connections.
            if not broken and not any(unit.kind is UnitKind.IMAP for unit in chunk):
                try:
                    futures[submitted] = pool.submit(prepare_plain, to_plain(chunk))
                except BrokenProcessPool:
                    broken = True
            # A chunk without a future is parsed here by result(), in its turn.
            submitted += 1

    def steal() -> bool:
        """Parse the next unsubmitted chunk here, ahead of the writes."""
        nonlocal submitted
        if len(stolen) >= _STOLEN_MAX or submitted >= len(chunks):
            return False
        stolen[submitted] = prepare_units(chunks[submitted])
        submitted += 1
        return True

    def result(index: int) -> list[Pending]:
        nonlocal broken
        if index in stolen:
            return stolen.pop(index)
        future = futures.pop(index, None)
        if future is not None and not broken:
            try:
                while not future.done() and not future.cancel():
                    top_up()
                    if not steal():
                        break
                if not future.cancelled():
                    return from_plain(future.result())
            except BrokenProcessPool:
                # A worker died (killed, out of memory, a main module that is not
                # import-safe): parse what is left here rather than fail the import.
                broken = True
        return prepare_units(chunks[index])

    try:
        ready = pool.submit(_ready)
        index = 0
        # While the pool starts, parse here, in order.
        while index < len(chunks) and not ready.done():
            yield ends[index], prepare_units(chunks[index])
            index += 1
        submitted = first = index
        for index in range(first, len(chunks)):
            top_up()
            yield ends[index], result(index)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def import_sources(
    store: TlsRptStore,
    sources: Sequence[str | Path],
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> ImportResult:
    """Import every report found in ``sources``; ``progress(done, total)`` counts units.

    ``workers``: parse processes beside this one; None (the default) is one per
    usable core but this one's, 0 parses here only. All writes happen here, in
    input order, so the result never depends on it (see ``_prepared_chunks``).
    """
    if workers is None:
        workers = default_workers()
    units = [unit for source in sources for unit in expand(source)]
    logged: list[LoggedItem] = []
    batch: ImportBatch = store.batch()
    try:
        # closing(): a failed write shuts the worker pool down now, not at garbage collection.
        with gc_paused(), closing(_prepared_chunks(units, workers)) as chunks:
            for done, prepared in chunks:
                for entry in prepared:
                    batch.add(entry)
                    if len(batch) >= BATCH_ITEMS:
                        logged.extend(batch.flush())
                if progress is not None:
                    progress(done, len(units))
        logged.extend(batch.commit())
    except BaseException:
        batch.rollback()
        raise
    outcomes = tuple(logged)
    return ImportResult(
        imported=sum(outcome.outcome is Outcome.IMPORTED for outcome in outcomes),
        duplicate=sum(outcome.outcome is Outcome.DUPLICATE for outcome in outcomes),
        rejected=tuple(
            Rejection(outcome.item, outcome.reason)
            for outcome in outcomes
            if outcome.outcome is Outcome.REJECTED
        ),
        items=outcomes,
    )
