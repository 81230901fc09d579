"""Papermill orchestration: one assessment run = the notebooks executed into one run folder.

Papermill only warns when a parameter name is not in the notebook, so a typo would silently
run with the default. Every parameter set is checked against the notebook's `parameters`
cell and the declared types (`assessment.parameters`) before papermill starts.

Everything a run can be refused for (missing report sources, an IMAP source without its
password, an unusable brand or output folder, no resolver answering) is checked before the
first notebook runs, so a refused run costs nothing and leaves nothing behind.
"""

from __future__ import annotations

import ast
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from assessment.errors import ToolError
from assessment.resources import notebook
from assessment.workspace import (
    ClientFolder,
    RunFolder,
    SourceOutcome,
    Workspace,
    WorkspaceError,
)

if TYPE_CHECKING:
    from assessment.kernel import NotebookKernel
    from assessment.model import NetworkProfile
    from assessment.progress import ProgressCallback

ASSESS, TLSRPT, DMARC, REPORT = "assess.ipynb", "tlsrpt.ipynb", "dmarc.ipynb", "report.ipynb"
STEP_NAMES: Final = {
    ASSESS: "DNS, MTA-STS policy and mail servers",
    TLSRPT: "TLS-RPT reports",
    DMARC: "DMARC aggregate reports",
    REPORT: "report PDF",
}
"""What each notebook of a run does, as the progress display names it."""


@dataclass(frozen=True)
class RunResult:
    run_dir: Path
    pdf: Path
    notebooks: tuple[Path, ...]
    sources: tuple[SourceOutcome, ...] = ()
    """What each report source given to the run yielded (also in run.json)."""


