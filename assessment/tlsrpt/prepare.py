"""The CPU-bound half of an import: read units, parse, hash, compress, flatten to rows.

Everything here is a pure function of the input files, so it may run in worker
processes (``ingest`` does so for big imports) and give exactly what it gives
in-process. ``prepare_plain`` is what a worker (``assessment.tlsrpt.worker``) runs
per chunk. This module must stay cheap to import (no pandas, no
assessment.gather): every worker imports it.
"""

from __future__ import annotations

import email.errors
import mailbox
import zlib
from collections.abc import Iterator, Sequence
from typing import Any, Final

from assessment.tlsrpt.batch import (
    Pending,
    ReportRows,
    compress_raw,
    content_digest,
    parsed_rows,
)
from assessment.tlsrpt.payloads import Extracted
from assessment.tlsrpt.report import ReportRejected, parse_plain
from assessment.tlsrpt.sources import Unit, UnitKind, unit_payloads

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

# What crosses between processes: plain tuples and strings only, which marshal
# handles (it refuses NamedTuples and enums; pickling those cost a class lookup and
# a constructor call per object: 43 us per report against 13 us for plain tuples).
PlainUnit = tuple[str, str, str]  # source, location, UnitKind value
PlainPending = tuple[str, str, tuple[Any, ...] | None, str]  # Pending with rows as a tuple


def _guarded(unit: Unit) -> Iterator[Extracted]:
    try:
        yield from unit_payloads(unit)
    except READ_ERRORS as exc:
        yield Extracted(unit.location, None, f"cannot read: {type(exc).__name__}: {exc}")


def prepare(source: str, extracted: Extracted) -> Pending:
    data = extracted.data
    if data is None:
        return Pending(source, extracted.item, None, extracted.reason)
    try:
        report = parse_plain(data)
    except ReportRejected as exc:
        return Pending(source, extracted.item, None, exc.reason)
    # A single-member gzip file already is a compressed copy of exactly these
    # bytes: keep it as the audit copy rather than deflating the JSON again.
    stored = extracted.gzipped if extracted.gzipped is not None else compress_raw(data)
    return Pending(source, extracted.item, parsed_rows(report, content_digest(data), stored), "")


def prepare_units(units: Sequence[Unit]) -> list[Pending]:
    """Every item of ``units``, in order."""
    return [prepare(unit.source, extracted) for unit in units for extracted in _guarded(unit)]


def to_plain(units: Sequence[Unit]) -> list[PlainUnit]:
    return [(unit.source, unit.location, unit.kind.value) for unit in units]


def prepare_plain(units: Sequence[PlainUnit]) -> list[PlainPending]:
    """``prepare_units`` in the plain form that crosses processes (the worker entry point).

    The worker process runs with the cycle collector off for its whole life.
    """
    prepared = prepare_units([Unit(source, where, UnitKind(kind)) for source, where, kind in units])
    return [
        (source, item, None if rows is None else tuple(rows), reason)
        for source, item, rows, reason in prepared
    ]


def from_plain(prepared: Sequence[PlainPending]) -> list[Pending]:
    """The worker's plain tuples back as ``Pending`` items (cheap: no copying of rows)."""
    make = ReportRows._make
    return [
        Pending(source, item, None if rows is None else make(rows), reason)
        for source, item, rows, reason in prepared
    ]
