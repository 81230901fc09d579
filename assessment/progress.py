"""Live progress for the long commands: a tiny callback protocol the work calls as items start
and finish, and a display that draws it (rich on a terminal, plain lines otherwise).

The work side knows nothing about terminals: it takes a `ProgressCallback` (default
`no_progress`) and calls it with `ProgressEvent`s, from any thread. The command side opens a
`ProgressDisplay` and passes it as the callback:

    with ProgressDisplay("Assessing 6 clients", total=6) as progress:
        run_portfolio(..., progress=progress)

The gather layer's hook for per-domain progress of `check`/`assess` is the same callback: call
`progress(ProgressEvent(domain, Phase.STARTED))` before a domain's gather and `DONE` after.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class Phase(StrEnum):
    STARTED = "started"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class ProgressEvent:
    item: str
    """What the event is about, as the user knows it: a client's name, a domain."""
    phase: Phase
    note: str = ""
    """One short line for a finished item: its result, or why it failed."""


class ProgressCallback(Protocol):
    def __call__(self, event: ProgressEvent) -> None: ...


def no_progress(event: ProgressEvent) -> None:
    """The default callback: nobody is watching."""


def is_live(stream: TextIO) -> bool:
    """Whether `stream` is a terminal that can redraw (not a pipe, a file or TERM=dumb)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM", "") != "dumb"


class ProgressDisplay:
    """Draws progress events for `total` items on `stream` (stderr by default): a live overall
    bar with one spinner per running item on a terminal, one plain line per event otherwise.
    Thread-safe; use as a context manager."""

    def __init__(
        self,
        title: str,
        total: int,
        *,
        stream: TextIO | None = None,
        live: bool | None = None,
    ) -> None:
        self.title = title
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.live = is_live(self.stream) if live is None else live
        self._lock = threading.Lock()
        self._started: dict[str, float] = {}
        self._opened = time.monotonic()
        self._begun = False
        self.finished = 0
        self.failed = 0
        self._progress: Progress | None = None
        self._overall: TaskID | None = None
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> Self:
        self._opened = time.monotonic()
        return self

    def _begin(self) -> None:
        """Draw the title at the first event: a run refused before any work (a mistake in
        its arguments) then says only its one-line reason."""
        if self._begun:
            return
        self._begun = True
        if self.live:
            # rich is imported only when a terminal will show it (about 60 ms of imports).
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            console = Console(file=self.stream, force_terminal=True, highlight=False)
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=False,
            )
            self._progress.start()
            self._overall = self._progress.add_task(self.title, total=self.total)
        else:
            self._line(f"{self.title}: {self.total} to do")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._lock:
            if self._progress is not None:
                self._progress.stop()
                self._progress = None
        if self._begun and not self.live:
            failed = f", {self.failed} failed" if self.failed else ""
            self._line(f"{self.title}: {self.finished} of {self.total} finished{failed}")

    def __call__(self, event: ProgressEvent) -> None:
        with self._lock:
            self._begin()
            if event.phase is Phase.STARTED:
                self._started[event.item] = time.monotonic()
                self._start(event)
                return
            # Items that all start at once (a gather's domains) report only when done:
            # their time runs from the display's opening.
            took = time.monotonic() - self._started.pop(event.item, self._opened)
            self.finished += 1
            self.failed += event.phase is Phase.FAILED
            self._finish(event, took)

    # ------------------------------------------------------------------ drawing

    def _line(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def _start(self, event: ProgressEvent) -> None:
        if self._progress is not None:
            self._tasks[event.item] = self._progress.add_task(f"  {event.item}", total=None)
        else:
            self._line(f"  started   {event.item}")

    def _finish(self, event: ProgressEvent, took: float) -> None:
        mark = "done  " if event.phase is Phase.DONE else "FAILED"
        note = f": {event.note}" if event.note else ""
        text = f"[{self.finished}/{self.total}] {mark} {event.item} ({took:.1f} s){note}"
        if self._progress is None:
            self._line(text)
            return
        task = self._tasks.pop(event.item, None)
        if task is not None:
            self._progress.remove_task(task)
        assert self._overall is not None
        self._progress.advance(self._overall)
        self._progress.console.print(text, markup=False)
