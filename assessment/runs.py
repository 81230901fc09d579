"""One finished run, read back from its folder: what a consultant opens in a notebook.

import assessment as mp
run = mp.load_run("~/.local/share/mailposture/clients/acme/runs/20250101-120000")
mp.findings_table(run)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assessment.checks import findings_from_json
from assessment.model import Evidence, Finding
from assessment.workspace import RunFolder, RunInfo, WorkspaceError


@dataclass(frozen=True)
class Run:
    """A run folder's evidence and findings, and its run.json when it has one."""

    folder: RunFolder
    evidence: Evidence
    findings: tuple[Finding, ...]
    info: RunInfo | None = None

    @property
    def path(self) -> Path:
        return self.folder.path


def load_findings(path: str | Path) -> tuple[Finding, ...]:
    path = Path(path)
    try:
        return findings_from_json(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc


def load_run(run_dir: str | Path) -> Run:
    """The run in `run_dir` (evidence.json and findings.json; run.json if present)."""
    from assessment.gather import load_evidence

    folder = RunFolder(Path(run_dir).expanduser().resolve())
    if not folder.path.is_dir():
        raise WorkspaceError(f"{folder.path}: no such run folder")
    if not folder.is_run():
        raise WorkspaceError(f"{folder.path} holds no evidence.json: not a run folder")
    info = folder.read_info() if folder.info_file.is_file() else None
    return Run(folder, load_evidence(folder.evidence), load_findings(folder.findings), info)
