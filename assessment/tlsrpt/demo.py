"""Deterministic TLS-RPT reports for the demo client, Brightsmile Dental Care.

They match the demo sandbox (``data/demo/``): MTA-STS ``mode: testing`` with
``mx: *.mail.protection.outlook.com``, Microsoft 365 as primary MX and a leftover backup MX
at the former IT provider whose certificate is for ``mail.harbourit.example``. Real senders
log ``certificate-host-mismatch`` for that host (wrong certificate name, and no policy
pattern covers it); Google sometimes files it under ``validation-failure``.

Each reporter writes in its own real format (see the provider notes in the TLS-RPT
samples): Google one-line JSON with ``mx-host`` and a ``<start>_<domain>`` report-id,
Microsoft an 18-digit FILETIME report-id and no ``mx-host``, Mail.ru next-midnight ends, Go
error strings and once a summary that disagrees with its details. Yahoo reports every day
or two and then goes quiet eight days before ``as_of``.

Output is a pure function of ``(as_of, days)``: seeded randomness, gzip ``mtime=0``, fixed
MIME boundaries and dates derived from the report day, so files are byte-identical on
re-run.
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email import policy as email_policy
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Final

CLIENT: Final = "Brightsmile Dental Care"
DOMAIN: Final = "brightsmiledental.example"
RUA: Final = "tlsrpt@brightsmiledental.example"
PRIMARY_MX: Final = "brightsmiledental-example.mail.protection.outlook.com"
BACKUP_MX: Final = "backup-mx.harbourit.example"
POLICY_LINES: Final = (
    "version: STSv1",
    "mode: testing",
    "mx: *.mail.protection.outlook.com",
    "max_age: 86400",
)
MX_PATTERNS: Final = ("*.mail.protection.outlook.com",)
# Documentation addresses (RFC 5737) stand in for the client's receiving hosts.
BACKUP_MX_IP: Final = "203.0.113.25"
YAHOO_SILENT_DAYS: Final = 8
_SEED: Final = 0x7E5B5
_FILETIME_EPOCH_OFFSET: Final = 11_644_473_600
_GOOGLE_SENDERS: Final = ("209.85.220.41", "209.85.220.69", "209.85.218.50", "209.85.208.46")
_MICROSOFT_SENDERS: Final = ("40.107.22.101", "40.107.243.57", "52.101.68.12")
_GO_MISMATCH: Final = (
    "x509: certificate is valid for mail.harbourit.example, not backup-mx.harbourit.example"
)


@dataclass(frozen=True)
class _Report:
    org: str
    filename: str
    document: dict[str, Any]
    as_mail: bool
    sender: str
    submitter: str
    subject_id: str


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _volume(rng: random.Random, day: date, weekday_mean: int) -> int:
    """Sessions for one reporter and day: a small practice gets little weekend mail."""
    mean = weekday_mean if day.weekday() < 5 else max(2, weekday_mean // 3)
    return max(1, round(rng.gauss(mean, mean * 0.2)))


def _policy(sts_strings: bool, mx_host: bool) -> dict[str, Any]:
    policy: dict[str, Any] = {"policy-type": "sts"}
    if sts_strings:
        policy["policy-string"] = list(POLICY_LINES)
    policy["policy-domain"] = DOMAIN
    if mx_host:
        policy["mx-host"] = list(MX_PATTERNS)
    return policy


def _block(
    policy: dict[str, Any], ok: int, details: list[dict[str, Any]], failed: int | None = None
) -> dict[str, Any]:
    total = sum(int(d["failed-session-count"]) for d in details) if failed is None else failed
    block: dict[str, Any] = {
        "policy": policy,
        "summary": {"total-successful-session-count": ok, "total-failure-session-count": total},
    }
    if details:
        block["failure-details"] = details
    return block


def _google(rng: random.Random, day: date, backup_hit: bool) -> _Report:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    end = start + timedelta(hours=23, minutes=59, seconds=59)
    details: list[dict[str, Any]] = []
    if backup_hit:
        result = "validation-failure" if rng.random() < 0.3 else "certificate-host-mismatch"
        for sender in rng.sample(_GOOGLE_SENDERS, rng.randint(1, 2)):
            details.append(
                {
                    "result-type": result,
                    "sending-mta-ip": sender,
                    "receiving-ip": BACKUP_MX_IP,
                    "receiving-mx-hostname": BACKUP_MX,
                    "failed-session-count": rng.randint(1, 3),
                }
            )
    document = {
        "organization-name": "Google Inc.",
        "date-range": {"start-datetime": _z(start), "end-datetime": _z(end)},
        "contact-info": "smtp-tls-reporting@google.com",
        "report-id": f"{_z(start)}_{DOMAIN}",
        "policies": [_block(_policy(True, True), _volume(rng, day, 45), details)],
    }
    name = f"google.com!{DOMAIN}!{_epoch(start)}!{_epoch(end)}!001.json.gz"
    subject_id = f"<{start:%Y.%m.%dT%H.%M.%SZ}+{DOMAIN}@google.com>"
    return _Report(
        "Google Inc.",
        name,
        document,
        False,
        "noreply-smtp-tls-reporting@google.com",
        "google.com",
        subject_id,
    )


def _microsoft(rng: random.Random, day: date, backup_hit: bool) -> _Report:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    end = start + timedelta(hours=23, minutes=59, seconds=59)
    # The number is the Windows FILETIME of when the report was made, early next day.
    made = start + timedelta(days=1, minutes=rng.randint(20, 70), seconds=rng.randint(0, 59))
    number = (_epoch(made) + _FILETIME_EPOCH_OFFSET) * 10_000_000 + rng.randint(0, 9_999_999)
    details: list[dict[str, Any]] = []
    if backup_hit:
        details.append(
            {
                "result-type": "certificate-host-mismatch",
                "sending-mta-ip": rng.choice(_MICROSOFT_SENDERS),
                "receiving-mx-hostname": BACKUP_MX,
                "receiving-ip": BACKUP_MX_IP,
                "failed-session-count": rng.randint(1, 4),
            }
        )
    document = {
        "organization-name": "Microsoft Corporation",
        "date-range": {"start-datetime": _z(start), "end-datetime": _z(end)},
        "contact-info": "tlsrpt-noreply@microsoft.com",
        "report-id": f"{number}+{DOMAIN}",
        "policies": [_block(_policy(True, False), _volume(rng, day, 110), details)],
    }
    name = f"microsoft.com!{DOMAIN}!{_epoch(start)}!{_epoch(end)}!{number}.json.gz"
    return _Report(
        "Microsoft Corporation",
        name,
        document,
        False,
        "tlsrpt-noreply@microsoft.com",
        "microsoft.com",
        f"{number}+{DOMAIN}",
    )


def _yahoo(rng: random.Random, day: date) -> _Report:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    end = start + timedelta(hours=23, minutes=59, seconds=59)
    report_id = f"{_epoch(start)}.{rng.getrandbits(40):010x}@yahoo.com"
    document = {
        "organization-name": "Yahoo",
        "date-range": {"start-datetime": _z(start), "end-datetime": _z(end)},
        "contact-info": "tlsrpt@yahooinc.com",
        "report-id": report_id,
        "policies": [_block(_policy(True, True), _volume(rng, day, 9), [])],
    }
    name = f"yahoo.com!{DOMAIN}!{_epoch(start)}!{_epoch(end)}.json.gz"
    return _Report("Yahoo", name, document, False, "tlsrpt@yahooinc.com", "yahoo.com", report_id)


def _mailru(rng: random.Random, day: date, inconsistent: bool) -> _Report:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    end = start + timedelta(days=1)
    details = [
        {
            "result-type": "certificate-host-mismatch",
            "failed-session-count": 1,
            "failure-reason-code": _GO_MISMATCH,
        }
    ]
    if inconsistent:
        details.append(dict(details[0]))
    report_id = f"{rng.getrandbits(128):032x}"
    report_id = (
        f"{report_id[:8]}-{report_id[8:12]}-{report_id[12:16]}-{report_id[16:20]}-"
        f"{report_id[20:]}@mail.ru"
    )
    document = {
        "organization-name": "Mail.ru",
        "date-range": {"start-datetime": _z(start), "end-datetime": _z(end)},
        "contact-info": "tls_support@corp.mail.ru",
        "report-id": report_id,
        # Mail.ru's summary once said 1 failure while listing 2 (kept, not corrected).
        "policies": [
            _block(_policy(True, False), rng.randint(1, 3), details, 1 if inconsistent else None)
        ],
    }
    name = f"mail.ru!{DOMAIN}!{_epoch(start)}!{_epoch(end)}.json.gz"
    return _Report(
        "Mail.ru", name, document, True, "noreply-smtp-tls-reporting@corp.mail.ru", "mail.ru", ""
    )


def _payload(document: dict[str, Any]) -> bytes:
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return gzip.compress(text.encode("utf-8"), mtime=0)


def _message(report: _Report, payload: bytes, day: date, serial: int) -> bytes:
    sent = datetime(day.year, day.month, day.day, 6, 15, tzinfo=UTC) + timedelta(
        days=1, minutes=(serial % 40) * 3
    )
    boundary = f"----=_NextPart_demo_{serial:04d}_{day:%Y%m%d}"
    message = MIMEMultipart("report", boundary=boundary, report_type="tlsrpt")
    message["From"] = report.sender
    message["To"] = RUA
    message["Date"] = format_datetime(sent)
    message["Message-ID"] = f"<tlsrpt.{day:%Y%m%d}.{serial:04d}@{report.submitter}>"
    message["Subject"] = (
        "Report"
        if report.org == "Mail.ru"
        else f"Report Domain: {DOMAIN} Submitter: {report.submitter} Report-ID: {report.subject_id}"
    )
    message["TLS-Report-Domain"] = DOMAIN
    message["TLS-Report-Submitter"] = report.submitter
    message.attach(
        MIMEText(
            f"This is an aggregate TLS report from {report.org} for {DOMAIN}.\n", "plain", "utf-8"
        )
    )
    attachment = MIMEApplication(payload, "tlsrpt+gzip", name=report.filename)
    attachment.add_header("Content-Disposition", "attachment", filename=report.filename)
    message.attach(attachment)
    return message.as_bytes(policy=email_policy.SMTP)


def _reports(as_of: date, days: int) -> list[tuple[date, _Report]]:
    rng = random.Random(_SEED ^ as_of.toordinal() ^ (days << 20))
    first = as_of - timedelta(days=days)
    out: list[tuple[date, _Report]] = []
    yahoo_last_sent: date | None = None
    yahoo_stop = as_of - timedelta(days=YAHOO_SILENT_DAYS)
    mailru_days = {as_of - timedelta(days=n) for n in (26, 17, 11, 4)}
    inconsistent_day = as_of - timedelta(days=11)
    # The backup MX sees a trickle of connection attempts on some days; these days are
    # fixed so every demo shows failures inside the last week.
    forced = {as_of - timedelta(days=n) for n in (2, 5)}
    for offset in range(days):
        day = first + timedelta(days=offset)
        backup_day = day in forced or rng.random() < 0.3
        out.append((day, _google(rng, day, backup_day)))
        out.append((day, _microsoft(rng, day, backup_day and rng.random() < 0.7)))
        due = yahoo_last_sent is None or (day - yahoo_last_sent).days >= 2
        if day < yahoo_stop and (due or rng.random() < 0.6):
            out.append((day, _yahoo(rng, day)))
            yahoo_last_sent = day
        if day in mailru_days:
            out.append((day, _mailru(rng, day, day == inconsistent_day)))
    return out


def generate_demo_reports(out_dir: Path, as_of: date, days: int = 30) -> list[Path]:
    """Write the demo client's reports for the ``days`` days before ``as_of`` into ``out_dir``.

    Most reports are ``.json.gz`` files named as their providers name them; the last three
    days of Google and Microsoft reports and every Mail.ru report arrive as ``.eml``
    messages (``multipart/report; report-type=tlsrpt``) instead. Returns the paths written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    mail_from = as_of - timedelta(days=3)
    written: list[Path] = []
    for serial, (day, report) in enumerate(_reports(as_of, days)):
        payload = _payload(report.document)
        if report.as_mail or (day >= mail_from and report.org != "Yahoo"):
            stem = report.filename.removesuffix(".json.gz").replace("!", "_")
            path, data = out_dir / f"{stem}.eml", _message(report, payload, day, serial)
        else:
            path, data = out_dir / report.filename, payload
        path.write_bytes(data)
        written.append(path)
    return sorted(written)
