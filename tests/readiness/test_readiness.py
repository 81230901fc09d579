"""Questionnaire readiness: statuses from sandbox evidence, both lenses, wording invariants."""

from __future__ import annotations

import dataclasses
import re

import pytest

from assessment.checks import run_checks
from assessment.gather import gather
from assessment.model import Evidence
from assessment.readiness import AnswerStatus, ItemResult, Readiness, assess_readiness
from assessment.readiness.items import CONFIRMATIONS, FRAMEWORKS, ITEMS, Rule
from assessment.readiness.rules import RULES
from assessment.report.readiness_view import readiness_section
from assessment.sandbox import Sandbox

DOMAINS = ("good.test", "expired.test", "nullmx.test", "nostarttls.test")
DEMO = ("brightsmiledental.example", "brightsmile-dental.example")


@pytest.fixture(scope="module")
def scenario(sandbox: Sandbox) -> Evidence:
    return gather("Test client", DOMAINS, dataclasses.replace(sandbox.profile, lab=True))


@pytest.fixture(scope="module")
def demo(demo_sandbox: Sandbox) -> Evidence:
    return gather("Brightsmile", DEMO, dataclasses.replace(demo_sandbox.profile, lab=True))


def _only(evidence: Evidence, *names: str) -> Evidence:
    return dataclasses.replace(evidence, domains=tuple(evidence.domain(n) for n in names))


def _assess(evidence: Evidence) -> Readiness:
    return assess_readiness(evidence, run_checks(evidence))


def _item(readiness: Readiness, key: str) -> ItemResult:
    return next(i for f in readiness.frameworks for i in f.items if i.item.key == key)


def test_item_data_is_consistent() -> None:
    keys = [i.key for i in ITEMS]
    assert len(keys) == len(set(keys))
    frameworks = {f.key for f in FRAMEWORKS}
    assert {i.framework for i in ITEMS} == frameworks
    assert set(RULES) == set(Rule)
    assert all(i.reference and i.question for i in ITEMS)
    assert len({c.key for c in CONFIRMATIONS}) == len(CONFIRMATIONS)


def test_good_domain_mostly_ready(scenario: Evidence) -> None:
    readiness = _assess(_only(scenario, "good.test"))
    statuses = [i.status for f in readiness.frameworks for i in f.items]
    assert AnswerStatus.NO not in statuses
    assert statuses.count(AnswerStatus.YES) > len(statuses) / 2
    for key in ("ins-spf", "ins-dkim", "ins-dmarc-enforced", "cis-9.5", "ism-1540", "ism-1589"):
        assert _item(readiness, key).status is AnswerStatus.YES, key
    # Only the inbound half of "encrypted in transit" is visible: never fully ready.
    assert _item(readiness, "ins-transit").status is AnswerStatus.PARTIAL
    assert _item(readiness, "ins-filter").status is AnswerStatus.CONFIRM
    assert "DKIM_KEY_OK" in _item(readiness, "ins-dkim").codes
    assert _item(readiness, "ins-spf").observed_at.startswith("20")


def test_demo_p_none_splits_the_lenses(demo: Evidence) -> None:
    readiness = _assess(_only(demo, "brightsmiledental.example"))
    enforced = _item(readiness, "ins-dmarc-enforced")
    assert enforced.security_status is AnswerStatus.NO
    assert enforced.deliverability_status is AnswerStatus.YES
    assert enforced.status is AnswerStatus.NO
    assert "p=none" in enforced.evidence
    assert _item(readiness, "ins-dmarc").status is AnswerStatus.PARTIAL
    assert _item(readiness, "ism-1540").security_status is AnswerStatus.NO
    assert _item(readiness, "bulk-dmarc").status is AnswerStatus.YES
    assert _item(readiness, "bulk-auth").status is AnswerStatus.YES
    assert _item(readiness, "ism-1183").status is AnswerStatus.PARTIAL
    assert _item(readiness, "ism-1589").status is AnswerStatus.PARTIAL
    assert _item(readiness, "ins-dkim").status is AnswerStatus.PARTIAL
    assert "DKIM_KEY_WEAK" in _item(readiness, "ins-dkim").codes
    assert _item(readiness, "ins-m365").status is AnswerStatus.YES
    filter_item = _item(readiness, "ins-filter")
    assert filter_item.status is AnswerStatus.CONFIRM
    assert "Microsoft 365" in filter_item.evidence


