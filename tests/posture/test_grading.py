from __future__ import annotations

from assessment.model import Control, DnsLookup, DomainEvidence, Finding, Outcome, Severity
from assessment.posture.grading import BANDS, RULES, Ceiling, grade
from assessment.report.scorecard import CellStatus, cell_status, has_null_mx


def _f(
    severity: Severity,
    code: str = "X",
    domain: str = "a.example",
    *,
    inconclusive: bool = False,
    control: Control = Control.SPF,
    host: str | None = None,
) -> Finding:
    return Finding(
        code=code,
        severity=severity,
        control=control,
        domain=domain,
        host=host,
        title="t",
        detail="d",
        evidence=(),
        remediation="r",
        references=(),
        inconclusive=inconclusive,
    )


def test_clean_domain_scores_100_a() -> None:
    g = grade([_f(Severity.INFO)])
    assert (g.letter, g.score) == ("A", 100)


def test_deductions_and_caps() -> None:
    highs = [_f(Severity.HIGH, code=f"H{i}") for i in range(5)]
    g = grade(highs)
    high_rule = next(r for r in RULES if r.severity is Severity.HIGH)
    assert g.score == 100 - min(5 * high_rule.points, high_rule.cap)
    assert {d.severity: d.count for d in g.deductions}[Severity.HIGH] == 5


def test_caps_add_up_to_100() -> None:
    assert sum(r.cap for r in RULES) == 100
    assert BANDS[-1].min_score == 0


def test_inconclusive_and_info_never_count() -> None:
    g = grade(
        [
            _f(Severity.CRITICAL, inconclusive=True),
            _f(Severity.HIGH, inconclusive=True),
            _f(Severity.INFO, code="I"),
        ]
    )
    assert (g.letter, g.score) == ("A", 100)


def test_same_code_on_several_hosts_counts_once() -> None:
    one = grade([_f(Severity.MEDIUM, host="mx1")])
    many = grade([_f(Severity.MEDIUM, host=f"mx{i}") for i in range(4)])
    assert one.score == many.score


def test_critical_caps_grade_at_d() -> None:
    g = grade([_f(Severity.CRITICAL)])
    assert g.score == 75  # would be C by score alone
    assert g.letter == "D" and g.capped_by_critical


def test_cell_status_precedence() -> None:
    assert cell_status([]) is CellStatus.PASS
    assert cell_status([_f(Severity.INFO)]) is CellStatus.PASS
    assert cell_status([_f(Severity.LOW)]) is CellStatus.WARNING
    assert cell_status([_f(Severity.HIGH, inconclusive=True)]) is CellStatus.INCONCLUSIVE
    assert cell_status([_f(Severity.MEDIUM), _f(Severity.HIGH, inconclusive=True)]) is (
        CellStatus.WARNING
    )
    assert cell_status([_f(Severity.LOW), _f(Severity.CRITICAL)]) is CellStatus.FAIL
    assert cell_status([], applicable=False) is CellStatus.NOT_APPLICABLE
    assert cell_status([_f(Severity.HIGH)], applicable=False) is CellStatus.FAIL


def test_null_mx_detection() -> None:
    def dom(*answers: str) -> DomainEvidence:
        return DomainEvidence("a.example", dns=(DnsLookup("a.example", "MX", Outcome.OK, answers),))

    assert has_null_mx(dom("0 ."))
    assert not has_null_mx(dom("10 mx.a.example."))
    assert not has_null_mx(dom("0 .", "10 mx.a.example."))
    assert not has_null_mx(DomainEvidence("a.example"))


def test_optional_protection_not_deployed_reads_not_used() -> None:
    from assessment.model import Control, Finding, Severity
    from assessment.report.scorecard import CellStatus, cell_status

    not_deployed = Finding(
        code="DANE_NOT_DEPLOYED",
        severity=Severity.INFO,
        control=Control.DANE,
        domain="example.com",
        host=None,
        title="t",
        detail="d",
        evidence=(),
        remediation="r",
        references=(),
    )
    assert cell_status(iter([not_deployed])) is CellStatus.NOT_USED
    assert cell_status(iter([])) is CellStatus.PASS


def test_answer_ceilings_cap_the_letter_and_say_why() -> None:
    clean = grade([_f(Severity.LOW)], [Ceiling("C", "anyone can send mail as a.example")])
    assert (clean.letter, clean.score) == ("C", 99)
    assert clean.ceiling is not None and "anyone" in clean.ceiling.reason
    partial = grade([], [Ceiling("B", "quarantine only")])
    assert partial.letter == "B"
    # A lower letter from the score is never raised by a ceiling.
    worse = grade([_f(Severity.CRITICAL, code=f"C{i}") for i in range(2)], [Ceiling("B", "x")])
    assert worse.letter == "D" and worse.ceiling is None


def test_one_root_cause_counts_once() -> None:
    bypass = _f(
        Severity.MEDIUM, code="MX_BYPASSES_PROVIDER", host="backup.example", control=Control.MX
    )
    symptom = _f(Severity.MEDIUM, code="TLS_CERT_NAME_MISMATCH", host="backup.example")
    coverage = _f(Severity.MEDIUM, code="MTA_STS_MX_NOT_COVERED", host="backup.example")
    assert grade([bypass, symptom, coverage]).score == grade([bypass]).score
