"""Deterministic DMARC aggregate reports for the demo client, Brightsmile Dental Care.

They match the demo sandbox (``data/demo/``): ``brightsmiledental.example`` on
Microsoft 365 (DKIM ``selector1``, SPF ``include:spf.protection.outlook.com``,
DMARC ``p=none``), plus the parked ``brightsmile-dental.example``. Addresses are
the documentation ranges the sandbox's SPF records use for Microsoft
(``192.0.2.0/26``...) and Mailchimp (``198.51.100.192/27``).

Who sends as the practice, as the reports show it:

- Microsoft 365, the practice's mailboxes: DKIM ``selector1`` and SPF aligned, every day;
- Mailchimp, appointment reminders every Tuesday and a newsletter once a month: the
  practice started Mailchimp's domain authentication, so Mailchimp signs as the
  practice with selector ``k2``, but the ``k2``/``k3`` CNAMEs were never published:
  that signature fails, Mailchimp's own ``d=mcsv.net`` signature and SPF for its
  bounce domain pass unaligned, and DMARC fails. The sender to fix;
- a patient's alumni forwarding address re-sending to Gmail: DKIM survives, SPF fails;
- a dental association mailing list that rewrites the subject: the practice's
  signature breaks (Google reports the ARC override, Microsoft does not);
- a little spoofing from scattered addresses. The parked domain publishes no DMARC record,
  so no receiver reports on it (publishing one is the first step of its plan).

Each reporter writes its own real format: Google (zip, ``google.com``, 23:59:59
ends, ``arc=pass`` comments), Microsoft ("Enterprise Outlook", gzip, next-midnight
ends, XML Schema namespace declarations, ``envelope_to``), Yahoo (gzip, some days
missing) and Fastmail in the RFC 9990 format (namespace, ``generator``, ``np``,
``testing``, ``discovery_method``), about weekly. The last three days of Google
reports arrive as ``.eml`` messages.

Output is a pure function of ``(as_of, days)``: seeded randomness, gzip ``mtime=0``,
fixed zip timestamps and MIME boundaries, so files are byte-identical on re-run.
"""

from __future__ import annotations

import gzip
import io
import random
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email import policy as email_policy
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime
from pathlib import Path
from typing import Final
from xml.sax.saxutils import escape

CLIENT: Final = "Brightsmile Dental Care"
DOMAIN: Final = "brightsmiledental.example"
PARKED: Final = "brightsmile-dental.example"
RUA: Final = "dmarc@brightsmiledental.example"
TENANT: Final = "brightsmiledental.onmicrosoft.com"
MAILCHIMP_SELECTOR: Final = "k2"
_SEED: Final = 0xD3A4C
# Documentation addresses inside the sandbox's SPF ranges (spf.protection.outlook.com
# and servers.mcsv.net in data/demo/sandbox/zones).
_M365_IPS: Final = ("192.0.2.10", "192.0.2.11", "192.0.2.74", "198.51.100.30")
_MAILCHIMP_IPS: Final = ("198.51.100.201", "198.51.100.202", "198.51.100.205")
_FORWARDER_IP: Final = "203.0.113.77"
_FORWARDER_HELO: Final = "mx1.alumni-forward.example"
_LIST_IP: Final = "203.0.113.90"
_LIST_DOMAIN: Final = "lists.dental-association.example"
# Spoofing: scattered addresses outside every sender above.
_SPOOF_NETS: Final = ("198.51.100.", "203.0.113.", "192.0.2.")
_SPOOF_HOSTS: Final = tuple(range(130, 190))


@dataclass(frozen=True)
class _Reporter:
    org: str
    email: str
    extra: str | None
    share: float
    """Of the practice's recipients, the share this receiver holds."""
    submitter: str


GOOGLE: Final = _Reporter(
    "google.com",
    "noreply-dmarc-support@google.com",
    "https://support.google.com/a/answer/2466580",
    0.5,
    "google.com",
)
MICROSOFT: Final = _Reporter(
    "Enterprise Outlook", "dmarcreport@microsoft.com", None, 0.33, "protection.outlook.com"
)
YAHOO: Final = _Reporter("Yahoo", "dmarchelp@yahooinc.com", None, 0.12, "yahoo.com")
FASTMAIL: Final = _Reporter(
    "FastMail Pty Ltd", "reports@fastmaildmarc.com", "https://fastmail.com/", 0.05, "fastmail.com"
)


