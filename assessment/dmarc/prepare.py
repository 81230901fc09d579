"""The CPU-bound half of a DMARC import: read units, parse, hash, compress, flatten to rows.

A pure function of the input files, so it may run in worker processes and give
exactly what it gives in-process. ``prepare_plain`` is what a worker
(``assessment.dmarc.worker``) runs per chunk. This module must stay cheap to
import (no pandas, no assessment.gather): every worker imports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from assessment.dmarc.batch import ReportRows, parsed_rows
from assessment.dmarc.model import Rejected
from assessment.dmarc.report import parse_aggregate
from assessment.intake.audit import compress_raw, content_digest
from assessment.intake.batch import Pending
from assessment.intake.payloads import Extracted, PayloadKind, ReportFormat
from assessment.intake.pipeline import PlainPending, Preparer, prepare_all, prepare_plain_units
from assessment.intake.sources import Unit
from assessment.intake.worker import PlainUnit

DMARC: Final = ReportFormat(
    name="DMARC aggregate",
    body=PayloadKind.XML,
    # RFC 7489 §7.2.1.1 and RFC 9990 §2.5.2 name application/gzip and text/xml;
    # Google and many others attach application/zip. Each is taken only when its
    # bytes are gzip, zip or XML.
    media_types=frozenset(),
    generic_types=frozenset(
        {
            "application/gzip",
            "application/x-gzip",
            "application/zip",
            "application/x-zip-compressed",
            "application/octet-stream",
            "text/xml",
            "application/xml",
        }
    ),
    suffixes=(".xml", ".xml.gz", ".gz", ".zip"),
    gzip_types=frozenset(),
    foreign="a JSON document, not a DMARC aggregate report (XML, RFC 7489 appendix C); "
    "TLS-RPT reports are imported with 'mailposture tlsrpt import'",
)


def prepare(source: str, extracted: Extracted) -> Pending:
    data = extracted.data
    if data is None:
        return Pending(source, extracted.item, None, extracted.reason)
    report = parse_aggregate(data)
    if isinstance(report, Rejected):
        return Pending(source, extracted.item, None, report.reason)
    # A single-member gzip file already is a compressed copy of exactly these
    # bytes: keep it as the audit copy rather than compressing the XML again.
    stored = extracted.gzipped if extracted.gzipped is not None else compress_raw(data)
    return Pending(source, extracted.item, parsed_rows(report, content_digest(data), stored), "")


def prepare_units(units: Sequence[Unit]) -> list[Pending]:
    """Every item of ``units``, in order."""
    return prepare_all(units, DMARC, prepare)


def prepare_plain(units: Sequence[PlainUnit]) -> list[PlainPending]:
    """``prepare_units`` in the plain form that crosses processes (the worker entry point)."""
    return prepare_plain_units(units, DMARC, prepare)


def from_plain(prepared: Sequence[PlainPending]) -> list[Pending]:
    """The worker's plain tuples back as ``Pending`` items (cheap: no copying of rows)."""
    make = ReportRows._make
    return [
        Pending(source, item, None if rows is None else make(rows), reason)
        for source, item, rows, reason in prepared
    ]


PREPARER: Final = Preparer(prepare_units, from_plain, "assessment.dmarc.worker")
