"""The curated service table: recognition by DKIM domain, bounce domain and selector."""

from __future__ import annotations

import re

import pytest

from assessment.dmarc.services import (
    SERVICES,
    by_dkim_domain,
    by_selector,
    by_spf_domain,
    tenant_from,
)


@pytest.mark.parametrize(
    ("domain", "service"),
    [
        ("mcsv.net", "mailchimp"),
        ("mail12.suw13.mcdlv.net", "mailchimp"),
        ("brightsmiledental.onmicrosoft.com", "microsoft365"),
        ("client-example.20230601.gappssmtp.com", "google_workspace"),
        ("sendgrid.net", "sendgrid"),
        ("eu-west-1.amazonses.com", "amazon_ses"),
        ("pm.mtasv.net", "postmark"),
        ("hubspotemail.net", "hubspot"),
        ("zendesk.com", "zendesk"),
    ],
)
def test_own_signing_domains(domain: str, service: str) -> None:
    found = by_dkim_domain(domain)
    assert found is not None and found.id == service


def test_unknown_and_lookalike_domains_are_not_services() -> None:
    assert by_dkim_domain("client.example") is None
    assert by_dkim_domain("notmcsv.net") is None
    assert by_spf_domain("mcsv.net.evil.example") is None


@pytest.mark.parametrize(
    ("selector", "service"),
    [
        ("selector1", "microsoft365"),
        ("k2", "mailchimp"),
        ("K3", "mailchimp"),
        ("s1", "sendgrid"),
        ("20230601123456pm", "postmark"),
        ("scph0324", "sparkpost"),
        ("hs1-12345678", "hubspot"),
        ("zendesk2", "zendesk"),
        ("google", "google_workspace"),
        ("abcdefghijklmnopqrstuvwxyz012345", "amazon_ses"),
    ],
)
def test_documented_selectors(selector: str, service: str) -> None:
    found = by_selector(selector)
    assert found is not None and found.id == service


def test_arbitrary_selectors_are_not_attributed() -> None:
    assert by_selector("default") is None
    assert by_selector("mail2024") is None
    assert by_selector("selector3") is None


def test_every_service_is_documented_and_fixable() -> None:
    assert len({s.id for s in SERVICES}) == len(SERVICES)
    for service in SERVICES:
        assert service.docs, service.id
        assert "{domain}" in service.dkim_fix or service.dkim_fix == "", service.id
        for record in service.dkim_records:
            assert re.fullmatch(r"\S+\._domainkey\.\{domain\}\. IN CNAME \S+\.", record), record
        if service.selectors:
            re.compile(service.selectors)


def test_tenant_from_signing_domains() -> None:
    assert tenant_from(("client.example", "client.onmicrosoft.com")) == "client.onmicrosoft.com"
    assert tenant_from(("client.example",)) == ""
