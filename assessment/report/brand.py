"""The consultancy's brand: firm, logo, colours, fonts, contact, read from one TOML file.

A brand file is trusted configuration, but its values still end up inside CSS that we write
ourselves, so every value that reaches CSS is checked against a narrow pattern here (colours as
`#rrggbb`, font family names as plain words). Paths in a brand file are relative to that file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assessment.model import Severity
from assessment.report.locations import DEFAULT_BRAND_FILE, TEMPLATES_DIR

_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_FAMILY = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _-]{0,63}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_LOGO_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg")
_FONT_SUFFIXES = (".ttf", ".otf", ".woff", ".woff2")
# Keys whose values are file paths: they resolve against the file that set them, so a client
# override can point at a logo in its own folder while inheriting the default fonts.
_PATH_KEYS = frozenset({"logo", "file"})


class BrandError(ValueError):
    """A brand file that cannot be used, with a one-line reason naming the file and key."""


@dataclass(frozen=True)
class SeverityColours:
    critical: str
    high: str
    medium: str
    low: str
    info: str

    def of(self, severity: Severity) -> str:
        return str(getattr(self, severity.value))


@dataclass(frozen=True)
class Colours:
    primary: str
    accent: str
    text: str
    muted: str
    tint: str
    """Light background for tables, callouts and the cover band."""
    good: str
    """Colour of a passing control in the scorecard."""
    severity: SeverityColours


@dataclass(frozen=True)
class FontFace:
    family: str
    path: Path
    weight: int = 400
    style: str = "normal"


@dataclass(frozen=True)
class Fonts:
    body: str
    heading: str
    mono: str
    faces: tuple[FontFace, ...] = ()


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str
    web: str
    address: tuple[str, ...]


@dataclass(frozen=True)
class Brand:
    firm: str
    tagline: str
    logo: Path
    colours: Colours
    fonts: Fonts
    contact: Contact
    disclaimer: str
    footer: str
    sources: tuple[Path, ...]
    """The brand files this brand was read from, default first."""

    @property
    def roots(self) -> tuple[Path, ...]:
        """Folders the renderer may load brand assets from: those of the brand files."""
        return tuple(dict.fromkeys(p.parent for p in self.sources))


def load_brand(path: Path) -> Brand:
    """Read one brand file. Raises `BrandError` with a one-line reason."""
    path = path.resolve()
    raw = _read(path)
    return _build(raw, (path,))


def resolve_brand(data_dir: Path, client_slug: str) -> Brand:
    """The default brand, overridden key by key by `<data_dir>/clients/<slug>/brand.toml`."""
    if not _SLUG.fullmatch(client_slug):
        raise BrandError(f"client slug {client_slug!r} is not a plain lower-case name")
    default_path = DEFAULT_BRAND_FILE.resolve()
    raw = _read(default_path)
    override = (data_dir / "clients" / client_slug / "brand.toml").resolve()
    if not override.is_file():
        return _build(raw, (default_path,))
    merged = _merge(raw, _read(override))
    return _build(merged, (default_path, override))


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BrandError(f"{path}: brand file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BrandError(f"{path}: cannot read brand file ({exc.__class__.__name__})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BrandError(f"{path}: invalid TOML: {exc}") from None
    absolute: dict[str, Any] = _absolutise(data, path.parent)
    return absolute


def _absolutise(value: Any, base: Path, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _absolutise(v, base, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_absolutise(v, base, key) for v in value]
    if key in _PATH_KEYS and isinstance(value, str) and value:
        return str((base / value).resolve())
    return value


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class _Reader:
    """Typed access to the raw TOML tables, with errors that name the file and the key."""

    def __init__(self, where: Path) -> None:
        self.where = where

    def fail(self, key: str, reason: str) -> BrandError:
        return BrandError(f"{self.where}: {key}: {reason}")

    def table(self, data: dict[str, Any], key: str) -> dict[str, Any]:
        value = data.get(key.rpartition(".")[2], {})
        if not isinstance(value, dict):
            raise self.fail(key, "expected a table")
        return value

    def text(self, data: dict[str, Any], key: str, *, required: bool = True) -> str:
        value = data.get(key.rpartition(".")[2])
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(key, "expected a non-empty string")
        return value.strip()

    def colour(self, data: dict[str, Any], key: str) -> str:
        value = self.text(data, key)
        if not _COLOUR.fullmatch(value):
            raise self.fail(key, f"{value!r} is not a #rrggbb colour")
        return value.lower()

    def family(self, data: dict[str, Any], key: str) -> str:
        value = self.text(data, key)
        if not _FAMILY.fullmatch(value):
            raise self.fail(key, f"{value!r} is not a plain font family name")
        return value

    def file(self, value: Any, key: str, suffixes: tuple[str, ...], what: str) -> Path:
        if not isinstance(value, str) or not value:
            raise self.fail(key, f"expected a path to the {what}")
        path = Path(value)
        if path.suffix.lower() not in suffixes:
            raise self.fail(key, f"{what} must be one of {', '.join(suffixes)}")
        if not path.is_file():
            raise self.fail(key, f"{what} not found: {path}")
        return path


def _build(raw: dict[str, Any], sources: tuple[Path, ...]) -> Brand:
    r = _Reader(sources[-1])
    colours = r.table(raw, "colours")
    severity = r.table(colours, "colours.severity")
    fonts = r.table(raw, "fonts")
    contact = r.table(raw, "contact")
    brand = Brand(
        firm=r.text(raw, "firm"),
        tagline=r.text(raw, "tagline", required=False),
        logo=r.file(raw.get("logo"), "logo", _LOGO_SUFFIXES, "logo"),
        colours=Colours(
            primary=r.colour(colours, "colours.primary"),
            accent=r.colour(colours, "colours.accent"),
            text=r.colour(colours, "colours.text"),
            muted=r.colour(colours, "colours.muted"),
            tint=r.colour(colours, "colours.tint"),
            good=r.colour(colours, "colours.good"),
            severity=SeverityColours(
                **{s.value: r.colour(severity, f"colours.severity.{s.value}") for s in Severity}
            ),
        ),
        fonts=Fonts(
            body=r.family(fonts, "fonts.body"),
            heading=r.family(fonts, "fonts.heading"),
            mono=r.family(fonts, "fonts.mono"),
            faces=_faces(r, fonts.get("face", [])),
        ),
        contact=Contact(
            name=r.text(contact, "contact.name"),
            email=r.text(contact, "contact.email", required=False),
            phone=r.text(contact, "contact.phone", required=False),
            web=r.text(contact, "contact.web", required=False),
            address=_lines(r, contact.get("address", []), "contact.address"),
        ),
        disclaimer=r.text(raw, "disclaimer"),
        footer=r.text(raw, "footer", required=False),
        sources=sources,
    )
    _check_inside_roots(r, brand)
    return brand


def _faces(r: _Reader, raw: Any) -> tuple[FontFace, ...]:
    if not isinstance(raw, list):
        raise r.fail("fonts.face", "expected an array of tables ([[fonts.face]])")
    faces = []
    for i, item in enumerate(raw):
        key = f"fonts.face[{i}]"
        if not isinstance(item, dict):
            raise r.fail(key, "expected a table")
        weight = item.get("weight", 400)
        style = item.get("style", "normal")
        if not isinstance(weight, int) or isinstance(weight, bool) or not 100 <= weight <= 900:
            raise r.fail(f"{key}.weight", "expected an integer from 100 to 900")
        if style not in ("normal", "italic"):
            raise r.fail(f"{key}.style", "expected 'normal' or 'italic'")
        faces.append(
            FontFace(
                family=r.family(item, f"{key}.family"),
                path=r.file(item.get("file"), f"{key}.file", _FONT_SUFFIXES, "font file"),
                weight=weight,
                style=style,
            )
        )
    return tuple(faces)


def _lines(r: _Reader, raw: Any, key: str) -> tuple[str, ...]:
    if isinstance(raw, str):
        return (raw,)
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise r.fail(key, "expected a list of strings")
    return tuple(raw)


def _check_inside_roots(r: _Reader, brand: Brand) -> None:
    # The renderer's URL fetcher refuses anything outside these folders; saying so here gives
    # the consultant a clear error instead of a PDF with a silently missing logo.
    allowed = (TEMPLATES_DIR, *brand.roots)
    assets = [("logo", brand.logo)] + [("fonts.face", f.path) for f in brand.fonts.faces]
    for key, path in assets:
        if not any(path.resolve().is_relative_to(root) for root in allowed):
            raise r.fail(key, f"{path} is outside report_templates/ and the brand folder")
