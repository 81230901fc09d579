"""Papermill orchestration: one assessment run = the notebooks executed into one run folder.

Papermill only warns when a parameter name is not in the notebook, so a typo would silently
run with the default. Every parameter set is validated against the notebook's `parameters`
cell before papermill starts.
"""

from __future__ import annotations

import ast
import json
import logging
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from assessment.model import NetworkProfile
from assessment.names import DomainName
from assessment.pipeline import profile_to_json, today
from assessment.workspace import RunFolder, RunInfo, Workspace, WorkspaceError

KIT_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = KIT_ROOT / "notebooks"


class ToolError(Exception):
    """The tool itself cannot work (bad arguments, unreadable input): a one-line reason."""


@dataclass(frozen=True)
class RunResult:
    run_dir: Path
    pdf: Path
    notebooks: tuple[Path, ...]


def notebook_parameters(path: Path) -> dict[str, str]:
    """Names assigned in the notebook's one `parameters` cell, with their source text."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ToolError(f"cannot read notebook {path}: {exc}") from exc
    cells = [
        c
        for c in notebook.get("cells", [])
        if "parameters" in c.get("metadata", {}).get("tags", [])
    ]
    if len(cells) != 1:
        raise ToolError(f"{path.name} must have exactly one cell tagged 'parameters'")
    raw = cells[0].get("source", "")
    source = "".join(raw) if isinstance(raw, list) else str(raw)
    names: dict[str, str] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    names[target.id] = ast.get_source_segment(source, node) or ""
    return names


def validate_parameters(path: Path, parameters: Mapping[str, Any]) -> None:
    known = notebook_parameters(path)
    unknown = sorted(set(parameters) - set(known))
    if unknown:
        raise ToolError(
            f"{path.name} has no parameter(s) {', '.join(unknown)}; "
            f"it takes: {', '.join(sorted(known))}"
        )


def _kernel_manager_class(sockets: Path, log: IO[bytes]) -> type:
    """A kernel manager talking to the kernel over Unix sockets instead of loopback TCP, with
    the kernel's own output going to a log file.

    Over TCP, ipykernel warns on every start that the channel is unencrypted; over IPC the
    channel is a private socket file, which is also the better choice on a shared machine.
    jupyter_client interrupts the kernel on every shutdown and ipykernel logs that as an
    error: kernel chatter belongs in a log, quoted only if the kernel really fails.
    """
    from jupyter_client.manager import AsyncKernelManager

    class IpcKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.transport = "ipc"
            self.ip = str(sockets / "kernel")

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            kw["stdout"] = log
            kw["stderr"] = log
            await super()._async_launch_kernel(kernel_cmd, **kw)

    return IpcKernelManager


def _tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])


def execute(name: str, run_dir: Path, parameters: Mapping[str, Any]) -> Path:
    """Run one notebook with validated parameters; the executed copy stays in the run folder."""
    import papermill

    source = NOTEBOOKS / name
    validate_parameters(source, parameters)
    output = run_dir / name
    # Papermill logs every cell at INFO; the run folder keeps the executed notebook instead.
    logging.getLogger("papermill").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="mailposture-kernel-") as sockets:
        log_path = Path(sockets) / "kernel.log"
        with log_path.open("wb") as log:
            try:
                papermill.execute_notebook(
                    str(source),
                    str(output),
                    parameters=dict(parameters),
                    kernel_name="mailposture",
                    progress_bar=False,
                    cwd=str(run_dir),
                    kernel_manager_class=_kernel_manager_class(Path(sockets), log),
                )
            except papermill.PapermillExecutionError as exc:
                raise ToolError(
                    f"{name} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue} "
                    f"(executed notebook kept at {output})"
                ) from exc
            except (RuntimeError, OSError) as exc:
                # A kernel that died or never started: its own last words explain why.
                log.flush()
                raise ToolError(
                    f"{name}: the notebook kernel failed: {exc}; kernel log: {_tail(log_path)}"
                ) from exc
    return output


def run_assessment(
    client: str,
    domains: Sequence[str],
    *,
    profile: NetworkProfile,
    data_dir: Path,
    selectors: Sequence[str] = (),
    out_dir: Path | None = None,
    tlsrpt_sources: Sequence[str] = (),
    window_days: int = 14,
) -> RunResult:
    """Assess, import TLS-RPT reports (if any are given), report: the full papermill path."""
    from assessment.gather import ResolverUnavailable, check_resolvers
    from assessment.report.brand import BrandError, resolve_brand

    if not domains:
        raise ToolError("no domain given")
    for source in tlsrpt_sources:
        if "://" in str(source) and urlsplit(str(source)).password is not None:
            # The executed notebooks keep their parameters: a password would be stored.
            raise ToolError("put the IMAP password in MAILPOSTURE_IMAP_PASSWORD, not in the URL")
    try:
        client_folder = Workspace(data_dir).client(client)
        # Fail before any network work if the brand cannot be used.
        resolve_brand(data_dir, client_folder.slug, demo=profile.lab)
    except WorkspaceError as exc:
        raise ToolError(str(exc)) from exc
    except BrandError as exc:
        raise ToolError(f"brand: {exc}") from exc
    try:
        check_resolvers(profile)
    except ResolverUnavailable as exc:
        raise ToolError(f"DNS does not work from here: {exc}") from exc
    run = RunFolder((out_dir or client_folder.new_run().path).resolve())
    run_dir = run.path
    run_dir.mkdir(parents=True, exist_ok=True)
    assessed_on = today()
    names = tuple(DomainName.parse(d).ascii for d in domains)
    run.write_info(RunInfo(client, names, assessed_on, str(data_dir.resolve()), demo=profile.lab))
    executed = [
        execute(
            "assess.ipynb",
            run_dir,
            {
                "client": client,
                "domains": list(names),
                "dkim_selectors": list(selectors),
                "network": profile_to_json(profile),
                "out_dir": str(run_dir),
            },
        )
    ]
    if tlsrpt_sources:
        executed.append(
            execute(
                "tlsrpt.ipynb",
                run_dir,
                {
                    "client": client,
                    "sources": [str(s) for s in tlsrpt_sources],
                    "window_days": window_days,
                    "as_of": assessed_on,
                    "data_dir": str(data_dir.resolve()),
                },
            )
        )
    executed.append(rerender(run_dir))
    return RunResult(run_dir, run.report, tuple(executed))


def rerender(run_dir: Path) -> Path:
    """Run the report notebook over a run folder: saved evidence and the store, no network."""
    if not RunFolder(run_dir).is_run():
        raise ToolError(f"{run_dir} holds no evidence.json: not a run folder")
    _say_if_unbranded(RunFolder(run_dir))
    return execute("report.ipynb", run_dir, {"run_dir": str(run_dir)})


def _say_if_unbranded(run: RunFolder) -> None:
    """One line on stderr when a real report will carry no consultant identity."""
    from assessment.report.brand import BrandError, resolve_brand, unbranded_notice

    try:
        info = run.read_info()
        brand = resolve_brand(Path(info.data_dir), info.slug, demo=info.demo)
    except (WorkspaceError, BrandError):
        return  # the report notebook fails on the same problem, with its own message
    if not brand.branded:
        print(f"mailposture: {unbranded_notice(Path(info.data_dir))}", file=sys.stderr)
