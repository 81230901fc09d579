"""DMARC import: every source kind, deduplication, audit copies, caps, all-or-nothing."""

from __future__ import annotations

import gzip
import io
import mailbox
import sqlite3
import zipfile
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pandas as pd
import pytest

from assessment.dmarc import ingest
from assessment.dmarc.batch import ImportBatch
from assessment.dmarc.ingest import import_sources
from assessment.dmarc.store import DmarcStore, StoreError
from assessment.intake.batch import Outcome
from assessment.intake.payloads import MAX_REPORT_BYTES
from assessment.intake.pipeline import PARALLEL_MIN_UNITS
from assessment.workspace import Workspace

from .builders import Report, Row


def xml(n: int = 0, domain: str = "client.example", count: int = 5) -> bytes:
    return Report(
        (Row("192.0.2.10", count, header_from=domain),), report_id=f"r-{n}", domain=domain
    ).xml()


def mail(payload: bytes, maintype: str, subtype: str, filename: str) -> bytes:
    message = EmailMessage()
    message["From"] = "noreply-dmarc-support@google.com"
    message["To"] = "dmarc@client.example"
    message["Subject"] = "Report domain: client.example Submitter: google.com Report-ID: 1"
    message.set_content("A DMARC aggregate report.")
    message.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def zipped(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def test_every_source_kind(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    nested = folder / "nested" / "deeper"
    nested.mkdir(parents=True)
    (folder / "plain.xml").write_bytes(xml(1))
    (folder / "google.com!client.example!1!2.xml.gz").write_bytes(gzip.compress(xml(2)))
    (nested / "report.zip").write_bytes(zipped("report.xml", xml(3)))
    (folder / "zip.eml").write_bytes(mail(zipped("r.xml", xml(4)), "application", "zip", "r.zip"))
    (folder / "xml.eml").write_bytes(mail(xml(5), "text", "xml", "r.xml"))
    (folder / "gz.eml").write_bytes(mail(gzip.compress(xml(6)), "application", "gzip", "r.xml.gz"))
    (folder / "octet.eml").write_bytes(
        mail(gzip.compress(xml(7)), "application", "octet-stream", "r.bin")
    )
    box = mailbox.mbox(tmp_path / "reports.mbox")
    for n in (8, 9):
        box.add(mail(xml(n), "application", "xml", f"{n}.xml"))
    box.close()
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    maildir.add(mail(gzip.compress(xml(10)), "application", "gzip", "10.xml.gz"))
    maildir.add(b"From: a@b.example\nSubject: hello\n\njust a note\n")
    maildir.close()
    missing = tmp_path / "nope"
    sources = [folder, tmp_path / "reports.mbox", tmp_path / "Maildir", missing]
    with DmarcStore(tmp_path / "s.sqlite") as store:
        result = import_sources(store, sources, workers=0)
        assert result.imported == 10
        assert {r.reason for r in result.rejected} == {
            "message 'hello' has no DMARC aggregate report attachment (parts: text/plain)",
            "no such file or folder",
        }
        reports = store.frames().reports
        assert sorted(reports["report_id"]) == sorted(f"r-{n}" for n in range(1, 11))
        # The audit copy gives back the report exactly as it came.
        for pk, report_id in zip(reports["report_pk"], reports["report_id"], strict=True):
            assert store.raw_report(int(pk)) == xml(int(report_id.removeprefix("r-")))
        again = import_sources(store, sources, workers=0)
        assert (again.imported, again.duplicate) == (0, 10)


def test_duplicates_by_content_and_by_key(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.xml").write_bytes(xml(1))
    (folder / "b-copy.xml").write_bytes(xml(1))  # the same report to a second rua address
    (folder / "c-resent.xml").write_bytes(xml(1, count=6))  # same id, other content
    (folder / "d-other-domain.xml").write_bytes(xml(1, domain="client2.example"))
    with DmarcStore(tmp_path / "s.sqlite") as store:
        result = import_sources(store, [folder], workers=0)
        outcomes = [(Path(i.item).name, i.outcome, i.reason) for i in result.items]
        assert outcomes[0][1] is Outcome.IMPORTED
        assert outcomes[1][1] is Outcome.DUPLICATE and "identical report" in outcomes[1][2]
        assert outcomes[2][1] is Outcome.DUPLICATE and "kept the first" in outcomes[2][2]
        # A report-id is unique per domain only (RFC 9990): another domain's is kept.
        assert outcomes[3][1] is Outcome.IMPORTED
        assert store.summary()["reports"] == 2
        log = store.import_log()
        assert list(log["outcome"]) == ["imported", "duplicate", "duplicate", "imported"]


def test_hostile_and_foreign_files_are_rejected_with_reasons(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    bomb = gzip.compress(b"<feedback>" + b" " * (MAX_REPORT_BYTES + 10))
    (folder / "bomb.xml.gz").write_bytes(bomb)
    (folder / "tlsrpt.json").write_bytes(b'{"organization-name": "Google Inc."}')
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "dmarc"
    (folder / "laughs.xml").write_bytes((fixtures / "billion-laughs.xml").read_bytes())
    (folder / "good.xml").write_bytes(xml(1))
    with DmarcStore(tmp_path / "s.sqlite") as store:
        result = import_sources(store, [folder], workers=0)
    reasons = {Path(r.source).name: r.reason for r in result.rejected}
    assert result.imported == 1
    assert "decompressed size exceeds the 20 MiB cap" in reasons["bomb.xml.gz"]
    assert "JSON document, not a DMARC aggregate report" in reasons["tlsrpt.json"]
    assert "document type declaration" in reasons["laughs.xml"]


def test_parse_workers_change_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(PARALLEL_MIN_UNITS + 60):
        data = xml(n % (PARALLEL_MIN_UNITS + 20), count=n % 7 + 1)
        (folder / f"{n:04d}.xml{'.gz' if n % 3 == 0 else ''}").write_bytes(
            gzip.compress(data, mtime=0) if n % 3 == 0 else data
        )
    (folder / "broken.xml").write_bytes(b"<feedback><oops></feedback>")
    results = []
    frames = []
    for workers in (0, 2):
        with DmarcStore(tmp_path / f"s{workers}.sqlite") as store:
            results.append(import_sources(store, [folder], workers=workers))
            f = store.frames()
            frames.append((f.reports.drop(columns="imported_at"), f.records, f.auth))
    assert results[0] == results[1]
    assert results[0].duplicate > 0 and results[0].rejected
    for serial, parallel in zip(frames[0], frames[1], strict=True):
        pd.testing.assert_frame_equal(serial, parallel)


def test_an_interrupted_import_leaves_the_store_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(60):
        (folder / f"{n:03d}.xml").write_bytes(xml(n))
    with DmarcStore(tmp_path / "s.sqlite") as store:
        assert import_sources(store, sorted(folder.iterdir())[:10], workers=0).imported == 10
        flush = ImportBatch.flush
        calls = []

        def failing(self: ImportBatch) -> list[object]:
            calls.append(1)
            if len(calls) == 3:
                raise KeyboardInterrupt
            return flush(self)  # type: ignore[return-value]

        monkeypatch.setattr(ingest, "BATCH_ITEMS", 5)
        monkeypatch.setattr(ImportBatch, "flush", failing)
        with pytest.raises(KeyboardInterrupt):
            import_sources(store, [folder], workers=0)
        monkeypatch.undo()
        assert store.integrity_ok()
        assert store.summary()["reports"] == 10 and len(store.import_log()) == 10
        result = import_sources(store, [folder], workers=0)
        assert (result.imported, result.duplicate) == (50, 10)


def test_store_refuses_newer_schema_and_unwritable_places(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite"
    DmarcStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO schema_version VALUES (99)")
    with pytest.raises(StoreError, match="schema version 99"):
        DmarcStore(path)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot open DMARC store"):
        DmarcStore(blocker / "d.sqlite")
    assert Workspace(tmp_path).client("ACME Widgets, Inc.").dmarc_store == (
        tmp_path / "clients" / "acme-widgets-inc" / "dmarc.sqlite"
    )


def test_frames_filters_and_summary(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for day, domain in ((1, "client.example"), (2, "client.example"), (3, "other.example")):
        report = Report(
            (Row("192.0.2.1", day, header_from=domain),), day=date(2025, 11, day), domain=domain
        )
        (folder / f"{day}.xml").write_bytes(report.xml())
    with DmarcStore(tmp_path / "s.sqlite") as store:
        import_sources(store, [folder], workers=0)
        since = datetime(2025, 11, 2, tzinfo=UTC)
        assert len(store.frames(since=since).reports) == 2
        assert len(store.frames(until=since).records) == 1
        only = store.frames(domain="Other.Example.")
        assert list(only.records["policy_domain"]) == ["other.example"]
        assert store.summary(since) == {
            "reports": 2,
            "records": 2,
            "messages": 5,
            "domains": 2,
            "reporters": 1,
            "first": "2025-11-02T00:00:00+00:00",
            "last": "2025-11-03T23:59:59+00:00",
        }
        records = store.frames().records
        assert str(records["begin"].dtype) == "datetime64[ns, UTC]"
        assert list(records["messages"]) == [1, 2, 3]


SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples" / "dmarc"


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared DMARC samples not present")
@pytest.mark.parametrize(
    ("name", "org", "report_id", "domain"),
    [
        (
            "Report domain- borschow.com Submitter- google.com Report-ID- 949348866075514174.eml",
            "google.com",
            "949348866075514174",
            "borschow.com",
        ),
        (
            "estadocuenta1.infonacot.gob.mx!example.com!1536853302!1536939702!2940.xml.zip",
            "XYZ Corporation",
            "2940",
            "example.com",
        ),
        (
            "fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz",
            "FastMail Pty Ltd",
            "102675056",
            "indemed.com",
        ),
    ],
)
def test_mailed_and_compressed_samples_import(
    tmp_path: Path, name: str, org: str, report_id: str, domain: str
) -> None:
    with DmarcStore(tmp_path / "s.sqlite") as store:
        result = import_sources(store, [SAMPLES / name], workers=0)
        assert result.imported == 1 and not result.rejected
        (report,) = store.frames().reports.to_dict("records")
        assert (report["org_name"], report["report_id"], report["policy_domain"]) == (
            org,
            report_id,
            domain,
        )
        # The audit copy is the XML inside the message or archive, byte for byte.
        assert store.raw_report(int(report["report_pk"])).lstrip().startswith(b"<?xml")
