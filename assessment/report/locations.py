"""Where the report's local assets live: the only folders the renderer may read from."""

from __future__ import annotations

from assessment.resources import templates_dir

TEMPLATES_DIR = templates_dir()
"""Jinja2 templates, print CSS, fonts and the default brand (see `assessment.resources`)."""

DEFAULT_BRAND_FILE = TEMPLATES_DIR / "brand" / "default" / "brand.toml"
