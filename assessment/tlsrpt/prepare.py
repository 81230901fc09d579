"""The CPU-bound half of a TLS-RPT import: read units, parse, hash, compress, flatten to rows.

Everything here is a pure function of the input files, so it may run in worker
processes (``ingest`` does so for big imports) and give exactly what it gives
in-process. ``prepare_plain`` is what a worker (``assessment.tlsrpt.worker``) runs
per chunk. This module must stay cheap to import (no pandas, no
assessment.gather): every worker imports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from assessment.intake.batch import Pending
from assessment.intake.payloads import Extracted, PayloadKind, ReportFormat
from assessment.intake.pipeline import PlainPending, Preparer, prepare_all, prepare_plain_units
from assessment.intake.sources import Unit
from assessment.intake.worker import PlainUnit
from assessment.tlsrpt.batch import (
    ReportRows,
    compress_raw,
    content_digest,
    parsed_rows,
)
from assessment.tlsrpt.report import ReportRejected, parse_plain

TLSRPT: Final = ReportFormat(
    name="TLS-RPT",
    body=PayloadKind.JSON,
    media_types=frozenset({"application/tlsrpt+gzip", "application/tlsrpt+json"}),
    generic_types=frozenset(
        {
            "application/gzip",
            "application/x-gzip",
            "application/zip",
            "application/x-zip-compressed",
            "application/octet-stream",
            "application/json",
        }
    ),
    suffixes=(".json", ".json.gz", ".gz", ".zip"),
    gzip_types=frozenset({"application/tlsrpt+gzip"}),
    foreign="an XML document, not a TLS-RPT report (RFC 8460 reports are JSON); DMARC "
    "aggregate reports are imported with 'mailposture dmarc import'",
)


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
    return prepare_all(units, TLSRPT, prepare)


def prepare_plain(units: Sequence[PlainUnit]) -> list[PlainPending]:
    """``prepare_units`` in the plain form that crosses processes (the worker entry point).

    The worker process runs with the cycle collector off for its whole life.
    """
    return prepare_plain_units(units, TLSRPT, prepare)


def from_plain(prepared: Sequence[PlainPending]) -> list[Pending]:
    """The worker's plain tuples back as ``Pending`` items (cheap: no copying of rows)."""
    make = ReportRows._make
    return [
        Pending(source, item, None if rows is None else make(rows), reason)
        for source, item, rows, reason in prepared
    ]


PREPARER: Final = Preparer(prepare_units, from_plain, "assessment.tlsrpt.worker")
