"""Searchable, sortable tables in JupyterLab (itables), and the plain DataFrame otherwise.

itables runs in the browser from the DataTables bundle it ships, given to the page with every
table (``connected=False``), so the page never asks a CDN for it (the connected mode imports
it from unpkg.com). Once per kernel was not enough: outputs cleared and one cell re-run left
a table with no bundle to draw it.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

# 1 MB of table data reaches the browser before itables samples rows (its default, 64 KB,
# drops rows of a findings table of about 40 clients).
MAX_BYTES: Final = 1_000_000


def searchable_table(
    frame: pd.DataFrame, *, interactive: bool = True, caption: str = ""
) -> pd.DataFrame | None:
    """Show ``frame`` as a searchable table and return None; or return ``frame`` itself, to be
    displayed as a plain table, when ``interactive`` is false (an executed notebook keeps it
    as a record) or itables is not installed."""
    if not interactive:
        return frame
    try:
        import itables
    except ImportError:
        return frame
    itables.init_notebook_mode(all_interactive=False, connected=False)
    # itables 2.9 lets a header's text be selected, which leaves only its 12-pixel icon to
    # sort by (found clicking headers in a headless JupyterLab): the whole header sorts.
    itables.show(
        frame,
        caption=caption or None,
        connected=False,
        maxBytes=MAX_BYTES,
        text_in_header_can_be_selected=False,
    )
    return None
