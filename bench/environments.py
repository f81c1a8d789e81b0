"""The benchmark's environments: real virtual environments, built with uv from real wheels.

* ``base-3.X``: a venv (with pip, as ``python -m venv`` makes one) holding the newest
  ``fastapi[standard]`` and ``fastapi-cloud-cli`` that install on that Python.
* ``large-3.12``: the same plus 2,000 more installed distributions, run with 50 more
  ``PYTHONPATH`` entries.
* ``dists-N``: the same, topped up to N installed distributions in all (the scaling series).

The extra distributions are real wheels, built locally by a standard build backend
(``flit_core``, called in-process through its PEP 517 hook: about 1.5 ms a wheel), and
installed by uv the way any wheel is installed, RECORD, INSTALLER and byte code
included. Downloading thousands of projects from PyPI would cost hours and gigabytes for
no difference the probe can see: it looks at directory names, and opens metadata only of
the distributions it is asked about. Their names are made up but shaped like real ones
(mixed case, ``-``, ``_`` and ``.`` separators, ``-utils``/``-client`` suffixes), and one
in forty shares a first word with a product (``fastapi-admin-…``, ``pydantic-…``), as
plug-ins do, so that a name filter cannot cheat by looking at first letters.

Everything is kept under ``.cache/bench`` and rebuilt only when its recipe changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("PROBE_TEST_CACHE", ROOT / ".cache"))
BENCH = CACHE / "bench"
WHEELS = BENCH / "wheels-v1"  # bump when the made-up projects change
PYTHONPATH_DIRS = BENCH / "pythonpath"

# The newest releases that install on each Python; uv picks them.
BASE_REQUIREMENTS = ("fastapi[standard]", "fastapi-cloud-cli")
# PyPy 3.9: pure-Python releases only (httptools and pydantic-core have no PyPy 3.9 wheels left to pick).
PYPY_REQUIREMENTS = ("fastapi<0.100", "pydantic<2", "typer")
LARGE_EXTRA = 2000
LARGE_PYTHONPATH = 50
SCALING = (100, 1000, 10000)

_SYLLABLES = (
    "zor", "vak", "mel", "brio", "quan", "tel", "fex", "lor", "dyn", "ami", "pex", "ora", "sil", "kra",
    "nov", "tris", "gal", "umb", "rix", "pol", "ven", "cor", "hal", "sten", "bix", "dra", "mon", "ket",
)  # fmt: skip
_SUFFIXES = ("", "", "", "-utils", "-client", "_tools", "-sdk", ".ext", "-py", "-core", "-plugin")
_PRODUCT_WORDS = ("fastapi", "pydantic", "starlette", "typer")


def project_name(index: int) -> str:
    """A made-up but real-looking project name, unique per *index*."""
    first = _SYLLABLES[index % len(_SYLLABLES)]
    second = _SYLLABLES[(index // len(_SYLLABLES)) % len(_SYLLABLES)]
    stem = first + second + str(index // (len(_SYLLABLES) ** 2) or "")
    if index % 40 == 7:
        return "%s-%s%d" % (_PRODUCT_WORDS[(index // 40) % len(_PRODUCT_WORDS)], stem, index)
    name = stem + _SUFFIXES[index % len(_SUFFIXES)]
    if index % 5 == 0:
        name = name.capitalize()
    return "py-" + name if index % 13 == 0 else name


def module_name(project: str) -> str:
    return project.lower().replace("-", "_").replace(".", "_")


def _write_project(folder: Path, index: int) -> None:
    project = project_name(index)
    module = module_name(project)
    version = "%d.%d.%d" % (index % 4, index % 17, index % 7)
    package = folder / module
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        '"""%s: helpers for the %s service."""\n\nfrom .core import run\n\n__version__ = "%s"\n__all__ = ["run"]\n'
        % (project, module, version)
    )
    (package / "core.py").write_text(
        '"""Core of %s."""\n\n\ndef run(value: int) -> int:\n    return value * %d\n' % (project, index + 1)
    )
    (package / "py.typed").write_text("")
    readme = "# %s\n\n" % project + ("Lorem ipsum dolor sit amet, %s consectetur adipiscing elit.\n" % module) * 24
    (folder / "README.md").write_text(readme)
    (folder / "pyproject.toml").write_text(
        "[build-system]\n"
        'requires = ["flit_core>=3.4,<4"]\n'
        'build-backend = "flit_core.buildapi"\n\n'
        "[project]\n"
        'name = "%s"\nversion = "%s"\n'
        'description = "Helpers for the %s service"\n'
        'readme = "README.md"\nrequires-python = ">=3.8"\nlicense = {text = "MIT"}\n'
        'authors = [{name = "Bench Maker", email = "bench@example.org"}]\n'
        'classifiers = ["Programming Language :: Python :: 3", "Operating System :: OS Independent"]\n\n'
        '[project.urls]\nHomepage = "https://example.org/%s"\n\n'
        '[tool.flit.module]\nname = "%s"\n' % (project, version, module, module, module)
    )


def build_wheels(count: int) -> list[Path]:
    """Wheels for the first *count* made-up projects, built once with flit_core's PEP 517 hook."""
    from flit_core import buildapi  # the bench session installs it

    WHEELS.mkdir(parents=True, exist_ok=True)
    index_file = WHEELS / "index.json"
    built: dict[str, str] = json.loads(index_file.read_text()) if index_file.exists() else {}
    missing = [i for i in range(count) if not (WHEELS / built.get(str(i), "-")).is_file()]
    if missing:
        print("bench: building %d wheels with flit_core" % len(missing), flush=True)
    here = os.getcwd()
    try:
        for done, index in enumerate(missing, 1):
            with tempfile.TemporaryDirectory(dir=BENCH) as tmp:
                _write_project(Path(tmp), index)
                os.chdir(tmp)
                built[str(index)] = buildapi.build_wheel(str(WHEELS))
                os.chdir(here)
            if done % 1000 == 0:
                index_file.write_text(json.dumps(built))
    finally:
        os.chdir(here)
        index_file.write_text(json.dumps(built))
    return [WHEELS / built[str(i)] for i in range(count)]


