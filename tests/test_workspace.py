"""The data-folder and run-folder layout, and the one domain-name value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assessment.names import DomainName, DomainNameError, normalise
from assessment.workspace import (
    RUN_SCHEMA,
    RunFolder,
    RunInfo,
    Workspace,
    WorkspaceError,
    client_slug,
    data_dir,
    write_atomic,
)


def test_client_paths_are_built_under_the_slug(tmp_path: Path) -> None:
    assert client_slug("  ACME Widgets, Inc. ") == "acme-widgets-inc"
    client = Workspace(tmp_path).client("Bäcker & Sons")
    assert client.path == tmp_path / "clients" / "b-cker-sons"
    assert client.tlsrpt_store == client.path / "tlsrpt.sqlite"
    assert client.dmarc_store == client.path / "dmarc.sqlite"
    assert client.config == client.path / "client.toml"
    assert Workspace(tmp_path).brand == tmp_path / "brand.toml"
    with pytest.raises(WorkspaceError, match="no letters"):
        client_slug("!!!")
    with pytest.raises(WorkspaceError):
        Workspace(tmp_path).client("")


def test_data_dir_default_is_env_then_per_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILPOSTURE_DATA", str(tmp_path / "elsewhere"))
    assert data_dir(None) == tmp_path / "elsewhere"
    assert data_dir(tmp_path / "given") == tmp_path / "given"
    monkeypatch.delenv("MAILPOSTURE_DATA")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir("") == tmp_path / "xdg" / "mailposture"


def test_runs_are_listed_oldest_first_and_previous_is_found(tmp_path: Path) -> None:
    client = Workspace(tmp_path).client("Acme")
    for name in ("20260101-000000", "20260301-000000", "20260201-000000"):
        write_atomic(client.runs_dir / name / "evidence.json", "{}")
    (client.runs_dir / "20260401-000000").mkdir()  # no evidence: not a run
    names = [r.path.name for r in client.runs()]
    assert names == ["20260101-000000", "20260201-000000", "20260301-000000"]
    previous = client.previous_run(client.runs_dir / "20260301-000000")
    assert previous is not None and previous.path.name == "20260201-000000"
    assert client.previous_run(client.runs_dir / "20260101-000000") is None


def test_run_info_round_trips_and_old_runs_still_read(tmp_path: Path) -> None:
    run = RunFolder(tmp_path / "run")
    info = RunInfo("Acme", ("acme.example",), "2026-12-01", str(tmp_path), country="GB")
    run.write_info(info)
    assert json.loads(run.info_file.read_text())["schema"] == RUN_SCHEMA
    assert run.read_info() == info
    # A run.json written before the schema field existed.
    run.info_file.write_text(
        json.dumps(
            {
                "client": "Acme",
                "domains": ["a.example"],
                "assessed_on": "2026-01-01",
                "data_dir": "/d",
            }
        )
    )
    assert run.read_info().domains == ("a.example",)
    run.info_file.write_text(json.dumps({"schema": RUN_SCHEMA + 1, "client": "x"}))
    with pytest.raises(WorkspaceError, match="newer mailposture"):
        run.read_info()
    with pytest.raises(WorkspaceError, match=r"no run\.json"):
        RunFolder(tmp_path / "nothing").read_info()


def test_write_atomic_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b.json"
    write_atomic(target, "one")
    write_atomic(target, b"two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["b.json"]


@pytest.mark.parametrize(
    ("text", "ascii"),
    [
        ("straße.de", "xn--strae-oqa.de"),  # IDNA 2008: not strasse.de
        ("Bücher.Example.", "xn--bcher-kva.example"),
        ("ＡＢＣ．com", "abc.com"),  # UTS #46 width and full-stop mapping
        ("_dmarc.Example.com", "_dmarc.example.com"),
        ("xn--strae-oqa.de", "xn--strae-oqa.de"),
    ],
)
def test_domain_names_take_one_form(text: str, ascii: str) -> None:
    assert DomainName.parse(text).ascii == ascii
    assert normalise(text) == ascii


def test_unicode_form_for_people() -> None:
    assert DomainName.parse("xn--strae-oqa.de").unicode == "straße.de"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("localhost", "needs a dot"),
        ("192.0.2.1", "IP address"),
        ("2001:db8::1", "IP address"),
        ("[2001:db8::1]", "IP address"),
        ("-example.com", "not a domain name"),
        ("a..b", "empty label"),
        ("bad selector!.com", "not a domain name"),
        ("x" * 64 + ".com", "too long"),
        ("10.1.2", "numeric"),
    ],
)
def test_what_is_not_a_domain_is_named(text: str, reason: str) -> None:
    with pytest.raises(DomainNameError, match=reason):
        DomainName.parse(text)


def test_normalise_never_raises_on_hostile_text() -> None:
    assert normalise("a..B.") == "a..b"
    assert normalise("\x00evil") == "\x00evil"
