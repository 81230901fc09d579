"""The data folder and run folder layout: every path the kit reads or writes is built here, and
every file of a run is written atomically.

    <data>/
        brand.toml                      the consultant's own identity (`mailposture brand init`)
        clients/<client-slug>/
            client.toml                 the client's domains, selectors, report sources, country
            brand.toml                  optional per-client override of the consultant's brand
            tlsrpt.sqlite               TLS-RPT store
            dmarc.sqlite                DMARC aggregate store
            runs/<YYYYMMDD-HHMMSS>/     one assessment: see `RunFolder`
        portfolio/<YYYYMMDD-HHMMSS>/    one portfolio run over many clients

The data folder is `--data`, else `$MAILPOSTURE_DATA`, else the per-user data folder of the
platform (`~/.local/share/mailposture` on Linux): an installed kit never writes into its own
package folder.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from assessment.codec import from_json, to_json

CAN_LOCK: Final = os.name == "posix"
"""Whether a run folder can be locked (flock on the folder)."""

DATA_ENV: Final = "MAILPOSTURE_DATA"
RUN_SCHEMA: Final = 2
"""`run.json` schema this version writes. 1: before the schema field existed (read as is)."""


class WorkspaceError(ValueError):
    """A path or run file the kit cannot use; the message is one line."""


def default_data_dir() -> Path:
    """`$MAILPOSTURE_DATA`, else the platform's per-user data folder."""
    from_env = os.environ.get(DATA_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser().resolve()
    from platformdirs import user_data_path

    return user_data_path("mailposture", appauthor=False).resolve()


def data_dir(text: str | Path | None = None) -> Path:
    """The data folder for a `--data` value (None or "" for the default)."""
    if text is None or not str(text).strip():
        return default_data_dir()
    return Path(text).expanduser().resolve()


def client_slug(name: str) -> str:
    """``"ACME Widgets, Inc."`` -> ``"acme-widgets-inc"``: the client's folder name.

    Raises `WorkspaceError` for a name with no letters or digits (it would have no folder).
    """
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug:
        raise WorkspaceError(f"client name {name!r} has no letters or digits")
    return slug


def timestamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write `data` to `path` via a synced temporary file in the same folder, then rename:
    an interrupted run never leaves a half-written file where a good one used to be."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temp_name).replace(path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path


def _unique(base: Path) -> Path:
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


# ------------------------------------------------------------------------------ run info


@dataclass(frozen=True)
class SourceOutcome:
    """What one report source given to a run yielded, for the PDF and the command line."""

    kind: str
    """"tlsrpt" or "dmarc"."""
    source: str
    """As given, with any password removed."""
    imported: int = 0
    duplicate: int = 0
    rejected: int = 0
    error: str = ""
    """Why the source could not be read at all; "" when it was read."""

    @property
    def failed(self) -> bool:
        return bool(self.error) or (self.imported + self.duplicate == 0)


@dataclass(frozen=True)
class RunInfo:
    """What a run folder is about: enough to re-render it later without the command line."""

    client: str
    domains: tuple[str, ...]
    assessed_on: str
    """ISO date the assessment (and so the rollout plan) is dated from."""
    data_dir: str
    """Where the client's stores and brand live."""
    schema: int = RUN_SCHEMA
    country: str = ""
    """ISO 3166-1 alpha-2 code of the client (client.toml), for frameworks and working days."""
    frameworks: tuple[str, ...] = ()
    """Opt-in questionnaire regions and instruments (client.toml `frameworks`)."""
    demo: bool = False
    """Made against the loopback sandbox: the report says DEMO on its cover."""
    sources: tuple[SourceOutcome, ...] = ()

    @property
    def slug(self) -> str:
        return client_slug(self.client)


# ------------------------------------------------------------------------------ folders


@dataclass(frozen=True)
class RunFolder:
    """One assessment's folder; every file name of a run is here and nowhere else."""

    path: Path

    @property
    def evidence(self) -> Path:
        return self.path / "evidence.json"

    @property
    def findings(self) -> Path:
        return self.path / "findings.json"

    @property
    def info_file(self) -> Path:
        return self.path / "run.json"

    @property
    def report(self) -> Path:
        return self.path / "report.pdf"

    @property
    def evidence_pdf(self) -> Path:
        return self.path / "evidence.pdf"

    @property
    def render_warnings(self) -> Path:
        return self.path / "render-warnings.txt"

    @property
    def artifacts(self) -> Path:
        return self.path / "artifacts"

    def notebook(self, name: str) -> Path:
        return self.path / name

    def is_run(self) -> bool:
        return self.evidence.is_file()

    @contextmanager
    def updating_info(self) -> Iterator[None]:
        """Hold the run's lock while run.json is read, changed and written: two notebooks
        of one run opened side by side in JupyterLab record their sources without losing
        each other's (`CAN_LOCK`)."""
        if not CAN_LOCK:
            yield
            return
        import fcntl

        folder = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(folder, fcntl.LOCK_EX)
            yield
        finally:
            os.close(folder)

    def write_info(self, info: RunInfo) -> None:
        write_atomic(self.info_file, json.dumps(to_json(info), indent=2) + "\n")

    def read_info(self) -> RunInfo:
        try:
            data = json.loads(self.info_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise WorkspaceError(
                f"{self.path} has no run.json: not a complete run folder"
            ) from None
        except (OSError, ValueError) as exc:
            raise WorkspaceError(f"{self.info_file}: cannot read: {exc}") from None
        if not isinstance(data, dict):
            raise WorkspaceError(f"{self.info_file}: not a run description")
        schema = data.get("schema", 1)
        if not isinstance(schema, int) or schema > RUN_SCHEMA:
            raise WorkspaceError(
                f"{self.info_file}: written by a newer mailposture (schema {schema}); "
                "upgrade the kit"
            )
        data["schema"] = RUN_SCHEMA
        try:
            return from_json(RunInfo, data)
        except (TypeError, ValueError) as exc:
            raise WorkspaceError(f"{self.info_file}: not a run description: {exc}") from None


@dataclass(frozen=True)
class ClientFolder:
    """One client's folder under the data folder."""

    path: Path

    @property
    def slug(self) -> str:
        return self.path.name

    @property
    def config(self) -> Path:
        return self.path / "client.toml"

    @property
    def brand(self) -> Path:
        return self.path / "brand.toml"

    @property
    def tlsrpt_store(self) -> Path:
        return self.path / "tlsrpt.sqlite"

    @property
    def dmarc_store(self) -> Path:
        return self.path / "dmarc.sqlite"

    @property
    def runs_dir(self) -> Path:
        return self.path / "runs"

    def new_run(self) -> RunFolder:
        """A run folder named for the current UTC time (not yet created)."""
        return RunFolder(_unique(self.runs_dir / timestamp()))

    def runs(self) -> list[RunFolder]:
        """Complete runs (with evidence), oldest first."""
        if not self.runs_dir.is_dir():
            return []
        found = [RunFolder(p) for p in self.runs_dir.iterdir() if p.is_dir()]
        return sorted((r for r in found if r.is_run()), key=lambda r: r.path.name)

    def previous_run(self, current: Path) -> RunFolder | None:
        """The latest complete run before `current` (by folder name), if any."""
        earlier = [r for r in self.runs() if r.path.name < current.name]
        return earlier[-1] if earlier else None


@dataclass(frozen=True)
class Workspace:
    """The data folder: clients, the consultant's brand, portfolio runs."""

    root: Path

    @classmethod
    def at(cls, text: str | Path | None = None) -> Workspace:
        return cls(data_dir(text))

    @property
    def brand(self) -> Path:
        return self.root / "brand.toml"

    @property
    def clients_dir(self) -> Path:
        return self.root / "clients"

    def client(self, name: str) -> ClientFolder:
        return ClientFolder(self.clients_dir / client_slug(name))

    def clients(self) -> Iterator[ClientFolder]:
        """Client folders that hold a client.toml, by slug."""
        if not self.clients_dir.is_dir():
            return
        for path in sorted(self.clients_dir.iterdir()):
            folder = ClientFolder(path)
            if folder.config.is_file():
                yield folder

    def new_portfolio_run(self) -> Path:
        return _unique(self.root / "portfolio" / timestamp())
