"""Opening a client's SQLite report store, and the one-line reasons when that or a write fails.

Shared by the TLS-RPT and the DMARC store. The rules, whichever the store:

- a file this kit cannot use (written by a newer kit, other columns, unknown tables, a
  schema version no release wrote) is refused *before anything is written*, even the
  journal mode, so it stays byte for byte as it was;
- a store already in this kit's layout is only read when opened: opening never waits for
  the write lock another import holds;
- a writer waits up to ``WRITE_WAIT_MS`` for another process's import (which holds the
  write lock from its start to its commit), then says so;
- a full disk or a failing write is named as such, and the import's transaction is rolled
  back, so the store keeps exactly what it held before.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Final, NamedTuple, Self, TypeVar

from assessment.intake.batch import StoreError, micros

if TYPE_CHECKING:
    import pandas as pd

# Busy waits: a reader (or an opening) waits out a checkpoint; a writer waits for another
# process's import. Module attributes read per call, so a test can shorten them.
READ_WAIT_MS = 10_000
WRITE_WAIT_MS = 30_000
_BUSY_CODES: Final = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
# Page size of a new store (SQLite's largest; its default is 4096). An import is one
# transaction whose pages are written to the WAL at commit and then copied into the
# database: 100k TLS-RPT reports are ~28,000 pages of 4 KiB, and the commit took ~0.4 s of
# a 3.6 s import, ~0.17 s with 64 KiB pages (the store is also ~5% smaller). Measured over
# 6 interleaved CLI imports of 100k reports (2-core VM): median 3.27 s against 3.70 s.
# Stores made before keep their page size (changing it means rewriting the whole file).
NEW_STORE_PAGE_BYTES: Final = 65_536
_T = TypeVar("_T")


class Layout(NamedTuple):
    """What an existing file holds, read without writing anything."""

    version: int | None
    """max(schema_version), None when the table is absent or empty."""
    columns: dict[str, tuple[str, ...]]
    """Column names of every table present."""
    indexes: frozenset[str]


class StoreSchema(NamedTuple):
    """One store kind's schema: what `open_store` creates, checks and migrates to."""

    label: str
    """How messages name the store, e.g. "TLS-RPT store"."""
    script: str
    """Idempotent DDL (CREATE ... IF NOT EXISTS, DROP INDEX IF EXISTS for old layouts)."""
    version: int
    required_indexes: frozenset[str] = frozenset()
    legacy_indexes: frozenset[str] = frozenset()
    """Indexes of earlier layouts of the same version, dropped by the script."""

    def is_current(self, layout: Layout) -> bool:
        expected = expected_columns(self.script)
        return (
            layout.version == self.version
            and all(layout.columns.get(table) == names for table, names in expected.items())
            and not layout.indexes & self.legacy_indexes
            and self.required_indexes <= layout.indexes
        )


@lru_cache(maxsize=8)
def expected_columns(script: str) -> dict[str, tuple[str, ...]]:
    """Each table's columns as ``script`` creates them (read from the schema itself)."""
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(script)
        return _columns(db)
    finally:
        db.close()


def _columns(db: sqlite3.Connection) -> dict[str, tuple[str, ...]]:
    tables = [
        row[0]
        for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not str(row[0]).startswith("sqlite_")
    ]
    return {
        table: tuple(str(column[1]) for column in db.execute(f"PRAGMA table_info({table!r})"))
        for table in tables
    }


def read_layout(db: sqlite3.Connection) -> Layout:
    columns = _columns(db)
    indexes = frozenset(
        str(row[0]) for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
    )
    version = None
    if "schema_version" in columns:
        found = db.execute("SELECT max(version) FROM schema_version").fetchone()[0]
        version = None if found is None else int(found)
    return Layout(version, columns, indexes)


def refuse_unusable(path: Path, layout: Layout, schema: StoreSchema) -> None:
    """Raise for a store written by a newer kit, or in a layout with no migration here."""
    if layout.version is not None and layout.version > schema.version:
        raise StoreError(
            f"store {path} has schema version {layout.version}, newer than this kit's "
            f"{schema.version}: update the kit to read it (the store was not changed)"
        )
    expected = expected_columns(schema.script)
    foreign = sorted(set(layout.columns) - set(expected))
    differing = sorted(
        table
        for table in expected
        if table in layout.columns and layout.columns[table] != expected[table]
    )
    too_old = layout.version is not None and layout.version < schema.version
    if differing or too_old or (foreign and layout.version is None):
        if differing:
            what = "its tables " + ", ".join(differing) + " have other columns than this kit's"
        elif too_old:
            what = f"it has schema version {layout.version}, which no release of this kit wrote"
        else:
            what = "it holds tables this kit does not know (" + ", ".join(foreign) + ")"
        version = "none" if layout.version is None else str(layout.version)
        raise StoreError(
            f"store {path} (schema version {version}) cannot be used or migrated: {what}; "
            "it was not changed: move it aside and import the reports into a new store"
        )


