"""Two answers found wrong in real installs, each held against the oracle (a real import) in a real environment.

- An editable install edited after installing: ``pip install -e`` of a project declaring
  ``__version__ = "0.1.0"``, then the source edited to ``"0.2.0"``. ``import`` loads the
  working tree and says 0.2.0, and so must the probe; the metadata frozen at install time
  answers only when the source declares no version (a version computed at run time).
- A sourceless install: ``python -m compileall -b`` over site-packages, then every ``.py``
  deleted. ``import fastapi`` loads ``fastapi/__init__.pyc``, whose RECORD names
  ``fastapi/__init__.py``: the distribution that installed the source owns its byte code.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from envs import OLDER_PYDANTIC, PYPY, Venv, create_venv, imported_version, key_for, oracle, run_tool, tool_env
from support import PRODUCT_MODULES, run_probe

pytestmark = pytest.mark.network

PROBE_ARGS = ("--timeout", "30")  # what is right, not how fast (see test_real_environments)

# Build backends, each installed into the environment so that pip builds without isolation
# (offline once uv's cache has them); the project's pyproject.toml for a static version.
BACKENDS = {
    "hatchling": (
        ("hatchling>=1.21", "editables>=0.5"),
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
        '[project]\nname = "{name}"\nversion = "0.1.0"\n\n'
        '[tool.hatch.build.targets.wheel]\npackages = ["{module}"]\n',
    ),
    "setuptools": (
        ("setuptools>=68", "wheel"),
        '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "{name}"\nversion = "0.1.0"\n\n'
        '[tool.setuptools]\npackages = ["{module}"]\n',
    ),
}
# Versions the build reads from the project: from the source (hatchling's version source, so
# the source declares it) or from a file, the module asking importlib.metadata at run time.
DYNAMIC = {
    "hatchling": (
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
        '[project]\nname = "{name}"\ndynamic = ["version"]\n\n'
        '[tool.hatch.version]\npath = "{module}/__init__.py"\n\n'
        '[tool.hatch.build.targets.wheel]\npackages = ["{module}"]\n',
        '__version__ = "{version}"\n',
        "0.2.0",  # the source declares it: the edit shows
    ),
    "setuptools": (
        '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "{name}"\ndynamic = ["version"]\n\n'
        '[tool.setuptools]\npackages = ["{module}"]\n\n'
        '[tool.setuptools.dynamic]\nversion = {{file = "VERSION"}}\n',
        "from importlib.metadata import version as _version\n\n__version__ = _version({name!r})\n",
        "0.1.0",  # no literal: the metadata, as import says until the next install
    ),
}
# setuptools' three editable layouts: a meta path finder (lenient, its default), a .pth naming
# the project folder (compat), links in build/__editable__ (strict); hatchling's .pth.
MODES = {
    "hatchling": [()],
    "setuptools": [(), ("--config-settings", "editable_mode=compat"), ("--config-settings", "editable_mode=strict")],
}
# setuptools builds take 10 s each under PyPy, where the layouts are the same: PyPy builds with
# hatchling only (as test_real_environments keeps build-backend layouts to CPython).
BACKENDS_HERE = ["hatchling"] if PYPY else list(BACKENDS)
EDITABLE_CASES = [
    pytest.param(backend, mode, id=f"{backend}-{mode[-1].partition('=')[2] if mode else 'default'}")
    for backend in BACKENDS_HERE
    for mode in MODES[backend]
]


def project(root: Path, name: str, pyproject: str, init: str, version_file: str | None = None) -> tuple[Path, str]:
    module = name.replace("-", "_")
    folder = root / name
    (folder / module).mkdir(parents=True)
    (folder / "pyproject.toml").write_text(pyproject.format(name=name, module=module), encoding="utf-8")
    (folder / module / "__init__.py").write_text(init, encoding="utf-8")
    if version_file is not None:
        (folder / "VERSION").write_text(version_file, encoding="utf-8")
    return folder, module


def pip_editable(venv: Venv, backend: str, folder: Path, *mode: str) -> None:
    """A real ``pip install -e``, the backend taken from the environment (no build isolation)."""
    venv.install(*BACKENDS[backend][0])
    venv.pip("install", "--no-deps", "--no-build-isolation", *mode, "-e", str(folder))


def named_block(venv: Venv, name: str) -> dict[str, object]:
    run = run_probe(venv.python, *PROBE_ARGS, name, env=venv.env)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    return run.block


@pytest.mark.parametrize(("backend", "mode"), EDITABLE_CASES)
def test_an_edited_editable_install_reports_the_working_tree(
    tmp_path: Path, backend: str, mode: tuple[str, ...]
) -> None:
    venv = create_venv(tmp_path / "venv")
    name = f"edited-{backend}"
    folder, module = project(tmp_path / "src", name, BACKENDS[backend][1], '__version__ = "0.1.0"\n')
    pip_editable(venv, backend, folder, *mode)
    assert named_block(venv, name)[key_for(name)] == "0.1.0"

    (folder / module / "__init__.py").write_text('__version__ = "0.2.0"\n', encoding="utf-8")
    truth = oracle(venv, [module])[module]
    assert truth.file is not None and os.path.realpath(truth.file).startswith(os.path.realpath(folder)), truth
    assert imported_version(venv, module) == "0.2.0" == truth.value
    metadata = venv.query(f"import importlib.metadata, json; print(json.dumps(importlib.metadata.version({name!r})))")
    assert metadata == "0.1.0"  # frozen at install time: the fact this test exists for
    assert named_block(venv, name)[key_for(name)] == truth.value


@pytest.mark.parametrize("backend", BACKENDS_HERE)
def test_a_dynamic_version_editable_install(tmp_path: Path, backend: str) -> None:
    """A version the build computes: from the source (it shows the edit), or from a file (it waits for a rebuild)."""
    pyproject, init, expected = DYNAMIC[backend]
    venv = create_venv(tmp_path / "venv")
    name = f"dynamic-{backend}"
    folder, module = project(
        tmp_path / "src", name, pyproject, init.format(name=name, version="0.1.0"), version_file="0.1.0\n"
    )
    pip_editable(venv, backend, folder)
    (folder / module / "__init__.py").write_text(init.format(name=name, version="0.2.0"), encoding="utf-8")
    (folder / "VERSION").write_text("0.2.0\n", encoding="utf-8")

    truth = oracle(venv, [module])[module]
    assert imported_version(venv, module) == expected == truth.value
    assert named_block(venv, name)[key_for(name)] == truth.value


def test_a_sourceless_install_keeps_its_versions(tmp_path: Path) -> None:
    """``compileall -b`` over site-packages, then the sources deleted: the six keys still match a real import."""
    venv = create_venv(tmp_path / "venv")
    venv.install("fastapi==0.115.0", f"pydantic=={OLDER_PYDANTIC}", "starlette==0.38.6", "typer==0.12.5")
    venv.install("fastapi-cli==0.0.5", no_deps=True)
    site = venv.purelib
    run_tool([str(venv.python), "-m", "compileall", "-b", "-q", str(site)], env=tool_env())
    sources = [path for path in site.rglob("*.py") if path.with_suffix(".pyc").is_file()]
    assert len(sources) > 100
    for path in sources:
        path.unlink()

    truth = oracle(venv, list(PRODUCT_MODULES.values()))
    fastapi = truth["fastapi"]
    assert fastapi.file == str(site / "fastapi" / "__init__.pyc"), fastapi  # import loads the legacy byte code
    record = next(site.glob("fastapi-0.115.0.dist-info")) / "RECORD"
    assert "fastapi/__init__.py," in record.read_text(encoding="utf-8")  # and RECORD names the source
    run = run_probe(venv.python, *PROBE_ARGS, env=venv.env)
    assert run.returncode == 0, run.stderr
    block = run.block
    assert block["probe_status"] == "ok"
    assert {key: block[key] for key in PRODUCT_MODULES} == {
        key: truth[module].value for key, module in PRODUCT_MODULES.items()
    }
    assert block["fastapi_version"] == "0.115.0" and block["pydantic_version"] == OLDER_PYDANTIC


# A src layout built the pre-PEP 660 way: setup.py develop writes src/<name>.egg-info (no list
# of installed files) and an .egg-link plus an easy-install.pth line in site-packages naming src/.
# Before setuptools 64, pip's -e ran develop too; from 80, develop itself runs pip's PEP 660
# install. 70-79 have the old develop and run on 3.8-3.13 (before 66.1 they import
# pkgutil.ImpImporter, gone in 3.12); the .egg-link the test asserts proves which one ran.
LEGACY_SETUPTOOLS = "setuptools>=70,<80"
SRC_SETUP_PY = (
    "from setuptools import setup\n\n"
    'setup(name="{name}", version="0.1.0", packages=["{module}"], package_dir={{"": "src"}})\n'
)


def test_an_edited_setup_py_develop_src_layout(tmp_path: Path) -> None:
    venv = create_venv(tmp_path / "venv")
    venv.install(LEGACY_SETUPTOOLS)
    name = "developed-src"
    module = name.replace("-", "_")
    folder = tmp_path / "project"
    (folder / "src" / module).mkdir(parents=True)
    (folder / "setup.py").write_text(SRC_SETUP_PY.format(name=name, module=module), encoding="utf-8")
    (folder / "src" / module / "__init__.py").write_text('__version__ = "0.1.0"\n', encoding="utf-8")
    run_tool([str(venv.python), "setup.py", "-q", "develop", "--no-deps"], env=venv.env, cwd=folder)
    egg_info = folder / "src" / f"{module}.egg-info"
    assert (egg_info / "SOURCES.txt").is_file() and not (egg_info / "installed-files.txt").exists()
    assert not (folder / "src" / "setup.py").exists()  # the project files are one level up
    assert list(venv.purelib.glob("*.egg-link")), "a develop install, not PEP 660"
    assert named_block(venv, name)[key_for(name)] == "0.1.0"

    (folder / "src" / module / "__init__.py").write_text('__version__ = "0.2.0"\n', encoding="utf-8")
    truth = oracle(venv, [module])[module]
    assert truth.file == str(folder / "src" / module / "__init__.py"), truth
    assert imported_version(venv, module) == "0.2.0" == truth.value
    metadata = venv.query(f"import importlib.metadata, json; print(json.dumps(importlib.metadata.version({name!r})))")
    assert metadata == "0.1.0"  # the in-tree egg-info, frozen at develop time
    assert named_block(venv, name)[key_for(name)] == truth.value
