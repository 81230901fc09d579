"""The two questions, per domain and for the client, and the grades that follow from them."""

from __future__ import annotations

import dataclasses

import pytest

from assessment.checks import run_checks
from assessment.gather import gather
from assessment.model import DnsLookup, DomainEvidence, Evidence, NetworkProfile, Outcome
from assessment.posture import Answer, DomainStatus, assess_posture, group_findings
from assessment.sandbox import Sandbox

DEMO = ("brightsmiledental.example", "brightsmile-dental.example")


@pytest.fixture(scope="module")
def demo(demo_sandbox: Sandbox) -> Evidence:
    return gather("Brightsmile", DEMO, dataclasses.replace(demo_sandbox.profile, lab=True))


def _domain(name: str, **txt: tuple[str, ...]) -> DomainEvidence:
    def lookup(qname: str, rdtype: str, answers: tuple[str, ...]) -> DnsLookup:
        return DnsLookup(qname, rdtype, Outcome.OK if answers else Outcome.NODATA, answers)

    dns = [
        lookup(name, "MX", txt.get("mx", ("10 mx.example.net.",))),
        lookup(name, "TXT", txt.get("spf", ("v=spf1 -all",))),
        lookup(name, "A", ()),
        lookup(f"_dmarc.{name}", "TXT", txt.get("dmarc", ())),
    ]
    return DomainEvidence(name, dns=tuple(dns))


def _evidence(*domains: DomainEvidence) -> Evidence:
    return Evidence(
        "C", "2026-10-20T09:00:00Z", "2026-10-20T09:00:01Z", "", NetworkProfile(), domains
    )


def _impersonation(dmarc: tuple[str, ...]) -> tuple[Answer, str]:
    evidence = _evidence(_domain("a.example", dmarc=dmarc))
    posture = assess_posture(evidence, run_checks(evidence))
    answer = posture.answers.impersonation
    return answer.answer, answer.reason


@pytest.mark.parametrize(
    ("dmarc", "answer", "words"),
    [
        ((), Answer.YES, "publishes no DMARC policy"),
        (("v=DMARC1; p=none",), Answer.YES, "monitoring only (p=none)"),
        (("v=DMARC1; p=reject; pct=0",), Answer.YES, "pct=0"),
        (("v=DMARC1; p=reject; t=y",), Answer.YES, "test mode"),
        (("v=DMARC1; p=quarantine",), Answer.PARTLY, "sent to spam"),
        (("v=DMARC1; p=reject; pct=50",), Answer.PARTLY, "for 50% of it"),
        (("v=DMARC1; p=reject; sp=none",), Answer.PARTLY, "sp=none"),
        (("v=DMARC1; p=reject",), Answer.NO, "reject forged mail"),
        (("v=DMARC1; p=none", "v=DMARC1; p=reject"), Answer.YES, "more than one DMARC record"),
    ],
)
def test_can_someone_send_mail_as_you(dmarc: tuple[str, ...], answer: Answer, words: str) -> None:
    got, reason = _impersonation(dmarc)
    assert got is answer
    assert words in reason


def test_missing_domain_gets_no_grade_and_is_named() -> None:
    missing = DomainEvidence(
        "gone.example",
        dns=tuple(DnsLookup("gone.example", t, Outcome.NXDOMAIN) for t in ("MX", "TXT", "A")),
    )
    evidence = _evidence(missing, _domain("ok.example", dmarc=("v=DMARC1; p=reject",)))
    posture = assess_posture(evidence, run_checks(evidence))
    gone = next(d for d in posture.domains if d.domain == "gone.example")
    assert gone.status is DomainStatus.MISSING and gone.grade is None
    assert posture.weakest == "ok.example" and posture.grade is not None


def test_unassessable_domain_gets_no_grade() -> None:
    failed = DomainEvidence(
        "dark.example",
        dns=tuple(DnsLookup("dark.example", t, Outcome.SERVFAIL) for t in ("MX", "TXT", "A")),
    )
    posture = assess_posture(_evidence(failed), ())
    (only,) = posture.domains
    assert only.status is DomainStatus.UNASSESSABLE and only.grade is None
    assert posture.grade is None


def test_demo_answers_and_grades(demo: Evidence) -> None:
    findings = run_checks(demo)
    posture = assess_posture(demo, findings)
    assert posture.answers.impersonation.answer is Answer.YES
    assert "p=none" in posture.answers.impersonation.reason
    assert "publishes no DMARC policy" in posture.answers.impersonation.reason
    assert posture.answers.interception.answer is Answer.PARTLY
    assert "testing mode" in posture.answers.interception.reason
    parked = next(d for d in posture.domains if d.domain == "brightsmile-dental.example")
    assert parked.interception is None
    # The parked domain anyone can spoof is no longer graded A.
    assert parked.grade is not None and parked.grade.letter == "C"
    assert posture.grade is not None and posture.grade.letter == "C"
    groups = group_findings(findings)
    bypass = next(g for g in groups if g.root.code == "MX_BYPASSES_PROVIDER")
    assert {f.code for f in bypass.symptoms} == {"MTA_STS_MX_NOT_COVERED", "TLS_CERT_NAME_MISMATCH"}
