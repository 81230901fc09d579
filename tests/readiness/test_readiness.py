"""The assembled notes: country selection applied, statuses consistent from domains to items to
sections, facts per domain only where domains differ, the report hooks (TLS-RPT verdicts, DMARC
report verdicts) and the view the report prints."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import pytest

from assessment.model import Severity
from assessment.readiness import EvidenceStatus, ItemResult, Readiness, assess_readiness, combine
from assessment.readiness.selection import REGIONS
from assessment.report.readiness_view import readiness_section
from assessment.tlsrpt.gate import EnforceStatus, EnforceVerdict

from .conftest import SCENARIO, Gathered
from .test_sources import undeclared_ids

S = EvidenceStatus


def item(readiness: Readiness, key: str) -> ItemResult:
    return next(i for s in readiness.sections for i in s.items if i.item.key == key)


def keys(readiness: Readiness) -> set[str]:
    return {i.item.key for s in readiness.sections for i in s.items}


# ----------------------------------------------------------------------------- the demo


def test_demo_uk_states_facts_not_verdicts(demo: Gathered) -> None:
    r = assess_readiness(demo.evidence, demo.findings, country="GB")
    dmarc = item(r, "E08")
    # A record exists on the main domain: never "not in place" as a whole.
    assert dmarc.status is S.PARTLY
    facts = {f.domains: (f.status, f.text) for f in dmarc.facts}
    assert facts[("brightsmiledental.example",)] == (
        S.IN_PLACE,
        "DMARC published, monitoring only (`p=none`).",
    )
    assert facts[("brightsmile-dental.example",)] == (S.NOT_IN_PLACE, "No DMARC record.")
    assert "DMARC_POLICY_NONE" in dmarc.codes
    assert item(r, "E09").status is S.PARTLY
    spf = {f.domains: f.text for f in item(r, "E02").facts}
    assert spf[("brightsmiledental.example",)] == "SPF published, ends in `~all` (soft fail)."
    dkim = item(r, "E06")
    assert dkim.status is S.PARTLY and "`selector2` (1024-bit, weak)" in dkim.facts[0].text
    assert "MTA-STS in testing mode" in item(r, "E14").facts[0].text
    # Only the UK instruments are cited; the bulk-sender rules are the deliverability lens.
    cited = {c for s in r.sections for i in s.items for c in i.citations}
    assert {"TMHCC §6c", "NCSC", "Cork RS7", "Gmail"} <= cited
    assert not [c for c in cited if re.match(r"ISM-|BOD|SCuBA|CIS|PCI", c)]
    assert [i.key for i in r.selection.statements] == ["cyber-essentials"]
    # The deliverability lens accepts p=none: the same record is in place there.
    assert item(r, "D2").status is S.IN_PLACE
    assert item(r, "E13").status is S.CONFIRM


def test_demo_parked_domain_counts_for_spoofing_not_delivery(demo: Gathered) -> None:
    r = assess_readiness(demo.evidence, demo.findings, country="GB")
    parked = item(r, "E05")
    assert parked.facts[0].domains == ("brightsmile-dental.example",)
    assert "DMARC `p=reject` is missing" in parked.facts[0].text
    for key in ("D1", "D2", "E13"):
        assert all("brightsmile-dental.example" not in f.domains for f in item(r, key).facts)


def test_demo_confirmations_say_what_could_be_seen(demo: Gathered) -> None:
    r = assess_readiness(demo.evidence, demo.findings, country="GB")
    seen = {c.confirmation.key: c.seen for c in r.confirmations}
    assert "`servers.mcsv.net`" in seen["dkim-all-senders"]
    assert "`dmarc@brightsmiledental.example`" in seen["dmarc-reports"]
    assert "Microsoft 365" in seen["mfa"]
    screening = seen["screening"]
    # Who runs a host is said per host: the backup MX is not Microsoft's.
    assert "brightsmiledental-example.mail.protection.outlook.com is Microsoft 365" in screening
    assert "backup-mx.harbourit.example is not a filtering service we recognise" in screening
    # PCI DSS is opt-in for the UK: its training question is not listed.
    assert "training" not in seen


# ----------------------------------------------------------------------------- consistency


@pytest.mark.parametrize("country", [*REGIONS, ""])
def test_every_section_and_item_agrees_with_its_parts(scenario: Gathered, country: str) -> None:
    names = [d for d in SCENARIO if d != "nosuch.test"]
    for start in range(0, len(names), 7):
        evidence = scenario.only(*names[start : start + 7])
        r = assess_readiness(
            evidence, scenario.findings, country=country, frameworks=["us-federal"]
        )
        for section in r.sections:
            assert section.status is combine(i.status for i in section.items)
            for it in section.items:
                assert it.status is combine(f.status for f in it.facts), it
                assert it.status is not S.NOT_APPLICABLE
        for it in r.not_applicable:
            assert it.status is S.NOT_APPLICABLE


def test_facts_name_domains_only_where_they_differ(scenario: Gathered) -> None:
    same = assess_readiness(scenario.only("ok.test", "dmarc-no-np.test"), scenario.findings)
    assert [f.domains for f in item(same, "E02").facts] == [()]
    assert item(same, "E02").facts[0].text == "SPF published, ends in `-all` (hard fail)."
    differ = assess_readiness(scenario.only("ok.test", "dmarc-none.test"), scenario.findings)
    assert [f.domains for f in item(differ, "E09").facts] == [("ok.test",), ("dmarc-none.test",)]
    # A domain the item does not apply to is left out, so the others are named.
    parked = assess_readiness(scenario.only("ok.test", "nullmx.test"), scenario.findings)
    assert [f.domains for f in item(parked, "E06").facts] == [("ok.test",)]


def test_same_fact_on_several_domains_is_stated_once(scenario: Gathered) -> None:
    r = assess_readiness(
        scenario.only("ok.test", "dmarc-none.test", "spf-softfail.test"), scenario.findings
    )
    groups = {f.text: f.domains for f in item(r, "E09").facts}
    assert groups["DMARC monitoring only (`p=none`): nothing is quarantined or rejected."] == (
        "dmarc-none.test",
        "spf-softfail.test",
    )


def test_missing_domain_is_named_not_assessed(scenario: Gathered) -> None:
    r = assess_readiness(scenario.only("ok.test", "nosuch.test"), scenario.findings)
    assert r.missing_domains == ("nosuch.test",)
    assert r.domains == ("ok.test",)
    assert "nosuch.test" in " ".join(readiness_section(r).notes)


def test_item_not_applicable_to_any_domain_is_listed_apart(scenario: Gathered) -> None:
    r = assess_readiness(scenario.only("nullmx.test"), scenario.findings, country="GB")
    assert {"E14", "D1", "E13", "E06"} <= {i.item.key for i in r.not_applicable}
    assert not {"E14", "D1", "E13", "E06"} & keys(r)
    assert item(r, "E05").status is S.IN_PLACE


# ----------------------------------------------------------------------------- selection


def test_federal_items_only_when_opted_in(scenario: Gathered) -> None:
    evidence = scenario.only("ok.test")
    plain = assess_readiness(evidence, scenario.findings, country="US")
    assert not {"E12-CISA", "E14-STARTTLS", "E15"} & keys(plain)
    for section in plain.sections:
        for it in section.items:
            assert not [c for c in it.citations if "BOD" in c or "SCuBA" in c], it
    federal = assess_readiness(evidence, scenario.findings, country="US", frameworks=["us-federal"])
    assert item(federal, "E12-CISA").status is S.PARTLY
    assert "BOD 18-01 (1 year)" in item(federal, "E10").citations


def test_australia_sees_ism_controls(scenario: Gathered) -> None:
    r = assess_readiness(scenario.only("sts-testing.test"), scenario.findings, country="AU")
    assert item(r, "E16").citations == ("ISM-1589",)
    assert item(r, "E16").status is S.PARTLY
    assert "E03" in keys(r) and "E10" in keys(r)


def test_no_country_says_which_set_was_used(scenario: Gathered) -> None:
    r = assess_readiness(scenario.only("ok.test"), scenario.findings)
    view = readiness_section(r)
    assert "No country is set" in view.basis
    assert "CIS 9.5" in item(r, "E09").citations


# ----------------------------------------------------------------------------- report hooks


def _verdict(domain: str) -> EnforceVerdict:
    return EnforceVerdict(
        domain=domain,
        status=EnforceStatus.NOT_READY,
        reasons=(),
        blockers=(),
        window_start=date(2026, 11, 1),
        window_end=date(2026, 11, 14),
        days_covered=14,
        reporters=("Google",),
        total_successful=1616,
        total_failed=20,
        failure_rate=20 / 1636,
        failing_mx=(),
        first_report=None,
        last_report=None,
    )


def test_tlsrpt_verdict_adds_its_figures_as_fact(scenario: Gathered) -> None:
    r = assess_readiness(
        scenario.only("sts-testing.test"),
        scenario.findings,
        country="AU",
        verdicts={"STS-Testing.test.": _verdict("sts-testing.test")},
    )
    text = item(r, "E16").facts[0].text
    assert "TLS-RPT reports over 14 days: 20 failed of 1,636 sessions." in text
    assert "ready" not in text.lower()


class GateStatus(StrEnum):
    READY = "ready"
    NOT_READY = "not-ready"
    INSUFFICIENT_DATA = "insufficient-data"


@dataclass(frozen=True)
class Gate:
    status: object


@pytest.mark.parametrize(
    ("status", "expected", "fragment"),
    [
        (GateStatus.READY, S.IN_PLACE, "every legitimate sender passing aligned"),
        (GateStatus.NOT_READY, S.PARTLY, "failing alignment"),
        (GateStatus.INSUFFICIENT_DATA, S.CONFIRM, "too little mail"),
        ("ready", S.IN_PLACE, "passing aligned"),
        ("gibberish", S.CONFIRM, "could not be read"),
    ],
)
def test_dmarc_report_verdicts_state_alignment(
    scenario: Gathered, status: object, expected: EvidenceStatus, fragment: str
) -> None:
    r = assess_readiness(
        scenario.only("ok.test", "nullmx.test"),
        scenario.findings,
        dmarc_gates={"OK.test": Gate(status)},
    )
    alignment = item(r, "E13")
    assert alignment.status is expected
    assert fragment in alignment.facts[0].text


# ----------------------------------------------------------------------------- the view


FORBIDDEN = re.compile(
    r"\bnot ready\b|\bready\b|\banswer (yes|no)\b|\btick\b|\bselect yes\b|evidence reads"
    r"|\byou (should|can|may) (answer|say|state|claim)|\bon (the|your) application,? (say|answer)",
    re.IGNORECASE,
)


def view_texts(r: Readiness) -> list[str]:
    view = readiness_section(r)
    texts = [view.basis, view.shown, view.available, *view.statements, *view.notes]
    for group in view.groups:
        texts += [group.title, group.intro, group.status]
        for row in group.rows:
            texts += [row.topic, row.asked_by, row.status] + [f.text for f in row.facts]
    for check in view.confirmations:
        texts += [check.topic, check.usual_evidence, check.asked_by, check.seen]
    return texts


@pytest.mark.parametrize("country", ["GB", "US", "AU", "DE", "CA", ""])
def test_wording_never_tells_the_client_what_to_answer(
    scenario: Gathered, demo: Gathered, country: str
) -> None:
    for evidence, findings in (
        (scenario.only(*[d for d in SCENARIO if d != "nosuch.test"][:25]), scenario.findings),
        (demo.evidence, demo.findings),
    ):
        r = assess_readiness(evidence, findings, country=country, frameworks=["us-federal"])
        for text in view_texts(r):
            assert FORBIDDEN.search(text) is None, text
            # Every form number or control id printed is one the sources page lists.
            assert undeclared_ids(text) == [], text


def test_view_carries_labels_and_tones(demo: Gathered) -> None:
    view = readiness_section(assess_readiness(demo.evidence, demo.findings, country="GB"))
    rows = [row for g in view.groups for row in g.rows]
    assert {row.tone for row in rows} <= {"good", "seen", "partly", "missing", "confirm", "na"}
    assert {row.status for row in rows} <= {s.label for s in S}
    dmarc = next(row for row in rows if row.topic == "DMARC record published")
    assert ("brightsmiledental.example", "DMARC_POLICY_NONE") in dmarc.refs
    assert "TMHCC §6c" in dmarc.asked_by
    assert "Cyber Essentials has no email authentication requirement" in view.statements[0]
    assert "PCI DSS (if you take card payments)" in view.available


@dataclass(frozen=True)
class PrintedFinding:
    domain: str
    code: str
    anchor: str
    severity: Severity
    number: int


def test_links_point_at_problems_first_then_observations(demo: Gathered) -> None:
    view = readiness_section(assess_readiness(demo.evidence, demo.findings, country="GB"))
    printed = [
        PrintedFinding(
            "brightsmiledental.example", "DMARC_POLICY_NONE", "finding-1", Severity.MEDIUM, 1
        ),
        PrintedFinding("brightsmiledental.example", "SPF_OK", "finding-2", Severity.INFO, 2),
        PrintedFinding(
            "brightsmiledental.example", "SPF_SOFTFAIL_ALL", "finding-3", Severity.LOW, 3
        ),
        PrintedFinding("brightsmile-dental.example", "SPF_OK", "finding-4", Severity.INFO, 4),
        PrintedFinding("brightsmiledental.example", "DKIM_KEY_OK", "finding-5", Severity.INFO, 5),
    ]
    linked = view.linked(printed)
    rows = {row.topic: row for g in linked.groups for row in g.rows}
    assert [(link.anchor, link.number) for link in rows["DMARC record published"].links] == [
        ("finding-1", 1)
    ]
    # The SPF row rests on a low finding and two observations: only the problem is linked.
    assert [link.number for link in rows["SPF record published and valid"].links] == [3]
    assert [link.number for link in rows["SPF and DKIM on the domains you send from"].links] == [3]
    # A row whose printed findings are all observations links those.
    assert [link.number for link in rows["DKIM signing key published"].links] == [5]
    unlinked = dataclasses.replace(view).linked([])
    assert all(not row.links for g in unlinked.groups for row in g.rows)
