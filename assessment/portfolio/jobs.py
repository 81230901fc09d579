"""One client's portfolio job: assess it through the normal run path (its run folder, its PDF,
its own stores) and summarise the run. Runs in a worker process, local or on a Dask worker, so
the job and its outcome are small picklable values and the job never raises: a client that
cannot be assessed is an outcome that says why, and the other clients go on."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from assessment.model import NetworkProfile
from assessment.portfolio.summary import DomainRow, failed_row, summarise_run


@dataclass(frozen=True)
class ClientJob:
    slug: str
    """The client's folder under `<data>/clients/`."""
    name: str
    """As its client.toml names it (for progress lines before the job has read the file)."""
    data_dir: str
    profile: NetworkProfile


@dataclass(frozen=True)
class ClientOutcome:
    slug: str
    name: str
    rows: tuple[DomainRow, ...]
    run_dir: str = ""
    pdf: str = ""
    previous_run: str = ""
    regressions: tuple[str, ...] = ()
    error: str = ""
    """Why the client could not be assessed; "" when it was."""
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return bool(self.error)

    @property
    def regressed(self) -> bool:
        return bool(self.regressions)

    @property
    def note(self) -> str:
        """One line for a progress display."""
        if self.failed:
            return self.error
        grades = ", ".join(f"{r.domain} {r.grade or '-'}" for r in self.rows)
        return f"{grades}; regressed" if self.regressed else grades


def assess_client(job: ClientJob) -> ClientOutcome:
    """Assess one client from its client.toml; never raises."""
    from assessment.clients import ClientConfigError, load_client
    from assessment.errors import ToolError
    from assessment.run import run_assessment

    started = time.monotonic()
    data_dir = Path(job.data_dir)
    domains: tuple[str, ...] = ()
    name = job.name
    try:
        config = load_client(data_dir, job.slug)
        if config is None:
            raise ToolError(f"{job.slug} has no client.toml")
        name, domains = config.name, config.domains
        result = run_assessment(
            config.name,
            config.domains,
            profile=job.profile,
            data_dir=data_dir,
            selectors=config.dkim_selectors,
            tlsrpt_sources=config.tlsrpt_sources,
            dmarc_sources=config.dmarc_sources,
        )
        summary = summarise_run(result.run_dir, country=config.country)
    except (ToolError, ClientConfigError) as exc:
        return _failed(job, name, domains, str(exc), started)
    except Exception as exc:
        # One client's broken run (a bug, a corrupt store) must not stop the others; the
        # message names the exception so it can be reported.
        return _failed(job, name, domains, f"{type(exc).__name__}: {exc}", started)
    return ClientOutcome(
        slug=job.slug,
        name=name,
        rows=summary.rows,
        run_dir=str(result.run_dir),
        pdf=str(result.pdf),
        previous_run=summary.previous_run,
        regressions=summary.regressions,
        seconds=time.monotonic() - started,
    )


def _failed(
    job: ClientJob, name: str, domains: tuple[str, ...], error: str, started: float
) -> ClientOutcome:
    first_line = error.strip().splitlines()[0] if error.strip() else "unknown error"
    return ClientOutcome(
        slug=job.slug,
        name=name,
        rows=failed_row(name, domains, first_line),
        error=first_line,
        seconds=time.monotonic() - started,
    )