def make_pythonpath_dirs(count: int) -> list[str]:
    """*count* source folders, each like a project's ``src/``: a package and a few modules."""
    folders = []
    for index in range(count):
        folder = PYTHONPATH_DIRS / ("src%02d" % index)
        package = folder / ("localpkg%02d" % index)
        if not package.is_dir():
            package.mkdir(parents=True)
            (package / "__init__.py").write_text('"""Local package %d."""\n' % index)
            (package / "models.py").write_text("VALUE = %d\n" % index)
            for name in ("settings.py", "tasks.py", "conftest.py"):
                (folder / name).write_text("# %s of source folder %d\n" % (name, index))
            (folder / "README.txt").write_text("source folder %d\n" % index)
        folders.append(str(folder))
    return folders


def _uv(*args: str) -> None:
    env = dict(os.environ, UV_CACHE_DIR=str(CACHE / "uv"), UV_PYTHON_DOWNLOADS="never")
    env.pop("PIP_FIND_LINKS", None)
    subprocess.run(["uv", *args], check=True, env=env)


def env_python(folder: Path) -> Path:
    return folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def site_packages(folder: Path) -> Path:
    python = env_python(folder)
    out = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(out.stdout.strip())


def count_distributions(folder: Path) -> int:
    return sum(1 for name in os.listdir(site_packages(folder)) if name.endswith(".dist-info"))


def build_env(
    name: str,
    interpreter: str,
    extra: int = 0,
    total: int | None = None,
    requirements: tuple[str, ...] = BASE_REQUIREMENTS,
) -> Path:
    """The venv *name*: *requirements* on *interpreter*, plus *extra* made-up distributions.

    With *total*, as many made-up distributions as bring the count to *total* in all.
    """
    folder = BENCH / "envs" / name
    recipe = json.dumps([interpreter, list(requirements), extra, total, sys.platform])
    stamp = folder / "bench-recipe.json"
    if stamp.is_file() and stamp.read_text() == recipe and env_python(folder).exists():
        return folder
    print("bench: building environment %s" % name, flush=True)
    if folder.exists():
        shutil.rmtree(folder)
    # --seed: pip in the venv, as `python -m venv` gives it (and setuptools below 3.12).
    _uv("venv", "-q", "--seed", "--python", interpreter, str(folder))
    python = str(env_python(folder))
    _uv("pip", "install", "-q", "--compile-bytecode", "--python", python, *requirements)
    if total is not None:
        extra = max(0, total - count_distributions(folder))
    if extra:
        wheels = build_wheels(extra)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", dir=BENCH, delete=False) as listing:
            listing.write("\n".join(str(wheel) for wheel in wheels) + "\n")
        try:
            _uv("pip", "install", "-q", "--compile-bytecode", "--no-deps", "--python", python, "-r", listing.name)
        finally:
            os.unlink(listing.name)
    stamp.write_text(recipe)
    return folder


def recipe_digest() -> str:
    """A short digest of this file, so that results name the environments they were measured in."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
