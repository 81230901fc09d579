"""The sender inventory: every row's verdict, service and category; senders and days."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from assessment.dmarc.frames import Frames
from assessment.dmarc.ingest import import_sources
from assessment.dmarc.inventory import (
    Category,
    classify,
    daily,
    drill_down,
    reporter_names,
    senders,
)
from assessment.dmarc.store import DmarcStore

from .builders import Report, Row

M365 = Row("192.0.2.10", 40)
MAILCHIMP = Row(
    "198.51.100.201",
    12,
    dkim_eval="fail",
    spf_eval="fail",
    dkim=(("client.example", "k2", "permerror"), ("mcsv.net", "k1", "pass")),
    spf=("mail12.suw13.mcdlv.net", "mfrom", "pass"),
    envelope_from="mail12.suw13.mcdlv.net",
)


def frames_of(tmp_path: Path, *reports: Report) -> Frames:
    folder = tmp_path / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    for n, report in enumerate(reports):
        (folder / f"{n:03d}.xml").write_bytes(report.xml())
    with DmarcStore(tmp_path / "s.sqlite") as store:
        result = import_sources(store, [folder], workers=0)
        assert not result.rejected, result.rejected
        return store.frames()


def categories(tmp_path: Path, *rows: Row, **report: object) -> list[tuple[str, str, str]]:
    classified = classify(frames_of(tmp_path, Report(tuple(rows), **report)))  # type: ignore[arg-type]
    return list(
        zip(classified["source_ip"], classified["category"], classified["service"], strict=True)
    )


def test_aligned_mail_and_its_service(tmp_path: Path) -> None:
    assert categories(tmp_path, M365) == [("192.0.2.10", Category.ALIGNED, "microsoft365")]


def test_recognised_service_failing(tmp_path: Path) -> None:
    classified = classify(frames_of(tmp_path, Report((M365, MAILCHIMP))))
    row = classified[classified["source_ip"] == "198.51.100.201"].iloc[0]
    assert row["category"] == Category.SERVICE and row["service"] == "mailchimp"
    assert not row["passes"] and row["client_selectors"] == "k2"
    assert row["evidence"] == "sent by Mailchimp"


def test_forwarders_are_recognised(tmp_path: Path) -> None:
    failing = {
        "dkim_eval": "fail",
        "spf_eval": "fail",
        "dkim": (),
        "spf": ("list.example", "mfrom", "pass"),
    }
    rows = [
        M365,
        Row("203.0.113.1", 2, reasons=(("forwarded", ""),), **failing),  # type: ignore[arg-type]
        Row("203.0.113.2", 2, reasons=(("mailing_list", "list"),), **failing),  # type: ignore[arg-type]
        Row("203.0.113.3", 2, reasons=(("trusted_forwarder", ""),), **failing),  # type: ignore[arg-type]
        Row("203.0.113.4", 2, reasons=(("local_policy", "arc=pass"),), **failing),  # type: ignore[arg-type]
        # OpenDMARC's reports once said arc=fail for everything: not a forwarder.
        Row("203.0.113.5", 2, reasons=(("local_policy", "arc=fail"),), **failing),  # type: ignore[arg-type]
        # A mailing list rewrote the subject: the practice's selector1 signature broke.
        Row(
            "203.0.113.6",
            2,
            dkim_eval="fail",
            spf_eval="fail",
            dkim=(("client.example", "selector1", "fail"),),
            spf=("lists.assoc.example", "mfrom", "pass"),
        ),
        # DKIM carried it; SPF failed from an address never authorised (no SRS).
        Row("203.0.113.7", 2, spf_eval="fail", spf=("client.example", "mfrom", "fail")),
    ]
    got = {ip: (category, evidence) for ip, category, evidence in _with_evidence(tmp_path, rows)}
    assert got["203.0.113.1"] == (Category.FORWARDED, "reported as forwarded")
    assert got["203.0.113.2"] == (Category.FORWARDED, "reported as mailing_list")
    assert got["203.0.113.3"] == (Category.FORWARDED, "reported as trusted_forwarder")
    assert got["203.0.113.4"][0] == Category.FORWARDED and "ARC" in got["203.0.113.4"][1]
    assert got["203.0.113.5"][0] == Category.UNKNOWN
    assert (
        got["203.0.113.6"][0] == Category.FORWARDED and "broke in transit" in got["203.0.113.6"][1]
    )
    assert got["203.0.113.7"][0] == Category.FORWARDED and "SPF fails" in got["203.0.113.7"][1]


def _with_evidence(tmp_path: Path, rows: list[Row]) -> list[tuple[str, str, str]]:
    classified = classify(frames_of(tmp_path, Report(tuple(rows))))
    return list(
        zip(classified["source_ip"], classified["category"], classified["evidence"], strict=True)
    )


def test_spf_failing_from_an_address_that_also_passes_spf_is_not_a_forwarder(
    tmp_path: Path,
) -> None:
    flaky = Row("192.0.2.10", 3, spf_eval="fail", spf=("client.example", "mfrom", "softfail"))
    got = categories(tmp_path, M365, flaky)
    assert [category for _, category, _ in got] == [Category.ALIGNED, Category.ALIGNED]


def test_a_broken_signature_with_an_unknown_selector_is_not_excused(tmp_path: Path) -> None:
    # k2 never passes anywhere: a key the client never published, not a mailing list.
    stray = Row(
        "203.0.113.8",
        4,
        dkim_eval="fail",
        spf_eval="fail",
        dkim=(("client.example", "newkey", "fail"),),
        spf=("client.example", "mfrom", "softfail"),
    )
    assert categories(tmp_path, M365, stray)[1][1] == Category.UNKNOWN


def test_not_ours_and_other_domains(tmp_path: Path) -> None:
    spoof = Row("203.0.113.9", 3, dkim_eval="fail", spf_eval="fail", dkim=(), spf=None)
    foreign = Row("203.0.113.10", 1, header_from="elsewhere.example")
    frames = frames_of(tmp_path, Report((spoof, foreign)))
    classified = classify(frames, not_ours=["203.0.113.9"])
    assert list(classified["category"]) == [Category.NOT_OURS, Category.OTHER_DOMAIN]
    assert list(classify(frames)["category"]) == [Category.UNKNOWN, Category.OTHER_DOMAIN]


def test_the_reporters_verdict_decides_and_strict_alignment_is_applied(tmp_path: Path) -> None:
    sub = Row(
        "192.0.2.20",
        5,
        dkim_eval="",
        spf_eval="",
        dkim=(("mail.client.example", "s1", "pass"),),
        spf=("bounce.other.example", "mfrom", "pass"),
    )
    relaxed = classify(frames_of(tmp_path / "r", Report((sub,), adkim="r")))
    strict = classify(frames_of(tmp_path / "s", Report((sub,), adkim="s")))
    assert relaxed["passes"].tolist() == [True] and pd.isna(relaxed["reported_pass"][0])
    assert strict["passes"].tolist() == [False]
    # When the reporter says pass, it passed there, whatever the auth_results list.
    claimed = Row("192.0.2.21", 1, dkim=(), spf=("other.example", "mfrom", "pass"))
    said = classify(frames_of(tmp_path / "c", Report((claimed,))))
    assert said["passes"].tolist() == [True] and not said["dkim_aligned"][0]


def test_senders_group_services_and_third_parties_across_addresses(tmp_path: Path) -> None:
    esp = [
        Row(
            f"198.51.100.{n}",
            10,
            dkim_eval="fail",
            spf_eval="fail",
            dkim=(("mailer.newesp.example", "x", "pass"),),
            spf=("bounces.newesp.example", "mfrom", "pass"),
        )
        for n in (1, 2, 3)
    ]
    reports = [Report((M365, MAILCHIMP, *esp), day=date(2025, 11, d)) for d in (1, 2, 3)]
    classified = classify(frames_of(tmp_path, *reports))
    table = senders(classified)
    assert list(table["sender"]) == ["Mailchimp", "newesp.example", "Microsoft 365"]
    assert list(table["category"]) == ["service", "unexplained", "aligned"]
    esp_row = table.iloc[1]
    assert (esp_row["messages"], esp_row["sources"], esp_row["days"]) == (90, 3, 3)
    by_ip = senders(classified, by="source_ip", reverse_names={"192.0.2.10": "mail.example"})
    assert "192.0.2.10 (mail.example)" in set(by_ip["sender"])
    assert len(by_ip) == 5


def test_daily_totals_and_drill_down(tmp_path: Path) -> None:
    spoof = Row("203.0.113.9", 3, dkim_eval="fail", spf_eval="fail", dkim=(), spf=None)
    reports = [Report((M365, MAILCHIMP, spoof), day=date(2025, 11, d)) for d in (1, 2)]
    frames = frames_of(tmp_path, *reports)
    classified = classify(frames)
    table = daily(classified, "Client.Example")
    assert list(table["messages"]) == [55, 55]
    assert list(table["aligned"]) == [40, 40]
    assert list(table["failing"]) == [12, 12]
    assert list(table["unauthenticated"]) == [3, 3]
    rows = drill_down(classified, frames, "Mailchimp")
    assert len(rows) == 2 and set(rows["source_ip"]) == {"198.51.100.201"}
    assert rows["auth_results"][0] == (
        "dkim=permerror client.example/k2; dkim=pass mcsv.net/k1; spf=pass mail12.suw13.mcdlv.net"
    )
    assert len(drill_down(classified, frames, "203.0.113.9")) == 2
    assert daily(classify(frames_of(tmp_path / "e")), None).empty


def test_reporter_names_merge_one_organisations_report_names() -> None:
    emails = pd.Series(["dmarcreport@microsoft.com", "dmarcreport@microsoft.com", "", None])
    orgs = pd.Series(["Outlook.com", "Enterprise Outlook", "Tiny ISP", "Other"])
    assert list(reporter_names(emails, orgs)) == [
        "microsoft.com",
        "microsoft.com",
        "tiny isp",
        "other",
    ]


def test_empty_frames(tmp_path: Path) -> None:
    classified = classify(frames_of(tmp_path / "none"))
    assert classified.empty and senders(classified).empty
