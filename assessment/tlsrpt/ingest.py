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

from assessment.tlsrpt.batch import ImportBatch, LoggedItem, Outcome
from assessment.tlsrpt.payloads import Extracted
from assessment.tlsrpt.report import ReportRejected, parse_report
from assessment.tlsrpt.sources import Unit, expand, unit_payloads
from assessment.tlsrpt.store import TlsRptStore

BATCH_ITEMS: Final = 2000

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


def _guarded(unit: Unit) -> Iterator[Extracted]:
    try:
        yield from unit_payloads(unit)
    except _READ_ERRORS as exc:
        yield Extracted(unit.location, None, f"cannot read: {type(exc).__name__}: {exc}")


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
        for done, unit in enumerate(units, start=1):
            for extracted in _guarded(unit):
                _offer(batch, unit.source, extracted)
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


def _offer(batch: ImportBatch, source: str, extracted: Extracted) -> None:
    if extracted.data is None:
        batch.reject(source, extracted.item, extracted.reason)
        return
    try:
        report = parse_report(extracted.data)
    except ReportRejected as exc:
        batch.reject(source, extracted.item, exc.reason)
    else:
        batch.add(report, extracted.data, source, extracted.item)