def notebook_parameters(path: Path) -> dict[str, str]:
    """Names assigned in the notebook's one `parameters` cell, with their source text."""
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ToolError(f"cannot read notebook {path}: {exc}") from exc
    cells = [
        c for c in content.get("cells", []) if "parameters" in c.get("metadata", {}).get("tags", [])
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
    """Refuse names the notebook does not have and values of the wrong type."""
    from assessment.parameters import NOTEBOOK_PARAMETERS, parameter_problems

    known = notebook_parameters(path)
    unknown = sorted(set(parameters) - set(known))
    if unknown:
        raise ToolError(
            f"{path.name} has no parameter(s) {', '.join(unknown)}; "
            f"it takes: {', '.join(sorted(known))}"
        )
    if path.name in NOTEBOOK_PARAMETERS:
        problems = parameter_problems(path.name, parameters)
        if problems:
            raise ToolError(f"{path.name}: {'; '.join(problems)}")


def start_kernel(name: str, run_dir: Path) -> NotebookKernel:
    """A kernel for notebook `name`, launched now, importing what the notebook will use."""
    import assessment
    from assessment.kernel import NotebookKernel, preload_modules

    public = {
        name: (module, assessment._RENAMED.get(name, name))
        for name, module in assessment._LAZY.items()
    }
    preload = preload_modules(notebook(name), public)
    return NotebookKernel(run_dir, preload).start()


def _import_papermill() -> Any:
    """papermill, without the 1.0-1.2 s of CPU its import used to cost in every run.

    nbformat imports jsonschema, and jsonschema, when `rfc3987_syntax` is installed (the
    Jupyter stack installs it), builds that package's lark grammar at import for its "iri"
    format check, which the notebook schema never uses. Hiding the package during this one
    import skips that check in this process only; the grammar is left to whoever needs it.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        import papermill

        return papermill
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
    try:
        import papermill
    finally:
        del sys.modules["rfc3987_syntax"]
    return papermill


def execute(
    name: str,
    run_dir: Path,
    parameters: Mapping[str, Any],
    kernel: NotebookKernel | None = None,
) -> Path:
    """Run one notebook with validated parameters; the executed copy stays in the run folder.

    `kernel`: one started ahead (`start_kernel`); by default one is started here. Either way
    it is shut down when the notebook is done.
    """
    source = notebook(name)
    validate_parameters(source, parameters)
    import logging

    from assessment.kernel import KERNEL_NAME

    papermill = _import_papermill()
    output = run_dir / name
    # Papermill logs every cell at INFO; the run folder keeps the executed notebook instead.
    logging.getLogger("papermill").setLevel(logging.WARNING)
    if kernel is None:
        kernel = start_kernel(name, run_dir)
    with kernel:
        try:
            papermill.execute_notebook(
                str(source),
                str(output),
                parameters=dict(parameters),
                kernel_name=KERNEL_NAME,
                progress_bar=False,
                cwd=str(run_dir),
                km=kernel.manager,
                # Written once when done (or failed), not after every cell: re-encoding
                # the whole notebook, charts and tables included, ~140 times per run cost
                # the runner ~1 s of CPU beside the kernels on 2 cores.
                request_save_on_cell_execute=False,
            )
        except papermill.PapermillExecutionError as exc:
            raise ToolError(
                f"{name} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue} "
                f"(executed notebook kept at {output})"
            ) from exc
        except (RuntimeError, OSError) as exc:
            # A kernel that died or never started: its own last words explain why.
            raise ToolError(
                f"{name}: the notebook kernel failed: {exc}; kernel log: {kernel.tail()}"
            ) from exc
    return output


# ------------------------------------------------------------------------------ checks


def _check_sources(sources: Sequence[str], *, lab: bool) -> None:
    """Refuse report sources that cannot give anything, before any work is done.

    In a lab run an IMAP server must be on a loopback address, as every other host the
    run contacts (`assessment.gather.connection`): the notebooks that read the mailbox
    do not know the run is a lab run, so it is checked here.
    """
    from assessment.gather.connection import refusal
    from assessment.gather.imap import PASSWORD_ENV

    for source in sources:
        text = str(source)
        if "://" in text:
            parts = urlsplit(text)
            if parts.scheme.lower() != "imaps":
                raise ToolError(f"report source {text}: only imaps:// URLs are supported")
            if parts.password is not None:
                # The executed notebooks keep their parameters: a password would be stored.
                raise ToolError(f"put the IMAP password in {PASSWORD_ENV}, not in the URL")
            if not parts.hostname:
                raise ToolError(f"report source {text}: no IMAP server named")
            if lab and (reason := refusal(parts.hostname)) is not None:
                raise ToolError(f"report source {text}: {reason}")
            if not os.environ.get(PASSWORD_ENV):
                raise ToolError(f"report source {text}: set {PASSWORD_ENV} to the IMAP password")
        elif not Path(text).expanduser().exists():
            raise ToolError(f"report source {text}: no such file or folder")


def _out_folder(out_dir: Path) -> RunFolder:
    """`--out DIR` as a run folder: a new or empty folder, or an earlier run to redo."""
    path = out_dir.expanduser().resolve()
    existing = next(p for p in (path, *path.parents) if p.exists())
    if existing != path and not (existing.is_dir() and os.access(existing, os.W_OK | os.X_OK)):
        raise ToolError(f"--out {out_dir}: cannot create a folder under {existing}")
    if path.exists() and not path.is_dir():
        raise ToolError(f"--out {out_dir} is a file, not a folder")
    if path.is_dir() and any(path.iterdir()) and not RunFolder(path).is_run():
        # Never mix a run into a folder of other files (or overwrite them).
        raise ToolError(f"--out {out_dir}: folder is not empty and holds no earlier run")
    return RunFolder(path)


def check_run_inputs(
    client: str,
    domains: Sequence[str],
    profile: NetworkProfile,
    data_dir: Path,
    tlsrpt_sources: Sequence[str] = (),
    dmarc_sources: Sequence[str] = (),
) -> Path:
    """Everything a run is refused for, checked before it starts; the client's folder."""
    from assessment.clients import ClientConfigError, load_client
    from assessment.gather import ResolverUnavailable, check_resolvers
    from assessment.readiness import known_opt_ins
    from assessment.report.brand import BrandError, resolve_brand

    if not domains:
        raise ToolError("no domain given")
    _check_sources(tlsrpt_sources, lab=profile.lab)
    _check_sources(dmarc_sources, lab=profile.lab)
    try:
        config = load_client(data_dir, client)
    except ClientConfigError as exc:
        raise ToolError(str(exc)) from exc
    known = known_opt_ins()
    unknown = [f for f in (config.frameworks if config else ()) if f not in known]
    if unknown:
        raise ToolError(
            f"{Workspace(data_dir).client(client).config}: frameworks: unknown "
            f"{', '.join(repr(f) for f in unknown)}; known: {', '.join(known)}"
        )
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
    return client_folder.path


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
    dmarc_sources: Sequence[str] = (),
    country: str | None = None,
    progress: ProgressCallback | None = None,
) -> RunResult:
    """Assess, import TLS-RPT and DMARC aggregate reports (those given), report: the full
    papermill path. `country` (an ISO code) overrides the client.toml's for this run: it
    dates the plan around the country's public holidays and picks its frameworks.
    `progress` hears each notebook start and finish (`run_steps` lists them)."""
    from assessment.codec import to_json
    from assessment.names import DomainName
    from assessment.progress import Phase, ProgressEvent, no_progress

    tell = progress or no_progress

    chosen = _out_folder(out_dir) if out_dir is not None else None
    client_path = check_run_inputs(
        client, domains, profile, data_dir, tlsrpt_sources, dmarc_sources
    )
    run = chosen or ClientFolder(client_path).new_run()
    run_dir = run.path
    run_dir.mkdir(parents=True, exist_ok=True)
    names = [DomainName.parse(d).ascii for d in domains]
    steps = run_steps(bool(tlsrpt_sources), bool(dmarc_sources))

    def step(name: str, run_it: Callable[[], Path]) -> Path:
        tell(ProgressEvent(STEP_NAMES[name], Phase.STARTED))
        try:
            done = run_it()
        except BaseException:
            tell(ProgressEvent(STEP_NAMES[name], Phase.FAILED))
            raise
        tell(ProgressEvent(STEP_NAMES[name], Phase.DONE))
        return done

    # The first two notebooks' kernels start together: on 2 cores a kernel's start-up keeps
    # one busy, and the runner mostly waits meanwhile (starting all four at once delayed the
    # first by 0.3-1.6 s; starting the second only once the first answered left it
    # importing when its turn came, ~0.8 s later). The others start once the first answers
    # and import what their notebooks use while the earlier notebooks run.
    kernels: dict[str, NotebookKernel] = {}
    try:
        for name in steps[:2]:
            kernels[name] = start_kernel(name, run_dir)
        _import_papermill()  # while the kernels start
        try:
            kernels[ASSESS].wait_ready()
        except RuntimeError as exc:
            raise ToolError(
                f"the notebook kernel did not start: {exc}; kernel log: {kernels[ASSESS].tail()}"
            ) from exc
        kernels.update({name: start_kernel(name, run_dir) for name in steps[2:]})
        assess_kernel = kernels.pop(ASSESS)
        executed = [
            step(
                ASSESS,
                lambda: execute(
                    ASSESS,
                    run_dir,
                    {
                        "client": client,
                        "domains": names,
                        "dkim_selectors": list(selectors),
                        "network": to_json(profile),
                        "out_dir": str(run_dir),
                        "data_dir": str(data_dir.resolve()),
                    },
                    assess_kernel,
                ),
            )
        ]
        info = run.read_info()
        if country is not None and country != info.country:
            info = replace(info, country=country)
            run.write_info(info)
        if tlsrpt_sources:
            tlsrpt_kernel = kernels.pop(TLSRPT)
            tlsrpt_parameters = {
                "client": client,
                "sources": [str(s) for s in tlsrpt_sources],
                "window_days": window_days,
                "as_of": info.assessed_on,
                "data_dir": str(data_dir.resolve()),
                "run_dir": str(run_dir),
                # The executed notebook is a record: the explorer draws static SVG.
                "interactive": False,
            }
            executed.append(
                step(TLSRPT, lambda: execute(TLSRPT, run_dir, tlsrpt_parameters, tlsrpt_kernel))
            )
        if dmarc_sources:
            dmarc_kernel = kernels.pop(DMARC)
            dmarc_parameters = {
                "client": client,
                "sources": [str(s) for s in dmarc_sources],
                "as_of": info.assessed_on,
                "data_dir": str(data_dir.resolve()),
                "run_dir": str(run_dir),
                "interactive": False,
            }
            executed.append(
                step(DMARC, lambda: execute(DMARC, run_dir, dmarc_parameters, dmarc_kernel))
            )
        report_kernel = kernels.pop(REPORT)
        executed.append(step(REPORT, lambda: rerender(run_dir, report_kernel)))
    finally:
        for kernel in kernels.values():
            kernel.close()
    return RunResult(run_dir, run.report, tuple(executed), run.read_info().sources)


def run_steps(tlsrpt: bool, dmarc: bool) -> list[str]:
    """The notebooks a run executes, in order: the reports' only when sources were given."""
    return [ASSESS, *([TLSRPT] if tlsrpt else []), *([DMARC] if dmarc else []), REPORT]


def rerender(run_dir: Path, kernel: NotebookKernel | None = None) -> Path:
    """Run the report notebook over a run folder: saved evidence and the store, no network."""
    folder = RunFolder(run_dir)
    if not folder.is_run():
        raise ToolError(f"{run_dir} holds no evidence.json: not a run folder")
    if not folder.info_file.is_file():
        raise ToolError(f"{run_dir} has no run.json: not a complete run folder")
    _say_if_unbranded(folder)
    return execute(REPORT, run_dir, {"run_dir": str(run_dir)}, kernel)


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
