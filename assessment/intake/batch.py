"""The write transaction of one import: outcomes decided in bulk, rows written in bulk.

Items are buffered; ``flush`` looks up every buffered report's key (reporter and
report-id; for DMARC also the policy domain) with a few queries, decides imported
or duplicate in arrival order (so duplicates among the buffered items are caught
too, and the transaction sees its own earlier flushes), then writes the report
rows, their child rows and the import log with ``executemany``. ``commit``
flushes and commits. Nothing is written per row, and a killed process leaves the
store exactly as it was before the import.

The key alone finds both kinds of duplicate: the key is read from the report's
own bytes, so an identical report (same SHA-256) has the same key, and the
stored hash then tells "identical" from "same report-id, other content". Stores
made before this was relied on also carry a UNIQUE index on the content hash;
for them the hash is looked up too (see ``ImportBatch``). Changing how a report's
key is read from its bytes therefore needs a store migration: reports stored under
the old reading would no longer be found.

Each report type (TLS-RPT, DMARC) subclasses ``ImportBatch`` with its SQL; its
stores share the table shapes this relies on: ``reports`` with ``report_pk``,
``content_sha256``, the key columns (with a UNIQUE index over all of them), and
``import_log``.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar, Final, NamedTuple, Protocol

_IN_CHUNK: Final = 500
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

Row = tuple[Any, ...]


class Outcome(StrEnum):
    IMPORTED = "imported"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class StoreError(Exception):
    """The store cannot be opened or written (permissions, corruption, newer schema)."""


class LoggedItem(NamedTuple):
    """What happened to one item offered to the store (an import-log row).

    A NamedTuple, not a frozen dataclass: one is made per item of imports of
    100k reports, and a dataclass's ``__init__`` cost several microseconds each.
    """

    source: str
    item: str
    outcome: Outcome
    reason: str
    report_pk: int | None


def micros(moment: datetime) -> int:
    """Epoch microseconds, exact (no float rounding)."""
    delta = moment.astimezone(UTC) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class StoredRows(Protocol):
    """One parsed report as a store's rows, minus ``report_pk`` (given at commit)."""

    @property
    def org_name(self) -> str: ...
    @property
    def report_id(self) -> str: ...
    @property
    def key(self) -> tuple[str, ...]:
        """The values of ``ImportBatch.KEY_COLUMNS``: one report of one reporter."""
        ...

    @property
    def digest(self) -> str: ...
    @property
    def values(self) -> Row:
        """The reports row after (report_pk, imported_at_us, source)."""
        ...

    @property
    def warning_text(self) -> str:
        """The import-log reason of an imported report: its warnings joined."""
        ...

    def children(self) -> tuple[Sequence[Row], ...]:
        """The rows of each child table, in ``ImportBatch.CHILD_INSERTS`` order."""
        ...


class Pending(NamedTuple):
    """One item waiting in a batch: its rows, or (``rows`` is None) why it was rejected."""

    source: str
    item: str
    rows: StoredRows | None
    reason: str


# The log time is the same for every row of an import: written into the statement
# (an int of ours, never input), not bound per row.
_INSERT_LOG: Final = (
    "INSERT INTO import_log (source, item, outcome, reason, report_pk, logged_at_us) "
    "VALUES (?, ?, ?, ?, ?, {now:d})"
)


