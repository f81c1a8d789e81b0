"""Hostile surroundings for the hardening tests (issue 3), and the checks every answer must pass.

Real environments come from :mod:`envs` (uv venvs); this adds what the hostile cases need
on top: wheels built here with contents of our choosing (packages that leave a trace when
executed, versions with local labels), installed by uv like any wheel; a copy of the probe
in a folder of its own (so that bytecode written next to it lands in a temporary folder);
and ``strace``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Mapping

from support import FIXED_KEYS, PRODUCT_KEYS, record_hash, unavailable

if TYPE_CHECKING:
    from envs import Venv

# README: a value is a PEP 440 public version in [A-Za-z0-9.!_-], at most 64 characters.
SAFE_VALUE = re.compile(r"\A[A-Za-z0-9.!_-]{1,64}\Z")


def assert_safe_block(block: Mapping[str, Any], *, products: list[str] = PRODUCT_KEYS, status: str = "ok") -> None:
    """Every key present in order, the expected status, and every value safe to send."""
    assert list(block) == FIXED_KEYS + products, block
    assert block["probe_status"] == status, block
    for key, value in block.items():
        if key == "probe_schema_version":
            assert type(value) is int
        elif value is not None or key not in products:
            assert isinstance(value, str) and SAFE_VALUE.match(value), (key, value)


def last_line(stdout: str) -> str:
    """The literal last line of stdout, which must be the block itself."""
    assert stdout.endswith("\n"), stdout[-200:]
    return stdout.splitlines()[-1]


# Wheels with contents of our choosing.


def build_wheel(
    directory: Path, name: str, version: str, files: Mapping[str, str | bytes], requires: tuple[str, ...] = ()
) -> Path:
    """A pure-Python wheel (PEP 427) holding *files*, with a correct RECORD; returns its path."""
    stem = re.sub(r"[-_.]+", "_", name)
    info = f"{stem}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {requirement}\n" for requirement in requires)
    contents: dict[str, bytes] = {
        path: data.encode() if isinstance(data, str) else data for path, data in files.items()
    }
    contents[f"{info}/METADATA"] = metadata.encode()
    contents[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: probe-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = "".join(f"{path},{record_hash(data)},{len(data)}\n" for path, data in contents.items())
    contents[f"{info}/RECORD"] = (record + f"{info}/RECORD,,\n").encode()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stem}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in contents.items():
            archive.writestr(member, data)
    return path


def install_wheels(venv: Venv, *wheels: Path) -> None:
    """Install *wheels* one after the other with uv (a later one overwrites an earlier one's files)."""
    for wheel in wheels:
        venv.install(str(wheel), no_deps=True, args=("--no-index",))


def flit_project(directory: Path, name: str, version: str, files: Mapping[str, str]) -> Path:
    """A source project built by flit_core, for a real editable install (PEP 660, PEP 610)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["flit_core>=3.9,<4"]\nbuild-backend = "flit_core.buildapi"\n\n'
        f'[project]\nname = "{name}"\nversion = "{version}"\ndescription = "test project"\n',
        encoding="utf-8",
    )
    for relative, text in files.items():
        (directory / relative).parent.mkdir(parents=True, exist_ok=True)
        (directory / relative).write_text(text, encoding="utf-8")
    return directory


def install_editable(venv: Venv, project: Path) -> None:
    venv.install("-e", str(project), no_deps=True)


def trace_module(trace_dir: Path, label: str) -> str:
    """Source of a module that leaves ``<trace_dir>/<label>`` behind when it is executed."""
    return f"open({str(trace_dir / label)!r}, 'a').close()\n"


def traces(trace_dir: Path) -> set[str]:
    return {path.name for path in trace_dir.iterdir()}


def fresh_venv(root: Path) -> Venv:
    """A new uv venv of the interpreter running the tests."""
    from envs import create_venv  # needs importlib_metadata, which only the venv-building tests need

    return create_venv(root)


def require_strace() -> str:
    """``strace``; a contributor without it skips, CI (whose .ci/run installs it) fails."""
    found = shutil.which("strace")
    if found is None:
        unavailable("strace is not installed (apt-get install strace): the tests that watch system calls need it")
    check = subprocess.run([found, "-f", "-o", os.devnull, "true"], capture_output=True, text=True)
    if check.returncode != 0:
        unavailable(f"strace cannot trace here: {check.stderr.strip()}")
    return found


def wrapper(path: Path, command: list[str]) -> str:
    """An executable at *path* that runs *command* with its own arguments appended, for ``run_probe``."""
    path.write_text("#!/bin/sh\nexec " + " ".join(f"'{part}'" for part in command) + ' "$@"\n', encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def traced_python(tmp_path: Path, python: str, log: Path, syscalls: str) -> str:
    """An interpreter command that runs under ``strace -f``, each descriptor shown with its path."""
    strace = require_strace()
    return wrapper(
        tmp_path / "python-traced",
        [strace, "-f", "-qq", "-y", "-s", "0", "-o", str(log), "-e", f"trace={syscalls}", python],
    )


def zip_folder(folder: Path, archive: Path) -> Path:
    """Every file under *folder* in a zip archive, at its relative path."""
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(folder).as_posix())
    return archive


class EveryPath:
    """The products installed with real installers along each of the probe's paths.

    fastapi, then fastapi-slim over it (two RECORDs claim ``fastapi/__init__.py`` with the
    same size: only the hash can tell, and it must tell fastapi-slim); fastapi-cli and typer
    from wheels; pydantic as an editable install (flit_core, PEP 610 ``direct_url.json``);
    starlette installed into a folder that is zipped and put on PYTHONPATH. ``source(module)``
    is the text each module's ``__init__.py`` starts with; *local* is a local version label
    appended to every version; with ``pth=False`` the editable install's ``.pth`` file goes
    and its project folder is put on PYTHONPATH instead.
    """

    VERSIONS: ClassVar[dict[str, str]] = {
        "fastapi": "0.110.0",
        "fastapi-slim": "0.110.1",
        "fastapi-cli": "0.0.5",
        "typer": "0.12.3",
        "pydantic": "2.99.1",
        "starlette": "0.37.2",
    }

    def __init__(self, venv: Venv, root: Path, *, source: Any = None, local: str = "", pth: bool = True) -> None:
        source = source or (lambda module: "")
        wheels = root / "wheels"
        version = {name: number + local for name, number in self.VERSIONS.items()}

        def init(module: str, name: str) -> str:
            return source(module) + f'__version__ = "{version[name]}"\n'

        built = [
            build_wheel(wheels, name, version[name], {f"{module}/__init__.py": init(module, name)})
            for name, module in (
                ("fastapi", "fastapi"),
                ("fastapi-slim", "fastapi"),
                ("fastapi-cli", "fastapi_cli"),
                ("typer", "typer"),
            )
        ]
        install_wheels(venv, *built)
        project = flit_project(
            root / "pydantic-project",
            "pydantic",
            version["pydantic"],
            {"pydantic/__init__.py": init("pydantic", "pydantic")},
        )
        install_editable(venv, project)
        self.pythonpath: list[Path] = []
        if not pth:
            (found,) = venv.purelib.glob("pydantic*.pth")
            found.unlink()
            self.pythonpath.append(project)
        target = root / "starlette-target"
        wheel = build_wheel(
            wheels, "starlette", version["starlette"], {"starlette/__init__.py": init("starlette", "starlette")}
        )
        venv.install(str(wheel), no_deps=True, target=target, args=("--no-index",))
        self.pythonpath.append(zip_folder(target, root / "starlette.zip"))
        self.expected: dict[str, str | None] = {
            "fastapi_version": self.VERSIONS["fastapi-slim"],
            "fastapi_cli_version": self.VERSIONS["fastapi-cli"],
            "fastapi_cloud_cli_version": None,
            "pydantic_version": self.VERSIONS["pydantic"],
            "starlette_version": self.VERSIONS["starlette"],
            "typer_version": self.VERSIONS["typer"],
        }

    @property
    def pythonpath_text(self) -> str:
        return os.pathsep.join(map(str, self.pythonpath))


# A meta-path finder (installed by a .pth file) that sleeps when asked for starlette or typer.
# With SLEEPY_FINDER_ASLEEP set, it creates that file as it falls asleep: the event a test waits
# for before it interrupts the sleep.
SLEEPY_FINDER = """\
import os, sys, time

class SleepyFinder:
    # An editable-install finder that asks a network share before answering.
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name in ("starlette", "typer"):
            if os.environ.get("SLEEPY_FINDER_ASLEEP"):
                open(os.environ["SLEEPY_FINDER_ASLEEP"], "a").close()
            time.sleep(60)
        return None

sys.meta_path.insert(0, SleepyFinder())
"""
