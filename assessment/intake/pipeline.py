"""Import report files into a store: units walked, parsed (optionally in worker processes), written.

Every input item gets an outcome (imported, duplicate or rejected with a reason);
one bad item never stops the others. An import is one transaction: interrupted,
it leaves the store as it was, and re-running it does it again (what an earlier
import stored is recognised as duplicate, never stored twice).

The report type (TLS-RPT, DMARC) is a ``Preparer``: how a chunk of units becomes
prepared items here and in a worker process. Everything else is shared.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, NamedTuple, cast

from assessment.gc_pause import cyclic_gc_paused
from assessment.intake.batch import ImportBatch, LoggedItem, Outcome, Pending, Row
from assessment.intake.payloads import Extracted, ReportFormat
from assessment.intake.sources import Unit, UnitKind, iter_units, read_ahead, unit_items
from assessment.intake.worker import PlainUnit
from assessment.intake.workers import (
    PARALLEL_MIN_UNITS,
    Worker,
    WorkerPool,
    default_workers,
)

# Items buffered before they are written (within the import's one transaction):
# bounds this process's memory; executemany over thousands of rows at a time.
BATCH_ITEMS: Final = 1000
# Progress is reported per chunk of units, not per file, to keep the callback cheap;
# a chunk is also what one worker parses per task (~25 ms: message overheads vanish).
_CHUNK_UNITS: Final = 256
# Chunks queued per worker: enough to keep it busy while this process writes a
# flush (~0.25 s for 5,000 reports, ~10 chunks of parsing); bounds memory.
_AHEAD_PER_WORKER: Final = 12
# Chunks this process may parse ahead of the writes while it would otherwise wait
# for a worker (bounds the memory of results held back for ordering).
_STOLEN_MAX: Final = 32


class Preparer(NamedTuple):
    """One report type's parsing, here and in its worker processes."""

    prepare_units: Callable[[Sequence[Unit]], list[Pending]]
    """Every item of the units, in order, parsed and flattened to rows (or rejected)."""
    from_plain: Callable[[Sequence[Any]], list[Pending]]
    """A worker's plain result back as ``Pending`` items."""
    worker_module: str
    """``python -m`` module of the worker process (its main calls ``intake.worker.run``)."""


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


def to_plain(units: Sequence[Unit]) -> list[PlainUnit]:
    return [(unit.source, unit.location, unit.kind.value) for unit in units]


# By value, without the enum's call (~0.3 us a unit, in every task of a worker).
_KINDS: Final = {kind.value: kind for kind in UnitKind}


def from_plain_units(units: Sequence[PlainUnit]) -> list[Unit]:
    """A worker's task back as units."""
    kinds = _KINDS
    return [Unit(source, where, kinds[kind]) for source, where, kind in units]


# What crosses between processes for one item: a Pending with its rows as a plain tuple
# (marshal refuses NamedTuples and enums; pickling those cost a class lookup and a
# constructor call per object: 43 us per report against 13 us for plain tuples).
PlainPending = tuple[str, str, tuple[Any, ...] | None, str]


def prepare_all(
    units: Sequence[Unit], report: ReportFormat, prepare: Callable[[str, Extracted], Pending]
) -> list[Pending]:
    """Every item of ``units`` prepared, in order (in this process)."""
    ahead = read_ahead(units)
    return [
        prepare(unit.source, extracted)
        for unit in units
        for extracted in unit_items(unit, report, ahead.pop(unit.location, None))
    ]


def prepare_plain_units(
    units: Sequence[PlainUnit],
    report: ReportFormat,
    prepare: Callable[[str, Extracted], Pending],
) -> list[PlainPending]:
    """A worker's task: every item of ``units`` prepared, in order, as plain tuples.

    One pass, straight to plain tuples (no list of ``Pending`` in between).
    """
    plain: list[PlainPending] = []
    ready = from_plain_units(units)
    ahead = read_ahead(ready)
    for unit in ready:
        for extracted in unit_items(unit, report, ahead.pop(unit.location, None)):
            source, item, rows, reason = prepare(unit.source, extracted)
            plain.append((source, item, None if rows is None else tuple(cast(Row, rows)), reason))
    return plain


