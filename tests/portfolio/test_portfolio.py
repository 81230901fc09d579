"""`mailposture portfolio` over the book of the demo sandbox, end to end through the command
line: six clients assessed by local worker processes into their own run folders, the three
files, a second run that finds nothing changed, a third after one client weakened its DMARC
record (exit 1, the change in its row), `diff --json` between those runs, and the Dask path on a
LocalCluster with a client whose file is broken (exit 2, the others still assessed)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from assessment.cli import main
from assessment.pipeline import today
from assessment.portfolio.output import CSV_COLUMNS
from assessment.sandbox import Sandbox, demo_scenario_dir
from assessment.tlsrpt.demo import generate_demo_reports
from assessment.workspace import Workspace

pytestmark = pytest.mark.slow

BOOK = {
    ("Brightsmile Dental Care", "brightsmiledental.example"),
    ("Brightsmile Dental Care", "brightsmile-dental.example"),
    ("Calder Freight", "calderfreight.example"),
    ("Falkenrath Maschinenbau GmbH", "falkenrath.example"),
    ("Hartley & Finch Solicitors", "hartleyfinch.example"),
    ("Hartley & Finch Solicitors", "hartleyfinch-law.example"),
    ("Larkspur Property Management", "larkspurpm.example"),
    ("Orchard Lane Bakery", "orchardlanebakery.example"),
    ("Orchard Lane Bakery", "orchardlane.example"),
}
HARTLEY = "Hartley & Finch Solicitors"
CALDER = "Calder Freight"


def flags(sandbox: Sandbox) -> list[str]:
    profile = sandbox.profile
    return [
        "--nameserver",
        str(profile.resolvers[0]),
        "--smtp-port",
        str(profile.smtp_port),
        "--https-port",
        str(profile.https_port),
        "--ca-bundle",
        str(profile.ca_bundle),
        "--timeout",
        "1.5",
        "--lab",
    ]


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    folder: Path

    def rows(self) -> list[dict[str, str]]:
        with (self.folder / "portfolio.csv").open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    def row(self, domain: str) -> dict[str, str]:
        (found,) = [r for r in self.rows() if r["domain"] == domain]
        return found


def portfolio(data: Path, sandbox: Sandbox, *args: str) -> Ran:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["portfolio", "--data", str(data), *args, *flags(sandbox)])
    text = out.getvalue()
    return Ran(code, text, Path(text.splitlines()[0]) if text else Path())


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    raw = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(raw.split())


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder seeded with the book's client files, and 30 days of TLS-RPT reports in
    the demo client's store."""
    folder = tmp_path_factory.mktemp("book") / "data"
    shutil.copytree(demo_scenario_dir() / "book", folder)
    reports = tmp_path_factory.mktemp("tlsrpt")
    generate_demo_reports(reports, date.fromisoformat(today()))
    with contextlib.redirect_stdout(io.StringIO()):
        client = "Brightsmile Dental Care"
        code = main(["tlsrpt", "import", "--client", client, "--data", str(folder), str(reports)])
    assert code == 0
    return folder


@pytest.fixture(scope="module")
def first(data: Path, demo_sandbox: Sandbox) -> Ran:
    return portfolio(data, demo_sandbox, "--jobs", "2")


@pytest.fixture(scope="module")
def second(first: Ran, data: Path, demo_sandbox: Sandbox) -> Ran:
    return portfolio(data, demo_sandbox, HARTLEY, "calder-freight")


@pytest.fixture(scope="module")
def changed_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """The book after Hartley & Finch weakened its DMARC policy from quarantine to none."""
    scenario = tmp_path_factory.mktemp("changed") / "scenario"
    shutil.copytree(demo_scenario_dir(), scenario)
    zone = scenario / "zones" / "hartleyfinch.example.zone"
    text = zone.read_text(encoding="utf-8")
    assert "p=quarantine" in text
    zone.write_text(text.replace("p=quarantine", "p=none"), encoding="utf-8")
    with Sandbox(scenario) as running:
        yield running


@pytest.fixture(scope="module")
def third(second: Ran, data: Path, changed_sandbox: Sandbox) -> Ran:
    return portfolio(data, changed_sandbox, HARTLEY, CALDER)


# ------------------------------------------------------------------ the first run


