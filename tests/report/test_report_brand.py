"""Brand resolution: neutral defaults < the consultant's brand < a client's override, with the
identity (firm, logo, contact, footer, disclaimer) always taken whole from one file."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from assessment.model import Severity
from assessment.report import brand as brand_module
from assessment.report.brand import (
    IDENTITY_KEYS,
    Brand,
    BrandError,
    load_brand,
    neutral_brand,
    resolve_brand,
)
from assessment.report.locations import DEFAULT_BRAND_FILE, DEMO_BRAND_FILE, TEMPLATES_DIR

DEMO_FIRM = "Northwind Security Partners"
LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'


def consultant(data: Path, extra: str = "", *, logo: bool = True) -> Path:
    """<data>/brand.toml for 'Lee Partners', with a logo, tagline, phone and address."""
    data.mkdir(parents=True, exist_ok=True)
    if logo:
        (data / "lee-logo.svg").write_text(LOGO)
    text = (
        'firm = "Lee Partners"\ntagline = "Mail you can trust"\n'
        + ('logo = "lee-logo.svg"\n' if logo else "")
        + 'footer = "Lee Partners: confidential"\n'
        + 'disclaimer = "Lee Partners accepts no liability beyond the engagement letter."\n'
        + extra
        + '\n[contact]\nname = "Sam Lee"\nemail = "sam@lee.example"\nphone = "+44 113 496 0000"\n'
        + 'address = ["1 High St", "Leeds"]\n'
    )
    (data / "brand.toml").write_text(text)
    return data / "brand.toml"


def client_file(data: Path, slug: str, text: str) -> Path:
    folder = data / "clients" / slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "brand.toml").write_text(text)
    return folder / "brand.toml"


def identity_strings(brand: Brand) -> set[str]:
    c = brand.contact
    values = {brand.firm, brand.tagline, c.name, c.email, c.phone, c.web, *c.address}
    values |= {brand.footer, brand.disclaimer, str(brand.logo or "")}
    return {v for v in values if v}


# ------------------------------------------------------------------------------ defaults


def test_built_in_defaults_are_neutral() -> None:
    raw = tomllib.loads(DEFAULT_BRAND_FILE.read_text())
    assert not {"firm", "tagline", "logo", "contact"} & raw.keys()
    brand = neutral_brand()
    assert not brand.branded
    assert (brand.firm, brand.tagline, brand.logo) == ("", "", None)
    assert brand.contact.name == brand.contact.email == ""
    assert "Northwind" not in DEFAULT_BRAND_FILE.read_text()
    assert brand.footer and brand.disclaimer  # neutral wording, naming no firm
    assert brand.roots == tuple(f.path for f in brand.fonts.faces)


def test_defaults_that_gained_an_identity_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "default" / "brand.toml"
    bad.parent.mkdir()
    text = DEFAULT_BRAND_FILE.read_text().replace("../../fonts/", f"{TEMPLATES_DIR}/fonts/")
    bad.write_text('firm = "Anyone"\n' + text)
    monkeypatch.setattr(brand_module, "DEFAULT_BRAND_FILE", bad)
    with pytest.raises(BrandError, match="built-in defaults must not set firm"):
        neutral_brand()


def test_fonts_are_ibm_plex_vendored_with_licence() -> None:
    brand = neutral_brand()
    assert (brand.fonts.body, brand.fonts.heading, brand.fonts.mono) == (
        "IBM Plex Sans",
        "IBM Plex Serif",
        "IBM Plex Mono",
    )
    fonts = TEMPLATES_DIR / "fonts"
    assert {f.path.parent for f in brand.fonts.faces} == {fonts}
    assert "SIL Open Font License" in (fonts / "LICENSE-IBM-Plex.txt").read_text()
    readme = (fonts / "README.md").read_text()
    for face in brand.fonts.faces:
        assert face.path.name in readme  # each file's origin and version is documented
    # Only the faces the stylesheet uses are shipped.
    shipped = {p.name for p in fonts.iterdir() if p.suffix == ".ttf"}
    assert shipped == {f.path.name for f in brand.fonts.faces}


def test_demo_brand_is_the_fictional_firm_and_ignores_the_data_folder(tmp_path: Path) -> None:
    consultant(tmp_path)
    brand = resolve_brand(tmp_path, "brightsmile-dental-care", demo=True)
    assert brand.firm == DEMO_FIRM
    assert brand.logo is not None and brand.logo.parent == DEMO_BRAND_FILE.parent
    assert "Lee" not in " ".join(identity_strings(brand))


# ------------------------------------------------------------------------------ real runs


def test_real_run_without_any_brand_is_neutral_never_the_demo_firm(tmp_path: Path) -> None:
    brand = resolve_brand(tmp_path, "someone")
    assert not brand.branded
    assert not any("Northwind" in s or "Bristol" in s for s in identity_strings(brand))


def test_consultant_brand_applies_to_every_client(tmp_path: Path) -> None:
    consultant(tmp_path)
    brand = resolve_brand(tmp_path, "acme")
    assert brand.branded and brand.firm == "Lee Partners"
    assert brand.contact.address == ("1 High St", "Leeds")
    assert brand.logo == (tmp_path / "lee-logo.svg").resolve()
    assert brand.footer == "Lee Partners: confidential"
    # The renderer may read the logo file, not the data folder that holds every client.
    assert brand.logo in brand.roots and tmp_path.resolve() not in brand.roots


def test_consultant_brand_without_wording_gets_the_neutral_wording(tmp_path: Path) -> None:
    (tmp_path / "brand.toml").write_text('firm = "Solo"\n[contact]\nname = "Kim"\n')
    brand = resolve_brand(tmp_path, "acme")
    assert brand.firm == "Solo" and brand.logo is None
    assert brand.footer == neutral_brand().footer
    assert brand.disclaimer == neutral_brand().disclaimer


def test_client_style_override_keeps_the_consultant_identity(tmp_path: Path) -> None:
    consultant(tmp_path)
    client_file(tmp_path, "acme", '[colours]\nprimary = "#112233"\n')
    brand = resolve_brand(tmp_path, "acme")
    assert brand.firm == "Lee Partners"
    assert brand.colours.primary == "#112233"
    assert brand.colours.accent == neutral_brand().colours.accent


def test_client_identity_replaces_the_whole_consultant_identity(tmp_path: Path) -> None:
    # The mixed case the issue found: another firm's name beside this firm's logo, tagline,
    # phone, address, footer and disclaimer. A complete override must carry none of them.
    consultant(tmp_path)
    folder = client_file(
        tmp_path, "acme", 'firm = "Acme Assurance"\n[contact]\nname = "Jo Acme"\n'
    ).parent
    brand = resolve_brand(tmp_path, "acme")
    assert brand.firm == "Acme Assurance" and brand.contact.name == "Jo Acme"
    leaked = {s for s in identity_strings(brand) if "Lee" in s or "lee" in s}
    assert leaked == set()
    assert brand.logo is None and brand.tagline == "" and brand.contact.phone == ""
    assert brand.contact.address == ()
    assert brand.footer == neutral_brand().footer
    assert brand.identity is not None and brand.identity.source == folder / "brand.toml"


def test_client_identity_with_its_own_logo(tmp_path: Path) -> None:
    consultant(tmp_path)
    folder = client_file(
        tmp_path,
        "acme",
        'firm = "Acme Assurance"\nlogo = "acme.svg"\n[contact]\nname = "Jo"\n'
        '[colours]\nprimary = "#112233"\n',
    ).parent
    (folder / "acme.svg").write_text(LOGO)
    brand = resolve_brand(tmp_path, "acme")
    assert brand.logo == (folder / "acme.svg").resolve()
    assert brand.colours.primary == "#112233"


@pytest.mark.parametrize(
    "partial",
    [
        'logo = "acme.svg"\n',
        'tagline = "Another tagline"\n',
        'footer = "Acme: confidential"\n',
        '[contact]\nphone = "+1 555 0100"\n',
        'firm = "Acme Assurance"\n',
        '[contact]\nname = "Jo Acme"\n',
    ],
)
def test_partial_client_identity_is_refused_naming_the_file(tmp_path: Path, partial: str) -> None:
    consultant(tmp_path)
    folder = client_file(tmp_path, "acme", partial).parent
    (folder / "acme.svg").write_text(LOGO)
    with pytest.raises(BrandError, match=r"clients/acme/brand\.toml: .*(firm|contact\.name)"):
        resolve_brand(tmp_path, "acme")


def test_client_identity_without_a_consultant_brand(tmp_path: Path) -> None:
    client_file(tmp_path, "acme", 'firm = "Acme Assurance"\n[contact]\nname = "Jo"\n')
    assert resolve_brand(tmp_path, "acme").firm == "Acme Assurance"
    assert not resolve_brand(tmp_path, "other").branded


def test_identity_keys_are_documented_in_the_user_guide_and_brand_init() -> None:
    from assessment.report.brand_init import BrandAnswers, brand_toml

    guide = (Path(__file__).resolve().parents[2] / "docs" / "user-guide.md").read_text()
    written = brand_toml(BrandAnswers(firm="F", name="N"))
    for key in IDENTITY_KEYS:
        assert f"`{key}`" in guide or f"[{key}]" in guide, key
        assert key in written, key


# ------------------------------------------------------------------------------ settings


def test_country_setting_is_validated_and_overridable(tmp_path: Path) -> None:
    consultant(tmp_path, 'country = "gb"\n')
    assert resolve_brand(tmp_path, "acme").country == "GB"
    client_file(tmp_path, "acme", 'country = "IE"\n')
    assert resolve_brand(tmp_path, "acme").country == "IE"
    client_file(tmp_path, "bad", 'country = "Britain"\n')
    with pytest.raises(BrandError, match="country"):
        resolve_brand(tmp_path, "bad")


def test_font_faces_add_up_across_layers(tmp_path: Path) -> None:
    shutil.copy(TEMPLATES_DIR / "fonts" / "IBMPlexMono-Regular.ttf", tmp_path / "own.ttf")
    (tmp_path / "brand.toml").write_text(
        'firm = "F"\n[contact]\nname = "N"\n[fonts]\nbody = "Own"\n'
        '[[fonts.face]]\nfamily = "Own"\nfile = "own.ttf"\n'
    )
    brand = resolve_brand(tmp_path, "acme")
    assert brand.fonts.body == "Own" and brand.fonts.heading == "IBM Plex Serif"
    families = {f.family for f in brand.fonts.faces}
    assert {"Own", "IBM Plex Serif"} <= families


# ------------------------------------------------------------------------------ errors


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BrandError, match="brand file not found"):
        load_brand(tmp_path / "nope.toml")


def test_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "brand.toml"
    path.write_text('firm = "unterminated\n', encoding="utf-8")
    with pytest.raises(BrandError, match="invalid TOML") as info:
        load_brand(path)
    assert "\n" not in str(info.value)


def test_unknown_key_is_named(tmp_path: Path) -> None:
    path = tmp_path / "brand.toml"
    path.write_text('[colors]\nprimary = "#112233"\n')
    with pytest.raises(BrandError, match="unknown key colors"):
        load_brand(path)


def test_bad_colour(tmp_path: Path) -> None:
    path = consultant(tmp_path, '[colours]\nprimary = "red; background: url(x)"\n')
    with pytest.raises(BrandError, match=r"colours\.primary: .* is not a #rrggbb colour"):
        load_brand(path)


def test_bad_font_family_name(tmp_path: Path) -> None:
    path = consultant(tmp_path, '[fonts]\nbody = "x\'; }"\n')
    with pytest.raises(BrandError, match=r"fonts\.body"):
        load_brand(path)


def test_missing_logo(tmp_path: Path) -> None:
    path = consultant(tmp_path)
    (tmp_path / "lee-logo.svg").unlink()
    with pytest.raises(BrandError, match="logo not found"):
        load_brand(path)


def test_font_outside_allowed_folders(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    outside = tmp_path / "elsewhere.ttf"
    shutil.copy(TEMPLATES_DIR / "fonts" / "IBMPlexMono-Regular.ttf", outside)
    path = consultant(folder, f'[[fonts.face]]\nfamily = "X"\nfile = "{outside}"\n')
    with pytest.raises(BrandError, match="outside report_templates/ and the brand folder"):
        load_brand(path)


def test_client_override_errors_name_the_client_file(tmp_path: Path) -> None:
    client_file(tmp_path, "acme", '[colours.severity]\nhigh = "orange"\n')
    with pytest.raises(BrandError, match=r"clients/acme/brand\.toml: colours\.severity\.high"):
        resolve_brand(tmp_path, "acme")


def test_client_slug_cannot_escape(tmp_path: Path) -> None:
    with pytest.raises(BrandError, match="slug"):
        resolve_brand(tmp_path, "../../etc")


def test_severity_colours_are_read(brand: Brand) -> None:
    assert brand.colours.severity.of(Severity.CRITICAL).startswith("#")
