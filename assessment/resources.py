"""Where the kit's shipped files are: the notebooks, the report templates and the demo data.

The one locator for them, whatever the install:

- a wheel (`pip install mailposture`, pipx) carries them inside the package, under
  `assessment/_shipped/` (pyproject.toml maps the repository's top-level folders there);
- a checkout or an editable install has them at the repository root, beside `assessment/`.

The kit only reads these folders; it never writes into them (runs go to the data folder,
`assessment.workspace`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Final

_PACKAGE: Final = Path(__file__).resolve().parent
_SHIPPED: Final = _PACKAGE / "_shipped"
_CHECKOUT: Final = _PACKAGE.parent


class ResourceMissing(FileNotFoundError):
    """A shipped folder is not where any install layout puts it (a damaged install)."""


@cache
def _locate(relative: str) -> Path:
    # The wheel layout first: in site-packages, the folder beside the package is shared
    # with every other distribution and may hold an unrelated `data/`.
    for base, marker in ((_SHIPPED, _SHIPPED), (_CHECKOUT, _CHECKOUT / "pyproject.toml")):
        candidate = base / relative
        if marker.exists() and candidate.is_dir():
            return candidate
    raise ResourceMissing(
        f"the kit's {relative}/ folder is missing (looked in {_SHIPPED} and {_CHECKOUT}); "
        "reinstall mailposture"
    )


def notebooks_dir() -> Path:
    """`assess.ipynb`, `tlsrpt.ipynb`, `report.ipynb`."""
    return _locate("notebooks")


def templates_dir() -> Path:
    """Jinja2 templates, print CSS, fonts and the default brand."""
    return _locate("report_templates")


def demo_dir() -> Path:
    """The demo client: its sandbox scenario (`sandbox/`) and README."""
    return _locate("data/demo")


def notebook(name: str) -> Path:
    """One shipped notebook by file name, e.g. ``notebook("assess.ipynb")``."""
    return notebooks_dir() / name
