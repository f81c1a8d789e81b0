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


# The tiers (CONTRIBUTING.md): tests/unit runs in-process; the files here run the session's own
# interpreter as a subprocess (the tests-3.X sessions, once per interpreter); tests/matrix, and a
# case elsewhere marked ``matrix``, drives the other interpreters itself and runs once per run
# (the matrix session), whichever interpreter runs pytest.
MATRIX = Path(__file__).resolve().parent / "matrix"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if MATRIX in item.path.parents:
            item.add_marker(pytest.mark.matrix)


# The platform tests drive another interpreter (Windows CPython under wine, i386 and arm64 Linux
# CPython) from the host's and run in their own sessions (tests-windows-3.X, tests-foreign), as the
# VS Code extension host tests do (vscode): other sessions do not collect them, rather than counting
# them as skipped.
_OWN_SESSIONS = (
    ("matrix/test_windows.py", "PROBE_WINDOWS_PYTHON"),
    ("matrix/test_foreign.py", "PROBE_FOREIGN"),
    ("test_vscode.py", "PROBE_VSCODE"),
    ("matrix/test_fresh.py", "PROBE_FRESH"),  # the change matrix: it needs Node and the client (fresh)
)
collect_ignore = [test_file for test_file, variable in _OWN_SESSIONS if not os.environ.get(variable)]
