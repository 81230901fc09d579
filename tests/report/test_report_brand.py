from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assessment.model import Severity
from assessment.report.brand import BrandError, load_brand, resolve_brand
from assessment.report.locations import DEFAULT_BRAND_FILE, TEMPLATES_DIR


def test_default_brand_loads_with_local_assets(brand) -> None:
    assert brand.firm == "Northwind Security Partners"
    assert brand.logo.is_file() and brand.logo.suffix == ".svg"
    assert brand.colours.severity.of(Severity.CRITICAL).startswith("#")
    assert brand.fonts.faces, "default brand embeds its fonts"
    for face in brand.fonts.faces:
        assert face.path.is_relative_to(TEMPLATES_DIR / "fonts")
    assert (TEMPLATES_DIR / "fonts" / "LICENSE-DejaVu.txt").is_file()


def _copy_default(tmp_path: Path) -> Path:
    folder = tmp_path / "brand"
    folder.mkdir()
    shutil.copy(DEFAULT_BRAND_FILE.parent / "logo.svg", folder / "logo.svg")
    text = DEFAULT_BRAND_FILE.read_text(encoding="utf-8")
    # Fonts stay where they are: point at them absolutely from the copy.
    text = text.replace('file = "../../fonts/', f'file = "{TEMPLATES_DIR / "fonts"}/')
    (folder / "brand.toml").write_text(text, encoding="utf-8")
    return folder / "brand.toml"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BrandError, match="brand file not found"):
        load_brand(tmp_path / "nope.toml")


def test_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "brand.toml"
    path.write_text('firm = "unterminated\n', encoding="utf-8")
    with pytest.raises(BrandError, match="invalid TOML") as info:
        load_brand(path)
    assert "\n" not in str(info.value)


def test_bad_colour(tmp_path: Path) -> None:
    path = _copy_default(tmp_path)
    path.write_text(
        path.read_text().replace('primary = "#1d3557"', 'primary = "red; background: url(x)"')
    )
    with pytest.raises(BrandError, match=r"colours\.primary: .* is not a #rrggbb colour"):
        load_brand(path)


def test_bad_font_family_name(tmp_path: Path) -> None:
    path = _copy_default(tmp_path)
    path.write_text(path.read_text().replace('body = "DejaVu Sans"', 'body = "x\'; }"'))
    with pytest.raises(BrandError, match=r"fonts\.body"):
        load_brand(path)


def test_missing_logo(tmp_path: Path) -> None:
    path = _copy_default(tmp_path)
    (path.parent / "logo.svg").unlink()
    with pytest.raises(BrandError, match="logo not found"):
        load_brand(path)


def test_font_outside_allowed_folders(tmp_path: Path) -> None:
    path = _copy_default(tmp_path)
    outside = tmp_path.parent / f"{tmp_path.name}-font.ttf"
    shutil.copy(TEMPLATES_DIR / "fonts" / "DejaVuSans.ttf", outside)
    try:
        text = path.read_text().replace(
            f'file = "{TEMPLATES_DIR / "fonts"}/DejaVuSans.ttf"', f'file = "{outside}"'
        )
        path.write_text(text)
        with pytest.raises(BrandError, match="outside report_templates/ and the brand folder"):
            load_brand(path)
    finally:
        outside.unlink()


def test_client_override_merges_and_resolves_paths(tmp_path: Path) -> None:
    folder = tmp_path / "clients" / "acme"
    folder.mkdir(parents=True)
    (folder / "acme-logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (folder / "brand.toml").write_text(
        'firm = "Acme Assurance"\nlogo = "acme-logo.svg"\n[colours]\nprimary = "#112233"\n'
    )
    brand = resolve_brand(tmp_path, "acme")
    assert brand.firm == "Acme Assurance"
    assert brand.logo == (folder / "acme-logo.svg").resolve()
    assert brand.colours.primary == "#112233"
    assert brand.colours.accent == load_brand(DEFAULT_BRAND_FILE).colours.accent
    assert folder.resolve() in brand.roots


def test_client_without_override_gets_default(tmp_path: Path) -> None:
    assert resolve_brand(tmp_path, "someone").firm == "Northwind Security Partners"


def test_client_override_errors_name_the_client_file(tmp_path: Path) -> None:
    folder = tmp_path / "clients" / "acme"
    folder.mkdir(parents=True)
    (folder / "brand.toml").write_text('[colours.severity]\nhigh = "orange"\n')
    with pytest.raises(BrandError, match=r"clients/acme/brand\.toml: colours\.severity\.high"):
        resolve_brand(tmp_path, "acme")


def test_client_slug_cannot_escape(tmp_path: Path) -> None:
    with pytest.raises(BrandError, match="slug"):
        resolve_brand(tmp_path, "../../etc")
