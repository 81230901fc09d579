"""DMARC import over imaps:// from a real Dovecot on 127.0.0.1 (the TLS-RPT test's server)."""

from __future__ import annotations

import gzip
import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest
from imap_server import needs_dovecot, running_dovecot

from assessment.dmarc.ingest import import_sources
from assessment.dmarc.store import DmarcStore
from assessment.gather.imap import CA_ENV, PASSWORD_ENV

from .builders import Report, Row

pytestmark = needs_dovecot


def message(n: int, kind: str) -> bytes:
    xml = Report((Row("192.0.2.10", n + 1),), report_id=f"imap-{n}").xml()
    email = EmailMessage()
    email["From"] = "noreply-dmarc-support@google.com"
    email["To"] = "dmarc@client.example"
    email["Subject"] = f"Report domain: client.example Submitter: google.com Report-ID: imap-{n}"
    email.set_content("A DMARC aggregate report.")
    if kind == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(f"{n}.xml", xml)
        email.add_attachment(
            buffer.getvalue(), maintype="application", subtype="zip", filename=f"{n}.zip"
        )
    else:
        email.add_attachment(
            gzip.compress(xml), maintype="application", subtype="gzip", filename=f"{n}.xml.gz"
        )
    return email.as_bytes()


def test_imap_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    messages = [message(0, "zip"), message(1, "gzip"), b"From: a@b.example\nSubject: hi\n\nnote\n"]
    with running_dovecot(tmp_path, messages) as server:
        monkeypatch.setenv(PASSWORD_ENV, "s3cret")
        monkeypatch.setenv(CA_ENV, str(server.ca))
        url = f"imaps://tester@127.0.0.1:{server.port}/INBOX"
        with DmarcStore(tmp_path / "d.sqlite") as store:
            result = import_sources(store, [url])
            assert result.imported == 2
            (rejection,) = result.rejected
            assert "#UID3" in rejection.source
            assert "no DMARC aggregate report attachment" in rejection.reason
            again = import_sources(store, [url])
            assert (again.imported, again.duplicate) == (0, 2)
            assert sorted(store.frames().reports["report_id"]) == ["imap-0", "imap-1"]