def reason(exc: BaseException) -> str:
    """A person's reason for an SQLite failure: a full disk and a lock are named as such."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_FULL:
        return "the disk is full (SQLite: database or disk is full)"
    if code is not None and code & 0xFF == sqlite3.SQLITE_IOERR:
        return f"the disk refused a write: full, over a file size limit, or failing ({exc})"
    if code in _BUSY_CODES:
        return f"the store is locked by another process ({exc})"
    return str(exc)


def open_store(path: Path, schema: StoreSchema) -> sqlite3.Connection:
    """Open (creating or migrating) the store at ``path``; `StoreError` with one line if not."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(f"cannot open {schema.label} {path}: {reason(exc)}") from exc
    try:
        db.execute(f"PRAGMA busy_timeout={READ_WAIT_MS}")
        layout = read_layout(db)
        refuse_unusable(path, layout, schema)
        if not layout.columns:
            # Only a new, empty store takes it: set before WAL mode and the first table.
            db.execute(f"PRAGMA page_size={NEW_STORE_PAGE_BYTES}")
        db.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed import survives power loss, not only a killed process.
        db.execute("PRAGMA synchronous=FULL")
        # 64 MiB page cache (default 2 MiB): a batch inserts thousands of report keys (and,
        # in stores made before the content-hash index was dropped, random content hashes);
        # with a small cache the index pages are spilled and re-read within one transaction.
        # Measured: FULL over NORMAL costs little once batches are large, so power-loss
        # durability is kept.
        db.execute("PRAGMA cache_size=-65536")
        db.execute("PRAGMA foreign_keys=ON")
        if not schema.is_current(layout):
            _migrate(db, layout, schema)
    except StoreError:
        db.close()
        raise
    except (sqlite3.Error, OSError) as exc:
        db.close()
        raise StoreError(f"cannot open {schema.label} {path}: {reason(exc)}") from exc
    return db


def _migrate(db: sqlite3.Connection, layout: Layout, schema: StoreSchema) -> None:
    """Create a new store, or bring an earlier layout of the same version up to date."""
    db.execute(f"PRAGMA busy_timeout={WRITE_WAIT_MS}")
    try:
        db.executescript("BEGIN IMMEDIATE;" + schema.script + "COMMIT;")
    except sqlite3.Error:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    finally:
        db.execute(f"PRAGMA busy_timeout={READ_WAIT_MS}")
    if layout.version is None:
        db.execute(
            "INSERT INTO schema_version SELECT ? WHERE NOT EXISTS (SELECT 1 FROM schema_version)",
            (schema.version,),
        )


def begin_write(
    db: sqlite3.Connection, path: Path, schema: StoreSchema, opener: Callable[[], _T]
) -> _T:
    """Start an import's write transaction with ``opener``, waiting for another import.

    Waits up to ``WRITE_WAIT_MS`` for an import running in another process, then gives up
    with a `StoreError` that says so: nothing was written.
    """
    try:
        db.execute(f"PRAGMA busy_timeout={WRITE_WAIT_MS}")
        return opener()
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorcode", None) in _BUSY_CODES:
            raise StoreError(
                f"another import into the {schema.label} {path} is still running "
                f"(waited {WRITE_WAIT_MS // 1000} s for it); nothing was imported: run "
                "this import again when that one has finished"
            ) from exc
        raise StoreError(f"cannot write the {schema.label} {path}: {reason(exc)}") from exc


def write_failure(path: Path, schema: StoreSchema, exc: BaseException) -> StoreError:
    """The one-line error for an import whose writes failed (and were rolled back)."""
    return StoreError(
        f"import into the {schema.label} {path} failed: {reason(exc)}; nothing from "
        "this import was stored and the reports stored before are intact"
    )


class ReportStoreFile:
    """What both report stores share: the file opened (brought up to date, or refused),
    closed as a context manager, and imports written in one transaction that waits for
    another process's import."""

    schema: ClassVar[StoreSchema]

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = open_store(path, self.schema)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def _begin(self, opener: Callable[[sqlite3.Connection], _T]) -> _T:
        """A write transaction opened by ``opener`` (see `begin_write`)."""
        return begin_write(self._db, self.path, self.schema, lambda: opener(self._db))

    def write_failure(self, exc: BaseException) -> StoreError:
        """The one-line error for an import whose writes failed (and were rolled back)."""
        return write_failure(self.path, self.schema, exc)

    def integrity_ok(self) -> bool:
        return bool(self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")

    def import_log(self) -> pd.DataFrame:
        """Every item every import saw, in order: its outcome and reason."""
        import pandas as pd

        return pd.read_sql_query(
            "SELECT source, item, outcome, reason, report_pk, logged_at_us FROM import_log "
            "ORDER BY log_pk",
            self._db,
        )

    def _params(
        self, since: datetime | None, until: datetime | None, domain: str | None
    ) -> dict[str, Any]:
        """The frame queries' parameters: a naive moment is UTC, a domain as stored."""
        return {
            "since": None if since is None else micros(_aware(since)),
            "until": None if until is None else micros(_aware(until)),
            "domain": None if domain is None else domain.strip().rstrip(".").lower(),
        }


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
