"""`mailposture portfolio`: every client with a client.toml (or the named ones) assessed through
the normal run path, then one table of the whole book.

Exit status, for cron:

- 0: every client was assessed and none regressed since its previous run;
- 1: every client was assessed and at least one regressed (`RunDiff.regressions`: a new
  finding at medium or above, a severity raised, a grade lowered, a drift rule hit);
- 2: the portfolio could not run (bad arguments, no clients, DNS not working from here), or a
  client could not be assessed. The files are still written for the clients that were.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from assessment.clients import ClientConfigError, load_client
from assessment.errors import ToolError
from assessment.model import NetworkProfile
from assessment.portfolio.executors import Executor
from assessment.portfolio.jobs import ClientJob, ClientOutcome
from assessment.portfolio.output import PortfolioFiles, consultant_brand, write_portfolio
from assessment.progress import ProgressCallback, no_progress
from assessment.workspace import Workspace, WorkspaceError

EXIT_OK: Final = 0
EXIT_REGRESSED: Final = 1
EXIT_COULD_NOT_RUN: Final = 2


@dataclass(frozen=True)
class PortfolioResult:
    files: PortfolioFiles
    outcomes: tuple[ClientOutcome, ...]

    @property
    def exit_code(self) -> int:
        if any(o.failed for o in self.outcomes):
            return EXIT_COULD_NOT_RUN
        if any(o.regressed for o in self.outcomes):
            return EXIT_REGRESSED
        return EXIT_OK


def select_clients(workspace: Workspace, names: Sequence[str]) -> list[tuple[str, str]]:
    """(slug, display name) of the clients to assess: the named ones (by name or slug), or
    every client folder with a client.toml. ToolError when one is unknown or there are none."""
    if names:
        chosen = []
        for name in dict.fromkeys(names):
            try:
                folder = workspace.client(name)
            except WorkspaceError as exc:
                raise ToolError(str(exc)) from None
            if not folder.config.is_file():
                raise ToolError(f"no client {name!r}: {folder.config} does not exist")
            chosen.append(folder)
    else:
        chosen = list(workspace.clients())
        if not chosen:
            raise ToolError(
                f"no client to assess: no clients/<name>/client.toml under {workspace.root}"
            )
    out = []
    for folder in dict.fromkeys(chosen):
        try:
            config = load_client(workspace.root, folder.slug)
        except ClientConfigError:
            config = None  # the job reports the broken file as that client's failure
        out.append((folder.slug, config.name if config else folder.slug))
    return out


def run_portfolio(
    workspace: Workspace,
    profile: NetworkProfile,
    executor: Executor,
    clients: Sequence[str] = (),
    *,
    progress: ProgressCallback = no_progress,
) -> PortfolioResult:
    """Assess the clients, then write `<data>/portfolio/<timestamp>/` with the three files."""
    chosen = select_clients(workspace, clients)
    brand = consultant_brand(workspace.root, demo=profile.lab)
    jobs = [ClientJob(slug, name, str(workspace.root), profile) for slug, name in chosen]
    outcomes = executor.run(jobs, progress)
    ordered = tuple(sorted(outcomes, key=lambda o: (o.name.casefold(), o.slug)))
    files = write_portfolio(
        workspace.new_portfolio_run(), ordered, brand, datetime.now(UTC), demo=profile.lab
    )
    return PortfolioResult(files, ordered)
