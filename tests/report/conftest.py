"""Shared fixtures for the report tests: the sample client lives in tests/fixtures/report."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "report"))

from assessment.report.brand import Brand, load_brand
from assessment.report.locations import DEMO_BRAND_FILE


@pytest.fixture(scope="session")
def brand() -> Brand:
    return load_brand(DEMO_BRAND_FILE)