@dataclass(frozen=True)
class _Row:
    """One record: messages from one address with one set of results."""

    source_ip: str
    count: int
    dkim_eval: str
    spf_eval: str
    header_from: str
    envelope_from: str
    dkim: tuple[tuple[str, str, str], ...]  # (domain, selector, result)
    spf: tuple[str, str, str]  # (domain, scope, result)
    reason: tuple[str, str] | None = None  # (type, comment)


def _split(rng: random.Random, total: int, share: float) -> int:
    """This reporter's part of ``total`` messages (binomial-ish, deterministic)."""
    mean = total * share
    return max(0, round(rng.gauss(mean, max(1.0, mean * 0.15))))


def _weekday_volume(rng: random.Random, day: date, mean: int) -> int:
    base = mean if day.weekday() < 5 else max(3, mean // 6)
    return max(1, round(rng.gauss(base, base * 0.15)))


def _m365_rows(rng: random.Random, total: int) -> list[_Row]:
    rows = []
    weights = (0.4, 0.3, 0.2, 0.1)
    for ip, weight in zip(_M365_IPS, weights, strict=True):
        count = round(total * weight)
        if count:
            rows.append(
                _Row(
                    ip,
                    count,
                    "pass",
                    "pass",
                    DOMAIN,
                    DOMAIN,
                    ((DOMAIN, "selector1", "pass"),),
                    (DOMAIN, "mfrom", "pass"),
                )
            )
    return rows


def _mailchimp_rows(rng: random.Random, total: int, reporter: _Reporter) -> list[_Row]:
    key_result = "fail" if reporter is GOOGLE else "permerror"
    rows = []
    left = total
    for n, ip in enumerate(_MAILCHIMP_IPS):
        count = left if n == len(_MAILCHIMP_IPS) - 1 else rng.randint(0, left)
        left -= count
        if count:
            bounce = f"mail{rng.randint(10, 99)}.suw{rng.randint(11, 19)}.mcdlv.net"
            rows.append(
                _Row(
                    ip,
                    count,
                    "fail",
                    "fail",
                    DOMAIN,
                    bounce,
                    ((DOMAIN, MAILCHIMP_SELECTOR, key_result), ("mcsv.net", "k1", "pass")),
                    (bounce, "mfrom", "pass"),
                )
            )
    return rows


def _spoof_rows(rng: random.Random, domain: str, sources: int) -> list[_Row]:
    rows = []
    for _ in range(sources):
        ip = rng.choice(_SPOOF_NETS) + str(rng.choice(_SPOOF_HOSTS))
        result = "softfail"
        rows.append(
            _Row(
                ip, rng.randint(1, 3), "fail", "fail", domain, domain, (), (domain, "mfrom", result)
            )
        )
    return rows


def _day_rows(rng: random.Random, day: date, reporter: _Reporter, as_of: date) -> list[_Row]:
    """The practice's mail one receiver saw on one day."""
    rows = _m365_rows(rng, _split(rng, _weekday_volume(rng, day, 110), reporter.share))
    days_before = (as_of - day).days
    campaign = 0
    if day.weekday() == 1:  # Tuesday: appointment reminders
        campaign += 70
    if days_before == 12:  # the monthly newsletter
        campaign += 340
    if campaign:
        rows += _mailchimp_rows(rng, _split(rng, campaign, reporter.share), reporter)
    if reporter is GOOGLE and rng.random() < 0.45:
        rows.append(
            _Row(
                _FORWARDER_IP,
                rng.randint(1, 3),
                "pass",
                "fail",
                DOMAIN,
                DOMAIN,
                ((DOMAIN, "selector1", "pass"),),
                (DOMAIN, "mfrom", "fail"),
            )
        )
    if reporter in (GOOGLE, MICROSOFT) and days_before in (25, 18, 11, 4):
        rows.append(
            _Row(
                _LIST_IP,
                rng.randint(2, 6),
                "fail",
                "fail",
                DOMAIN,
                _LIST_DOMAIN,
                ((DOMAIN, "selector1", "fail"), (_LIST_DOMAIN, "list", "pass")),
                (_LIST_DOMAIN, "mfrom", "pass"),
                ("local_policy", "arc=pass") if reporter is GOOGLE else None,
            )
        )
    if rng.random() < 0.4:
        rows += _spoof_rows(rng, DOMAIN, rng.randint(1, 2))
    return [row for row in rows if row.count > 0]


def _dkim_xml(entries: Iterable[tuple[str, str, str]], namespaced: bool) -> str:
    out = []
    for domain, selector, result in entries:
        out.append(
            "      <dkim>\n"
            f"        <domain>{escape(domain)}</domain>\n"
            f"        <selector>{escape(selector)}</selector>\n"
            f"        <result>{result}</result>\n"
            "      </dkim>\n"
        )
    return "".join(out)


def _record_xml(row: _Row, reporter: _Reporter, namespaced: bool) -> str:
    reason = ""
    if row.reason is not None:
        reason = (
            "        <reason>\n"
            f"          <type>{row.reason[0]}</type>\n"
            f"          <comment>{escape(row.reason[1])}</comment>\n"
            "        </reason>\n"
        )
    envelope_to = (
        "      <envelope_to>outlook.example</envelope_to>\n" if reporter is MICROSOFT else ""
    )
    spf_domain, scope, result = row.spf
    scope_xml = f"        <scope>{scope}</scope>\n" if reporter is not GOOGLE else ""
    return (
        "  <record>\n"
        "    <row>\n"
        f"      <source_ip>{row.source_ip}</source_ip>\n"
        f"      <count>{row.count}</count>\n"
        "      <policy_evaluated>\n"
        "        <disposition>none</disposition>\n"
        f"        <dkim>{row.dkim_eval}</dkim>\n"
        f"        <spf>{row.spf_eval}</spf>\n"
        f"{reason}"
        "      </policy_evaluated>\n"
        "    </row>\n"
        "    <identifiers>\n"
        f"{envelope_to}"
        f"      <envelope_from>{escape(row.envelope_from)}</envelope_from>\n"
        f"      <header_from>{escape(row.header_from)}</header_from>\n"
        "    </identifiers>\n"
        "    <auth_results>\n"
        f"{_dkim_xml(row.dkim, namespaced)}"
        "      <spf>\n"
        f"        <domain>{escape(spf_domain)}</domain>\n"
        f"{scope_xml}"
        f"        <result>{result}</result>\n"
        "      </spf>\n"
        "    </auth_results>\n"
        "  </record>\n"
    )


def _report_xml(
    reporter: _Reporter,
    domain: str,
    report_id: str,
    begin: datetime,
    end: datetime,
    rows: list[_Row],
) -> bytes:
    rfc9990 = reporter is FASTMAIL
    if rfc9990:
        root = '<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">\n'
    elif reporter is MICROSOFT:
        root = (
            '<feedback xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        )
    else:
        root = "<feedback>\n"
    extra = (
        f"    <extra_contact_info>{escape(reporter.extra)}</extra_contact_info>\n"
        if reporter.extra
        else ""
    )
    generator = "    <generator>Fastmail DMARC reporter 2.1</generator>\n" if rfc9990 else ""
    if rfc9990:
        policy = (
            f"    <domain>{domain}</domain>\n"
            "    <discovery_method>treewalk</discovery_method>\n"
            "    <p>none</p>\n    <sp>none</sp>\n    <np>none</np>\n"
            "    <testing>n</testing>\n"
        )
    else:
        policy = (
            f"    <domain>{domain}</domain>\n"
            "    <adkim>r</adkim>\n    <aspf>r</aspf>\n"
            "    <p>none</p>\n    <sp>none</sp>\n    <pct>100</pct>\n"
            + ("    <fo>1</fo>\n" if domain == DOMAIN else "")
        )
    text = (
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        + root
        + "  <version>1.0</version>\n"
        + "  <report_metadata>\n"
        + f"    <org_name>{escape(reporter.org)}</org_name>\n"
        + f"    <email>{escape(reporter.email)}</email>\n"
        + extra
        + f"    <report_id>{escape(report_id)}</report_id>\n"
        + "    <date_range>\n"
        + f"      <begin>{int(begin.timestamp())}</begin>\n"
        + f"      <end>{int(end.timestamp())}</end>\n"
        + "    </date_range>\n"
        + generator
        + "  </report_metadata>\n"
        + "  <policy_published>\n"
        + policy
        + "  </policy_published>\n"
        + "".join(_record_xml(row, reporter, rfc9990) for row in rows)
        + "</feedback>\n"
    )
    return text.encode("utf-8")


def _zip(name: str, data: bytes, day: date) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(name, date_time=(day.year, day.month, day.day, 8, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, data)
    return buffer.getvalue()


def _message(
    reporter: _Reporter, domain: str, report_id: str, filename: str, payload: bytes, day: date
) -> bytes:
    sent = datetime(day.year, day.month, day.day, 7, 30, tzinfo=UTC) + timedelta(days=1)
    message = MIMEMultipart("mixed", boundary=f"----=_dmarc_demo_{day:%Y%m%d}_{report_id[-6:]}")
    message["From"] = reporter.email
    message["To"] = RUA
    message["Date"] = format_datetime(sent)
    message["Message-ID"] = f"<{report_id}@{reporter.submitter}>"
    message["Subject"] = (
        f"Report domain: {domain} Submitter: {reporter.submitter} Report-ID: {report_id}"
    )
    message.attach(MIMEText(f"DMARC aggregate report for {domain}.\n", "plain", "utf-8"))
    attachment = MIMEApplication(payload, "zip", name=filename)
    attachment.add_header("Content-Disposition", "attachment", filename=filename)
    message.attach(attachment)
    return message.as_bytes(policy=email_policy.SMTP)


def generate_demo_reports(out_dir: Path, as_of: date, days: int = 30) -> list[Path]:
    """Write the demo client's DMARC reports for the ``days`` days before ``as_of``.

    Returns the paths written, sorted. Google's reports are ``.zip`` files (the last
    three days as ``.eml`` messages), the others ``.xml.gz``.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(_SEED ^ as_of.toordinal() ^ (days << 20))
    written: list[Path] = []
    first = as_of - timedelta(days=days)
    for offset in range(days):
        day = first + timedelta(days=offset)
        midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
        for reporter in (GOOGLE, MICROSOFT, YAHOO, FASTMAIL):
            if reporter is YAHOO and rng.random() < 0.15:
                continue  # Yahoo skips a day now and then
            if reporter is FASTMAIL and day.weekday() != 0:
                continue  # weekly
            span_days = 7 if reporter is FASTMAIL else 1
            begin = midnight - timedelta(days=span_days - 1)
            # The parked domain publishes no DMARC record, so receivers send no reports for it:
            # its spoofing shows in no report, which is one more reason to publish one.
            rows = _day_rows(rng, day, reporter, as_of)
            if rows:
                written.append(
                    _write(out_dir, reporter, DOMAIN, begin, midnight, rows, rng, as_of, day)
                )
    return sorted(written)


def _write(
    out_dir: Path,
    reporter: _Reporter,
    domain: str,
    begin: datetime,
    midnight: datetime,
    rows: list[_Row],
    rng: random.Random,
    as_of: date,
    day: date,
) -> Path:
    if reporter is GOOGLE:
        end = midnight + timedelta(hours=23, minutes=59, seconds=59)
        report_id = str(rng.getrandbits(63))
    elif reporter is MICROSOFT:
        end = midnight + timedelta(days=1)
        report_id = f"{rng.getrandbits(128):032x}"
    elif reporter is YAHOO:
        end = midnight + timedelta(hours=23, minutes=59, seconds=59)
        report_id = f"{int(midnight.timestamp())}.{rng.getrandbits(20)}"
    else:
        end = midnight + timedelta(days=1) - timedelta(seconds=1)
        report_id = f"{rng.getrandbits(40)}"
    xml = _report_xml(reporter, domain, report_id, begin, end, rows)
    stem = f"{reporter.submitter}!{domain}!{int(begin.timestamp())}!{int(end.timestamp())}"
    if reporter is GOOGLE:
        payload = _zip(f"{stem}.xml", xml, day)
        if (as_of - day).days <= 3:
            path = out_dir / f"{stem.replace('!', '_')}.eml"
            path.write_bytes(_message(reporter, domain, report_id, f"{stem}.zip", payload, day))
            return path
        path = out_dir / f"{stem}.zip"
        path.write_bytes(payload)
        return path
    path = out_dir / f"{stem}!{report_id[-8:]}.xml.gz"
    path.write_bytes(gzip.compress(xml, mtime=0))
    return path
