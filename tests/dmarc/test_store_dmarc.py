"""The DMARC store opens, refuses and fails like the TLS-RPT store (`intake.storefile`)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assessment.dmarc.store import DmarcStore, StoreError
from assessment.intake import storefile


def test_a_new_store_is_created_and_reopened_without_writing(tmp_path: Path) -> None:
    path = tmp_path / "dmarc.sqlite"
    with DmarcStore(path) as store:
        assert store.integrity_ok()
    before = path.read_bytes()
    with DmarcStore(path):
        pass
    # Opening a store already in this layout only reads it.
    assert path.read_bytes() == before


def test_a_newer_store_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "dmarc.sqlite"
    with DmarcStore(path):
        pass
    db = sqlite3.connect(path)
    db.execute("INSERT INTO schema_version VALUES (99)")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="schema version 99, newer than this kit's"):
        DmarcStore(path)
    assert path.read_bytes() == before


def test_a_file_of_other_tables_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "dmarc.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE invoices (n INTEGER)")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match=r"tables this kit does not know \(invoices\)"):
        DmarcStore(path)
    assert path.read_bytes() == before
    assert not (tmp_path / "dmarc.sqlite-wal").exists()


def test_a_held_write_lock_gives_a_one_line_refusal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "dmarc.sqlite"
    with DmarcStore(path):
        pass
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr(storefile, "WRITE_WAIT_MS", 50)
    try:
        with DmarcStore(path) as store, pytest.raises(StoreError) as caught:
            store.batch()
    finally:
        other.execute("ROLLBACK")
        other.close()
    message = str(caught.value)
    assert "another import into the DMARC store" in message and "\n" not in message
