"""Whose report it is and how it looks: identity, colours, fonts, read from brand files.

Three layers, lowest first:

1. the kit's built-in defaults (`report_templates/brand/default/brand.toml`): colours, fonts
   and neutral wording (footer, disclaimer) that names no firm;
2. the consultant's brand, `<data>/brand.toml` (written by `mailposture brand init`); the demo
   uses the fictional demo firm's file instead (`report_templates/brand/demo/`);
3. a per-client override, `<data>/clients/<slug>/brand.toml`.

Style (`[colours]`, `[fonts]`) merges key by key, so a client file may change one colour; font
faces add up. The **identity** (firm, tagline, logo, footer, disclaimer, `[contact]`) never
merges: it is taken whole from the highest layer that sets any identity key, and keys that
layer leaves out are empty (footer and disclaimer fall back to the neutral wording). A client
file that changes only the logo would otherwise print the consultant's firm, phone and address
beside another firm's logo. Such a layer must name at least `firm` and `contact.name`. With no
identity anywhere the report is neutral: no firm, logo or contact, and `Brand.branded` is false.

A brand file is trusted configuration, but its values still end up inside CSS that we write
ourselves, so every value that reaches CSS is checked against a narrow pattern here (colours as
`#rrggbb`, font family names as plain words). Paths in a brand file are relative to that file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from assessment.model import Severity
from assessment.report.locations import DEFAULT_BRAND_FILE, DEMO_BRAND_FILE, TEMPLATES_DIR
from assessment.workspace import ClientFolder, Workspace

_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_FAMILY = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _-]{0,63}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_LOGO_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg")
_FONT_SUFFIXES = (".ttf", ".otf", ".woff", ".woff2")
# Keys whose values are file paths: they resolve against the file that set them, so a client
# override can point at a logo in its own folder while inheriting the default fonts.
_PATH_KEYS = frozenset({"logo", "file"})

IDENTITY_KEYS: Final = ("firm", "tagline", "logo", "footer", "disclaimer", "contact")
"""Keys that say whose report it is; they travel together (see the module docstring)."""
STYLE_KEYS: Final = ("colours", "fonts")
SETTING_KEYS: Final = ("country",)
"""Plain settings: the highest layer that sets one wins, like a style key."""
_NEUTRAL_KEYS: Final = frozenset({"footer", "disclaimer"})
"""The identity keys the built-in defaults may set: wording that names no firm."""
_CONTACT_KEYS: Final = frozenset({"name", "email", "phone", "web", "address"})
_COUNTRY = re.compile(r"[A-Z]{2}")


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
    name: str = ""
    email: str = ""
    phone: str = ""
    web: str = ""
    address: tuple[str, ...] = ()


@dataclass(frozen=True)
class Identity:
    """Who signs the report; always from one brand file (`source`)."""

    firm: str
    contact: Contact
    source: Path
    tagline: str = ""
    logo: Path | None = None


@dataclass(frozen=True)
class Brand:
    identity: Identity | None
    """None for a neutral, unbranded report."""
    colours: Colours
    fonts: Fonts
    footer: str
    disclaimer: str
    sources: tuple[Path, ...]
    """The brand files this brand was read from, defaults first."""
    country: str = ""
    """The consultant's default client country (ISO 3166-1 alpha-2), "" when not set."""

    @property
    def branded(self) -> bool:
        return self.identity is not None

    @property
    def firm(self) -> str:
        return self.identity.firm if self.identity else ""

    @property
    def tagline(self) -> str:
        return self.identity.tagline if self.identity else ""

    @property
    def logo(self) -> Path | None:
        return self.identity.logo if self.identity else None

    @property
    def contact(self) -> Contact:
        return self.identity.contact if self.identity else Contact()

    @property
    def roots(self) -> tuple[Path, ...]:
        """What the renderer may load besides report_templates/: exactly the logo and font
        files, not their folders (the consultant's brand sits at the top of the data folder,
        beside every client's stores and runs)."""
        assets = [f.path for f in self.fonts.faces]
        if self.logo is not None:
            assets.insert(0, self.logo)
        return tuple(dict.fromkeys(p.resolve() for p in assets))


def neutral_brand() -> Brand:
    """The built-in defaults alone: an unbranded report."""
    return _resolve(())


def load_brand(path: Path) -> Brand:
    """One brand file over the built-in defaults. Raises `BrandError` with a one-line reason."""
    return _resolve((path,))


def consultant_brand_file(data_dir: Path) -> Path:
    """Where the consultant's own brand lives (`mailposture brand init` writes it)."""
    return Workspace(data_dir).brand


def resolve_brand(data_dir: Path, client_slug: str, *, demo: bool = False) -> Brand:
    """The brand a client's report is rendered with (layers in the module docstring).

    `demo`: the run was made against the sandbox; the fictional demo firm stands in for the
    consultant and files in the data folder are not read.
    """
    if not _SLUG.fullmatch(client_slug):
        raise BrandError(f"client slug {client_slug!r} is not a plain lower-case name")
    if demo:
        return _resolve((DEMO_BRAND_FILE,))
    workspace = Workspace(data_dir)
    client = ClientFolder(workspace.clients_dir / client_slug).brand
    layers = [p for p in (workspace.brand, client) if p.is_file()]
    return _resolve(tuple(layers))


def unbranded_notice(data_dir: Path) -> str:
    """The one line a real run without any identity prints on stderr."""
    return (
        f"no consultant brand in {consultant_brand_file(data_dir)}: the report is unbranded "
        "(no firm, logo or contact). Set yours with: mailposture brand init "
        f"--data {data_dir}"
    )


