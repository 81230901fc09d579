"""Hold off Python's cyclic garbage collector during a bulk step."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """The cycle collector off for the block, restored as it was afterwards.

    For steps that allocate a great many objects without making garbage cycles
    (a PDF render, an import of 100k reports): the collector keeps making full
    passes over a growing heap that holds no garbage yet, a sizeable part of such
    a step's time. Reference counting still frees everything acyclic; any cycles
    are collected as usual once the block is over.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
