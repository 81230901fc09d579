"""Which instruments a client's notes show, by country and opt-in."""

from __future__ import annotations

from assessment.readiness.instruments import DELIVERABILITY, FEDERAL, INSURANCE
from assessment.readiness.selection import REGIONS, known_opt_ins, select_instruments


def keys(country: str = "", *opt: str) -> frozenset[str]:
    return select_instruments(country, opt).keys


def test_uk_gets_ncsc_insurers_and_the_cyber_essentials_statement() -> None:
    sel = select_instruments("GB")
    assert {"ncsc", *INSURANCE, *DELIVERABILITY} == set(sel.keys)
    assert [i.key for i in sel.statements] == ["cyber-essentials"]
    assert {"pci", "govuk", "cis", "nist"} == {i.key for i in sel.available}
    assert "United Kingdom" in sel.basis
    # Not the Australian ISM, not US federal directives.
    assert not sel.keys & {"ism", *FEDERAL}


def test_uk_alias_and_lower_case() -> None:
    assert keys("UK") == keys("GB") == keys("gb")


def test_us_gets_cis_nist_pci_and_no_federal_directive_by_default() -> None:
    sel = select_instruments("US")
    assert {"cis", "nist", "pci", *INSURANCE} <= sel.keys
    assert not sel.keys & set(FEDERAL)
    assert set(FEDERAL) <= {i.key for i in sel.available}


def test_federal_instruments_only_when_opted_in() -> None:
    assert set(FEDERAL) <= keys("US", "us-federal")
    assert set(FEDERAL) <= keys("GB", "federal")
    for code in (*REGIONS, ""):
        assert not keys(code) & set(FEDERAL), code


def test_australia_gets_the_ism_with_the_essential_eight_caveat() -> None:
    sel = select_instruments("AU")
    assert "ism" in sel.keys
    assert [i.key for i in sel.statements] == ["essential-eight"]
    assert "cis" not in sel.keys and "cis" in {i.key for i in sel.available}


def test_germany_and_canada() -> None:
    assert {"bsi-tr03108", "bsi-grundschutz", "cis"} <= keys("DE")
    assert "cccs" in keys("CA")


def test_no_country_uses_the_neutral_set_and_says_so() -> None:
    sel = select_instruments("")
    assert {*INSURANCE, "cis", *DELIVERABILITY} == set(sel.keys)
    assert "No country is set" in sel.basis and "neutral set" in sel.basis


def test_unknown_country_uses_the_neutral_set_and_names_it() -> None:
    sel = select_instruments("FR")
    assert sel.keys == keys("")
    assert "FR" in sel.basis


def test_bulk_sender_rules_are_shown_everywhere() -> None:
    for code in (*REGIONS, "", "FR"):
        assert set(DELIVERABILITY) <= keys(code), code


def test_opt_ins_add_regions_groups_and_instruments() -> None:
    assert "ism" in keys("GB", "au")
    assert "pci" in keys("GB", "pci")
    sel = select_instruments("GB", ["au"])
    assert "essential-eight" in {i.key for i in sel.statements}
    assert "Added at the client's request: au" in sel.basis


def test_unknown_opt_in_is_reported_not_swallowed() -> None:
    sel = select_instruments("GB", ["pci", "hipaa"])
    assert sel.unknown == ("hipaa",)
    assert "pci" in sel.keys


def test_known_opt_ins_cover_regions_groups_and_instruments() -> None:
    names = known_opt_ins()
    assert {"us", "gb", "uk", "au", "us-federal", "insurance", "pci", "ncsc"} <= set(names)
    for name in names:
        assert select_instruments("", [name]).unknown == (), name
