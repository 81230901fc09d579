"""The p=reject gate: each status, each blocker, the ordered fixes, coverage and the window."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from assessment.dmarc.frames import Frames
from assessment.dmarc.gate import (
    DmarcGates,
    FixKind,
    GateStatus,
    dmarc_verdict,
    dmarc_verdicts,
    window,
)
from assessment.dmarc.ingest import import_sources
from assessment.dmarc.store import DmarcStore
from assessment.records.dmarc import parse_dmarc

from .builders import Report, Row

AS_OF = date(2025, 11, 30)
GOOGLE = ("google.com", "noreply-dmarc-support@google.com")
MICROSOFT = ("Enterprise Outlook", "dmarcreport@microsoft.com")
M365 = Row("192.0.2.10", 30)
MAILCHIMP = Row(
    "198.51.100.201",
    6,
    dkim_eval="fail",
    spf_eval="fail",
    dkim=(("client.example", "k2", "fail"), ("mcsv.net", "k1", "pass")),
    spf=("mail1.suw1.mcdlv.net", "mfrom", "pass"),
    envelope_from="mail1.suw1.mcdlv.net",
)


def spoof(n: int) -> Row:
    """Spoofing from scattered addresses: a new one each time."""
    return Row(
        f"10.{n // 250}.{n % 250}.9", 1, dkim_eval="fail", spf_eval="fail", dkim=(), spf=None
    )


def days(
    count: int,
    rows: tuple[Row, ...],
    reporters: tuple[tuple[str, str], ...] = (GOOGLE, MICROSOFT),
    last: date = AS_OF - timedelta(days=1),
    spoofed: int = 0,
    **report: object,
) -> list[Report]:
    """One report per reporter per day, for ``count`` days ending on ``last``.

    ``spoofed``: that many spoofed messages per report, each from a new address.
    """
    out = []
    for offset in range(count):
        day = last - timedelta(days=offset)
        for number, (org, email) in enumerate(reporters):
            start = (offset * len(reporters) + number) * spoofed
            extra = tuple(spoof(start + n) for n in range(spoofed))
            out.append(Report(rows + extra, day=day, org=org, email=email, **report))  # type: ignore[arg-type]
    return out


def frames_of(tmp_path: Path, reports: list[Report]) -> Frames:
    folder = tmp_path / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    for n, report in enumerate(reports):
        (folder / f"{n:04d}.xml").write_bytes(report.xml())
    with DmarcStore(tmp_path / "s.sqlite") as store:
        result = import_sources(store, [folder], workers=0)
        assert not result.rejected and not result.duplicate
        return store.frames()


def verdict(tmp_path: Path, reports: list[Report], **kwargs: object):  # type: ignore[no-untyped-def]
    return dmarc_verdict(frames_of(tmp_path, reports), "client.example", AS_OF, **kwargs)  # type: ignore[arg-type]


def test_clean_domain_at_p_none_is_ready_for_quarantine_only(tmp_path: Path) -> None:
    v = verdict(tmp_path, days(20, (M365,), spoofed=1))
    assert v.status is GateStatus.READY_FOR_QUARANTINE
    assert v.aligned_share == 1.0 and v.legitimate_messages == 30 * 2 * 20
    assert v.unauthenticated_messages == 2 * 20 and v.to_fix == ()
    assert v.current_policy == "none" and v.enforced_days == 0
    assert any("p=reject follows at least 14 days" in r for r in v.reasons)
    assert v.reporters == ("google.com", "microsoft.com")


def test_after_two_weeks_at_quarantine_it_is_ready_for_reject(tmp_path: Path) -> None:
    v = verdict(tmp_path, days(20, (M365,), p="quarantine"))
    assert v.status is GateStatus.READY_FOR_REJECT and v.enforced_days == 20
    # pct below 100 is not enforcement yet.
    partial = verdict(tmp_path / "pct", days(20, (M365,), p="quarantine", pct=50))
    assert partial.status is GateStatus.READY_FOR_QUARANTINE and partial.enforced_days == 0


def test_a_failing_esp_blocks_and_is_named_with_its_exact_fix(tmp_path: Path) -> None:
    v = verdict(tmp_path, days(20, (M365, MAILCHIMP)))
    assert v.status is GateStatus.NOT_READY
    (fix,) = v.to_fix
    assert (fix.sender, fix.service, fix.kind) == ("Mailchimp", "mailchimp", FixKind.AUTHENTICATE)
    assert fix.messages == 6 * 2 * 20 and fix.days == 20
    assert fix.share == pytest.approx(6 / 36)
    assert "selector k2" in fix.action
    assert fix.records == (
        "k2._domainkey.client.example. IN CNAME dkim2.mcsv.net.",
        "k3._domainkey.client.example. IN CNAME dkim3.mcsv.net.",
    )
    assert fix.docs == ("https://mailchimp.com/help/set-up-email-domain-authentication/",)
    assert any(b.startswith("Mailchimp:") and "would lose" in b for b in v.blockers)
    assert any("83.3% of legitimate mail passes" in b for b in v.blockers)


def test_a_tiny_failing_service_allows_quarantine_but_not_reject(tmp_path: Path) -> None:
    small = Row(
        "198.51.100.9",
        1,
        dkim_eval="fail",
        spf_eval="fail",
        dkim=(("sendgrid.net", "s1", "pass"),),
        spf=("sendgrid.net", "mfrom", "pass"),
    )
    reports = days(20, (Row("192.0.2.10", 400),), p="quarantine")
    reports += [Report((small,), day=AS_OF - timedelta(days=2), report_id="extra")]
    v = verdict(tmp_path, reports)
    assert v.status is GateStatus.READY_FOR_QUARANTINE
    assert [f.sender for f in v.to_fix] == ["Twilio SendGrid"]
    assert any("Small failing sender Twilio SendGrid" in r for r in v.reasons)
    assert any("recognised services failed 1 message" in r for r in v.reasons)


def test_an_unexplained_sender_blocks_until_disowned(tmp_path: Path) -> None:
    printer = Row(
        "198.51.100.77",
        2,
        dkim_eval="fail",
        spf_eval="fail",
        dkim=(),
        spf=("client.example", "mfrom", "softfail"),
    )
    reports = days(20, (M365, printer))
    v = verdict(tmp_path, reports)
    assert v.status is GateStatus.NOT_READY
    (fix,) = v.to_fix
    assert fix.kind is FixKind.IDENTIFY and fix.sender == "198.51.100.77"
    assert "ip4:198.51.100.77" in fix.action and "SPF client.example softfail" in fix.action
    assert any(b.startswith("Unexplained sender 198.51.100.77") for b in v.blockers)
    disowned = verdict(tmp_path / "d", reports, not_ours=["198.51.100.77"])
    assert disowned.status is GateStatus.READY_FOR_QUARANTINE
    assert disowned.unauthenticated_messages == 80


def test_spoofing_and_forwarders_do_not_block(tmp_path: Path) -> None:
    listed = Row(
        "203.0.113.50",
        25,
        dkim_eval="fail",
        spf_eval="fail",
        dkim=(("client.example", "selector1", "fail"),),
        spf=("lists.example", "mfrom", "pass"),
        reasons=(("mailing_list", ""),),
    )
    v = verdict(tmp_path, days(20, (M365, listed), spoofed=10))
    assert v.status is GateStatus.READY_FOR_QUARANTINE
    assert v.forwarded_messages == 25 * 40 and v.unauthenticated_messages == 10 * 40
    assert v.aligned_share == 1.0


@pytest.mark.parametrize(
    ("reports", "expected"),
    [
        (days(10, (M365,)), "Only 10 days of reports"),
        (days(20, (M365,), reporters=(GOOGLE,)), "Only 1 reporting organisation"),
        (days(20, (Row("192.0.2.10", 1),)), "Only 40 legitimate messages"),
        (days(20, (M365,), last=AS_OF - timedelta(days=9)), "reports have stopped arriving"),
    ],
)
def test_thin_coverage_is_insufficient_data(
    tmp_path: Path, reports: list[Report], expected: str
) -> None:
    v = verdict(tmp_path, reports)
    assert v.status is GateStatus.INSUFFICIENT_DATA
    assert any(expected in b for b in v.blockers), v.blockers


def test_known_losses_outweigh_thin_coverage(tmp_path: Path) -> None:
    v = verdict(tmp_path, days(5, (M365, MAILCHIMP)))
    assert v.status is GateStatus.NOT_READY
    assert any("Only 5 days" in r for r in v.reasons)


def test_a_domain_that_sends_nothing_can_go_straight_to_reject(tmp_path: Path) -> None:
    v = verdict(tmp_path, days(16, (), spoofed=3))
    assert v.status is GateStatus.READY_FOR_REJECT and v.legitimate_messages == 0
    assert v.aligned_share is None


def test_an_enforcing_policy_already_losing_mail_is_flagged(tmp_path: Path) -> None:
    rejected = MAILCHIMP.__class__(**{**MAILCHIMP.__dict__, "disposition": "reject"})
    v = verdict(tmp_path, days(20, (M365, rejected), p="reject"))
    assert v.status is GateStatus.NOT_READY and v.current_policy == "reject"
    assert any("already quarantined or rejected 240 legitimate messages" in b for b in v.blockers)


def test_published_record_and_domains_without_reports(tmp_path: Path) -> None:
    frames = frames_of(tmp_path, days(20, (M365,)))
    record = parse_dmarc("v=DMARC1; p=quarantine; rua=mailto:d@client.example")
    verdicts = dmarc_verdicts(
        frames, AS_OF, published={"client.example": record, "quiet.example": None}
    )
    assert list(verdicts) == ["client.example", "quiet.example"]
    assert verdicts["client.example"].current_policy == "quarantine"
    quiet = verdicts["quiet.example"]
    assert quiet.status is GateStatus.INSUFFICIENT_DATA and quiet.days_covered == 0
    assert quiet.first_report is None


def test_the_window_is_the_full_days_before_as_of(tmp_path: Path) -> None:
    assert window(AS_OF, 30) == (date(2025, 10, 31), date(2025, 11, 29))
    inside = days(14, (M365,))
    today = [Report((MAILCHIMP,), day=AS_OF, report_id="today")]
    too_old = [Report((MAILCHIMP,), day=AS_OF - timedelta(days=31), report_id="old")]
    v = verdict(tmp_path, inside + today + too_old)
    assert v.status is GateStatus.READY_FOR_QUARANTINE and v.days_covered == 14
    assert v.first_report == AS_OF - timedelta(days=31) and v.last_report == AS_OF - timedelta(
        days=1
    )


def test_microsoft_365_without_custom_dkim_gets_tenant_records(tmp_path: Path) -> None:
    unsigned = Row(
        "192.0.2.11",
        30,
        dkim_eval="fail",
        spf_eval="fail",
        dkim=(("clientexample.onmicrosoft.com", "selector1-client-example", "pass"),),
        spf=("client.example", "mfrom", "softfail"),
    )
    v = verdict(tmp_path, days(20, (M365, unsigned)))
    (fix,) = v.to_fix
    assert fix.sender == "Microsoft 365"
    assert fix.records == (
        "selector1._domainkey.client.example. IN CNAME "
        "selector1-client-example._domainkey.clientexample.onmicrosoft.com.",
        "selector2._domainkey.client.example. IN CNAME "
        "selector2-client-example._domainkey.clientexample.onmicrosoft.com.",
    )
    assert "include:spf.protection.outlook.com" in fix.action


def test_gates_are_named_and_quoted() -> None:
    gates = DmarcGates()
    text = " ".join(gates.describe())
    for figure in ("14 days", "2 reporting", "98%", "99.5%", "0.5%", "20 messages", "7 days"):
        assert figure in text, figure
    with pytest.raises(AttributeError):
        gates.min_days = 1  # type: ignore[misc]
    stricter = DmarcGates(min_days=21)
    assert "21 days" in stricter.describe()[0]


def test_a_reporter_verdict_that_disagrees_with_its_auth_results_is_noted(tmp_path: Path) -> None:
    claimed = Row("192.0.2.30", 5, dkim=(), spf=("bounce.other.example", "mfrom", "pass"))
    v = verdict(tmp_path, days(20, (M365, claimed)))
    assert v.aligned_messages == 35 * 40  # the reporter's verdict is the one used
    assert any("For 200 messages the reporter's DMARC verdict differs" in r for r in v.reasons)


def test_dkim_carried_mail_with_spf_missing_is_still_the_clients(tmp_path: Path) -> None:
    # Microsoft 365 with DKIM on but the SPF include missing: every row "looks forwarded".
    no_include = Row("192.0.2.10", 30, spf_eval="fail", spf=("client.example", "mfrom", "fail"))
    v = verdict(tmp_path, days(20, (no_include,)))
    assert v.status is GateStatus.READY_FOR_QUARANTINE
    assert v.legitimate_messages == v.aligned_messages == 1200 and v.forwarded_messages == 0
    note = next(r for r in v.reasons if "pass only by DKIM" in r)
    assert "Microsoft 365: check its SPF include" in note