def test_first_run_writes_the_three_files(first: Ran, data: Path) -> None:
    assert first.code == 0, first.stdout
    assert first.folder.parent == data / "portfolio"
    for name in ("portfolio.csv", "portfolio.html", "portfolio.pdf"):
        assert (first.folder / name).is_file(), name
    assert not (first.folder / "render-warnings.txt").exists()
    with (first.folder / "portfolio.csv").open(newline="", encoding="utf-8") as handle:
        assert tuple(next(csv.reader(handle))) == CSV_COLUMNS
    rows = first.rows()
    assert {(r["client"], r["domain"]) for r in rows} == BOOK
    assert {r["changes_since_previous_run"] for r in rows} == {"first assessment"}
    assert {r["regressed"] for r in rows} == {"no"}
    # Each client went through the normal run path: its own run folder and PDF.
    for row in rows:
        assert Path(row["report_pdf"]).is_file()
        assert Path(row["run_folder"]).parent.parent.name in {
            c.slug for c in Workspace(data).clients()
        }


def test_rows_answer_the_two_questions(first: Ran) -> None:
    def pick(domain: str, *keys: str) -> tuple[str, ...]:
        row = first.row(domain)
        return tuple(row[k] for k in keys)

    keys = ("grade", "spoofable", "transport_protected", "mta_sts_phase", "dmarc_policy")
    assert pick("hartleyfinch.example", *keys) == (
        "B",
        "Partly",
        "Yes",
        "MTA-STS enforced",
        "quarantine",
    )
    assert pick("hartleyfinch-law.example", *keys) == ("A", "No", "No mail", "", "reject")
    assert pick("larkspurpm.example", *keys) == (
        "D",
        "Partly",
        "Partly",
        "MTA-STS published but broken",
        "quarantine (pct=25)",
    )
    assert pick("falkenrath.example", *keys) == ("A", "No", "Yes", "No MTA-STS yet", "reject")
    assert pick("calderfreight.example", *keys) == (
        "B",
        "No",
        "Partly",
        "MTA-STS in testing mode",
        "reject",
    )
    assert pick("orchardlanebakery.example", *keys) == (
        "C",
        "Yes",
        "Partly",
        "No MTA-STS yet",
        "missing",
    )
    lapsed = first.row("orchardlane.example")
    assert (lapsed["status"], lapsed["grade"], lapsed["next_plan_date"]) == ("missing", "", "")


def test_rows_carry_the_plan_and_the_reports(first: Ran) -> None:
    for row in first.rows():
        if row["status"] == "assessed" and row["domain"] != "hartleyfinch-law.example":
            assert date.fromisoformat(row["next_plan_date"]) >= date.fromisoformat(today())
            assert row["next_step"]
    # The parked domain with its kit complete has nothing left to plan.
    assert first.row("hartleyfinch-law.example")["next_plan_date"] == ""
    # Only the demo client has TLS-RPT reports in its store.
    demo = first.row("brightsmiledental.example")["days_since_clean_tlsrpt_day"]
    assert demo.isdigit() and 1 <= int(demo) <= 31
    assert first.row("calderfreight.example")["days_since_clean_tlsrpt_day"] == ""


def test_pdf_lists_every_client(first: Ran) -> None:
    text = pdf_text(first.folder / "portfolio.pdf")
    assert "Email security across 6 clients" in text
    for client, _ in BOOK:
        assert client in text
    assert "Demonstration" in text
    html = (first.folder / "portfolio.html").read_text(encoding="utf-8")
    assert "Hartley &amp; Finch Solicitors" in html
    assert "Hartley & Finch" not in html
    # A domain that is gone says so across the verdict columns instead of in one of them.
    flat = " ".join(text.split())
    assert "The domain does not exist (NXDOMAIN): ask the client whether it is still" in flat
    assert html.count('class="absent" colspan="5"') == 1


# ------------------------------------------------------------------ again, unchanged


def test_second_run_without_change_exits_0(second: Ran) -> None:
    assert second.code == 0, second.stdout
    rows = second.rows()
    assert {r["client"] for r in rows} == {HARTLEY, CALDER}
    assert {r["changes_since_previous_run"] for r in rows} == {"no change"}
    for row in rows:
        assert row["previous_grade"] == row["grade"]


# ------------------------------------------------------------------ after a change


