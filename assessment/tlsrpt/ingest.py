"""Import TLS-RPT reports from files, folders, mailboxes and IMAP into a store.

Every input item gets an outcome (imported, duplicate or rejected with a reason);
one bad item never stops the others. Items are written in batches, one transaction
per batch, so an interrupted import leaves only whole reports behind and simply
re-running it completes it (duplicates are recognised, not stored twice).
"""

from __future__ import annotations

import email.errors
import mailbox
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from assessment.tlsrpt.batch import (
    ImportBatch,
    LoggedItem,
    Outcome,
    compress_raw,
    content_digest,
)
from assessment.tlsrpt.model import TlsRptReport
from assessment.tlsrpt.payloads import Extracted
from assessment.tlsrpt.report import ReportRejected, parse_report
from assessment.tlsrpt.sources import Unit, expand, unit_payloads
from assessment.tlsrpt.store import TlsRptStore

BATCH_ITEMS: Final = 2000
# Progress is reported per chunk of units, not per file, to keep the callback cheap.
_CHUNK_UNITS: Final = 64

# Failures of the readers on hostile input that are not already turned into reasons.
_READ_ERRORS: Final = (
    OSError,
    ValueError,
    LookupError,
    EOFError,
    zlib.error,
    mailbox.Error,
    email.errors.MessageError,
)


@dataclass(frozen=True)
class Rejection:
    source: str
    reason: str


@dataclass(frozen=True)
class ItemOutcome:
    source: str
    item: str
    outcome: Outcome
    reason: str
    report_pk: int | None


@dataclass(frozen=True)
class ImportResult:
    imported: int
    duplicate: int
    rejected: tuple[Rejection, ...]
    items: tuple[ItemOutcome, ...]


@dataclass(frozen=True)
class _Prepared:
    """One item read and parsed, hashed and compressed, ready for the store."""

    source: str
    item: str
    report: TlsRptReport | None
    digest: str
    compressed: bytes
    reason: str


def _guarded(unit: Unit) -> Iterator[Extracted]:
    try:
        yield from unit_payloads(unit)
    except _READ_ERRORS as exc:
        yield Extracted(unit.location, None, f"cannot read: {type(exc).__name__}: {exc}")


def _prepare(source: str, extracted: Extracted) -> _Prepared:
    if extracted.data is None:
        return _Prepared(source, extracted.item, None, "", b"", extracted.reason)
    try:
        report = parse_report(extracted.data)
    except ReportRejected as exc:
        return _Prepared(source, extracted.item, None, "", b"", exc.reason)
    return _Prepared(
        source,
        extracted.item,
        report,
        content_digest(extracted.data),
        compress_raw(extracted.data),
        "",
    )


def _prepare_units(units: Sequence[Unit]) -> list[_Prepared]:
    return [_prepare(unit.source, extracted) for unit in units for extracted in _guarded(unit)]


def _prepared_chunks(units: list[Unit]) -> Iterator[tuple[int, list[_Prepared]]]:
    """Prepared items per chunk of units, in unit order; (units done so far, items)."""
    done = 0
    for start in range(0, len(units), _CHUNK_UNITS):
        chunk = units[start : start + _CHUNK_UNITS]
        done += len(chunk)
        yield done, _prepare_units(chunk)


def import_sources(
    store: TlsRptStore,
    sources: Sequence[str | Path],
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import every report found in ``sources``; ``progress(done, total)`` counts units."""
    units = [unit for source in sources for unit in expand(source)]
    logged: list[LoggedItem] = []
    batch: ImportBatch = store.batch()
    try:
        for done, prepared in _prepared_chunks(units):
            for entry in prepared:
                if entry.report is None:
                    batch.reject(entry.source, entry.item, entry.reason)
                else:
                    batch.add_prepared(
                        entry.report, entry.digest, entry.compressed, entry.source, entry.item
                    )
                if len(batch) >= BATCH_ITEMS:
                    logged.extend(batch.commit())
                    batch = store.batch()
            if progress is not None:
                progress(done, len(units))
        logged.extend(batch.commit())
    except BaseException:
        batch.rollback()
        raise
    outcomes = tuple(
        ItemOutcome(
            entry.source,
            entry.item,
            entry.result.outcome,
            entry.result.reason,
            entry.result.report_pk,
        )
        for entry in logged
    )
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
