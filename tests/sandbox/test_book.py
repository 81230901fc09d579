"""The consultant's book in the demo sandbox: six fictional clients served by one sandbox run,
each assessment finding what data/demo/README.md says it finds; and the scenario keys that
make it (`book`, a pinned `key`)."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import ssl
from collections.abc import Iterator
from pathlib import Path

import dns.rcode
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from assessment.checks import run_checks
from assessment.clients import load_client
from assessment.gather import gather
from assessment.model import Finding, Severity
from assessment.posture import assess_posture
from assessment.sandbox import Sandbox, ScenarioClient, ScenarioError, demo_scenario_dir

from .test_demo import answer
from .tls_client import client_context, smtp_connect

SLUGS = (
    "brightsmile-dental-care",
    "calder-freight",
    "falkenrath-maschinenbau-gmbh",
    "hartley-finch-solicitors",
    "larkspur-property-management",
    "orchard-lane-bakery",
)
GOOGLE_MX = (
    "aspmx.l.google.com",
    "alt1.aspmx.l.google.com",
    "alt2.aspmx.l.google.com",
    "alt3.aspmx.l.google.com",
    "alt4.aspmx.l.google.com",
)

# What each assessment finds at low severity and above, exactly (data/demo/README.md), and the
# informational codes each domain must also show.
C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
EXPECTED: dict[str, set[tuple[str, Severity]]] = {
    "brightsmiledental.example": {
        ("DKIM_KEY_WEAK", M),
        ("DMARC_POLICY_NONE", M),
        ("MTA_STS_MX_NOT_COVERED", M),
        ("MX_BYPASSES_PROVIDER", M),
        ("TLS_CERT_NAME_MISMATCH", M),
        ("MTA_STS_MODE_TESTING", L),
        ("SPF_SOFTFAIL_ALL", L),
    },
    "brightsmile-dental.example": {("DMARC_PARKED_NOT_REJECTING", M)},
    "hartleyfinch.example": {("DMARC_NO_NP", L)},
    "hartleyfinch-law.example": set(),
    "calderfreight.example": {("MTA_STS_MODE_TESTING", L)},
    "falkenrath.example": {("MTA_STS_MISSING", M)},
    "larkspurpm.example": {
        ("MTA_STS_MX_NOT_COVERED", C),
        ("TLS_CERT_EXPIRED", C),
        ("DMARC_PARTIAL_PCT", M),
        ("MX_BYPASSES_PROVIDER", M),
        ("DMARC_NO_NP", L),
    },
    "orchardlanebakery.example": {
        ("DMARC_MISSING", H),
        ("MTA_STS_MISSING", M),
        ("SPF_SOFTFAIL_ALL", L),
        ("TLS_RPT_MISSING", L),
    },
    "orchardlane.example": {("DOMAIN_NOT_FOUND", H)},
}
INFO: dict[str, set[str]] = {
    "hartleyfinch.example": {"MTA_STS_ENFORCED", "TLS_RPT_OK", "DKIM_KEY_OK", "SPF_OK"},
    "hartleyfinch-law.example": {"NULL_MX_OK"},
    "falkenrath.example": {"DANE_TLSA_OK", "DNSSEC_SIGNED", "TLS_OK", "DKIM_KEY_OK"},
    "larkspurpm.example": {"MTA_STS_ENFORCED"},
    "calderfreight.example": {"DMARC_OK", "TLS_OK"},
}
GRADES = {
    "brightsmile-dental-care": "C",
    "calder-freight": "B",
    "falkenrath-maschinenbau-gmbh": "A",
    "hartley-finch-solicitors": "B",
    "larkspur-property-management": "D",
    "orchard-lane-bakery": "C",
}


@pytest.fixture(scope="module")
def book(demo_sandbox: Sandbox) -> dict[str, tuple[ScenarioClient, tuple[Finding, ...], str]]:
    """Every client of the book gathered and checked once: findings and the client's grade."""
    profile = dataclasses.replace(demo_sandbox.profile, lab=True)
    out = {}
    for client in demo_sandbox.clients:
        evidence = gather(client.name, client.domains, profile, client.dkim_selectors)
        findings = run_checks(evidence)
        posture = assess_posture(evidence, findings)
        out[client.slug] = (client, findings, posture.grade.letter if posture.grade else "-")
    return out


def test_one_sandbox_serves_the_whole_book(demo_sandbox: Sandbox) -> None:
    clients = demo_sandbox.clients
    # The top-level client stays first and unchanged: the demo and its tests rely on it.
    assert clients[0].name == demo_sandbox.client == "Brightsmile Dental Care"
    assert clients[0].domains == demo_sandbox.domains
    assert tuple(sorted(c.slug for c in clients)) == SLUGS
    assert {c.slug: c.country for c in clients} == {
        "brightsmile-dental-care": "GB",
        "calder-freight": "US",
        "falkenrath-maschinenbau-gmbh": "DE",
        "hartley-finch-solicitors": "GB",
        "larkspur-property-management": "CA",
        "orchard-lane-bakery": "AU",
    }
    assert demo_sandbox.book == demo_scenario_dir() / "book"


def test_client_files_are_what_the_portfolio_reads(demo_sandbox: Sandbox) -> None:
    assert demo_sandbox.book is not None
    for client in demo_sandbox.clients:
        config = load_client(demo_sandbox.book, client.name)
        assert config is not None
        assert (config.name, config.domains, config.dkim_selectors, config.country) == (
            client.name,
            client.domains,
            client.dkim_selectors,
            client.country,
        )


