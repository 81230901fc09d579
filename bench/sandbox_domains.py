"""Generate a sandbox scenario of N fictional domains for the gather benchmarks.

The domains look like a consultant's book: a third on a shared hosted-mail provider (MX,
SPF include, policy patterns), the others on their own one or two MX hosts; SPF with one to
three includes, some nested and shared with a bulk mailer; DMARC at p=none/quarantine/reject
with reports to an external receiver that authorises them; MTA-STS in testing or enforce with
its own policy host; TLS-RPT; a DKIM key. Every MX and policy host has its own loopback
address, so per-address politeness limits never serialise different domains.

`planted_timeout=True` adds `stalled.bench.test`, whose SPF include and DKIM selector never
answer: the timeout it costs must be paid once, not once per step that depends on it.

Usage: `python bench/sandbox_domains.py OUT_DIR COUNT` (the benchmark calls `write_scenario`).
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

BASE = "bench.test"
PROVIDER = f"provider.{BASE}"
MAILER = f"mailer.{BASE}"
REPORTS = f"reports.{BASE}"
STALLED = f"stalled.{BASE}"
PROVIDER_MX = (f"mx1.{PROVIDER}", f"mx2.{PROVIDER}")


def domain_name(index: int) -> str:
    return f"shop{index:04d}.{BASE}"


class _Addresses:
    """Loopback addresses handed out in order: 127.20.0.1, 127.20.0.2, ..."""

    def __init__(self) -> None:
        self.count = 0

    def next(self) -> str:
        n = self.count
        self.count += 1
        return f"127.{20 + n // 62500}.{(n // 250) % 250}.{n % 250 + 1}"


def _dkim_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    text = base64.b64encode(der).decode()
    # Zone files cap one character-string at 255 octets: split the record.
    return " ".join(f'"{text[i : i + 200]}"' for i in range(0, len(text), 200))


def _zone(origin: str, lines: list[str]) -> str:
    head = [
        f"$ORIGIN {origin}.",
        "$TTL 300",
        f"@\tIN SOA ns1.{origin}. hostmaster.{origin}. 2026101501 3600 600 1209600 300",
        f"@\tIN NS ns1.{origin}.",
        "ns1\tIN A 192.0.2.53",
    ]
    return "\n".join([*head, *lines]) + "\n"


def _domain(index: int, addresses: _Addresses, key: str, toml: list[str]) -> str:
    name = domain_name(index)
    kind = index % 3
    lines: list[str] = []
    if kind == 0:
        mx = list(PROVIDER_MX)
        lines += [f"@\tIN MX {10 * (n + 1)} {host}." for n, host in enumerate(mx)]
    else:
        mx = [f"mx.{name}"] if kind == 1 else [f"mx1.{name}", f"mx2.{name}"]
        for n, host in enumerate(mx):
            lines += [f"@\tIN MX {10 * (n + 1)} {host}.", f"{host}.\tIN A {addresses.next()}"]
            toml.append(f'[smtp."{host}"]')
    includes = [f"_spf.{PROVIDER}"] if kind == 0 else []
    if index % 2 == 0:
        includes.append(f"spf.{MAILER}")
    if index % 5 == 0:
        includes.append(f"_spf2.{MAILER}")
    spf = " ".join(["v=spf1", *(f"include:{i}" for i in includes), "mx" if kind else "", "-all"])
    policy = ("none", "quarantine", "reject")[index % 3]
    rua = f"mailto:dmarc@{REPORTS}" if index % 4 else f"mailto:dmarc@{name}"
    mode = "enforce" if index % 2 else "testing"
    lines += [
        f'@\tIN TXT "{" ".join(spf.split())}"',
        f'_dmarc\tIN TXT "v=DMARC1; p={policy}; rua={rua}"',
        f'_mta-sts\tIN TXT "v=STSv1; id=2026{index:04d}"',
        f'_smtp._tls\tIN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@{REPORTS}"',
        f"s1._domainkey\tIN TXT ( {key} )",
        f"mta-sts\tIN A {addresses.next()}",
    ]
    policy_text = "\\n".join(
        ["version: STSv1", f"mode: {mode}", *(f"mx: {h}" for h in mx), "max_age: 604800"]
    )
    toml += [f'[https."mta-sts.{name}"]', f'policy_text = "{policy_text}\\n"']
    return _zone(name, lines)


def _shared_zones(addresses: _Addresses, toml: list[str]) -> dict[str, str]:
    provider = [f"{host}.\tIN A {addresses.next()}" for host in PROVIDER_MX]
    toml += [f'[smtp."{host}"]' for host in PROVIDER_MX]
    return {
        BASE: _zone(BASE, []),
        PROVIDER: _zone(
            PROVIDER,
            [
                *provider,
                f'_spf\tIN TXT "v=spf1 include:_netblocks.{PROVIDER} ~all"',
                '_netblocks\tIN TXT "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8:100::/48 ~all"',
            ],
        ),
        MAILER: _zone(
            MAILER,
            [
                'spf\tIN TXT "v=spf1 ip4:203.0.113.0/25 ~all"',
                f'_spf2\tIN TXT "v=spf1 include:_spf3.{MAILER} ~all"',
                '_spf3\tIN TXT "v=spf1 ip4:203.0.113.128/25 ~all"',
            ],
        ),
        REPORTS: _zone(REPORTS, ['*._report._dmarc\tIN TXT "v=DMARC1;"', "@\tIN MX 10 mx1.x."]),
    }


def _stalled(addresses: _Addresses, key: str, toml: list[str]) -> str:
    toml += [
        "[[dns.rules]]",
        f'name = "_spf.{STALLED}"',
        'behaviour = "timeout"',
        "[[dns.rules]]",
        f'name = "s1._domainkey.{STALLED}"',
        'behaviour = "timeout"',
    ]
    host = f"mx.{STALLED}"
    toml.append(f'[smtp."{host}"]')
    return _zone(
        STALLED,
        [
            f"@\tIN MX 10 {host}.",
            f"{host}.\tIN A {addresses.next()}",
            f'@\tIN TXT "v=spf1 include:_spf.{STALLED} include:spf.{MAILER} -all"',
            f'_dmarc\tIN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@{STALLED}"',
            '_spf\tIN TXT "v=spf1 ip4:192.0.2.0/24 -all"',
            f"s1._domainkey\tIN TXT ( {key} )",
        ],
    )


def write_scenario(folder: Path, count: int, *, planted_timeout: bool = False) -> list[str]:
    """Write `folder/scenario.toml` and `folder/zones/`; return the domains in order."""
    zones = folder / "zones"
    zones.mkdir(parents=True, exist_ok=True)
    addresses = _Addresses()
    key = _dkim_key()
    tables: list[str] = []
    for origin, text in _shared_zones(addresses, tables).items():
        (zones / f"{origin}.zone").write_text(text)
    domains = [domain_name(i) for i in range(count)]
    for index, name in enumerate(domains):
        (zones / f"{name}.zone").write_text(_domain(index, addresses, key, tables))
    rules: list[str] = []
    if planted_timeout:
        (zones / f"{STALLED}.zone").write_text(_stalled(addresses, key, rules))
        domains.append(STALLED)
    listed = ", ".join(f'"{d}"' for d in domains)
    head = [
        'client = "Benchmark book"',
        f"domains = [{listed}]",
        'dkim_selectors = ["s1"]',
        "",
        "[dns]",
        *rules,
        "",
    ]
    (folder / "scenario.toml").write_text("\n".join([*head, *tables]) + "\n")
    return domains


if __name__ == "__main__":
    out = Path(sys.argv[1])
    made = write_scenario(out, int(sys.argv[2]), planted_timeout=True)
    print(f"{len(made)} domains written to {out}")