class _Schedule:
    """Which chunk of units is parsed where, from the walk to the last write.

    Chunk ``i`` is ``units[i * _CHUNK_UNITS : (i + 1) * _CHUNK_UNITS]``. While the
    sources are still being walked (``units`` still growing), every complete chunk
    may already go to a worker (``offer``), so the workers parse while this
    process walks: on 100k files the walk alone took ~0.2 s in which they sat idle.

    Results are consumed strictly in unit order (``prepared``), so outcomes (which
    of two duplicates is kept) never depend on scheduling. This process never sits
    idle waiting: while a worker is still busy with the next chunk (or still
    starting), it parses a later chunk itself and holds the result back (at most
    ``_STOLEN_MAX`` chunks). So workers only ever add throughput, also on a loaded
    machine where they get little CPU, and a worker that dies only hands its
    chunks back.
    """

    def __init__(self, units: list[Unit], preparer: Preparer) -> None:
        self.units = units
        self.preparer = preparer
        self.pool: WorkerPool | None = None
        self.walked = False
        self.owner: dict[int, Worker] = {}
        self.stolen: dict[int, list[Pending]] = {}
        self.assigned = 0  # chunks before this index are with a worker, stolen or done

    def chunk(self, index: int) -> list[Unit]:
        return self.units[index * _CHUNK_UNITS : (index + 1) * _CHUNK_UNITS]

    def count(self) -> int:
        """Chunks that can be handed out: complete ones only while the walk goes on."""
        whole, rest = divmod(len(self.units), _CHUNK_UNITS)
        return whole + (1 if rest and self.walked else 0)

    def offer(self) -> None:
        """During the walk: give workers the chunks complete so far, collect what is done."""
        if self.pool is not None:
            self.top_up()
            self.pool.pump(0)  # results read as they come: the pipes never fill

    def top_up(self) -> None:
        """Keep every worker's queue full (bounded: results wait until consumed)."""
        pool = self.pool
        if pool is None:
            return
        while self.assigned < self.count():
            worker = pool.available(_AHEAD_PER_WORKER)
            if worker is None:
                return
            chunk = self.chunk(self.assigned)
            # IMAP folders are read in this process: workers never open connections.
            if not any(unit.kind is UnitKind.IMAP for unit in chunk):
                pool.send(worker, self.assigned, to_plain(chunk))
                self.owner[self.assigned] = worker
            self.assigned += 1

    def steal(self) -> bool:
        """Parse the next unassigned chunk here, ahead of the writes."""
        if len(self.stolen) >= _STOLEN_MAX or self.assigned >= self.count():
            return False
        self.stolen[self.assigned] = self.preparer.prepare_units(self.chunk(self.assigned))
        self.assigned += 1
        return True

    def result(self, index: int) -> list[Pending]:
        if index in self.stolen:
            return self.stolen.pop(index)
        pool = self.pool
        worker = self.owner.pop(index, None)
        while pool is not None and worker is not None and pool.owes(worker):
            pool.pump(0)
            answer = pool.take(worker, index)
            if answer is not None:
                status, payload = answer
                if status == "ok":
                    return self.preparer.from_plain(payload)
                break  # the worker hit an error: parse here, where it surfaces
            self.top_up()
            if not self.steal():
                pool.pump(None)
        return self.preparer.prepare_units(self.chunk(index))

    def prepared(self) -> Iterator[tuple[int, list[Pending]]]:
        """After the walk: prepared items per chunk, in unit order; (units done so far, items)."""
        self.walked = True
        total = len(self.units)
        for index in range(self.count()):
            self.top_up()
            yield min(total, (index + 1) * _CHUNK_UNITS), self.result(index)


def _write(
    batch: ImportBatch,
    schedule: _Schedule,
    progress: Callable[[int, int], None] | None,
    batch_items: int,
    write_failure: Callable[[sqlite3.Error], Exception] | None,
) -> list[LoggedItem]:
    """Prepare and write every unit in one transaction; the outcomes in unit order."""
    logged: list[LoggedItem] = []
    try:
        with cyclic_gc_paused():
            pool, total = schedule.pool, len(schedule.units)
            for done, prepared in schedule.prepared():
                # Added in slices that end where a batch is full: the same flushes as
                # item by item, without a call and a length check per item.
                start = 0
                while start < len(prepared):
                    end = start + batch_items - len(batch)
                    batch.extend(prepared[start:end])
                    start = end
                    if len(batch) >= batch_items:
                        if pool is not None:
                            pool.pump(0)  # workers' results read now: their pipes never fill
                        logged.extend(batch.flush())
                if progress is not None:
                    progress(done, total)
            if pool is not None:
                # Every result is in: the workers exit while the last rows are written
                # and committed (~0.2 s for 100k reports), not after.
                pool.release()
            logged.extend(batch.commit())
    except sqlite3.Error as exc:
        # A full disk (or a file size limit) mid-import: the transaction is rolled back,
        # so the store keeps exactly what it held before; the caller gets one line.
        batch.rollback()
        if write_failure is None:
            raise
        raise write_failure(exc) from exc
    except BaseException:
        batch.rollback()
        raise
    return logged


def import_units(
    open_batch: Callable[[], ImportBatch],
    sources: Sequence[str | Path],
    preparer: Preparer,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    *,
    batch_items: int = BATCH_ITEMS,
    pool_factory: Callable[[int, str], WorkerPool] = WorkerPool,
    write_failure: Callable[[sqlite3.Error], Exception] | None = None,
    started: WorkerPool | None = None,
) -> ImportResult:
    """Import every report found in ``sources``; ``progress(done, total)`` counts units.

    ``open_batch`` opens the store's write transaction (called once the sources
    are walked); ``write_failure`` turns an SQLite error while writing into the
    store's one-line error (the transaction is rolled back first). ``workers``:
    parse processes beside this one; None (the default) is one per usable core but
    this one's, 0 parses here only. All writes happen here, in input order, so the
    result never depends on it (see ``_Schedule``). ``started``: workers the caller
    started ahead (``workers.start_early``), used instead of starting them here;
    closed by this function, used or not.
    """
    if batch_items < 1:
        raise ValueError(f"batch_items must be at least 1, not {batch_items}")
    if workers is None:
        workers = default_workers()
    if workers == 0 and started is not None:
        started.close()  # "0 parses here only" holds whoever started them
        started = None
    units: list[Unit] = []
    schedule = _Schedule(units, preparer)
    try:
        for unit in iter_units(sources):
            units.append(unit)
            if len(units) == PARALLEL_MIN_UNITS and workers > 0:
                # Started as soon as the import is known to be big: the workers
                # start up, then parse, while the rest of the folders are walked.
                schedule.pool = (
                    started
                    if started is not None
                    else pool_factory(workers, preparer.worker_module)
                )
            if len(units) % _CHUNK_UNITS == 0:
                schedule.offer()
        if started is not None and schedule.pool is None:
            started.close()  # the import is small after all: not needed while it writes
        # The store's write transaction starts only now: a long walk (a big folder
        # on a slow disk, IMAP) never holds another import back.
        logged = _write(open_batch(), schedule, progress, batch_items, write_failure)
    finally:
        if schedule.pool is not None:
            schedule.pool.close()
        if started is not None:
            started.close()  # no-op when closed above or as the schedule's pool
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
