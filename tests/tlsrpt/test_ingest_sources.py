"""import_sources over every input shape, and over hostile input mixed with good items."""

from __future__ import annotations

import gzip
import io
import json
import mailbox
import os
import zipfile
import zlib
from email.message import EmailMessage
from pathlib import Path

import pytest

from assessment.tlsrpt.ingest import import_sources
from assessment.tlsrpt.store import Outcome, TlsRptStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tlsrpt"


def report_bytes(n: int, org: str = "Ingest Tester") -> bytes:
    document = json.loads((FIXTURES / "google-style-sts.json").read_bytes())
    document["organization-name"] = org
    document["report-id"] = f"ingest-{n}"
    return json.dumps(document).encode()


def tlsrpt_message(payload: bytes, *, content_type: str = "application/tlsrpt+gzip") -> bytes:
    message = EmailMessage()
    message["From"] = "noreply-smtp-tls-reporting@reporter.example"
    message["To"] = "tlsrpt@client.example"
    message["Subject"] = "Report Domain: client.example Submitter: reporter.example"
    message.set_content("This is an aggregate TLS report.")
    maintype, subtype = content_type.split("/")
    message.add_attachment(payload, maintype=maintype, subtype=subtype, filename="r.json.gz")
    message.replace_header("Content-Type", message["Content-Type"])
    raw = message.as_bytes()
    return raw.replace(b"multipart/mixed", b"multipart/report; report-type=tlsrpt", 1)


@pytest.fixture
def store(tmp_path: Path) -> TlsRptStore:
    return TlsRptStore(tmp_path / "store" / "tlsrpt.sqlite")


def test_json_gz_zip_eml_mbox_maildir_and_folder_walk(tmp_path: Path, store: TlsRptStore) -> None:
    inbox = tmp_path / "in"
    (inbox / "nested" / "deeper").mkdir(parents=True)
    (inbox / "a.json").write_bytes(report_bytes(1))
    (inbox / "b.json.gz").write_bytes(gzip.compress(report_bytes(2)))
    (inbox / "nested" / "no-extension").write_bytes(gzip.compress(report_bytes(3)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("r4.json", report_bytes(4))
        archive.writestr("r5.json.gz", gzip.compress(report_bytes(5)))
    (inbox / "nested" / "deeper" / "two.zip").write_bytes(buffer.getvalue())
    (inbox / "m.eml").write_bytes(tlsrpt_message(gzip.compress(report_bytes(6))))
    (inbox / "plain.eml").write_bytes(
        tlsrpt_message(report_bytes(7), content_type="application/tlsrpt+json")
    )
    (inbox / "octet.eml").write_bytes(
        tlsrpt_message(gzip.compress(report_bytes(8)), content_type="application/octet-stream")
    )
    box = mailbox.mbox(tmp_path / "reports.mbox")
    for n in (9, 10):
        box.add(tlsrpt_message(gzip.compress(report_bytes(n))))
    box.flush()
    box.close()
    maildir = mailbox.Maildir(inbox / "Maildir")
    maildir.add(tlsrpt_message(gzip.compress(report_bytes(11))))
    maildir.close()

    seen: list[tuple[int, int]] = []
    with store:
        result = import_sources(
            store, [inbox, str(tmp_path / "reports.mbox")], lambda d, t: seen.append((d, t))
        )
        assert result.rejected == ()
        assert result.imported == 11
        assert seen[-1][0] == seen[-1][1]
        ids = set(store.frames().reports["report_id"])
    assert ids == {f"ingest-{n}" for n in range(1, 12)}


def test_bad_inputs_rejected_per_item_good_items_kept(tmp_path: Path, store: TlsRptStore) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good1.json").write_bytes(report_bytes(1))
    (folder / "good2.json.gz").write_bytes(gzip.compress(report_bytes(2)))
    (folder / "truncated.json.gz").write_bytes(gzip.compress(report_bytes(3))[:-20])
    bomb = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1024 * 1024)
    (folder / "bomb.json.gz").write_bytes(
        b"".join(bomb.compress(zeros) for _ in range(64)) + bomb.flush()
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("huge.json", b" " * (40 * 1024 * 1024))
        archive.writestr("inner-good.json", report_bytes(4))
    (folder / "zipbomb.zip").write_bytes(buffer.getvalue())
    (folder / "invalid.json").write_bytes(b'{"organization-name": "x",')
    (folder / "dmarc.json").write_bytes(b'{"feedback": {"report_metadata": {}}}')
    (folder / "latin1.json").write_bytes('{"organization-name": "Caf\xe9"}'.encode("latin-1"))
    with (folder / "big.json").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    (folder / "noattach.eml").write_bytes(
        b"From: a@b.example\r\nSubject: hello\r\nContent-Type: text/plain\r\n\r\nJust text.\r\n"
    )
    # A named pipe with no writer: opening it for reading would block for ever.
    os.mkfifo(folder / "pipe.json")

    with store:
        result = import_sources(store, [folder])
        reasons = {Path(r.source).name.split(":")[0]: r.reason for r in result.rejected}
        assert result.imported == 3
        assert set(store.frames().reports["report_id"]) == {"ingest-1", "ingest-2", "ingest-4"}
    assert "truncated gzip" in reasons["truncated.json.gz"]
    assert "20 MiB cap" in reasons["bomb.json.gz"]
    assert "20 MiB cap" in reasons["zipbomb.zip"]
    assert "not valid JSON" in reasons["invalid.json"]
    assert 'missing "organization-name"' in reasons["dmarc.json"]
    assert "not UTF-8" in reasons["latin1.json"]
    assert "exceeds the 25 MiB cap" in reasons["big.json"]
    assert "no TLS-RPT report attachment" in reasons["noattach.eml"]
    assert "not a regular file" in reasons["pipe.json"]
    assert len(result.rejected) == 9


def test_reimport_adds_nothing_and_same_id_different_content_kept_first(
    tmp_path: Path, store: TlsRptStore
) -> None:
    folder = tmp_path / "r"
    folder.mkdir()
    for n in range(5):
        (folder / f"{n}.json").write_bytes(report_bytes(n))
    with store:
        first = import_sources(store, [folder])
        counts = store.summary()
        again = import_sources(store, [folder])
        assert (first.imported, again.imported, again.duplicate) == (5, 0, 5)
        assert store.summary() == counts
        assert all("identical report already stored" in o.reason for o in again.items)

        changed = json.loads(report_bytes(0))
        changed["policies"][0]["summary"]["total-successful-session-count"] = 999
        (tmp_path / "changed.json").write_bytes(json.dumps(changed).encode())
        result = import_sources(store, [tmp_path / "changed.json"])
        (outcome,) = result.items
        assert outcome.outcome is Outcome.DUPLICATE
        assert "different content; kept the first" in outcome.reason
        assert store.summary() == counts
        log = store.import_log()
    assert len(log) == 11
    assert set(log["outcome"]) == {"imported", "duplicate"}


def test_raw_report_kept_for_audit(tmp_path: Path, store: TlsRptStore) -> None:
    (tmp_path / "a.json").write_bytes(report_bytes(1))
    with store:
        result = import_sources(store, [tmp_path / "a.json"])
        pk = result.items[0].report_pk
        assert pk is not None
        assert store.raw_report(pk) == report_bytes(1)
