"""Where the report's local assets live: the only folders the renderer may read from."""

from __future__ import annotations

from assessment.resources import templates_dir

TEMPLATES_DIR = templates_dir()
"""Jinja2 templates, print CSS, fonts and the built-in brands (see `assessment.resources`)."""

DEFAULT_BRAND_FILE = TEMPLATES_DIR / "brand" / "default" / "brand.toml"
"""The built-in defaults: colours, fonts and neutral wording; no identity."""

DEMO_BRAND_FILE = TEMPLATES_DIR / "brand" / "demo" / "brand.toml"
"""The fictional demo firm, used only by runs against the sandbox."""

CHART_FONT_FILE = TEMPLATES_DIR / "fonts" / "IBMPlexSans[wdth,wght].ttf"
"""The charts' typeface: the report's text face, drawn as outlines in the SVG."""
