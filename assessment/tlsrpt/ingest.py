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

from assessment.tlsrpt.payloads import Extracted
from assessment.tlsrpt.report import ReportRejected, parse_report
from assessment.tlsrpt.sources import Unit, expand, unit_payloads
from assessment.tlsrpt.store import ImportBatch, Outcome, StoreResult, TlsRptStore

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
    outcomes: list[ItemOutcome] = []
    batch: ImportBatch = store.batch()
    pending = 0
    try:
        for done, unit in enumerate(units, start=1):
            for extracted in _guarded(unit):
                outcomes.append(_import_item(batch, unit.source, extracted))
                pending += 1
                if pending >= BATCH_ITEMS:
                    batch.commit()
                    batch = store.batch()
                    pending = 0
            if progress is not None:
                progress(done, len(units))
        batch.commit()
    except BaseException:
        batch.rollback()
        raise
    rejected = tuple(
        Rejection(outcome.item, outcome.reason)
        for outcome in outcomes
        if outcome.outcome is Outcome.REJECTED
    )
    return ImportResult(
        imported=sum(outcome.outcome is Outcome.IMPORTED for outcome in outcomes),
        duplicate=sum(outcome.outcome is Outcome.DUPLICATE for outcome in outcomes),
        rejected=rejected,
        items=tuple(outcomes),
    )


def _import_item(batch: ImportBatch, source: str, extracted: Extracted) -> ItemOutcome:
    if extracted.data is None:
        result = StoreResult(Outcome.REJECTED, extracted.reason, None)
        batch.log(source, extracted.item, result)
    else:
        try:
            report = parse_report(extracted.data)
        except ReportRejected as exc:
            result = StoreResult(Outcome.REJECTED, exc.reason, None)
            batch.log(source, extracted.item, result)
        else:
            result = batch.add(report, extracted.data, source, extracted.item)
    return ItemOutcome(source, extracted.item, result.outcome, result.reason, result.report_pk)