class ImportBatch:
    """One import's transaction (``BEGIN IMMEDIATE`` on creation) and its buffered items.

    One transaction per import, not per few thousand reports: an import is then
    all or nothing (re-running a killed one simply does it again), and it is
    much faster, because each commit rewrites every index page touched since the
    last one, and the random-key indexes (report key; content hash in older stores)
    are touched everywhere: 100k TLS-RPT reports in batches of 5,000 took ~80 us per report
    to write, in one transaction ~50 (2-core VM).
    """

    KEY_COLUMNS: ClassVar[tuple[str, ...]] = ("org_name", "report_id")
    """The reports columns that identify a report (a UNIQUE index); ``org_name`` first."""
    REPORT_INSERT: ClassVar[str]
    """INSERT of one reports row: report_pk, imported_at_us, source, then ``values``."""
    CHILD_INSERTS: ClassVar[tuple[str, ...]]
    """INSERT per child table; each child row is prefixed with its report_pk."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._pending: list[Pending] = []
        self._now = micros(datetime.now(UTC))
        self._insert_log = _INSERT_LOG.format(now=self._now)
        self._db.execute("BEGIN IMMEDIATE")
        self._hash_indexed = _content_hash_unique(db)

    def __len__(self) -> int:
        return len(self._pending)

    def extend(self, entries: Sequence[Pending]) -> None:
        """Add items, in order; their rows already flattened (hashed, compressed) where
        they were parsed."""
        self._pending.extend(entries)

    def _existing(self) -> tuple[dict[str, int] | None, dict[tuple[str, ...], tuple[int, str]]]:
        """Reports already stored under a buffered item's key: key -> (report_pk, hash).

        For a store with a UNIQUE content-hash index (made before keys alone were
        relied on), also the reports stored with a buffered item's hash; else None.
        """
        keys = list({p.rows.key for p in self._pending if p.rows})
        by_key: dict[tuple[str, ...], tuple[int, str]] = {}
        columns = self.KEY_COLUMNS
        width = len(columns)
        row_marks = "(" + ", ".join("?" * width) + ")"
        selected = ", ".join(f"r.{name}" for name in columns)
        joined = " AND ".join(
            f"r.{name} = k.column{number}" for number, name in enumerate(columns, start=1)
        )
        for start in range(0, len(keys), _IN_CHUNK):
            chunk_keys = keys[start : start + _IN_CHUNK]
            # A join driven by the VALUES list searches the UNIQUE key index per
            # key; "(org_name, report_id) IN (VALUES ...)" would scan the whole
            # table (SQLite 3.40's plan).
            marks = ",".join([row_marks] * len(chunk_keys))
            flat = [value for key in chunk_keys for value in key]
            for row in self._db.execute(
                f"SELECT {selected}, r.report_pk, r.content_sha256 FROM (VALUES "  # noqa: S608 (column names and placeholders only)
                + marks
                + f") AS k JOIN reports r ON {joined}",
                flat,
            ):
                by_key[tuple(row[:width])] = (row[width], row[width + 1])
        if not self._hash_indexed:
            return None, by_key
        # Such a store refuses a second row with the same hash: were an identical
        # report's key read differently by the release that stored it, the key
        # lookup would miss it and the whole import would fail on the insert.
        digests = [p.rows.digest for p in self._pending if p.rows is not None]
        by_hash: dict[str, int] = {}
        for start in range(0, len(digests), _IN_CHUNK):
            chunk = digests[start : start + _IN_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                "SELECT content_sha256, report_pk FROM reports WHERE content_sha256 IN ("  # noqa: S608 (only placeholders)
                + marks
                + ")",
                chunk,
            )
            by_hash.update(rows)
        return by_hash, by_key

    def flush(self) -> list[LoggedItem]:
        """Decide every buffered item and write it (not committed); outcomes in arrival order."""
        by_hash, by_key = self._existing()
        next_pk = self._db.execute("SELECT coalesce(max(report_pk), 0) + 1 FROM reports")
        pk: int = next_pk.fetchone()[0]
        reports: list[Row] = []
        children: list[list[Row]] = [[] for _ in self.CHILD_INSERTS]
        logged: list[LoggedItem] = []
        now = self._now
        imported, duplicate = Outcome.IMPORTED, Outcome.DUPLICATE
        for source, item, rows, reason in self._pending:
            if rows is None:
                logged.append(LoggedItem(source, item, Outcome.REJECTED, reason, None))
                continue
            digest = rows.digest
            key = rows.key
            same = None if by_hash is None else by_hash.get(digest)
            if same is None:
                found = by_key.get(key)
                if found is not None:
                    same, stored = found
                    if stored != digest:
                        why = (
                            f"report-id {rows.report_id!r} from {rows.org_name!r} already "
                            f"stored (report {same}) with different content; kept the first"
                        )
                        logged.append(LoggedItem(source, item, duplicate, why, same))
                        continue
            if same is not None:
                why = f"identical report already stored (report {same})"
                logged.append(LoggedItem(source, item, duplicate, why, same))
                continue
            by_key[key] = (pk, digest)
            if by_hash is not None:
                by_hash[digest] = pk
            reports.append((pk, now, item, *rows.values))
            prefix = (pk,)
            for table, child_rows in zip(children, rows.children(), strict=True):
                if child_rows:
                    table.extend([prefix + row for row in child_rows])
            logged.append(LoggedItem(source, item, imported, rows.warning_text, pk))
            pk += 1
        db = self._db
        db.executemany(self.REPORT_INSERT, reports)
        for sql, table in zip(self.CHILD_INSERTS, children, strict=True):
            db.executemany(sql, table)
        # The outcome bound as a plain str: sqlite3 binds an enum member (a str
        # subclass) through its adapter lookup, ~0.5 us more per row.
        db.executemany(self._insert_log, [(s, i, str(o), why, at) for s, i, o, why, at in logged])
        self._pending.clear()
        return logged

    def commit(self) -> list[LoggedItem]:
        """``flush``, then commit the whole transaction."""
        logged = self.flush()
        self._db.execute("COMMIT")
        return logged

    def rollback(self) -> None:
        """Undo the import; never raises (it runs while another error is on its way up)."""
        # SQLite may have rolled back itself (after SQLITE_FULL or an I/O error); an
        # uncommitted WAL transaction never reaches the database either way.
        if self._db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")


def _content_hash_unique(db: sqlite3.Connection) -> bool:
    """Whether ``reports`` has a UNIQUE index on content_sha256 alone (stores made before
    duplicates were found by key alone; new stores leave the index out)."""
    for _, name, unique, *_ in db.execute("PRAGMA index_list(reports)"):
        if unique:
            columns = [row[2] for row in db.execute("SELECT * FROM pragma_index_info(?)", (name,))]
            if columns == ["content_sha256"]:
                return True
    return False