def test_a_change_to_one_client_shows_and_exits_1(third: Ran) -> None:
    assert third.code == 1, third.stdout
    hartley = third.row("hartleyfinch.example")
    changes = hartley["changes_since_previous_run"].split("; ")
    assert "grade B -> C" in changes
    assert "new DMARC_POLICY_NONE (medium)" in changes
    assert "changed: DMARC record" in changes
    assert (hartley["regressed"], hartley["grade"], hartley["previous_grade"]) == ("yes", "C", "B")
    assert "Grade of hartleyfinch.example lowered from B to C" in hartley["regressions"]
    assert third.row("calderfreight.example")["changes_since_previous_run"] == "no change"
    assert third.row("calderfreight.example")["regressed"] == "no"
    assert f"REGRESSED  {HARTLEY}: " in third.stdout
    assert CALDER not in third.stdout
    text = pdf_text(third.folder / "portfolio.pdf")
    assert "Needs attention" in text and "regressed" in text


def test_diff_json_between_the_two_runs(
    third: Ran, data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = Workspace(data).client(HARTLEY).runs()
    assert len(runs) == 3
    capsys.readouterr()
    code = main(["diff", str(runs[1].path), str(runs[2].path), "--json"])
    assert code == 1
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"new", "resolved", "changed", "records", "drift"}
    assert [f["code"] for f in result["new"]] == ["DMARC_POLICY_NONE"]
    assert [(r["record"], r["name"]) for r in result["records"]] == [
        ("dmarc", "_dmarc.hartleyfinch.example")
    ]
    assert "p=quarantine" in result["records"][0]["before"]
    assert "p=none" in result["records"][0]["after"]
    # Unchanged runs: exit 0 and the plain-text form says so.
    assert main(["diff", str(runs[0].path), str(runs[1].path)]) == 0
    assert "Nothing changed." in capsys.readouterr().out


# ------------------------------------------------------------------ failures and Dask


def test_unknown_client_is_a_tool_error(
    data: Path, demo_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["portfolio", "--data", str(data), "Nobody Ltd", *flags(demo_sandbox)]) == 2
    assert "no client 'Nobody Ltd'" in capsys.readouterr().err


def test_dask_cluster_with_a_broken_client(
    tmp_path: Path, demo_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    distributed = pytest.importorskip("distributed")
    data = tmp_path / "data"
    shutil.copytree(
        demo_scenario_dir() / "book" / "clients" / "calder-freight",
        data / "clients" / "calder-freight",
    )
    broken = data / "clients" / "broken-co"
    broken.mkdir(parents=True)
    (broken / "client.toml").write_text('name = "Broken Co"\ndomains = []\n')
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        dashboard_address=None,
        host="127.0.0.1",
        protocol="tcp://",
    ) as cluster:
        ran = portfolio(data, demo_sandbox, "--scheduler", cluster.scheduler_address)
    # A client that could not be assessed makes the whole run exit 2 for cron...
    assert ran.code == 2, ran.stdout
    assert "FAILED     broken-co: " in ran.stdout and "domains is empty" in ran.stdout
    # ...and the others are still assessed and written.
    calder = ran.row("calderfreight.example")
    assert (calder["status"], calder["grade"]) == ("assessed", "B")
    assert Path(calder["report_pdf"]).is_file()
    (failed,) = [r for r in ran.rows() if r["client"] == "broken-co"]
    assert failed["status"] == "failed" and "domains is empty" in failed["error"]


def test_scheduler_that_does_not_answer(
    data: Path, demo_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("distributed")
    nowhere = "tcp://127.0.0.1:9"
    code = main(
        ["portfolio", "--data", str(data), CALDER, "--scheduler", nowhere, *flags(demo_sandbox)]
    )
    assert code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err


def test_no_resolver_is_a_tool_error(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def runs() -> set[Path]:
        folder = data / "portfolio"
        return set(folder.iterdir()) if folder.is_dir() else set()

    before = runs()
    silent = ["--nameserver", "127.0.0.1:9", "--timeout", "0.5", "--lab"]
    assert main(["portfolio", "--data", str(data), CALDER, *silent]) == 2
    assert "DNS does not work from here" in capsys.readouterr().err
    assert runs() == before  # nothing assessed, nothing written
