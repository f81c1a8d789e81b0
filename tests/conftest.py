"""Fixtures shared by the tests; the helpers themselves live in ``support.py``."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import CACHE


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    """Where downloaded wheels and built environments are kept between runs."""
    CACHE.mkdir(parents=True, exist_ok=True)
    return CACHE
