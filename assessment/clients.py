"""Per-client configuration: `<data>/clients/<slug>/client.toml`.

Lets a consultant re-assess a client with `mailposture assess --client NAME` alone:

    name = "Acme Dental"
    domains = ["acme-dental.co.uk", "acmedental.com"]
    country = "GB"                                   # optional: frameworks and working days
    dkim_selectors = ["selector1", "selector2"]      # optional
    tlsrpt_sources = ["/home/me/Mail/acme-tlsrpt"]   # optional: imported before each report
    dmarc_sources = ["/home/me/Mail/acme-dmarc"]     # optional: imported before each report
    frameworks = ["us"]                              # optional: regions beyond the country's
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from assessment.workspace import Workspace, WorkspaceError, client_slug

_KEYS = frozenset(
    {
        "name",
        "domains",
        "country",
        "dkim_selectors",
        "tlsrpt_sources",
        "dmarc_sources",
        "frameworks",
    }
)


class ClientConfigError(ValueError):
    """The client file exists but cannot be used; the message is one line."""


@dataclass(frozen=True)
class ClientConfig:
    name: str
    domains: tuple[str, ...]
    dkim_selectors: tuple[str, ...] = ()
    tlsrpt_sources: tuple[str, ...] = ()
    dmarc_sources: tuple[str, ...] = ()
    country: str = ""
    """ISO 3166-1 alpha-2, upper case; "" when not set."""
    frameworks: tuple[str, ...] = ()
    """Extra framework regions to include beyond the country's own (e.g. "us", "au")."""


def _strings(raw: dict[str, object], key: str, path: Path) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ClientConfigError(f"{path}: {key} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _country(raw: dict[str, object], path: Path) -> str:
    value = raw.get("country", "")
    if not isinstance(value, str) or (value and not (len(value) == 2 and value.isalpha())):
        raise ClientConfigError(f"{path}: country must be a two-letter ISO code such as GB or US")
    return value.upper()


def load_client(data_dir: Path, client: str) -> ClientConfig | None:
    """The client's configuration, or None when it has no client.toml."""
    try:
        folder = Workspace(data_dir).client(client)
    except WorkspaceError as exc:
        raise ClientConfigError(str(exc)) from None
    path = folder.config
    if not path.is_file():
        return None
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ClientConfigError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ClientConfigError(f"{path}: not valid TOML: {exc}") from exc
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ClientConfigError(f"{path}: unknown key(s) {', '.join(unknown)}")
    name = raw.get("name", client)
    if not isinstance(name, str) or not name.strip():
        raise ClientConfigError(f"{path}: name must be a non-empty string")
    try:
        same = client_slug(name) == folder.slug
    except WorkspaceError as exc:
        raise ClientConfigError(f"{path}: {exc}") from None
    if not same:
        # The store, brand and runs live under the slug: a name that slugs differently
        # would silently split the client's history across two folders.
        raise ClientConfigError(f"{path}: name {name!r} does not match the folder {folder.slug!r}")
    domains = _strings(raw, "domains", path)
    if not domains:
        raise ClientConfigError(f"{path}: domains is empty")
    return ClientConfig(
        name=name.strip(),
        domains=domains,
        dkim_selectors=_strings(raw, "dkim_selectors", path),
        tlsrpt_sources=_strings(raw, "tlsrpt_sources", path),
        dmarc_sources=_strings(raw, "dmarc_sources", path),
        country=_country(raw, path),
        frameworks=tuple(f.lower() for f in _strings(raw, "frameworks", path)),
    )
