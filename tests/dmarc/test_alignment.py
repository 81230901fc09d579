"""Identifier alignment (RFC 7489 §3.1): relaxed and strict, subdomains, the Public Suffix List."""

from __future__ import annotations

import pytest

from assessment.dmarc.alignment import aligned, org_domain, within


@pytest.mark.parametrize(
    ("case", "identifier", "header_from", "mode", "expected"),
    [
        ("same name, relaxed", "example.com", "example.com", "r", True),
        ("same name, strict", "example.com", "example.com", "s", True),
        ("signer is a subdomain, relaxed", "mail.example.com", "example.com", "r", True),
        ("signer is a subdomain, strict", "mail.example.com", "example.com", "s", False),
        ("From is a subdomain, relaxed", "example.com", "news.example.com", "r", True),
        ("From is a subdomain, strict", "example.com", "news.example.com", "s", False),
        ("sibling subdomains, relaxed", "a.example.com", "b.example.com", "r", True),
        ("sibling subdomains, strict", "a.example.com", "b.example.com", "s", False),
        ("different domains", "example.net", "example.com", "r", False),
        ("lookalike suffix", "badexample.com", "example.com", "r", False),
        ("two-label public suffix", "mail.client.co.uk", "client.co.uk", "r", True),
        ("two organisations under co.uk", "other.co.uk", "client.co.uk", "r", False),
        ("private PSL section: github.io users", "alice.github.io", "bob.github.io", "r", False),
        ("same github.io user", "www.alice.github.io", "alice.github.io", "r", True),
        ("From is a public suffix itself", "client.co.uk", "co.uk", "r", False),
        ("case and trailing dot", "Mail.Example.COM.", "example.com", "r", True),
        ("empty identifier", "", "example.com", "r", False),
        ("empty From", "example.com", "", "r", False),
        ("unknown mode reads as relaxed", "mail.example.com", "example.com", "x", True),
        ("ESP bounce domain", "mail12.suw13.mcdlv.net", "client.example", "r", False),
        ("deep subdomain, relaxed", "a.b.c.example.org", "example.org", "r", True),
    ],
)
def test_alignment(case: str, identifier: str, header_from: str, mode: str, expected: bool) -> None:
    assert aligned(identifier, header_from, mode) is expected, case


def test_organizational_domains() -> None:
    assert org_domain("a.b.example.co.uk") == "example.co.uk"
    assert org_domain("example.com") == "example.com"
    assert org_domain("co.uk") == "co.uk"


def test_within_policy_domain() -> None:
    assert within("client.example", "client.example")
    assert within("news.client.example", "client.example")
    assert not within("badclient.example", "client.example")
    assert not within("", "client.example")
