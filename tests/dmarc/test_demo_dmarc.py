"""The demo client's DMARC reports: deterministic, realistic, and telling the intended story."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from assessment.dmarc.demo import DOMAIN, PARKED, generate_demo_reports
from assessment.dmarc.gate import FixKind, GateStatus, dmarc_verdicts
from assessment.dmarc.ingest import import_sources
from assessment.dmarc.inventory import Category, classify, senders
from assessment.dmarc.store import DmarcStore

AS_OF = date(2025, 11, 22)


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def test_deterministic_for_a_given_date(tmp_path: Path) -> None:
    first = generate_demo_reports(tmp_path / "a", AS_OF)
    second = generate_demo_reports(tmp_path / "b", AS_OF)
    assert [p.name for p in first] == [p.name for p in second]
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    other = generate_demo_reports(tmp_path / "c", date(2025, 11, 23))
    assert {p.name for p in other} != {p.name for p in first}


def test_the_demo_story(tmp_path: Path) -> None:
    paths = generate_demo_reports(tmp_path / "reports", AS_OF)
    kinds = {p.name.rsplit(".", 1)[-1] for p in paths}
    assert kinds == {"zip", "gz", "eml"}
    with DmarcStore(tmp_path / "s.sqlite") as store:
        result = import_sources(store, [tmp_path / "reports"], workers=0)
        assert result.imported == len(paths) and not result.rejected
        frames = store.frames()
    reporters = set(frames.reports["org_name"])
    assert {"google.com", "Enterprise Outlook", "Yahoo", "FastMail Pty Ltd"} <= reporters
    assert set(frames.reports["schema"]) == {"rfc7489", "rfc9990"}
    classified = classify(frames)
    main = classified[classified["policy_domain"] == DOMAIN]
    assert set(main["category"]) == {
        Category.ALIGNED,
        Category.SERVICE,
        Category.FORWARDED,
        Category.UNKNOWN,
    }
    table = senders(classified)
    by_sender = table[table["policy_domain"] == DOMAIN].set_index("sender")
    assert by_sender.loc["Microsoft 365", "category"] == Category.ALIGNED
    assert by_sender.loc["Mailchimp", "category"] == Category.SERVICE
    assert by_sender.loc["203.0.113.77", "category"] == Category.FORWARDED
    assert by_sender.loc["203.0.113.90", "category"] == Category.FORWARDED
    # The parked domain publishes no DMARC record: no receiver reports on it.
    assert PARKED not in set(classified["policy_domain"])

    verdicts = dmarc_verdicts(frames, AS_OF)
    assert PARKED not in verdicts
    verdict = verdicts[DOMAIN]
    assert verdict.status is GateStatus.NOT_READY
    assert len(verdict.reporters) == 4 and verdict.days_covered == 30
    (fix,) = verdict.to_fix
    assert (fix.sender, fix.kind) == ("Mailchimp", FixKind.AUTHENTICATE)
    assert 0.1 < fix.share < 0.3
    assert "k2._domainkey.brightsmiledental.example. IN CNAME dkim2.mcsv.net." in fix.records
