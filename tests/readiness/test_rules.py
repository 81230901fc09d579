"""Each rule's status and fact on real sandbox evidence: one checks-scenario domain per case."""

from __future__ import annotations

import re

import pytest

from assessment.readiness.items import Rule
from assessment.readiness.rules import RULES, Reports
from assessment.readiness.status import EvidenceStatus

from .conftest import SCENARIO, Gathered

IN = EvidenceStatus.IN_PLACE
SEEN = EvidenceStatus.SEEN_IN_PLACE
PARTLY = EvidenceStatus.PARTLY
NOT = EvidenceStatus.NOT_IN_PLACE
CONFIRM = EvidenceStatus.CONFIRM
NA = EvidenceStatus.NOT_APPLICABLE

CASES = [
    # SPF
    ("ok.test", Rule.SPF, IN, "SPF published, ends in `-all` (hard fail)."),
    ("spf-missing.test", Rule.SPF, NOT, "No SPF record."),
    ("spf-multi.test", Rule.SPF, NOT, "two or more SPF records"),
    ("spf-plusall.test", Rule.SPF, NOT, "let any server send"),
    ("spf-lookups.test", Rule.SPF, NOT, "more than 10 DNS lookups"),
    ("spf-softfail.test", Rule.SPF, IN, "ends in `~all` (soft fail)"),
    ("spf-softfail.test", Rule.SPF_HARDFAIL, PARTLY, "ends in `~all` (soft fail)"),
    ("spf-neutral.test", Rule.SPF_HARDFAIL, PARTLY, "`?all`"),
    ("spf-noall.test", Rule.SPF_HARDFAIL, PARTLY, "no `all` term"),
    ("spf-include-servfail.test", Rule.SPF, CONFIRM, "could not be fetched"),
    ("servfail-all.test", Rule.SPF, CONFIRM, "The SPF lookup failed"),
    ("nullmx.test", Rule.SPF, IN, "SPF `-all`: no server may send"),
    ("parked-weak.test", Rule.SPF, PARTLY, "`~all`"),
    ("parked.test", Rule.SPF, NOT, "No SPF record."),
    # DKIM
    ("ok.test", Rule.DKIM, IN, "DKIM key at `s1` (2048-bit)."),
    ("dkim-weak.test", Rule.DKIM, PARTLY, "`s1` (1024-bit, weak)"),
    ("dkim-weak.test", Rule.BULK_AUTH, IN, "SPF and DKIM both published."),
    ("dkim-short.test", Rule.DKIM, NOT, "512-bit, too short to be used"),
    ("dkim-sha1.test", Rule.DKIM, NOT, "SHA-1 only"),
    ("dkim-multi.test", Rule.DKIM, NOT, "Two key records at one selector"),
    ("dkim-none.test", Rule.DKIM, CONFIRM, "No DKIM key at the selectors tried"),
    ("dkim-revoked.test", Rule.DKIM, CONFIRM, "Only revoked DKIM keys"),
    ("nullmx.test", Rule.DKIM, NA, "Receives no mail."),
    # DMARC: a record that exists is never "not in place" unless receivers cannot use it
    ("ok.test", Rule.DMARC, IN, "DMARC published, `p=reject`."),
    ("dmarc-none.test", Rule.DMARC, IN, "DMARC published, monitoring only (`p=none`)."),
    ("dmarc-none.test", Rule.DMARC_ENFORCED, PARTLY, "nothing is quarantined or rejected"),
    ("dmarc-none.test", Rule.DMARC_REJECT, PARTLY, "monitoring only (`p=none`)"),
    ("dmarc-none.test", Rule.BULK_DMARC, IN, "monitoring only (`p=none`)"),
    ("dmarc-missing.test", Rule.DMARC, NOT, "No DMARC record."),
    ("dmarc-multi.test", Rule.DMARC, NOT, "two or more DMARC records"),
    ("dmarc-syntax.test", Rule.DMARC_ENFORCED, NOT, "unusable"),
    ("dmarc-pct.test", Rule.DMARC_ENFORCED, PARTLY, "50% of failing mail only (`pct=50`)"),
    ("dmarc-weak-sp.test", Rule.DMARC_REJECT, PARTLY, "subdomains weaker (`sp=none`)"),
    ("dmarc-testing.test", Rule.DMARC_ENFORCED, PARTLY, "`t=y`"),
    ("dmarc-no-np.test", Rule.DMARC_ENFORCED, IN, "DMARC `p=quarantine`."),
    ("dmarc-no-np.test", Rule.DMARC_REJECT, PARTLY, "not `p=reject`"),
    ("dmarc-no-rua.test", Rule.DMARC_RUA, PARTLY, "without a usable report address"),
    ("ok.test", Rule.DMARC_RUA_CISA, PARTLY, "only"),
    ("sub.inherit.test", Rule.DMARC, IN, "No record of its own; inherit.test applies `p=reject`"),
    ("servfail-all.test", Rule.DMARC, CONFIRM, "The DMARC lookup failed."),
    # Parked domains
    ("nullmx.test", Rule.PARKED, IN, "Null MX, SPF `-all` and DMARC `p=reject` all published."),
    ("parked-weak.test", Rule.PARKED, PARTLY, "SPF `-all` and DMARC `p=reject` are missing"),
    ("parked.test", Rule.PARKED, NOT, "No null MX, no SPF `-all` and no DMARC `p=reject`."),
    ("ok.test", Rule.PARKED, NA, "Receives mail."),
    # Transport: outbound is never visible, so the best a domain gets is SEEN_IN_PLACE
    ("ok.test", Rule.TRANSIT, SEEN, "STARTTLS with TLS 1.3 and a valid certificate"),
    ("ok.test", Rule.TRANSIT, SEEN, "MTA-STS enforced"),
    ("ok.test", Rule.TRANSIT, SEEN, "Outbound: not visible from outside."),
    ("ok.test", Rule.STARTTLS, IN, "STARTTLS with TLS 1.3"),
    ("smtp-nostarttls.test", Rule.TRANSIT, NOT, "mx.smtp-nostarttls.test offers no STARTTLS"),
    ("smtp-starttls-refused.test", Rule.STARTTLS, NOT, "fails STARTTLS"),
    ("sts-certnames.test", Rule.TRANSIT, PARTLY, "presents a certificate for another name"),
    ("sts-certnames.test", Rule.STARTTLS, IN, "STARTTLS with TLS 1.3"),
    ("smtp-closed.test", Rule.TRANSIT, CONFIRM, "refused our connection"),
    ("mx-unresolvable.test", Rule.STARTTLS, SEEN, "on 1 of 2 MX hosts"),
    ("mx-missing.test", Rule.TRANSIT, CONFIRM, "No MX record"),
    ("nullmx.test", Rule.TRANSIT, NA, "Receives no mail."),
    ("servfail-all.test", Rule.TRANSIT, CONFIRM, "The MX lookup failed"),
    ("ok.test", Rule.LEGACY_TLS, CONFIRM, "was not tested"),
    # MTA-STS and TLS-RPT
    ("ok.test", Rule.MTA_STS, IN, "MTA-STS enforced, with TLS reporting."),
    ("sts-testing.test", Rule.MTA_STS, PARTLY, "MTA-STS published in testing mode."),
    ("sts-uncovered-testing.test", Rule.MTA_STS, PARTLY, "mx2.ok.test not in its `mx` list"),
    ("sts-none.test", Rule.MTA_STS, NOT, "No MTA-STS record."),
    ("sts-404.test", Rule.MTA_STS, NOT, "senders cannot fetch or read the policy"),
    ("sts-mode-none.test", Rule.MTA_STS, NOT, "switched off (`mode: none`)"),
    ("smtp-nostarttls.test", Rule.MTA_STS, NOT, "refuse to deliver there"),
    ("rpt-missing.test", Rule.MTA_STS, PARTLY, "but no TLS-RPT record"),
    ("ok.test", Rule.TLS_RPT, IN, "TLS-RPT published."),
    ("rpt-none.test", Rule.TLS_RPT, NOT, "No TLS-RPT record."),
    ("rpt-multi.test", Rule.TLS_RPT, NOT, "Two or more TLS-RPT records"),
    ("rpt-bad.test", Rule.TLS_RPT, NOT, "unusable"),
    # DANE
    ("ok.test", Rule.DANE, NOT, "No DNSSEC-validated TLSA records"),
    ("dane-mismatch.test", Rule.DANE, NOT, "do not match the certificate"),
    ("dane-nostarttls.test", Rule.DANE, NOT, "offers no STARTTLS"),
    ("dane-insecure.test", Rule.DANE, NOT, "not DNSSEC-signed"),
    ("dane-usage.test", Rule.DANE, NOT, "none of a kind mail senders use"),
    ("dane-badparam.test", Rule.DANE, PARTLY, "parameters senders ignore"),
    ("dane-servfail.test", Rule.DANE, CONFIRM, "The TLSA lookups failed."),
    # Alignment without DMARC reports
    ("ok.test", Rule.ALIGNMENT, CONFIRM, "no reports were analysed"),
    ("nullmx.test", Rule.ALIGNMENT, NA, "Receives no mail."),
]


