"""Import over imaps:// from a real Dovecot on 127.0.0.1 with a throwaway CA."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from imap_server import Dovecot, needs_dovecot, running_dovecot

from assessment.gather.imap import CA_ENV, PASSWORD_ENV
from assessment.tlsrpt.ingest import import_sources
from assessment.tlsrpt.store import TlsRptStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tlsrpt"

pytestmark = needs_dovecot


def report_message(n: int) -> bytes:
    document = json.loads((FIXTURES / "google-style-sts.json").read_bytes())
    document["report-id"] = f"imap-{n}"
    message = EmailMessage()
    message["From"] = "noreply-smtp-tls-reporting@reporter.example"
    message["To"] = "tlsrpt@client.example"
    message["Subject"] = f"Report Domain: fixture.example Report-ID: <imap-{n}>"
    message.set_content("This is an aggregate TLS report.")
    message.add_attachment(
        gzip.compress(json.dumps(document).encode()),
        maintype="application",
        subtype="tlsrpt+gzip",
        filename=f"reporter.example!fixture.example!{n}.json.gz",
    )
    return message.as_bytes()


@pytest.fixture
def dovecot(tmp_path: Path) -> Iterator[Dovecot]:
    messages = [report_message(n) for n in range(3)]
    messages.append(b"From: someone@example.org\nSubject: hello\n\nnot a report\n")
    with running_dovecot(tmp_path, messages) as server:
        yield server


def test_imap_import_counts_and_read_only(
    dovecot: Dovecot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "s3cret")
    monkeypatch.setenv(CA_ENV, str(dovecot.ca))
    url = f"imaps://tester@127.0.0.1:{dovecot.port}/INBOX"
    with TlsRptStore(tmp_path / "store.sqlite") as store:
        result = import_sources(store, [url])
        assert result.imported == 3
        assert result.duplicate == 0
        (rejection,) = result.rejected
        assert "#UID4" in rejection.source
        assert "no TLS-RPT report attachment" in rejection.reason
        again = import_sources(store, [url])
        assert (again.imported, again.duplicate, len(again.rejected)) == (0, 3, 1)
        assert set(store.frames().reports["report_id"]) == {"imap-0", "imap-1", "imap-2"}
    flags = [
        name.partition(":2,")[2]
        for sub in ("new", "cur")
        for name in os.listdir(dovecot.maildir / sub)
    ]
    assert len(flags) == 4
    assert not any("S" in flag for flag in flags), "import must not mark messages seen"


def test_imap_failures_are_per_source_reasons(
    dovecot: Dovecot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"imaps://tester@127.0.0.1:{dovecot.port}/INBOX"
    with TlsRptStore(tmp_path / "store.sqlite") as store:
        monkeypatch.delenv(PASSWORD_ENV, raising=False)
        (missing,) = import_sources(store, [url]).rejected
        assert PASSWORD_ENV in missing.reason
        monkeypatch.setenv(PASSWORD_ENV, "wrong")
        monkeypatch.setenv(CA_ENV, str(dovecot.ca))
        (denied,) = import_sources(store, [url]).rejected
        assert "IMAP error" in denied.reason
        monkeypatch.delenv(CA_ENV)
        monkeypatch.setenv(PASSWORD_ENV, "s3cret")
        (untrusted,) = import_sources(store, [url]).rejected
        assert "cannot connect" in untrusted.reason and "CERTIFICATE_VERIFY_FAILED" in (
            untrusted.reason
        )
        monkeypatch.setenv(CA_ENV, str(dovecot.ca))
        (nofolder,) = import_sources(
            store, [f"imaps://tester@127.0.0.1:{dovecot.port}/Nope"]
        ).rejected
        assert "IMAP error" in nofolder.reason or "cannot open folder" in nofolder.reason
        assert store.summary()["reports"] == 0
