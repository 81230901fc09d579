"""How the kit starts a helper process of its own: ``python -m <module>`` of this interpreter.

Used for parse workers (``assessment.intake.workers``) and the background PDF render
(``assessment.report.pdf``). The package's folder goes first on the child's PYTHONPATH, so
the child runs this very code also when the kit is used from a checkout without being
installed, and never another copy installed elsewhere.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Final

_ROOT: Final = str(Path(__file__).resolve().parents[1])


def module_command(module: str) -> tuple[list[str], dict[str, str]]:
    """(argv, environment) that run ``python -m module`` with this interpreter and code."""
    environment = dict(os.environ)
    paths = environment.get("PYTHONPATH")
    environment["PYTHONPATH"] = _ROOT + (os.pathsep + paths if paths else "")
    return [sys.executable, "-m", module], environment
