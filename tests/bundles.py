"""Building the bundle as a developer or nox would, and naming its byte code, for the bundle's tests."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from support import ROOT, clean_env

from probe import __version__

BUNDLE_TOOL = ROOT / "tools" / "bundle.py"


def build_bundle(out: Path, root: Path = ROOT, *args: str, **env: str) -> tuple[Path, Path]:
    """Run tools/bundle.py (with *args*); the bundle folder and the zip."""
    completed = subprocess.run(
        [sys.executable, str(BUNDLE_TOOL), "--out", str(out), "--root", str(root), *args],
        env=clean_env(**env),
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr
    return out / "bundle", out / f"probe-bundle-{__version__}.zip"


def cache_tag(python: str) -> str:
    """``sys.implementation.cache_tag`` of *python*: "cpython-312", "pypy39"."""
    query = [python, "-S", "-c", "import sys; print(sys.implementation.cache_tag)"]
    return subprocess.run(query, capture_output=True, text=True, check=True).stdout.strip()


def bundle_tool() -> ModuleType:
    """tools/bundle.py as a module, for the steps a test drives one at a time."""
    spec = importlib.util.spec_from_file_location("bundle_tool", BUNDLE_TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# What ships without byte code, as the builder says.
SOURCE_ONLY: tuple[str, ...] = bundle_tool().SOURCE_ONLY
