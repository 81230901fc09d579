"""Per-client configuration: `<data>/clients/<slug>/client.toml`.

Lets a consultant re-assess a client with `mailposture assess --client NAME` alone:

    name = "Acme Dental"
    domains = ["acme-dental.co.uk", "acmedental.com"]
    dkim_selectors = ["selector1", "selector2"]      # optional
    tlsrpt_sources = ["/home/me/Mail/acme-tlsrpt"]   # optional: imported before each report
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from assessment.tlsrpt.store import client_slug

CONFIG_FILE = "client.toml"


class ClientConfigError(ValueError):
    """The client file exists but cannot be used; the message is one line."""


@dataclass(frozen=True)
class ClientConfig:
    name: str
    domains: tuple[str, ...]
    dkim_selectors: tuple[str, ...] = ()
    tlsrpt_sources: tuple[str, ...] = ()


def config_path(data_dir: Path, client: str) -> Path:
    return data_dir / "clients" / client_slug(client) / CONFIG_FILE


def _strings(raw: dict[str, object], key: str, path: Path) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ClientConfigError(f"{path}: {key} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def load_client(data_dir: Path, client: str) -> ClientConfig | None:
    """The client's configuration, or None when it has no client.toml."""
    path = config_path(data_dir, client)
    if not path.is_file():
        return None
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ClientConfigError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ClientConfigError(f"{path}: not valid TOML: {exc}") from exc
    unknown = sorted(set(raw) - {"name", "domains", "dkim_selectors", "tlsrpt_sources"})
    if unknown:
        raise ClientConfigError(f"{path}: unknown key(s) {', '.join(unknown)}")
    name = raw.get("name", client)
    if not isinstance(name, str) or not name.strip():
        raise ClientConfigError(f"{path}: name must be a non-empty string")
    if client_slug(name) != client_slug(client):
        # The store, brand and runs live under the slug: a name that slugs differently
        # would silently split the client's history across two folders.
        raise ClientConfigError(
            f"{path}: name {name!r} does not match the folder {client_slug(client)!r}"
        )
    domains = _strings(raw, "domains", path)
    if not domains:
        raise ClientConfigError(f"{path}: domains is empty")
    return ClientConfig(
        name=name.strip(),
        domains=domains,
        dkim_selectors=_strings(raw, "dkim_selectors", path),
        tlsrpt_sources=_strings(raw, "tlsrpt_sources", path),
    )
