"""Deterministic synthetic TLS-RPT reports in the shapes real reporters send.

Google (compact, mx-host array, failure-details omitted on success), Microsoft
(sts + tlsa blocks, TLSA JSON-array quirk, no mx-host), Mail.ru (next-midnight end,
Go error strings, inconsistent counts) and Stalwart (null contact, empty arrays).
"""

from __future__ import annotations

import gzip
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

_DOMAINS = [f"client{n}.example" for n in range(40)]
_RESULTS = [
    "certificate-expired",
    "certificate-host-mismatch",
    "validation-failure",
    "starttls-not-supported",
    "sts-policy-fetch-error",
]


def _sts_strings(domain: str) -> list[str]:
    return ["version: STSv1", "mode: testing", f"mx: mx1.{domain}", "max_age: 604800"]


def _failures(rng: random.Random, domain: str, count: int) -> list[dict[str, Any]]:
    return [
        {
            "result-type": rng.choice(_RESULTS),
            "sending-mta-ip": f"192.0.2.{rng.randrange(1, 250)}",
            "receiving-ip": f"198.51.100.{rng.randrange(1, 250)}",
            "receiving-mx-hostname": f"mx{rng.randrange(1, 3)}.{domain}",
            "failed-session-count": rng.randrange(1, 20),
        }
        for _ in range(count)
    ]


def google(rng: random.Random, n: int, day: datetime, domain: str) -> dict[str, Any]:
    policy: dict[str, Any] = {
        "policy": {
            "policy-type": "sts",
            "policy-string": _sts_strings(domain),
            "policy-domain": domain,
            "mx-host": [f"mx1.{domain}"],
        },
        "summary": {"total-successful-session-count": rng.randrange(0, 500)},
    }
    if rng.random() < 0.3:
        details = _failures(rng, domain, rng.randrange(1, 4))
        policy["failure-details"] = details
        failed = sum(d["failed-session-count"] for d in details)
    else:
        failed = 0
    policy["summary"]["total-failure-session-count"] = failed
    return {
        "organization-name": "Google Inc.",
        "date-range": {
            "start-datetime": day.strftime("%Y-%m-%dT00:00:00Z"),
            "end-datetime": day.strftime("%Y-%m-%dT23:59:59Z"),
        },
        "contact-info": "smtp-tls-reporting@google.com",
        "report-id": f"{day:%Y-%m-%dT00:00:00Z}_{domain}_{n}",
        "policies": [policy],
    }


def microsoft(rng: random.Random, n: int, day: datetime, domain: str) -> dict[str, Any]:
    ok = rng.randrange(0, 300)
    tlsa = json.dumps([f"3 1 1 {rng.getrandbits(256):064X}" for _ in range(2)])
    return {
        "organization-name": "Microsoft Corporation",
        "date-range": {
            "start-datetime": day.strftime("%Y-%m-%dT00:00:00Z"),
            "end-datetime": day.strftime("%Y-%m-%dT23:59:59Z"),
        },
        "contact-info": "tlsrpt-noreply@microsoft.com",
        "report-id": f"{133000000000000000 + n}+{domain}",
        "policies": [
            {
                "policy": {
                    "policy-type": "sts",
                    "policy-string": _sts_strings(domain),
                    "policy-domain": domain,
                },
                "summary": {
                    "total-successful-session-count": ok,
                    "total-failure-session-count": 0,
                },
            },
            {
                "policy": {"policy-type": "tlsa", "policy-string": [tlsa], "policy-domain": domain},
                "summary": {
                    "total-successful-session-count": ok,
                    "total-failure-session-count": 0,
                },
            },
        ],
    }


def mailru(rng: random.Random, n: int, day: datetime, domain: str) -> dict[str, Any]:
    details = [
        {
            "failed-session-count": rng.randrange(1, 4),
            "failure-reason-code": "bad https response code: 404",
            "result-type": "sts-policy-fetch-error",
        }
        for _ in range(rng.randrange(1, 3))
    ]
    return {
        "contact-info": "tls_support@corp.mail.ru",
        "date-range": {
            "end-datetime": (day + timedelta(days=1)).strftime("%Y-%m-%dT00:00:00Z"),
            "start-datetime": day.strftime("%Y-%m-%dT00:00:00Z"),
        },
        "organization-name": "Mail.ru",
        "policies": [
            {
                "failure-details": details,
                "policy": {"policy-domain": domain, "policy-type": "sts"},
                "summary": {
                    "total-failure-session-count": 1,
                    "total-successful-session-count": 0,
                },
            }
        ],
        "report-id": f"{rng.getrandbits(128):032x}-{n}@mail.ru",
    }


def stalwart(rng: random.Random, n: int, day: datetime, domain: str) -> dict[str, Any]:
    return {
        "organization-name": f"mx.reporter{n % 7}.example",
        "date-range": {
            "start-datetime": day.strftime("%Y-%m-%dT00:00:00Z"),
            "end-datetime": (day + timedelta(days=1)).strftime("%Y-%m-%dT00:00:00Z"),
        },
        "contact-info": None,
        "report-id": f"{int(day.timestamp())}_{rng.getrandbits(63)}_{n}",
        "policies": [
            {
                "policy": {
                    "policy-type": "no-policy-found",
                    "policy-string": [],
                    "policy-domain": domain,
                    "mx-host": [],
                },
                "summary": {
                    "total-successful-session-count": rng.randrange(1, 9),
                    "total-failure-session-count": 0,
                },
                "failure-details": [],
            }
        ],
    }


_STYLES = (google, google, microsoft, mailru, stalwart)


def generate(folder: Path, count: int, seed: int = 8460) -> list[Path]:
    """Write ``count`` reports (about a third gzip'd) and return their paths, sorted."""
    rng = random.Random(seed)
    first_day = datetime(2025, 1, 1, tzinfo=UTC)
    paths: list[Path] = []
    for n in range(count):
        style = _STYLES[n % len(_STYLES)]
        day = first_day + timedelta(days=rng.randrange(0, 365))
        document = style(rng, n, day, rng.choice(_DOMAINS))
        body = json.dumps(document, separators=(",", ":")).encode()
        sub = folder / f"{n // 1000:04d}"
        sub.mkdir(parents=True, exist_ok=True)
        if n % 3 == 0:
            path = sub / f"{style.__name__}-{n:07d}.json.gz"
            path.write_bytes(gzip.compress(body, mtime=0))
        else:
            path = sub / f"{style.__name__}-{n:07d}.json"
            path.write_bytes(body)
        paths.append(path)
    return sorted(paths)


def generate_failure_heavy(folder: Path, failure_rows: int, per_report: int = 200) -> list[Path]:
    """Reports with ``per_report`` failure details each, ``failure_rows`` details in all.

    For timing ``TlsRptStore.frames()`` on a store of a million failure rows without
    generating a million small reports: Google-style, one sts policy block each.
    """
    rng = random.Random(6241)
    first_day = datetime(2025, 1, 1, tzinfo=UTC)
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for n in range(-(-failure_rows // per_report)):
        count = min(per_report, failure_rows - n * per_report)
        day = first_day + timedelta(days=n % 365)
        domain = _DOMAINS[n % len(_DOMAINS)]
        document = google(rng, n, day, domain)
        details = _failures(rng, domain, count)
        policy = document["policies"][0]
        policy["failure-details"] = details
        policy["summary"]["total-failure-session-count"] = sum(
            d["failed-session-count"] for d in details
        )
        path = folder / f"heavy-{n:06d}.json.gz"
        path.write_bytes(gzip.compress(json.dumps(document).encode(), 1, mtime=0))
        paths.append(path)
    return paths
