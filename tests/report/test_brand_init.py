"""``mailposture brand init``: the consultant's brand file, from flags or prompts."""

from __future__ import annotations

import argparse
import io
import tomllib
from pathlib import Path

import pytest

from assessment.cli import main
from assessment.report.brand import resolve_brand
from assessment.report.brand_init import (
    BrandAnswers,
    BrandInitError,
    answers_from,
    toml_string,
    write_brand,
)

LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'


def flags(**given: object) -> argparse.Namespace:
    names = ("firm", "name", "email", "phone", "web", "tagline", "address", "country", "logo")
    return argparse.Namespace(**{n: given.get(n) for n in names})


def test_cli_flags_write_a_brand_every_client_report_uses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logo = tmp_path / "mine.svg"
    logo.write_text(LOGO)
    data = tmp_path / "data"
    code = main(
        [
            "brand", "init", "--data", str(data),
            "--firm", "Lee Partners", "--name", "Sam Lee, Principal",
            "--email", "sam@lee.example", "--address", "1 High St", "--address", "Leeds",
            "--country", "gb", "--logo", str(logo),
        ]
    )  # fmt: skip
    assert code == 0
    assert capsys.readouterr().out.strip() == str(data / "brand.toml")
    assert (data / "brand-logo.svg").read_text() == LOGO
    text = (data / "brand.toml").read_text()
    assert text.startswith("# Your consultancy's brand")  # commented for hand edits
    brand = resolve_brand(data, "any-client")
    assert brand.firm == "Lee Partners" and brand.contact.name == "Sam Lee, Principal"
    assert brand.contact.address == ("1 High St", "Leeds")
    assert brand.country == "GB"
    assert brand.logo == (data / "brand-logo.svg").resolve()


def test_refuses_to_overwrite_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["brand", "init", "--data", str(tmp_path), "--firm", "A", "--name", "B"]
    assert main(args) == 0
    first = (tmp_path / "brand.toml").read_text()
    assert main([*args[:-4], "--firm", "C", "--name", "D"]) == 2
    assert "exists; use --force" in capsys.readouterr().err
    assert (tmp_path / "brand.toml").read_text() == first
    assert main([*args[:-4], "--firm", "C", "--name", "D", "--force"]) == 0
    assert resolve_brand(tmp_path, "x").firm == "C"


def test_force_with_a_new_logo_replaces_the_old_one(tmp_path: Path) -> None:
    png = tmp_path / "logo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n")
    svg = tmp_path / "logo.svg"
    svg.write_text(LOGO)
    data = tmp_path / "data"
    write_brand(data, BrandAnswers("A", "B", logo=svg))
    write_brand(data, BrandAnswers("A", "B", logo=png), force=True)
    assert sorted(p.name for p in data.glob("brand-logo.*")) == ["brand-logo.png"]


def test_not_on_a_terminal_firm_and_name_are_required(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # pytest's stdin is not a terminal: the command must not wait for answers.
    assert main(["brand", "init", "--data", str(tmp_path), "--firm", "A"]) == 2
    assert "--name required when not on a terminal" in capsys.readouterr().err
    assert not (tmp_path / "brand.toml").exists()


def test_prompts_ask_for_what_the_flags_left_out(tmp_path: Path) -> None:
    answers = iter(["", "Lee Partners", "Sam Lee", "0113 496 0000", "", "", "1 High St", ""])
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    out = io.StringIO()
    got = answers_from(flags(email="sam@lee.example", country="IE", logo=""), ask, out)
    assert (got.firm, got.name, got.email, got.phone, got.web) == (
        "Lee Partners",
        "Sam Lee",
        "sam@lee.example",
        "0113 496 0000",
        "",
    )
    assert "Firm name is required" in out.getvalue()  # the empty first answer was refused
    assert not any("E-mail" in p for p in asked)  # given by flag, not asked
    assert got.country == "IE" and got.logo is None
    assert got.address == ("1 High St",)


def test_values_are_escaped_and_round_trip(tmp_path: Path) -> None:
    firm = 'Lee "&" Partners \\ Söhne'
    write_brand(tmp_path, BrandAnswers(firm, "Sam", address=('Flat "B"',)))
    raw = tomllib.loads((tmp_path / "brand.toml").read_text())
    assert raw["firm"] == firm and raw["contact"]["address"] == ['Flat "B"']
    tricky = "a\x7fb\tc"
    assert tomllib.loads("x = " + toml_string(tricky))["x"] == tricky


def test_control_characters_are_refused() -> None:
    with pytest.raises(BrandInitError, match="control characters"):
        answers_from(flags(firm="A\nfirm = 'B'", name="N"), None, io.StringIO())


def test_a_bad_value_leaves_the_existing_brand_untouched(tmp_path: Path) -> None:
    write_brand(tmp_path, BrandAnswers("Good", "Sam"))
    before = (tmp_path / "brand.toml").read_text()
    with pytest.raises(BrandInitError, match=r"brand\.toml: country"):
        write_brand(tmp_path, BrandAnswers("Bad", "Sam", country="Britain"), force=True)
    assert (tmp_path / "brand.toml").read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["brand.toml"]  # no scratch left behind


def test_logo_must_exist_and_be_an_image(tmp_path: Path) -> None:
    with pytest.raises(BrandInitError, match="no such file"):
        write_brand(tmp_path, BrandAnswers("A", "B", logo=tmp_path / "none.svg"))
    (tmp_path / "logo.gif").write_bytes(b"GIF89a")
    with pytest.raises(BrandInitError, match="must be"):
        write_brand(tmp_path, BrandAnswers("A", "B", logo=tmp_path / "logo.gif"))