def test_parked_domain_counts_for_spoofing_not_delivery(demo: Evidence) -> None:
    readiness = _assess(demo)
    reject = _item(readiness, "ism-1540")
    assert reject.security_status is AnswerStatus.NO
    assert "brightsmile-dental.example" in reject.evidence
    assert _item(readiness, "bulk-dmarc").deliverability_status is AnswerStatus.YES
    assert _item(readiness, "ism-1589").status is AnswerStatus.PARTIAL


def test_dkim_not_found_is_confirmation_not_failure(scenario: Evidence) -> None:
    readiness = _assess(_only(scenario, "expired.test"))
    dkim = _item(readiness, "ins-dkim")
    assert dkim.status is AnswerStatus.CONFIRM
    assert "not verified" in dkim.evidence


def test_missing_starttls_is_not_ready(scenario: Evidence) -> None:
    readiness = _assess(_only(scenario, "nostarttls.test"))
    assert _item(readiness, "ins-transit").status is AnswerStatus.NO
    assert "mx.nostarttls.test" in _item(readiness, "ins-transit").evidence
    assert _item(readiness, "ism-1589").status is AnswerStatus.NO


def test_null_mx_domain_mail_items_not_applicable(scenario: Evidence) -> None:
    readiness = _assess(_only(scenario, "nullmx.test"))
    for key in ("ins-dkim", "ins-transit", "ism-1589", "ins-filter", "bulk-auth"):
        assert _item(readiness, key).status is AnswerStatus.NOT_APPLICABLE, key
    assert _item(readiness, "ism-1540").status is AnswerStatus.YES
    assert _item(readiness, "ism-1183").status is AnswerStatus.YES


def test_federal_only_items_are_informational(scenario: Evidence) -> None:
    readiness = _assess(scenario)
    bod = next(f for f in readiness.frameworks if f.framework.key == "bod1801")
    assert bod.items and all(i.status is AnswerStatus.NOT_APPLICABLE for i in bod.items)
    rua = _item(readiness, "scuba-4.3")
    assert rua.status is AnswerStatus.NOT_APPLICABLE
    assert rua.security_status is AnswerStatus.NO
    assert "US federal" in rua.evidence


FORBIDDEN = re.compile(
    r"\banswer (yes|no)\b|\btick\b|\bselect yes\b|\byou (should|can|may) (answer|say|state|claim)"
    r"|\bwrite yes\b|\bon (the|your) application,? (say|answer)",
    re.IGNORECASE,
)


def test_wording_never_tells_the_client_what_to_answer(scenario: Evidence, demo: Evidence) -> None:
    for evidence in (scenario, demo):
        readiness = _assess(evidence)
        section = readiness_section(readiness)
        texts = list(section.confirmations)
        for framework in section.frameworks:
            texts.append(framework.name)
            for item in framework.items:
                texts += [
                    item.question,
                    item.evidence,
                    item.security_lens,
                    item.deliverability_lens,
                ]
        assert texts
        for text in texts:
            assert FORBIDDEN.search(text) is None, text


def test_readiness_section_and_confirmations(demo: Evidence) -> None:
    readiness = _assess(demo)
    section = readiness_section(readiness)
    assert len(section.frameworks) == len(FRAMEWORKS)
    assert sum(len(f.items) for f in section.frameworks) == len(ITEMS)
    assert len(section.confirmations) == len(CONFIRMATIONS)
    first = section.frameworks[0].items[0]
    assert first.question.startswith("TMHCC")
    assert first.observed_at == _item(readiness, "ins-spf").observed_at
    assert any("servers.mcsv.net" in c for c in section.confirmations)
    assert any("dmarc@brightsmiledental.example" in c for c in section.confirmations)
    assert any("Multi-factor" in c and "Microsoft 365" in c for c in section.confirmations)
