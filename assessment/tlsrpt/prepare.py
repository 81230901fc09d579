"""The CPU-bound half of an import: read units, parse, hash, compress, flatten to rows.

Everything here is a pure function of the input files, so it may run in worker
processes (``ingest`` does so for big imports) and give exactly what it gives
in-process. ``prepare_units`` is the worker entry point: a module-level function
of an importable module, so pickling it never refers to ``__main__`` (works from
scripts, papermill and JupyterLab alike). This module must stay cheap to import
(no pandas, no assessment.gather): every worker imports it.
"""

from __future__ import annotations

import email.errors
import mailbox
import zlib
from collections.abc import Iterator, Sequence
from typing import Final, NamedTuple

from assessment.tlsrpt.batch import ReportRows, compress_raw, content_digest, parsed_rows
from assessment.tlsrpt.payloads import Extracted
from assessment.tlsrpt.report import ReportRejected, parse_plain
from assessment.tlsrpt.sources import Unit, unit_payloads

# Failures of the readers on hostile input that are not already turned into reasons.
READ_ERRORS: Final = (
    OSError,
    ValueError,
    LookupError,
    EOFError,
    zlib.error,
    mailbox.Error,
    email.errors.MessageError,
)


class Prepared(NamedTuple):
    """One item: its store rows, or (``rows`` is None) the reason it was rejected."""

    source: str
    item: str
    rows: ReportRows | None
    reason: str


def _guarded(unit: Unit) -> Iterator[Extracted]:
    try:
        yield from unit_payloads(unit)
    except READ_ERRORS as exc:
        yield Extracted(unit.location, None, f"cannot read: {type(exc).__name__}: {exc}")


def prepare(source: str, extracted: Extracted) -> Prepared:
    data = extracted.data
    if data is None:
        return Prepared(source, extracted.item, None, extracted.reason)
    try:
        report = parse_plain(data)
    except ReportRejected as exc:
        return Prepared(source, extracted.item, None, exc.reason)
    # A single-member gzip file already is a compressed copy of exactly these
    # bytes: keep it as the audit copy rather than deflating the JSON again.
    stored = extracted.gzipped if extracted.gzipped is not None else compress_raw(data)
    return Prepared(source, extracted.item, parsed_rows(report, content_digest(data), stored), "")


def prepare_units(units: Sequence[Unit]) -> list[Prepared]:
    """Every item of ``units``, in order (the worker entry point)."""
    return [prepare(unit.source, extracted) for unit in units for extracted in _guarded(unit)]
