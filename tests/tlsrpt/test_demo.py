"""The demo report generator: byte-deterministic, realistic, and NOT_READY on import."""

from __future__ import annotations

import email
import gzip
import json
from datetime import date
from email import policy as email_policy
from pathlib import Path

import pytest

from assessment.tlsrpt.analyze import count_inconsistencies, reporter_gaps
from assessment.tlsrpt.demo import BACKUP_MX, DOMAIN, generate_demo_reports
from assessment.tlsrpt.frames import Frames
from assessment.tlsrpt.gate import EnforceStatus, enforce_verdict
from assessment.tlsrpt.ingest import import_sources
from assessment.tlsrpt.store import TlsRptStore

AS_OF = date(2025, 11, 22)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate_demo_reports(out, AS_OF)
    return out


@pytest.fixture(scope="module")
def demo_frames(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Frames:
    path = tmp_path_factory.mktemp("store") / "tlsrpt.sqlite"
    with TlsRptStore(path) as store:
        result = import_sources(store, [demo_dir])
        assert result.rejected == ()
        assert result.duplicate == 0
        assert result.imported == len(list(demo_dir.iterdir()))
        return store.frames()


def test_byte_identical_on_rerun(tmp_path: Path, demo_dir: Path) -> None:
    again = generate_demo_reports(tmp_path, AS_OF)
    assert [p.name for p in again] == sorted(p.name for p in demo_dir.iterdir())
    for path in again:
        assert path.read_bytes() == (demo_dir / path.name).read_bytes(), path.name


def test_another_day_gives_other_reports(tmp_path: Path) -> None:
    paths = generate_demo_reports(tmp_path, date(2025, 12, 1), days=10)
    names = {p.name for p in paths}
    assert f"google.com!{DOMAIN}!1764201600!1764287999!001.json.gz" in names  # 27 Nov
    assert min(names) == f"google.com!{DOMAIN}!1763683200!1763769599!001.json.gz"  # 21 Nov


def test_provider_formats(demo_dir: Path) -> None:
    google = json.loads(
        gzip.decompress(
            (demo_dir / f"google.com!{DOMAIN}!1763337600!1763423999!001.json.gz").read_bytes()
        )
    )
    assert google["report-id"] == f"2025-11-17T00:00:00Z_{DOMAIN}"
    assert google["date-range"]["end-datetime"] == "2025-11-17T23:59:59Z"
    policy = google["policies"][0]["policy"]
    assert policy["mx-host"] == ["*.mail.protection.outlook.com"]
    assert policy["policy-string"] == [
        "version: STSv1",
        "mode: testing",
        "mx: *.mail.protection.outlook.com",
        "max_age: 86400",
    ]
    microsoft = sorted(demo_dir.glob("microsoft.com!*.json.gz"))
    assert len(microsoft) == 27  # the last three days arrive by mail
    document = json.loads(gzip.decompress(microsoft[0].read_bytes()))
    number, _, domain = document["report-id"].partition("+")
    assert len(number) == 18 and number.isdigit() and domain == DOMAIN
    assert "mx-host" not in document["policies"][0]["policy"]
    assert gzip.decompress(microsoft[0].read_bytes())  # mtime 0 below
    assert microsoft[0].read_bytes()[4:8] == b"\0\0\0\0"


def test_mail_messages(demo_dir: Path) -> None:
    messages = sorted(demo_dir.glob("*.eml"))
    assert len(messages) == 3 + 3 + 4  # Google, Microsoft, every Mail.ru
    mailru = [m for m in messages if m.name.startswith("mail.ru")]
    message = email.message_from_bytes(mailru[0].read_bytes(), policy=email_policy.default)
    assert message.get_content_type() == "multipart/report"
    assert message.get_param("report-type") == "tlsrpt"
    assert message["Subject"] == "Report"
    assert message["TLS-Report-Domain"] == DOMAIN
    parts = [
        p for p in message.iter_attachments() if p.get_content_type() == "application/tlsrpt+gzip"
    ]
    document = json.loads(gzip.decompress(parts[0].get_content()))
    assert document["date-range"]["end-datetime"].endswith("T00:00:00Z")
    assert document["report-id"].endswith("@mail.ru")


def test_verdict_is_not_ready_naming_the_backup_mx(demo_frames: Frames) -> None:
    verdict = enforce_verdict(demo_frames, DOMAIN, AS_OF)
    assert verdict.status is EnforceStatus.NOT_READY
    assert verdict.failing_mx == (BACKUP_MX,)
    assert any(BACKUP_MX in b and "certificate-host-mismatch" in b for b in verdict.blockers)
    assert set(verdict.reporters) >= {"Google Inc.", "Microsoft Corporation"}
    assert verdict.days_covered == 14


def test_yahoo_gap_and_mailru_inconsistency_show_up(demo_frames: Frames) -> None:
    gaps = reporter_gaps(demo_frames, AS_OF)
    assert list(gaps["org_name"]) == ["Yahoo"]
    assert int(gaps["silent_days"].iloc[0]) == 8
    flagged = count_inconsistencies(demo_frames)
    assert list(flagged["org_name"]) == ["Mail.ru"]


def test_volumes_fit_a_small_practice(demo_frames: Frames) -> None:
    per_report = demo_frames.policies["successful"] + demo_frames.policies["failed"]
    assert per_report.max() < 300
    google = demo_frames.policies[demo_frames.policies["org_name"] == "Google Inc."]
    assert 10 <= google["successful"].median() <= 150
