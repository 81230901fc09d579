"""Where the per-client jobs run: local worker processes (the default), or a Dask distributed
cluster with the `dask` extra. Both report progress per client and return every outcome; a
worker that dies becomes that client's error, never the portfolio's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from assessment.codec import from_json, to_json
from assessment.errors import ToolError
from assessment.portfolio.jobs import ClientJob, ClientOutcome
from assessment.portfolio.summary import failed_row
from assessment.progress import Phase, ProgressCallback, ProgressEvent, no_progress

CONNECT_SECONDS = 10.0
"""How long to wait for a Dask scheduler to answer before giving up."""


class Executor(Protocol):
    def run(
        self, jobs: Sequence[ClientJob], progress: ProgressCallback = no_progress
    ) -> list[ClientOutcome]: ...


def _lost(job: ClientJob, exc: BaseException) -> ClientOutcome:
    error = f"the worker running it failed: {type(exc).__name__}: {exc}".strip()
    return ClientOutcome(job.slug, job.name, failed_row(job.name, (), error), error=error)


def _report(progress: ProgressCallback, outcome: ClientOutcome) -> None:
    phase = Phase.FAILED if outcome.failed else Phase.DONE
    progress(ProgressEvent(outcome.name, phase, outcome.note))


def default_jobs(count: int) -> int:
    """One job per core, at most one per client: each job's notebooks keep a core busy."""
    return max(1, min(count, os.cpu_count() or 1))


POLL_SECONDS = 0.2
"""How often the local executor looks for finished workers (a job takes seconds)."""


@dataclass
class _Worker:
    job: ClientJob
    process: subprocess.Popen[bytes]
    out: Path
    log: Path


class LocalExecutor:
    """Worker processes on this machine, `jobs` at a time, one fresh process per client
    (`assessment.portfolio.worker`). Jobs are handed out only as workers free up, so
    "started" in the progress is when a client really starts."""

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = jobs

    def run(
        self, jobs: Sequence[ClientJob], progress: ProgressCallback = no_progress
    ) -> list[ClientOutcome]:
        width = self.jobs or default_jobs(len(jobs))
        pending = deque(jobs)
        running: list[_Worker] = []
        out: list[ClientOutcome] = []
        with tempfile.TemporaryDirectory(prefix="mailposture-portfolio-") as tmp:
            folder = Path(tmp)
            try:
                while pending or running:
                    while pending and len(running) < width:
                        job = pending.popleft()
                        progress(ProgressEvent(job.name, Phase.STARTED))
                        running.append(_start(job, folder, len(out) + len(running)))
                    time.sleep(POLL_SECONDS)
                    for worker in [w for w in running if w.process.poll() is not None]:
                        running.remove(worker)
                        outcome = _collect(worker)
                        _report(progress, outcome)
                        out.append(outcome)
            finally:
                for worker in running:
                    worker.process.kill()
                    worker.process.wait()
        return out


def _start(job: ClientJob, folder: Path, index: int) -> _Worker:
    job_file = folder / f"job-{index}.json"
    job_file.write_text(json.dumps(to_json(job)), encoding="utf-8")
    out, log = folder / f"outcome-{index}.json", folder / f"worker-{index}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "assessment.portfolio.worker", str(job_file), str(out)],
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    return _Worker(job, process, out, log)


def assess_in_subprocess(job: ClientJob) -> ClientOutcome:
    """One job in a fresh worker process, waited for: what a Dask task runs. Papermill then
    never runs in a Dask worker's thread (where the kernel client's event loop outlives the
    job), and a job that crashes takes only its own process with it."""
    with tempfile.TemporaryDirectory(prefix="mailposture-job-") as tmp:
        worker = _start(job, Path(tmp), 0)
        try:
            worker.process.wait()
        finally:
            if worker.process.poll() is None:
                worker.process.kill()
                worker.process.wait()
        return _collect(worker)


def _collect(worker: _Worker) -> ClientOutcome:
    try:
        return from_json(ClientOutcome, json.loads(worker.out.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        tail = worker.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        last = tail[-1] if tail else str(exc)
        return _lost(worker.job, RuntimeError(f"exit status {worker.process.returncode}; {last}"))


class DaskExecutor:
    """The jobs on a Dask distributed cluster (`--scheduler ADDRESS`).

    Every worker needs the kit installed with the same version and the data folder at the
    same path (a shared file system): runs and stores are written where the client's folder
    is, by whichever worker runs that client.
    """

    def __init__(self, address: str) -> None:
        self.address = address

    def run(
        self, jobs: Sequence[ClientJob], progress: ProgressCallback = no_progress
    ) -> list[ClientOutcome]:
        try:
            from distributed import Client, as_completed
        except ImportError:
            raise ToolError(
                "--scheduler needs the dask extra: pip install 'mailposture[dask]'"
            ) from None
        try:
            client = Client(  # type: ignore[no-untyped-call]
                self.address, timeout=CONNECT_SECONDS, set_as_default=False
            )
        except (OSError, TimeoutError, ValueError) as exc:
            raise ToolError(f"cannot reach the Dask scheduler at {self.address}: {exc}") from None
        out: list[ClientOutcome] = []
        batch = uuid.uuid4().hex[:8]
        with client:
            futures = {}
            for job in jobs:
                progress(ProgressEvent(job.name, Phase.STARTED))
                future = client.submit(
                    assess_in_subprocess, job, key=f"mailposture-{job.slug}-{batch}", pure=False
                )
                futures[future] = job
            for future in as_completed(futures, loop=client.loop):  # type: ignore[no-untyped-call]
                job = futures[future]
                try:
                    outcome = future.result()
                except Exception as exc:
                    outcome = _lost(job, exc)
                _report(progress, outcome)
                out.append(outcome)
        return out
