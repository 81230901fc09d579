"""What each report source given to an import yielded, in words a consultant reads: per
source, reports imported, already stored, rejected, or why it could not be read at all.

Shared by both report kinds (TLS-RPT and DMARC) and kept apart from the analysis (no
pandas): the import commands need it too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from assessment.intake.batch import Outcome
from assessment.intake.pipeline import ImportResult, ItemOutcome
from assessment.workspace import RunFolder, SourceOutcome


def source_outcomes(
    sources: Sequence[str | Path], result: ImportResult, kind: str = "tlsrpt"
) -> tuple[SourceOutcome, ...]:
    """What each given source yielded, in the order given (passwords never shown).

    A source that could not be read at all (missing, IMAP server unreachable, no password)
    yields exactly one rejected item standing for the source itself: that is its error.
    """
    by_source: dict[str, list[ItemOutcome]] = {str(s): [] for s in sources}
    for item in result.items:
        by_source.setdefault(item.source, []).append(item)
    outcomes = []
    for source, items in by_source.items():
        counts = Counter(item.outcome for item in items)
        error = ""
        if len(items) == 1 and counts[Outcome.REJECTED] == 1 and _is_whole_source(items[0]):
            error = items[0].reason
        elif not items:
            error = "no report files found"
        outcomes.append(
            SourceOutcome(
                kind=kind,
                source=_shown_source(source),
                imported=counts[Outcome.IMPORTED],
                duplicate=counts[Outcome.DUPLICATE],
                rejected=0 if error else counts[Outcome.REJECTED],
                error=error,
            )
        )
    return tuple(outcomes)


def _shown_source(source: str) -> str:
    if "://" not in source:
        return source
    # Imported only for URLs: assessment.gather costs ~0.7 s to import (dnspython).
    from assessment.gather.imap import redacted

    return redacted(source)


def _is_whole_source(item: ItemOutcome) -> bool:
    # Unit-level failures name the source (or its IMAP location) as the item.
    # An IMAP folder's failure names the folder; its messages are "<folder>#UID<n>".
    if item.item.startswith("imaps://"):
        return "#UID" not in item.item
    return item.item in (item.source, str(Path(item.source)))


_KIND_ORDER = {"tlsrpt": 0, "dmarc": 1}


def record_sources(run: RunFolder, outcomes: Sequence[SourceOutcome]) -> None:
    """Replace this kind's source outcomes in the run's run.json (other kinds are kept)."""
    with run.updating_info():
        info = run.read_info()
        kinds = {o.kind for o in outcomes}
        kept = tuple(o for o in info.sources if o.kind not in kinds)
        # One order whichever import recorded first: TLS-RPT, then DMARC.
        ordered = sorted((*kept, *outcomes), key=lambda o: _KIND_ORDER.get(o.kind, 2))
        run.write_info(replace(info, sources=tuple(ordered)))
