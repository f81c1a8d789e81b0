"""Fixtures shared by the tests; the helpers themselves live in ``support.py``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support import CACHE


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    """Where downloaded wheels and built environments are kept between runs."""
    CACHE.mkdir(parents=True, exist_ok=True)
    return CACHE


# The platform tests drive another interpreter (Windows CPython under wine, i386 and arm64 Linux
# CPython) from the host's and run in their own sessions (tests-windows-3.X, tests-foreign): a host
# interpreter's session does not collect them, rather than counting them as skipped.
collect_ignore = [
    test_file
    for test_file, variable in (("test_windows.py", "PROBE_WINDOWS_PYTHON"), ("test_foreign.py", "PROBE_FOREIGN"))
    if not os.environ.get(variable)
]
