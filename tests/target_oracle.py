"""The oracle for an interpreter built for another platform, and what it needs: real wheels for that target.

The Windows CPython under wine (``windows.py``) and Debian's i386 and arm64 CPython
(``foreign.py``) cannot run the host's tools: what a real ``import`` loads, and which
distribution lists that file, is asked of the target interpreter itself, with
``importlib_metadata`` installed for it from its pure-Python wheel. Wheels come from uv,
which resolves and evaluates markers for the target (a uv target triple such as
``x86_64-pc-windows-msvc``), not for this machine.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from envs import normalized, uv
from support import CACHE, unavailable


def run_captured(
    command: list[str], *, env: dict[str, str], cwd: str | os.PathLike[str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run an interpreter with /dev/null as stdin and its output captured as UTF-8 text."""
    return subprocess.run(
        command,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
    )


def install(version: str, target: Path, *requirements: str, platform: str, no_deps: bool = False) -> None:
    """Real wheels for CPython *version* on *platform* (a uv target triple), installed with ``--target``.

    uv rather than ``pip --platform``: pip evaluates environment markers for the machine it
    runs on, so a Windows 3.8 target would miss ``colorama`` and ``exceptiongroup`` and get
    ``uvloop``; uv evaluates them for the target. From uv's cache alone first: a second run
    downloads nothing.
    """
    flags = ["--python-platform", platform, "--python-version", version, "--only-binary", ":all:"]
    if no_deps:
        flags.append("--no-deps")
    uv("pip", "install", "--python", sys.executable, *flags, "--target", str(target), *requirements)


@functools.lru_cache(maxsize=None)
def oracle_tools(version: str, platform: str) -> Path:
    """A folder holding importlib_metadata (and zipp), installed from their pure-Python wheels for *platform*."""
    folder = CACHE / "oracle" / f"{platform}-{version}"
    if not (folder / "importlib_metadata").is_dir():
        staging = folder.with_name(folder.name + ".staging")
        shutil.rmtree(staging, ignore_errors=True)
        install(version, staging, "importlib-metadata", "zipp", platform=platform)
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(staging, folder)
    return folder


# The oracle, run by the target interpreter itself (``python -c ORACLE_SCRIPT TOOLS MODULE...``): a
# real import names the file, then importlib_metadata (appended to sys.path only afterwards, from
# TOOLS, the folder oracle_tools gives) names the distribution that lists it.
ORACLE_SCRIPT = r"""
import base64, hashlib, json, os, sys
if sys.path and sys.path[0] == "":
    del sys.path[0]
path = list(sys.path)
tools = sys.argv[1]
report = {}
for name in sys.argv[2:]:
    info = {"importable": False, "file": None, "error": None, "owner": None, "version": None, "owners": []}
    try:
        __import__(name)
        info["file"] = getattr(sys.modules[name], "__file__", None)
        info["importable"] = True
    except Exception as error:
        # Found, but running it failed (pydantic-core's DLL under wine 8): the spec names the file.
        import importlib.util
        try:
            spec = importlib.util.find_spec(name)
        except Exception:
            spec = None
        if spec is not None:
            info["importable"] = True
            info["file"] = spec.origin if spec.has_location else None
            info["error"] = repr(error)
    report[name] = info
sys.path.append(tools)
import importlib_metadata
def key(file):
    return os.path.normcase(os.path.abspath(file))
index = {}
for dist in importlib_metadata.distributions(path=path):
    for entry in dist.files or ():
        index.setdefault(key(str(dist.locate_file(entry))), []).append((dist, entry))
for name, info in report.items():
    if not info["file"]:
        continue
    claims = index.get(key(info["file"]), [])
    info["owners"] = sorted(dist.metadata["Name"].lower() for dist, _ in claims)
    if len(claims) > 1:
        data = open(info["file"], "rb").read()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode().rstrip("=")
        claims = [(d, e) for d, e in claims if e.hash is not None and e.hash.value == digest]
    if claims:
        info["owner"] = claims[0][0].metadata["Name"].lower().replace("_", "-")
        info["version"] = claims[0][0].version
print(json.dumps({"path": path, "modules": report}))
"""


def read_oracle(stdout: str) -> dict[str, dict[str, Any]]:
    """:data:`ORACLE_SCRIPT`'s answer, with ``value`` added to each module: what the block must say."""
    found: dict[str, dict[str, Any]] = json.loads(stdout.strip().splitlines()[-1])["modules"]
    for info in found.values():
        if not info["importable"]:
            info["value"] = None
        elif info["version"] is not None:
            info["value"] = normalized(info["version"])
        else:
            info["value"] = "unknown"  # no metadata lists the file (every scenario here has metadata)
    return found


def require_tools(tools: dict[str, str]) -> None:
    """Skip with one line naming the Debian packages to install when a tool is missing (CI fails).

    *tools* maps each command to its package.
    """
    missing = sorted({package for tool, package in tools.items() if shutil.which(tool) is None})
    if missing:
        unavailable(f"install {' '.join(missing)} (Debian/Ubuntu: apt-get install {' '.join(missing)})")
