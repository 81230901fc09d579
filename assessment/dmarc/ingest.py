"""Import DMARC aggregate reports from files, folders, mailboxes and IMAP into a store.

Every source TLS-RPT import reads is read here too (the machinery is
``assessment.intake``'s): files (``.xml``, ``.xml.gz``, ``.zip``), ``.eml``
messages, mbox files, Maildir folders, folders walked recursively, and
``imaps://`` folders. Every item gets an outcome (imported, duplicate or rejected
with a reason); an import is one transaction, all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from assessment.dmarc.prepare import PREPARER
from assessment.dmarc.store import DmarcStore
from assessment.intake.pipeline import (
    ImportResult,
    ItemOutcome,
    Rejection,
    import_units,
)
from assessment.intake.workers import WorkerPool, default_workers

__all__ = [
    "BATCH_ITEMS",
    "ImportResult",
    "ItemOutcome",
    "Rejection",
    "default_workers",
    "import_sources",
]

# Items buffered before they are written (within the import's one transaction).
BATCH_ITEMS: Final = 1000


def import_sources(
    store: DmarcStore,
    sources: Sequence[str | Path],
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    started: WorkerPool | None = None,
) -> ImportResult:
    """Import every report found in ``sources``; ``progress(done, total)`` counts units.

    ``workers``: parse processes beside this one; None (the default) is one per
    usable core but this one's, 0 parses here only. The result never depends on it.
    ``started``: workers started ahead by the caller (``intake.workers.start_early``).
    """
    return import_units(
        store.batch,
        sources,
        PREPARER,
        progress,
        workers,
        batch_items=BATCH_ITEMS,
        pool_factory=WorkerPool,
        write_failure=store.write_failure,
        started=started,
    )
