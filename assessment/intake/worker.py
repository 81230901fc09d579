"""The loop of a parse worker process (see ``workers``): tasks in, prepared items out.

A report type's worker module (``python -m assessment.tlsrpt.worker``,
``python -m assessment.dmarc.worker``) calls ``run`` with its own prepare function.
Tasks come on standard input and results go to standard output, each message an
8-byte little-endian length and a ``marshal`` payload:

    task:   [(source, location, unit kind), ...]      (plain units)
    result: ("ok", [plain prepared item, ...]) or ("error", text)

End of input ends the process. ``marshal`` rather than pickle: both ends are the
same interpreter and code, and only tuples, lists, strings, bytes, ints and None
cross, which marshal handles in C without pickle's class lookups.
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO, Final

HEADER: Final = 8

PlainUnit = tuple[str, str, str]  # source, location, UnitKind value
Prepare = Callable[[Sequence[PlainUnit]], list[Any]]


def read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    """``size`` bytes, or None at end of input (also mid-message: the parent is gone)."""
    parts: list[bytes] = []
    left = size
    while left:
        part = stream.read(left)
        if not part:
            return None
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(HEADER, "little") + payload


def serve(tasks: BinaryIO, results: BinaryIO, prepare: Prepare) -> None:
    while True:
        header = read_exactly(tasks, HEADER)
        if header is None:
            return
        body = read_exactly(tasks, int.from_bytes(header, "little"))
        if body is None:
            return
        answer: tuple[str, Any]
        try:
            # Only the parent process writes to this pipe (S302 is about untrusted bytes).
            answer = ("ok", prepare(marshal.loads(body)))  # noqa: S302
        except Exception:
            answer = ("error", traceback.format_exc())
        results.write(frame(marshal.dumps(answer)))
        results.flush()


def run(prepare: Prepare) -> int:
    """A worker process's main: serve tasks until the parent closes the pipe."""
    # Parsing makes no reference cycles; the collector's passes only cost time.
    gc.disable()
    # Ctrl-C reaches the whole process group: the importing process handles it and
    # closes the pipes, which ends this one (no traceback from every worker).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Binary streams on the pipes (buffered: a write is complete before flush returns).
    tasks = os.fdopen(sys.stdin.fileno(), "rb")
    results = os.fdopen(sys.stdout.fileno(), "wb")
    with contextlib.suppress(BrokenPipeError):  # the parent went away
        serve(tasks, results, prepare)
    return 0
