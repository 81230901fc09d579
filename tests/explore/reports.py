"""Small TLS-RPT and DMARC reports written by hand, with their figures, for the explorer tests.

TLS-RPT, policy domain fixture.example (every figure a session count):

| report | day | reporter | sts success | sts failure details | tlsa |
|---|---|---|---|---|---|
| g1 | 03-02 | Google Inc. | 41 | validation-failure at mx1: 3 | - |
| m1 | 03-05 | Microsoft Corporation | 100 | certificate-expired at mx2: 5, 2 undetailed | 100 ok |
| g2 | 03-12 | Google Inc. | 50 | certificate-host-mismatch at mx1: 4 | - |

(days of March 2025)

DMARC, domain fixture.example: google.com on 2025-03-02 (192.0.2.1: 10 passing,
198.51.100.9: 3 failing), microsoft.com on 2025-03-10 (192.0.2.1: 20 passing,
198.51.100.9: 5 failing).
"""

from __future__ import annotations

import json
from pathlib import Path

MX1 = "mx1.fixture.example"
MX2 = "mx2.fixture.example"


def _detail(result: str, mx: str, count: int) -> dict[str, object]:
    return {
        "result-type": result,
        "sending-mta-ip": "192.0.2.10",
        "receiving-ip": "198.51.100.7",
        "receiving-mx-hostname": mx,
        "failed-session-count": count,
    }


def _policy(kind: str, ok: int, failed: int, details: list[dict[str, object]]) -> object:
    policy: dict[str, object] = {"policy-type": kind, "policy-domain": "fixture.example"}
    if kind == "sts":
        policy["policy-string"] = ["version: STSv1", "mode: testing", f"mx: {MX1}", f"mx: {MX2}"]
        policy["mx-host"] = [MX1, MX2]
    return {
        "policy": policy,
        "summary": {"total-successful-session-count": ok, "total-failure-session-count": failed},
        "failure-details": details,
    }


def _tlsrpt(org: str, day: str, policies: list[object]) -> dict[str, object]:
    return {
        "organization-name": org,
        "date-range": {"start-datetime": f"{day}T00:00:00Z", "end-datetime": f"{day}T23:59:59Z"},
        "contact-info": "tlsrpt@reporter.example",
        "report-id": f"{org}-{day}",
        "policies": policies,
    }


def write_tlsrpt(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    reports = {
        "g1": _tlsrpt(
            "Google Inc.",
            "2025-03-02",
            [_policy("sts", 41, 3, [_detail("validation-failure", MX1, 3)])],
        ),
        "m1": _tlsrpt(
            "Microsoft Corporation",
            "2025-03-05",
            [
                _policy("sts", 100, 7, [_detail("certificate-expired", MX2, 5)]),
                _policy("tlsa", 100, 0, []),
            ],
        ),
        "g2": _tlsrpt(
            "Google Inc.",
            "2025-03-12",
            [_policy("sts", 50, 4, [_detail("certificate-host-mismatch", MX1 + ".", 4)])],
        ),
    }
    for name, report in reports.items():
        (folder / f"{name}.json").write_text(json.dumps(report), encoding="utf-8")
    return folder


def _record(ip: str, count: int, passing: bool) -> str:
    verdict = "pass" if passing else "fail"
    signer = "fixture.example" if passing else "spoof.example"
    return f"""<record><row><source_ip>{ip}</source_ip><count>{count}</count>
<policy_evaluated><disposition>none</disposition><dkim>{verdict}</dkim><spf>{verdict}</spf>
</policy_evaluated></row><identifiers><header_from>fixture.example</header_from></identifiers>
<auth_results><dkim><domain>{signer}</domain><selector>fx2025</selector><result>{verdict}</result>
</dkim><spf><domain>{signer}</domain><result>{verdict}</result></spf></auth_results></record>"""


def _dmarc(org: str, email: str, begin: int, records: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feedback><report_metadata><org_name>{org}</org_name><email>{email}</email>
<report_id>{org}-{begin}</report_id><date_range><begin>{begin}</begin><end>{begin + 86399}</end>
</date_range></report_metadata><policy_published><domain>fixture.example</domain><adkim>r</adkim>
<aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct></policy_published>{records}</feedback>
"""


MARCH_2: int = 1740873600  # 2025-03-02T00:00:00Z
MARCH_10: int = MARCH_2 + 8 * 86400


def write_dmarc(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    google = _record("192.0.2.1", 10, True) + _record("198.51.100.9", 3, False)
    microsoft = _record("192.0.2.1", 20, True) + _record("198.51.100.9", 5, False)
    (folder / "google.xml").write_text(
        _dmarc("google.com", "noreply-dmarc-support@google.com", MARCH_2, google)
    )
    (folder / "microsoft.xml").write_text(
        _dmarc("Enterprise Outlook", "dmarcreport@microsoft.com", MARCH_10, microsoft)
    )
    return folder
