"""DMARC aggregate report XML for tests, written the way reporters write it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Row:
    source_ip: str
    count: int
    header_from: str = "client.example"
    dkim_eval: str = "pass"
    spf_eval: str = "pass"
    dkim: tuple[tuple[str, str, str], ...] = (("client.example", "selector1", "pass"),)
    spf: tuple[str, str, str] | None = ("client.example", "mfrom", "pass")
    envelope_from: str | None = "client.example"
    reasons: tuple[tuple[str, str], ...] = ()
    disposition: str = "none"


@dataclass(frozen=True)
class Report:
    rows: tuple[Row, ...]
    day: date = date(2025, 11, 1)
    org: str = "google.com"
    email: str = "noreply-dmarc-support@google.com"
    report_id: str = ""
    domain: str = "client.example"
    p: str = "none"
    pct: int | None = 100
    adkim: str | None = "r"
    aspf: str | None = "r"
    extra: tuple[str, ...] = field(default=())

    def xml(self) -> bytes:
        begin = datetime(self.day.year, self.day.month, self.day.day, tzinfo=UTC)
        end = begin + timedelta(days=1) - timedelta(seconds=1)
        report_id = self.report_id or f"{self.org}-{self.domain}-{self.day.isoformat()}"
        policy = [f"<domain>{self.domain}</domain>"]
        if self.adkim:
            policy.append(f"<adkim>{self.adkim}</adkim>")
        if self.aspf:
            policy.append(f"<aspf>{self.aspf}</aspf>")
        policy.append(f"<p>{self.p}</p><sp>{self.p}</sp>")
        if self.pct is not None:
            policy.append(f"<pct>{self.pct}</pct>")
        records = "".join(_record(row) for row in self.rows)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<feedback><version>1.0</version>'
            f"<report_metadata><org_name>{escape(self.org)}</org_name>"
            f"<email>{escape(self.email)}</email><report_id>{escape(report_id)}</report_id>"
            f"<date_range><begin>{int(begin.timestamp())}</begin>"
            f"<end>{int(end.timestamp())}</end></date_range></report_metadata>"
            f"<policy_published>{''.join(policy)}</policy_published>"
            f"{''.join(self.extra)}{records}</feedback>\n"
        ).encode()


def _record(row: Row) -> str:
    reasons = "".join(
        f"<reason><type>{kind}</type><comment>{escape(comment)}</comment></reason>"
        for kind, comment in row.reasons
    )
    envelope = (
        f"<envelope_from>{row.envelope_from}</envelope_from>"
        if row.envelope_from is not None
        else ""
    )
    dkim = "".join(
        f"<dkim><domain>{d}</domain><selector>{s}</selector><result>{r}</result></dkim>"
        for d, s, r in row.dkim
    )
    spf = ""
    if row.spf is not None:
        d, scope, r = row.spf
        spf = f"<spf><domain>{d}</domain><scope>{scope}</scope><result>{r}</result></spf>"
    return (
        f"<record><row><source_ip>{row.source_ip}</source_ip><count>{row.count}</count>"
        f"<policy_evaluated><disposition>{row.disposition}</disposition>"
        f"<dkim>{row.dkim_eval}</dkim><spf>{row.spf_eval}</spf>{reasons}</policy_evaluated></row>"
        f"<identifiers>{envelope}<header_from>{row.header_from}</header_from></identifiers>"
        f"<auth_results>{dkim}{spf}</auth_results></record>"
    )
