"""The demo client's sandbox serves the story the demo report tells."""

from __future__ import annotations

import base64
import shutil
import smtplib
import ssl
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from assessment.sandbox import Sandbox, demo_scenario_dir
from assessment.sandbox.scenario import ScenarioError, load_scenario

from .tls_client import client_context, https_get, smtp_connect

DOMAIN = "brightsmiledental.example"
PARKED = "brightsmile-dental.example"


def answer(sandbox: Sandbox, name: str, rdtype: str) -> tuple[int, list[str]]:
    query = dns.message.make_query(name, rdtype)
    response = dns.query.tcp(query, "127.0.0.1", port=sandbox.dns_port, timeout=2)
    texts = [
        b"".join(rdata.strings).decode()
        if rdtype == "TXT" and rrset.rdtype == 16
        else rdata.to_text()
        for rrset in response.answer
        for rdata in rrset
    ]
    return response.rcode(), texts


def test_demo_dir_and_metadata(demo_sandbox: Sandbox) -> None:
    assert (demo_scenario_dir() / "scenario.toml").is_file()
    assert demo_sandbox.client == "Brightsmile Dental Care"
    assert demo_sandbox.domains == (DOMAIN, PARKED)
    assert demo_sandbox.dkim_selectors == ("selector1", "selector2")


def test_main_domain_records(demo_sandbox: Sandbox) -> None:
    _, mx = answer(demo_sandbox, DOMAIN, "MX")
    assert sorted(mx) == [
        "10 brightsmiledental-example.mail.protection.outlook.com.",
        "20 backup-mx.harbourit.example.",
    ]
    _, txt = answer(demo_sandbox, DOMAIN, "TXT")
    assert "v=spf1 include:spf.protection.outlook.com include:servers.mcsv.net ~all" in txt
    _, dmarc = answer(demo_sandbox, f"_dmarc.{DOMAIN}", "TXT")
    assert dmarc == ["v=DMARC1; p=none; rua=mailto:dmarc@brightsmiledental.example; fo=1"]
    _, sts = answer(demo_sandbox, f"_mta-sts.{DOMAIN}", "TXT")
    assert sts == ["v=STSv1; id=20261015T090000;"]
    _, rpt = answer(demo_sandbox, f"_smtp._tls.{DOMAIN}", "TXT")
    assert rpt == ["v=TLSRPTv1; rua=mailto:tlsrpt@brightsmiledental.example"]


def _spf_lookups(sandbox: Sandbox, name: str) -> int:
    _, txt = answer(sandbox, name, "TXT")
    (record,) = [t for t in txt if t.startswith("v=spf1 ")]
    count = 0
    for term in record.split()[1:]:
        if term.lstrip("+-~?").startswith("include:"):
            count += 1 + _spf_lookups(sandbox, term.split(":", 1)[1])
    return count


def test_spf_lookup_count_is_realistic(demo_sandbox: Sandbox) -> None:
    assert 5 <= _spf_lookups(demo_sandbox, DOMAIN) <= 8


@pytest.mark.parametrize(("selector", "bits"), [("selector1", 2048), ("selector2", 1024)])
def test_dkim_keys_via_cname(demo_sandbox: Sandbox, selector: str, bits: int) -> None:
    _, texts = answer(demo_sandbox, f"{selector}._domainkey.{DOMAIN}", "TXT")
    assert texts[0] == (
        f"{selector}-brightsmiledental-example._domainkey.brightsmiledental.onmicrosoft.com."
    )
    tags = dict(part.strip().split("=", 1) for part in texts[1].split(";"))
    key = load_der_public_key(base64.b64decode(tags["p"]))
    assert isinstance(key, rsa.RSAPublicKey)
    assert key.key_size == bits


def test_parked_domain(demo_sandbox: Sandbox) -> None:
    assert answer(demo_sandbox, PARKED, "MX")[1] == ["0 ."]
    assert "v=spf1 -all" in answer(demo_sandbox, PARKED, "TXT")[1]
    assert answer(demo_sandbox, f"_dmarc.{PARKED}", "TXT")[0] == dns.rcode.NXDOMAIN


def test_policy_misses_backup_mx(demo_sandbox: Sandbox) -> None:
    fetched = https_get(demo_sandbox, f"mta-sts.{DOMAIN}")
    assert fetched.status == 200
    lines = fetched.body.decode().splitlines()
    assert "mode: testing" in lines
    assert [line for line in lines if line.startswith("mx:")] == [
        "mx: *.mail.protection.outlook.com"
    ]


def test_microsoft_mx_is_valid(demo_sandbox: Sandbox) -> None:
    with smtp_connect(demo_sandbox, "brightsmiledental-example.mail.protection.outlook.com") as c:
        c.ehlo("probe.test")
        assert c.starttls(context=client_context(demo_sandbox))[0] == 220


def test_backup_mx_has_wrong_host_certificate(demo_sandbox: Sandbox) -> None:
    with smtp_connect(demo_sandbox, "backup-mx.harbourit.example") as client:
        client.ehlo("probe.test")
        with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
            client.starttls(context=client_context(demo_sandbox))


def test_demo_servers_read_like_the_internet_not_a_lab(demo_sandbox: Sandbox) -> None:
    # The report quotes banners and certificate issuers: a demo that says "sandbox" or
    # "Testing CA" reads like a test lab. Chains still verify against the sandbox root alone.
    mx = "brightsmiledental-example.mail.protection.outlook.com"
    client = smtplib.SMTP(timeout=3)
    with client:
        code, banner = client.connect(demo_sandbox.addresses(mx)[0], demo_sandbox.smtp_port)
        client._host = mx  # type: ignore[attr-defined]  # SNI: the MX name, as an MTA sends
        assert (code, banner) == (220, f"{mx} Microsoft ESMTP MAIL Service ready".encode())
        client.ehlo("probe.test")
        client.starttls(context=client_context(demo_sandbox))
        der = client.sock.getpeercert(binary_form=True)  # type: ignore[union-attr]
    issuer = x509.load_der_x509_certificate(der).issuer.rfc4514_string()
    assert "Example Cloud Services CA" in issuer
    assert "sandbox" not in issuer.lower() and "Testing CA" not in issuer
    fetched = https_get(demo_sandbox, f"mta-sts.{DOMAIN}")
    assert "Example Trust Services" in fetched.cert.issuer.rfc4514_string()
    backup = smtplib.SMTP(timeout=3)
    with backup:
        code, banner = backup.connect(
            demo_sandbox.addresses("backup-mx.harbourit.example")[0], demo_sandbox.smtp_port
        )
        assert banner == b"backup-mx.harbourit.example ESMTP Postfix"


def test_scenario_banner_must_be_one_printable_line(tmp_path: Path) -> None:
    shutil.copytree(demo_scenario_dir(), tmp_path / "s")
    scenario = tmp_path / "s" / "scenario.toml"
    text = scenario.read_text().replace('banner = "ESMTP Postfix"', 'banner = "a\\r\\n250 b"')
    scenario.write_text(text)
    with pytest.raises(ScenarioError, match=r"backup-mx\.harbourit\.example\.banner"):
        load_scenario(tmp_path / "s")
