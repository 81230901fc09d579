"""Import TLS-RPT reports from files, folders, mailboxes and IMAP into a store.

Every input item gets an outcome (imported, duplicate or rejected with a reason);
one bad item never stops the others. An import is one transaction: interrupted,
it leaves the store as it was, and re-running it does it again (what an earlier
import stored is recognised as duplicate, never stored twice). The machinery is
``assessment.intake.pipeline``'s; this module gives it TLS-RPT parsing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from assessment.intake.pipeline import (
    ImportResult,
    ItemOutcome,
    Rejection,
    import_units,
)
from assessment.intake.workers import PARALLEL_MIN_UNITS, WorkerPool, default_workers
from assessment.tlsrpt.prepare import PREPARER
from assessment.tlsrpt.store import TlsRptStore

__all__ = [
    "BATCH_ITEMS",
    "PARALLEL_MIN_UNITS",
    "ImportResult",
    "ItemOutcome",
    "Rejection",
    "WorkerPool",
    "default_workers",
    "import_sources",
]

# Items buffered before they are written (within the import's one transaction).
BATCH_ITEMS: Final = 1000


def import_sources(
    store: TlsRptStore,
    sources: Sequence[str | Path],
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    started: WorkerPool | None = None,
) -> ImportResult:
    """Import every report found in ``sources``; ``progress(done, total)`` counts units.

    ``workers``: parse processes beside this one; None (the default) is one per
    usable core but this one's, 0 parses here only. All writes happen here, in
    input order, so the result never depends on it. ``started``: workers started
    ahead by the caller (``assessment.intake.workers.start_early``).
    """
    return import_units(
        store.batch,
        sources,
        PREPARER,
        progress,
        workers,
        # Module attributes read per call, so a test can shrink or replace them.
        batch_items=BATCH_ITEMS,
        pool_factory=WorkerPool,
        write_failure=store.write_failure,
        started=started,
    )