# ------------------------------------------------------------------------------ layers


def _resolve(layers: tuple[Path, ...]) -> Brand:
    default_path = DEFAULT_BRAND_FILE.resolve()
    defaults = _read(default_path)
    _check_defaults(defaults, default_path)
    read = [(path.resolve(), _read(path.resolve())) for path in layers]
    style: dict[str, Any] = {k: defaults[k] for k in STYLE_KEYS if k in defaults}
    for _, raw in read:
        style = _merge_style(style, raw)
        style.update({k: raw[k] for k in SETTING_KEYS if k in raw})
    owner = next(((p, raw) for p, raw in reversed(read) if _sets_identity(raw)), None)
    sources = (default_path, *(p for p, _ in read))
    return _build(defaults, style, owner, sources)


def _sets_identity(raw: dict[str, Any]) -> bool:
    return any(key in raw for key in IDENTITY_KEYS)


def _check_defaults(raw: dict[str, Any], path: Path) -> None:
    # The built-in file must stay neutral: an identity there would brand every real report.
    stray = [k for k in IDENTITY_KEYS if k in raw and k not in _NEUTRAL_KEYS]
    if stray:
        raise BrandError(f"{path}: the built-in defaults must not set {', '.join(stray)}")


def _merge_style(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key in STYLE_KEYS:
        if key in override:
            merged[key] = _merge(merged.get(key, {}), override[key], key)
    return merged


def _merge(base: Any, override: Any, key: str) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for k, v in override.items():
            merged[k] = _merge(merged[k], v, k) if k in merged else v
        return merged
    if key == "face" and isinstance(base, list) and isinstance(override, list):
        # Faces add up: a brand that brings its own body font keeps the default heading font.
        return [*base, *override]
    return override


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
    allowed = (*IDENTITY_KEYS, *STYLE_KEYS, *SETTING_KEYS)
    unknown = sorted(k for k in data if k not in allowed)
    if unknown:
        raise BrandError(
            f"{path}: unknown key {', '.join(unknown)} (allowed: {', '.join(allowed)})"
        )
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


def _build(
    defaults: dict[str, Any],
    style: dict[str, Any],
    owner: tuple[Path, dict[str, Any]] | None,
    sources: tuple[Path, ...],
) -> Brand:
    # Style errors name the last file, as before: it is the one the consultant just edited.
    r = _Reader(sources[-1])
    colours = r.table(style, "colours")
    severity = r.table(colours, "colours.severity")
    fonts = r.table(style, "fonts")
    identity = _identity(*owner) if owner is not None else None
    brand = Brand(
        identity=identity,
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
        footer=_wording("footer", owner, defaults, sources[0]),
        disclaimer=_wording("disclaimer", owner, defaults, sources[0]),
        sources=sources,
        country=_country(r, style.get("country", "")),
    )
    _check_inside_roots(r, brand)
    return brand


def _wording(
    key: str,
    owner: tuple[Path, dict[str, Any]] | None,
    defaults: dict[str, Any],
    default_path: Path,
) -> str:
    """Footer or disclaimer: the identity's own, else the neutral wording (never another
    firm's)."""
    if owner is not None and key in owner[1]:
        return _Reader(owner[0]).text(owner[1], key)
    return _Reader(default_path).text(defaults, key)


def _identity(path: Path, raw: dict[str, Any]) -> Identity:
    r = _Reader(path)
    contact = r.table(raw, "contact")
    unknown = sorted(k for k in contact if k not in _CONTACT_KEYS)
    if unknown:
        raise r.fail("contact", f"unknown key {', '.join(unknown)}")
    required = (("firm", raw.get("firm")), ("contact.name", contact.get("name")))
    missing = [key for key, value in required if not value]
    if missing:
        given = ", ".join(k for k in IDENTITY_KEYS if k in raw)
        raise r.fail(
            " and ".join(missing),
            f"required: this file sets {given}, and an identity is never mixed with another "
            "file's, so it must say whose report it is (firm and contact.name; see "
            "docs/user-guide.md, 'Your brand')",
        )
    logo = raw.get("logo")
    return Identity(
        firm=r.text(raw, "firm"),
        tagline=r.text(raw, "tagline", required=False),
        logo=r.file(logo, "logo", _LOGO_SUFFIXES, "logo") if logo else None,
        contact=Contact(
            name=r.text(contact, "contact.name"),
            email=r.text(contact, "contact.email", required=False),
            phone=r.text(contact, "contact.phone", required=False),
            web=r.text(contact, "contact.web", required=False),
            address=_lines(r, contact.get("address", []), "contact.address"),
        ),
        source=path,
    )


def _country(r: _Reader, value: Any) -> str:
    if value == "":
        return ""
    if not isinstance(value, str) or not _COUNTRY.fullmatch(value.strip().upper()):
        raise r.fail("country", f"{value!r} is not a two-letter country code (e.g. GB)")
    return value.strip().upper()


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
    return tuple(x.strip() for x in raw if x.strip())


def _check_inside_roots(r: _Reader, brand: Brand) -> None:
    # The renderer's URL fetcher refuses anything outside these folders; saying so here gives
    # the consultant a clear error instead of a PDF with a silently missing logo.
    allowed = (TEMPLATES_DIR, *dict.fromkeys(p.parent for p in brand.sources))
    assets = [("fonts.face", f.path) for f in brand.fonts.faces]
    if brand.logo is not None:
        assets.insert(0, ("logo", brand.logo))
    for key, path in assets:
        if not any(path.resolve().is_relative_to(root) for root in allowed):
            raise r.fail(key, f"{path} is outside report_templates/ and the brand folder")
