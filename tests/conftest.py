"""Shared fixtures. Area-specific fixtures live beside their tests (cards_fixtures.py, fakes/fixtures.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.needs import needs_chromium, needs_redis_server  # noqa: F401  (the marks' checks)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config" / "campaigns" / "release-hrds-2021"


@pytest.fixture
def example_folder() -> Path:
    """The shipped 2021 example campaign."""
    return EXAMPLE
