"""Deterministic synthetic DMARC aggregate reports in the shapes real reporters send.

Google (zip, 23:59:59 ends, ``arc=pass`` comments), Microsoft ("Enterprise Outlook",
gzip, schema namespace declarations, ``envelope_to``), Yahoo (gzip) and an RFC 9990
reporter (plain XML with the dmarc-2.0 namespace). Record counts follow what a
small-business domain receives: most reports hold a handful of rows (one per
sending address and result), some a few dozen, a few hundreds (a spoofing wave).
"""

from __future__ import annotations

import gzip
import io
import random
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

_DOMAINS = [f"client{n}.example" for n in range(40)]


def _dkim(domain: str, selector: str, result: str) -> str:
    return (
        f"<dkim><domain>{domain}</domain><selector>{selector}</selector>"
        f"<result>{result}</result></dkim>"
    )


def _spf(domain: str, result: str) -> str:
    return f"<spf><domain>{domain}</domain><scope>mfrom</scope><result>{result}</result></spf>"


def _records(rng: random.Random, domain: str, count: int, google: bool) -> str:
    out = []
    for _ in range(count):
        kind = rng.random()
        ip = f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randrange(1, 250)}"
        reason = ""
        if kind < 0.6:  # the domain's own mail
            dkim = _dkim(domain, "selector1", "pass")
            spf = f"<spf><domain>{domain}</domain><scope>mfrom</scope><result>pass</result></spf>"
            evaluated = ("pass", "pass")
        elif kind < 0.75:  # an ESP signing as itself
            dkim = (
                "<dkim><domain>mcsv.net</domain><selector>k1</selector><result>pass</result></dkim>"
            )
            spf = _spf("mail1.mcdlv.net", "pass")
            evaluated = ("fail", "fail")
        elif kind < 0.85:  # a mailing list
            dkim = _dkim(domain, "selector1", "fail")
            spf = (
                "<spf><domain>lists.example</domain><scope>mfrom</scope><result>pass</result></spf>"
            )
            evaluated = ("fail", "fail")
            if google:
                reason = "<reason><type>local_policy</type><comment>arc=pass</comment></reason>"
        else:  # spoofing
            dkim = ""
            spf = (
                f"<spf><domain>{domain}</domain><scope>mfrom</scope><result>softfail</result></spf>"
            )
            evaluated = ("fail", "fail")
        out.append(
            f"<record><row><source_ip>{ip}</source_ip><count>{rng.randrange(1, 60)}</count>"
            f"<policy_evaluated><disposition>none</disposition><dkim>{evaluated[0]}</dkim>"
            f"<spf>{evaluated[1]}</spf>{reason}</policy_evaluated></row><identifiers>"
            f"<envelope_from>{domain}</envelope_from><header_from>{domain}</header_from>"
            f"</identifiers><auth_results>{dkim}{spf}</auth_results></record>\n"
        )
    return "".join(out)


def _report(rng: random.Random, n: int, reporter: int, begin: datetime, domain: str) -> bytes:
    size = rng.random()
    count = (
        rng.randint(1, 5)
        if size < 0.7
        else rng.randint(6, 40)
        if size < 0.97
        else rng.randint(100, 400)
    )
    end = begin + timedelta(days=1) - timedelta(seconds=1)
    org, email, root = (
        ("google.com", "noreply-dmarc-support@google.com", "<feedback>"),
        (
            "Enterprise Outlook",
            "dmarcreport@microsoft.com",
            '<feedback xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
        ),
        ("Yahoo", "dmarchelp@yahooinc.com", "<feedback>"),
        (
            "Reporter 9990",
            "dmarc@reporter.example",
            '<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">',
        ),
    )[reporter]
    text = (
        f'<?xml version="1.0" encoding="UTF-8" ?>\n{root}\n<version>1.0</version>\n'
        f"<report_metadata><org_name>{org}</org_name><email>{email}</email>"
        f"<report_id>bench-{n}</report_id><date_range><begin>{int(begin.timestamp())}</begin>"
        f"<end>{int(end.timestamp())}</end></date_range></report_metadata>\n"
        f"<policy_published><domain>{domain}</domain><adkim>r</adkim><aspf>r</aspf><p>none</p>"
        f"<sp>none</sp><pct>100</pct></policy_published>\n"
        + _records(rng, domain, count, reporter == 0)
        + "</feedback>\n"
    )
    return text.encode()


def generate(folder: Path, count: int, seed: int = 7) -> list[Path]:
    """``count`` reports in ``folder``: Google .zip, Microsoft and Yahoo .xml.gz, others .xml."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    paths = []
    for n in range(count):
        reporter = rng.choice((0, 0, 1, 1, 2, 3))
        domain = rng.choice(_DOMAINS)
        data = _report(rng, n, reporter, start + timedelta(days=n % 300), domain)
        stem = f"r{reporter}!{domain}!{n}"
        if reporter == 0:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(f"{stem}.xml", data)
            path = folder / f"{stem}.zip"
            path.write_bytes(buffer.getvalue())
        elif reporter in (1, 2):
            path = folder / f"{stem}.xml.gz"
            path.write_bytes(gzip.compress(data, mtime=0))
        else:
            path = folder / f"{stem}.xml"
            path.write_bytes(data)
        paths.append(path)
    return paths