@pytest.mark.parametrize(("domain", "rule", "status", "fragment"), CASES)
def test_rule(
    scenario: Gathered, domain: str, rule: Rule, status: EvidenceStatus, fragment: str
) -> None:
    assert domain in SCENARIO
    answer = RULES[rule](scenario.facts(domain), Reports())
    assert answer.status is status, answer
    assert fragment in answer.fact, answer


def test_every_rule_is_exercised() -> None:
    assert {rule for _, rule, _, _ in CASES} == set(Rule)
    for rule in Rule:
        assert {s for _, r, s, _ in CASES if r is rule}, rule


# A fact next to "Not in place" says the thing is absent, or why receivers cannot use it.
ABSENCE_OR_BREAKAGE = re.compile(
    r"^No |unusable|too short|SHA-1 only|not for email|unreadable|cannot|refuse|broken"
    r"|switched off|offers no|fails|Two |senders ignore|do not match"
)


def test_not_in_place_never_stands_beside_a_working_record(scenario: Gathered) -> None:
    """Over every rule and every scenario domain: "Not in place" is only ever said of
    something absent or unusable, and a usable record below the bar is at most PARTLY."""
    seen = 0
    for domain in SCENARIO:
        if domain == "nosuch.test":
            continue
        facts = scenario.facts(domain)
        for rule in Rule:
            answer = RULES[rule](facts, Reports())
            assert answer.fact.endswith("."), (domain, rule, answer)
            assert "``" not in answer.fact and answer.fact.count("`") % 2 == 0, answer
            if answer.status is NOT:
                seen += 1
                assert ABSENCE_OR_BREAKAGE.search(answer.fact), (domain, rule, answer)
    assert seen > 20


def test_facts_are_evidence_not_answers(scenario: Gathered) -> None:
    forbidden = re.compile(
        r"\bready\b|\banswer\b|\btick\b|\byou (should|can|may) (say|state|claim|declare)",
        re.IGNORECASE,
    )
    for domain in SCENARIO:
        if domain == "nosuch.test":
            continue
        for rule in Rule:
            fact = RULES[rule](scenario.facts(domain), Reports()).fact
            assert not forbidden.search(fact), (domain, rule, fact)
