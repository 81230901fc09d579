"""``ToolError``: the one exception every command turns into a one-line message.

Its own module, imported by the command line at start: ``assessment.run``, where it
is used most, costs ~30 ms to import, which every command (and the parse workers
an import starts first) would otherwise wait for.
"""

from __future__ import annotations


class ToolError(Exception):
    """The tool itself cannot work (bad arguments, unreadable input): a one-line reason."""