@pytest.mark.parametrize("slug", SLUGS)
def test_each_client_finds_what_the_readme_says(
    book: dict[str, tuple[ScenarioClient, tuple[Finding, ...], str]], slug: str
) -> None:
    client, findings, grade = book[slug]
    for domain in client.domains:
        mine = [f for f in findings if f.domain == domain]
        assert not [f for f in mine if f.inconclusive], domain
        found = {(f.code, f.severity) for f in mine if f.severity is not Severity.INFO}
        assert found == EXPECTED[domain], domain
        infos = {f.code for f in mine if f.severity is Severity.INFO}
        assert INFO.get(domain, set()) <= infos, domain
    assert grade == GRADES[slug]


def test_lapsed_domain_does_not_exist(demo_sandbox: Sandbox) -> None:
    assert answer(demo_sandbox, "orchardlane.example", "MX")[0] == dns.rcode.NXDOMAIN
    # The example. zone answers for the whole TLD: other unknown names are NXDOMAIN, not REFUSED.
    assert answer(demo_sandbox, "nothing-here.example", "A")[0] == dns.rcode.NXDOMAIN


@pytest.mark.parametrize("host", GOOGLE_MX)
def test_google_mx_presents_googles_certificate(demo_sandbox: Sandbox, host: str) -> None:
    _, records = answer(demo_sandbox, "hartleyfinch.example", "MX")
    assert f"{host}." in {r.split()[1] for r in records}
    with smtp_connect(demo_sandbox, host) as client:
        client.ehlo("probe.example")
        # Verified against the sandbox CA for the MX name itself, as an MTA-STS sender does.
        assert client.starttls(context=client_context(demo_sandbox))[0] == 220
        der = client.sock.getpeercert(binary_form=True)  # type: ignore[union-attr]
    cert = x509.load_der_x509_certificate(der)
    common = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    assert [a.value for a in common] == ["mx.google.com"]
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    dns_names = names.get_values_for_type(x509.DNSName)
    assert dns_names[0] == "mx.google.com"
    assert set(GOOGLE_MX) <= set(dns_names)


def test_falkenrath_key_matches_its_tlsa_record(demo_sandbox: Sandbox) -> None:
    _, tlsa = answer(demo_sandbox, "_25._tcp.mail.falkenrath.example", "TLSA")
    pinned = {r.split()[3] for r in tlsa if r.startswith("3 1 1 ")}
    assert len(pinned) == 2  # the live key and the next one
    with smtp_connect(demo_sandbox, "mail.falkenrath.example") as client:
        client.ehlo("probe.example")
        client.starttls(context=client_context(demo_sandbox))
        der = client.sock.getpeercert(binary_form=True)  # type: ignore[union-attr]
    spki = (
        x509.load_der_x509_certificate(der)
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    assert hashlib.sha256(spki).hexdigest() in pinned


# ------------------------------------------------------------------ the scenario keys


@pytest.fixture
def scenario_copy(tmp_path: Path) -> Iterator[Path]:
    target = tmp_path / "scenario"
    shutil.copytree(demo_scenario_dir(), target)
    yield target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_scenario_without_a_book_serves_its_one_client(scenario_copy: Path) -> None:
    _edit(scenario_copy / "scenario.toml", 'book = "book"\n', "")
    clients = Sandbox(scenario_copy).clients
    assert [(c.name, c.country) for c in clients] == [("Brightsmile Dental Care", "")]


def test_book_client_with_a_bad_file_is_refused(scenario_copy: Path) -> None:
    path = scenario_copy / "book" / "clients" / "calder-freight" / "client.toml"
    _edit(path, 'country = "US"', 'country = "USA"')
    with pytest.raises(ScenarioError, match="country must be a two-letter"):
        Sandbox(scenario_copy)


def test_book_must_agree_with_the_top_level_client(scenario_copy: Path) -> None:
    path = scenario_copy / "book" / "clients" / "brightsmile-dental-care" / "client.toml"
    _edit(path, ', "brightsmile-dental.example"', "")
    with pytest.raises(ScenarioError, match="other domains than the top-level"):
        Sandbox(scenario_copy)


def test_empty_book_is_refused(scenario_copy: Path) -> None:
    shutil.rmtree(scenario_copy / "book" / "clients")
    with pytest.raises(ScenarioError, match="holds no clients"):
        Sandbox(scenario_copy)


def test_pinned_key_must_be_a_key(scenario_copy: Path) -> None:
    (scenario_copy / "keys" / "mail.falkenrath.example.pem").write_text("not a key\n")
    with pytest.raises(ScenarioError, match="not a readable PEM private key"):
        Sandbox(scenario_copy)


def test_pinned_key_needs_a_kind_the_ca_issues(scenario_copy: Path) -> None:
    _edit(
        scenario_copy / "scenario.toml",
        'key = "keys/mail.falkenrath.example.pem"',
        'key = "keys/mail.falkenrath.example.pem"\ncert = "selfsigned"',
    )
    with pytest.raises(ScenarioError, match="makes its own key"):
        Sandbox(scenario_copy)


def test_pinned_key_survives_a_restart(scenario_copy: Path) -> None:
    """Two sandbox runs, two CAs, one public key: what lets a zone file pin it."""
    keys = []
    for _ in range(2):
        with Sandbox(scenario_copy) as running:
            ctx = ssl.create_default_context(cafile=str(running.ca_bundle_path))
            with smtp_connect(running, "mail.falkenrath.example") as client:
                client.ehlo("probe.example")
                client.starttls(context=ctx)
                der = client.sock.getpeercert(binary_form=True)  # type: ignore[union-attr]
            keys.append(x509.load_der_x509_certificate(der).public_key())
    first, second = (
        k.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        for k in keys
    )
    assert first == second
