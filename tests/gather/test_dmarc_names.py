"""Report-destination names derived from DMARC and TLS-RPT records (pure)."""

from __future__ import annotations

from assessment.gather.dmarc_names import (
    mailto_hosts,
    report_authorization_name,
    tree_walk,
)


def test_mailto_hosts_from_rua_and_ruf() -> None:
    record = (
        "v=DMARC1; p=reject; rua=mailto:a@Reports.Example.net!10m, https://x.test/r; "
        "ruf=mailto:f@good.test"
    )
    assert mailto_hosts(record) == ("reports.example.net", "good.test")
    assert mailto_hosts(record, ("rua",)) == ("reports.example.net",)
    assert mailto_hosts("v=DMARC1; p=none") == ()


def test_authorization_name() -> None:
    assert report_authorization_name("good.test", "vendor.example") == (
        "good.test._report._dmarc.vendor.example"
    )


def test_tree_walk_is_bounded() -> None:
    assert tree_walk("a.b.example.com") == (
        "a.b.example.com",
        "b.example.com",
        "example.com",
        "com",
    )
    long = ".".join("abcdefghij")
    assert len(tree_walk(long)) == 8
