"""HTML -> PDF with WeasyPrint, in this process or in a helper process beside it.

A run writes two PDFs, the report and its evidence file. WeasyPrint is single-threaded
Python, so the evidence file is rendered by a helper process (``python -m
assessment.report.pdf``) while this one renders the report: on 2 cores the report step of
`mailposture demo` went from ~4.1 s to ~3.3 s. The helper gets finished HTML (no view
objects: it imports WeasyPrint and the fetcher only, ~0.4 s) and the same allowed folders, so
it loads exactly what an in-process render would. If it cannot start, fails or says
anything unexpected, the caller renders in-process: the helper only ever saves time.

This module imports WeasyPrint (~0.5 s) but nothing of the view, planning or pandas: the
helper imports it, and so does the report kernel while it starts (see `assessment.kernel`),
which takes WeasyPrint's import off the report's critical path.
"""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from weasyprint import HTML

from assessment.gc_pause import cyclic_gc_paused
from assessment.report.fetcher import LocalOnlyFetcher
from assessment.spawn import module_command
from assessment.workspace import write_atomic

# WeasyPrint's log is global; serialising renders keeps each RenderResult's warnings its own.
_RENDER_LOCK = threading.Lock()
# The helper's answer is one small JSON line; anything longer is not an answer.
_ANSWER_MAX_BYTES: Final = 1 << 20


@dataclass(frozen=True)
class RenderResult:
    path: Path
    pages: int
    warnings: tuple[str, ...]
    """WeasyPrint warnings and errors (missing resources, bad CSS): a clean render has none."""


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


def html_to_pdf(
    html: str, out_path: Path, *, templates_dir: Path, brand_roots: Sequence[Path] = ()
) -> RenderResult:
    """Render ``html`` to ``out_path``. Relative URLs point into ``templates_dir``, and
    WeasyPrint may load local files under it and the brand's folders only."""
    base_url = templates_dir.resolve().as_uri() + "/"
    fetcher = LocalOnlyFetcher((templates_dir, *brand_roots))
    collector = _Collector()
    logger = logging.getLogger("weasyprint")
    # Without the cycle collector: it cost ~1 s of a 4-5 s render (for ~40 MB more
    # peak memory). The lock serialises renders, so pauses and restores never interleave.
    with _RENDER_LOCK, cyclic_gc_paused():
        logger.addHandler(collector)
        try:
            document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
            # Atomic: a render that fails half-way never replaces a good PDF.
            write_atomic(out_path, document.write_pdf())
        finally:
            logger.removeHandler(collector)
    return RenderResult(out_path, len(document.pages), tuple(collector.messages))


class BackgroundRender:
    """One ``html_to_pdf`` running in a helper process; ``result()`` collects it.

    Start it, do other work, then call ``result()``: the helper's RenderResult, or None when
    it did not deliver one (the caller then renders in-process).
    """

    def __init__(
        self, html: str, out_path: Path, *, templates_dir: Path, brand_roots: Sequence[Path] = ()
    ) -> None:
        self.out_path = out_path
        self._process: subprocess.Popen[bytes] | None = None
        # The job goes through a file: the helper reads it once its imports are done, and
        # a pipe would block this process for that long (the HTML is larger than a pipe).
        # Beside the output, not in a shared temporary folder: it holds the client's data.
        self._job_path: Path | None = None
        try:
            out_path.parent.mkdir(parents=True, exist_ok=True)
            job: IO[bytes] = tempfile.NamedTemporaryFile(  # noqa: SIM115  (closed just below)
                prefix=f".{out_path.name}.", suffix=".job", dir=out_path.parent, delete=False
            )
            self._job_path = Path(job.name)
            with job:
                job.write(
                    json.dumps(
                        {
                            "html": html,
                            "out": str(out_path),
                            "templates_dir": str(templates_dir),
                            "brand_roots": [str(root) for root in brand_roots],
                        }
                    ).encode("utf-8")
                )
        except OSError:
            return  # no helper: the caller renders here and meets the problem itself
        argv, environment = module_command(__name__)
        try:
            self._process = subprocess.Popen(
                [*argv, str(self._job_path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=environment,
            )
        except OSError:
            self._process = None

    def result(self) -> RenderResult | None:
        """Wait for the helper; its result, or None if it gave none (see the class)."""
        process = self._process
        try:
            if process is None:
                return None
            out, _err = process.communicate()
            if process.returncode != 0 or len(out) > _ANSWER_MAX_BYTES:
                return None
            try:
                answer = json.loads(out)
                pages, warnings = int(answer["pages"]), [str(w) for w in answer["warnings"]]
            except (ValueError, KeyError, TypeError):
                return None
            if pages < 1 or not self.out_path.is_file():
                return None
            return RenderResult(self.out_path, pages, tuple(warnings))
        finally:
            if self._job_path is not None:
                with contextlib.suppress(OSError):
                    self._job_path.unlink()


def _serve(job_path: Path) -> int:
    """The helper's main: render the job in ``job_path``; the result as JSON on stdout."""
    job = json.loads(job_path.read_bytes())
    result = html_to_pdf(
        job["html"],
        Path(job["out"]),
        templates_dir=Path(job["templates_dir"]),
        brand_roots=[Path(root) for root in job["brand_roots"]],
    )
    sys.stdout.write(json.dumps({"pages": result.pages, "warnings": list(result.warnings)}))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python -m assessment.report.pdf JOB.json", file=sys.stderr)
        raise SystemExit(2)
    raise SystemExit(_serve(Path(sys.argv[1])))
