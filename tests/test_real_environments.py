"""The probe against the truth in real environments built from real wheels, on the interpreter under test.

Each scenario builds a real environment (``envs.py``), runs ``python -m probe`` in it as
the extension does, and holds all six product keys against the oracle: a real ``import``
in that interpreter, and ``importlib_metadata`` naming the distribution that installed the
file it loaded. Nothing here hard-codes an expected version; a scenario may in addition
assert the fact it exists for ("the module is gone", "the code comes from typer-slim").

nox runs this file once per interpreter; each scenario is generated only for the
interpreters its wheels install on, and every scenario runs on at least one interpreter
this machine has (``test_every_scenario_runs_somewhere``).
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Tuple

import pytest
from envs import (
    OLDER_PYDANTIC,
    PYDANTIC,
    PYPY,
    Truth,
    Venv,
    base_interpreter,
    create_venv,
    environment,
    externally_managed,
    fetch_sdist,
    fetch_wheel,
    key_for,
    oracle,
    pip_env,
    run_tool,
    tool_env,
    unpack_sdist,
    uv,
    uv_bin,
)
from progress import Progress
from pythons import CPYTHONS, PYPYS, find_interpreter
from support import PRODUCT_MODULES, run_probe

pytestmark = pytest.mark.network

Interpreter = Tuple[str, Tuple[int, int]]  # ("cpython" | "pypy", (major, minor))
HERE: Interpreter = (sys.implementation.name, sys.version_info[:2])
Other = Callable[[str], "Built"]  # another scenario, built (some scenarios start from another's environment)
Build = Callable[[Path, Other], Venv]

# The newest releases that still install on Python 3.8 (issue 2): versions every interpreter
# here can install (pydantic: one whose compiled half has a wheel for it, envs.PYDANTIC), and
# the "newer" copy in the shadowing scenarios.
SET_38 = {
    "fastapi": "0.124.4",
    "pydantic": PYDANTIC,
    "starlette": "0.44.0",
    "typer": "0.20.1",
    "fastapi-cli": "0.0.18",
    "fastapi-cloud-cli": "0.7.0",
}
# An older set, also installable everywhere (pydantic: envs.OLDER_PYDANTIC).
OLDER = {
    "fastapi": "0.115.0",
    "pydantic": OLDER_PYDANTIC,
    "starlette": "0.38.6",
    "typer": "0.12.5",
    "fastapi-cli": "0.0.5",
    "fastapi-cloud-cli": "0.1.0",
}
# Both CLIs need uvicorn[standard], whose httptools has no PyPy wheel: they are installed
# without dependencies where a scenario is not about them (importing them needs none).
CLIS = ("fastapi-cli", "fastapi-cloud-cli")

# Extra distributions asked for by name, with the module each one installs.
NAMED_IN_STANDARD = {
    "uvicorn": "uvicorn",
    "PyYAML": "yaml",
    "email-validator": "email_validator",
    "typing_extensions": "typing_extensions",
    "pydantic-core": "pydantic_core",
    "httpx": "httpx",
    "Jinja2": "jinja2",
    "MarkupSafe": "markupsafe",
    # Installs into the namespace package google (beside googleapis-common-protos): the
    # probe's module is the namespace, the oracle's the package inside it.
    "protobuf": "google.protobuf",
}


# What is right, not how fast: a generous deadline, so that a loaded machine (PyPy hashing a
# RECORD while two other sessions run) cannot turn an answer into "timeout".
PROBE_ARGS = ("--timeout", "30")


def pins(versions: dict[str, str], *names: str) -> list[str]:
    return [f"{name}=={versions[name]}" for name in (names or versions)]


def install_set(venv: Venv, versions: dict[str, str], target: Path | None = None) -> None:
    """A product set: the libraries with their dependencies, the two CLIs without (see CLIS)."""
    libraries = [name for name in versions if name not in CLIS]
    venv.install(*pins(versions, *libraries), target=target)
    venv.install(*pins(versions, *CLIS), no_deps=True, target=target)


def everywhere(here: Interpreter) -> bool:
    return True


@dataclass
class Scenario:
    name: str
    build: Build
    runs_on: Callable[[Interpreter], bool] = everywhere
    check: Callable[[Built], None] | None = None
    # Distributions also asked for by name (``python -m probe NAME ...``), with their import names.
    named: dict[str, str] = field(default_factory=dict)


@dataclass
class Built:
    """A scenario's environment, with the probe's answers and the oracle's, each computed once."""

    venv: Venv
    scenario: Scenario
    _block: dict[str, Any] | None = None
    _truth: dict[str, Truth] | None = None
    _named: tuple[dict[str, Any], dict[str, Truth]] | None = None

    @property
    def block(self) -> dict[str, Any]:
        if self._block is None:
            run = run_probe(self.venv.python, *PROBE_ARGS, env=self.venv.env)
            assert run.returncode == 0, run.stderr
            assert run.stderr == ""
            self._block = run.block
        return self._block

    @property
    def truth(self) -> dict[str, Truth]:
        if self._truth is None:
            self._truth = oracle(self.venv, list(PRODUCT_MODULES.values()))
        return self._truth

    def value(self, key: str) -> str | None:
        return self.truth[PRODUCT_MODULES[key]].value

    @property
    def named(self) -> tuple[dict[str, Any], dict[str, Truth]]:
        if self._named is None:
            named = self.scenario.named
            run = run_probe(self.venv.python, *PROBE_ARGS, *named, env=self.venv.env)
            assert run.returncode == 0, run.stderr
            self._named = run.block, oracle(self.venv, list(named.values()))
        return self._named


SCENARIOS: dict[str, Scenario] = {}


def scenario(
    runs_on: Callable[[Interpreter], bool] = everywhere,
    check: Callable[[Built], None] | None = None,
    named: dict[str, str] | None = None,
) -> Callable[[Build], Build]:
    """Register a scenario under its function's name, with ``-`` for ``_``."""

    def register(build: Build) -> Build:
        name = build.__name__.replace("_", "-")
        SCENARIOS[name] = Scenario(name, build, runs_on, check, named or {})
        return build

    return register


# The scenarios.


def check_empty(built: Built) -> None:
    assert all(built.block[key] is None for key in PRODUCT_MODULES)


@scenario(check=check_empty)
def empty(tmp: Path, other: Other) -> Venv:
    """A fresh virtual environment with nothing installed: every product is null."""
    return create_venv(tmp / "venv")


def check_all_installed(built: Built) -> None:
    expected_missing = {"fastapi_cloud_cli_version"} if PYPY else set()
    missing = {key for key in PRODUCT_MODULES if built.block[key] is None}
    assert missing == expected_missing


@scenario(runs_on=lambda here: here[1] >= (3, 9), check=check_all_installed, named=NAMED_IN_STANDARD)
def newest(tmp: Path, other: Other) -> Venv:
    """The newest ``fastapi[standard]`` and ``fastapi-cloud-cli``, as PyPI had them at tests/pypi-snapshot.txt's moment.

    On PyPy, uvicorn[standard] cannot install (httptools has no PyPy wheel): ``fastapi``,
    ``fastapi-cli`` and ``typer`` from wheels only, so the resolver picks versions that install.
    """
    venv = create_venv(tmp / "venv")
    if PYPY:
        venv.install("fastapi", "fastapi-cli", "typer", offline_first=False)
    else:
        venv.install("fastapi[standard]", "fastapi-cloud-cli", offline_first=False)
    return venv


@scenario(runs_on=lambda here: here == ("cpython", (3, 8)), check=check_all_installed, named=NAMED_IN_STANDARD)
def set_38(tmp: Path, other: Other) -> Venv:
    """The newest releases that install on Python 3.8, pinned, with fastapi's ``standard`` extra."""
    venv = create_venv(tmp / "venv")
    requirements = pins(SET_38)
    requirements[0] = f"fastapi[standard]=={SET_38['fastapi']}"
    venv.install(*requirements)
    return venv


def check_legacy(built: Built) -> None:
    assert built.block["pydantic_version"] is not None and built.block["pydantic_version"].startswith("1.")


@scenario(runs_on=lambda here: here[1] in ((3, 8), (3, 9)), check=check_legacy)
def legacy(tmp: Path, other: Other) -> Venv:
    """fastapi 0.65 with pydantic 1.8: no ``pydantic.__version__``, compiled modules on CPython."""
    venv = create_venv(tmp / "venv")
    venv.install("fastapi==0.65.2", "pydantic==1.8.2")
    return venv


def check_slim(built: Built) -> None:
    assert built.truth["fastapi"].owner == "fastapi-slim"
    assert built.truth["fastapi_cli"].owner == "fastapi-cli-slim"


@scenario(check=check_slim)
def slim(tmp: Path, other: Other) -> Venv:
    """The last ``fastapi-slim`` and ``fastapi-cli-slim`` that carry the packages (0.128.8 and 0.0.21 on are
    metapackages), or the last that install on 3.8. fastapi-cli-slim needs uvicorn[standard]: on PyPy,
    without its dependencies (see CLIS)."""
    venv = create_venv(tmp / "venv")
    fastapi_slim, cli_slim = ("0.124.4", "0.0.18") if HERE[1] < (3, 9) else ("0.128.7", "0.0.20")
    venv.install(f"fastapi-slim=={fastapi_slim}")
    venv.install(f"fastapi-cli-slim=={cli_slim}", no_deps=PYPY)
    return venv


def check_slim_metapackage(built: Built) -> None:
    assert built.truth["fastapi"].owners == ["fastapi"]
    assert any(path.name.startswith("fastapi_slim-") for path in built.venv.purelib.iterdir())


@scenario(runs_on=lambda here: here[1] >= (3, 9), check=check_slim_metapackage)
def slim_newest(tmp: Path, other: Other) -> Venv:
    """The newest ``fastapi-slim`` is an empty metapackage that requires ``fastapi``: the code is fastapi's.

    (0.128.8 already was: ``fastapi-slim<0.129`` gets fastapi's code too.)
    """
    venv = create_venv(tmp / "venv")
    venv.install("fastapi-slim", offline_first=False)
    return venv


def check_typer_0_12_0(built: Built) -> None:
    venv = built.venv
    assert built.truth["typer"].owner == "typer-slim"
    # The ``typer`` 0.12.0 distribution is there, with nothing but its metadata.
    assert any(path.name.startswith("typer-0.12.0.") for path in venv.purelib.iterdir())


@scenario(check=check_typer_0_12_0)
def typer_0_12_0(tmp: Path, other: Other) -> Venv:
    """typer 0.12.0 is an empty metapackage; the ``typer`` package is installed by ``typer-slim``."""
    venv = create_venv(tmp / "venv")
    venv.install("typer==0.12.0")
    return venv


def one_over_the_other(tmp: Path, first: str, second: str, uninstall: str | None = None) -> Venv:
    """pip installs *first*, then *second* over it (the same ``fastapi/`` files), then maybe uninstalls one."""
    venv = create_venv(tmp / "venv")
    venv.install(*pins(SET_38, "starlette", "pydantic"))
    venv.pip_from_cache(first)
    venv.pip_from_cache(second)
    if uninstall:
        venv.pip("uninstall", "--yes", uninstall)
    return venv


def check_overwritten(built: Built) -> None:
    truth = built.truth["fastapi"]
    assert truth.owners == ["fastapi", "fastapi-slim"]  # both dist-infos list fastapi/__init__.py
    assert truth.owner == "fastapi"  # and the files on disk are the ones fastapi's RECORD hashes


@scenario(check=check_overwritten)
def slim_overwritten_by_fastapi(tmp: Path, other: Other) -> Venv:
    """fastapi-slim 0.115.0, then fastapi 0.118.0 over it: two dist-infos list ``fastapi/__init__.py``."""
    return one_over_the_other(tmp, "fastapi-slim==0.115.0", "fastapi==0.118.0")


def check_overwritten_by_slim(built: Built) -> None:
    truth = built.truth["fastapi"]
    assert truth.owners == ["fastapi", "fastapi-slim"]
    assert truth.owner == "fastapi-slim"  # the later install, listed second in any sorted order


@scenario(check=check_overwritten_by_slim)
def fastapi_overwritten_by_slim(tmp: Path, other: Other) -> Venv:
    """The other way round: fastapi 0.115.0, then fastapi-slim 0.118.0 over it."""
    return one_over_the_other(tmp, "fastapi==0.115.0", "fastapi-slim==0.118.0")


def check_overwritten_uninstalled(built: Built) -> None:
    site = built.venv.purelib
    assert (site / "fastapi_slim-0.115.0.dist-info" / "RECORD").is_file()  # left behind by pip
    assert not (site / "fastapi").exists()  # pip removed the files fastapi-slim installed too
    assert built.block["fastapi_version"] is None


@scenario(check=check_overwritten_uninstalled)
def slim_overwritten_then_uninstalled(tmp: Path, other: Other) -> Venv:
    """fastapi-slim 0.115.0, fastapi 0.118.0 over it, ``pip uninstall fastapi``: slim's dist-info stays, not its files.

    Starts from a copy of the environment above (a venv can be copied: it finds itself
    through ``pyvenv.cfg`` next to its interpreter).
    """
    overwritten = other("slim-overwritten-by-fastapi").venv
    venv = Venv(tmp / "venv")
    shutil.copytree(overwritten.root, venv.root, symlinks=True)
    venv.pip("uninstall", "--yes", "fastapi")
    return venv


def check_leftover_namespace(built: Built) -> None:
    site = built.venv.purelib
    assert not (site / "fastapi" / "__init__.py").exists()
    assert (site / "fastapi" / "_compat").is_dir()  # files only fastapi-slim had
    truth = built.truth["fastapi"]
    assert truth.importable and truth.file is None  # import fastapi gives a namespace package
    assert built.block["fastapi_version"] == "unknown"


@scenario(check=check_leftover_namespace)
def newer_slim_overwritten_then_uninstalled(tmp: Path, other: Other) -> Venv:
    """fastapi-slim 0.124.4, then fastapi 0.118.0 over it, then ``pip uninstall fastapi``.

    pip removes the files fastapi 0.118.0 recorded; those only slim 0.124.4 had
    (``fastapi/_compat/``) stay, and ``import fastapi`` then finds a namespace package.
    """
    return one_over_the_other(tmp, "fastapi-slim==0.124.4", "fastapi==0.118.0", uninstall="fastapi")


@scenario(check=check_leftover_namespace)
def newer_slim_overwritten_then_uninstalled_by_uv(tmp: Path, other: Other) -> Venv:
    """The same three steps with uv instead of pip: uv leaves the same files behind."""
    venv = create_venv(tmp / "venv")
    venv.install(*pins(SET_38, "starlette", "pydantic"))
    venv.install("fastapi-slim==0.124.4", no_deps=True)
    venv.install("fastapi==0.118.0", no_deps=True)
    uv("pip", "uninstall", "--python", str(venv.python), "fastapi", offline_first=False)
    return venv


def check_user_base(built: Built) -> None:
    userbase = built.venv.env["PYTHONUSERBASE"]
    _, named = built.named
    for truth in (built.truth["starlette"], named["pip"]):
        assert truth.file is not None and truth.file.startswith(userbase), truth


@scenario(check=check_user_base, named={"pip": "pip", "PyYAML": "yaml"})
def user_site_base_interpreter(tmp: Path, other: Other) -> Venv:
    """``pip install --user`` into the base interpreter: starlette, and a pip that shadows the base's own pip.

    pip runs in the base interpreter (``pip --python``), which need not have a pip of its own.
    """
    python = base_interpreter()
    userbase = tmp / "userbase"
    base = Venv(tmp, env=environment(PYTHONUSERBASE=str(userbase)), interpreter=Path(python))
    # pip refuses --user under PEP 668 (Debian's PyPy) unless told; the user base is a temporary folder.
    flags = ("--break-system-packages",) if externally_managed(python) else ()
    env = pip_env(PYTHONUSERBASE=str(userbase))
    base.pip_from_cache("starlette==0.44.0", "pip==24.0", user=True, flags=flags, env=env)
    return base


def check_venv_beats_user_site(built: Built) -> None:
    truth = built.truth["starlette"]
    assert truth.file is not None and truth.file.startswith(str(built.venv.purelib))
    userbase = built.venv.env["PYTHONUSERBASE"]
    assert list(Path(userbase).glob("lib/*/site-packages/starlette-0.44.0.dist-info")), "the user copy is there"


@scenario(check=check_venv_beats_user_site)
def user_site_in_venv(tmp: Path, other: Other) -> Venv:
    """A venv that sees the user site (``--system-site-packages``): ``pip install --user`` starlette 0.44.0,
    then starlette 0.38.6 into the venv.

    In such a venv ``sys.path`` is venv site-packages, then the user site, then the base
    interpreter's: the venv's copy is imported. (pip refuses the two steps in the other
    order: a user copy that site-packages would shadow.)
    """
    userbase = tmp / "userbase"
    venv = create_venv(tmp / "venv", system_site_packages=True)
    venv.env = environment(PYTHONUSERBASE=str(userbase))
    venv.pip_from_cache("starlette==0.44.0", user=True, env=pip_env(PYTHONUSERBASE=str(userbase)))
    venv.install("starlette==0.38.6")
    return venv


def check_shadowed(built: Built) -> None:
    shadow = built.venv.env["PYTHONPATH"]
    for module, truth in built.truth.items():
        assert truth.file is not None and truth.file.startswith(shadow), module
    # Without PYTHONPATH the venv's own, older, copies answer.
    alone = run_probe(built.venv.python, env=environment()).block
    assert all(alone[key] != built.block[key] for key in PRODUCT_MODULES), (alone, built.block)


@scenario(check=check_shadowed)
def pythonpath_shadows_venv(tmp: Path, other: Other) -> Venv:
    """The older set in the venv, the newer set (``uv pip install --target``, with metadata) on PYTHONPATH."""
    venv = create_venv(tmp / "venv")
    install_set(venv, OLDER)
    shadow = tmp / "shadow"
    install_set(venv, SET_38, target=shadow)
    venv.env = environment(PYTHONPATH=str(shadow))
    return venv


def check_bare_tree(built: Built) -> None:
    shadow = built.venv.env["PYTHONPATH"]
    for module, truth in built.truth.items():
        if truth.importable:
            assert truth.file is not None and truth.file.startswith(shadow), module
            assert truth.owner is None, module  # no metadata: the version comes from the source


def without_metadata(tree: Path, distributions: list[str]) -> None:
    """Remove the dist-info folders of *distributions* from a ``--target`` tree."""
    names = {name.replace("-", "_") for name in distributions}
    for path in tree.iterdir():
        if path.name.endswith(".dist-info") and path.name.split("-")[0].lower() in names:
            shutil.rmtree(path)


@scenario(check=check_bare_tree)
def pythonpath_bare_source_tree(tmp: Path, other: Other) -> Venv:
    """As above, with the products' dist-info removed: a source tree, whose version is what its source declares."""
    shadowing = other("pythonpath-shadows-venv").venv
    tree = tmp / "tree"
    shutil.copytree(shadowing.env["PYTHONPATH"], tree, symlinks=True)
    without_metadata(tree, list(SET_38))
    return Venv(shadowing.root, env=environment(PYTHONPATH=str(tree)))


def check_compiled_tree(built: Built) -> None:
    check_bare_tree(built)
    pydantic = built.truth["pydantic"].file
    assert pydantic is not None and pydantic.endswith(".py" if PYPY else ".so"), pydantic


@scenario(runs_on=lambda here: here[1] in ((3, 8), (3, 9)), check=check_compiled_tree)
def legacy_tree_without_metadata(tmp: Path, other: Other) -> Venv:
    """fastapi 0.65 and pydantic 1.8 installed with ``--target``, their dist-info then removed (as people slim a
    bundle): on CPython pydantic's modules are compiled (``__init__.cpython-38-*.so``), its ``.py`` files beside them.
    """
    venv = create_venv(tmp / "venv")
    tree = tmp / "tree"
    venv.install("fastapi==0.65.2", "pydantic==1.8.2", target=tree)
    without_metadata(tree, ["fastapi", "pydantic", "starlette"])
    venv.env = environment(PYTHONPATH=str(tree))
    return venv


def check_editable(built: Built) -> None:
    project = built.venv.notes["project"]
    for module in built.venv.notes["modules"]:
        truth = built.truth[module]
        assert truth.file is not None and os.path.realpath(truth.file).startswith(os.path.realpath(project)), module


def editable(tmp: Path, requirement: str, *args: str) -> Venv:
    venv = create_venv(tmp / "venv")
    project = unpack_sdist(requirement, tmp / "src")
    venv.install("--editable", str(project), args=args)
    venv.notes.update(project=project, modules=[requirement.partition("==")[0]])
    return venv


@scenario(check=check_editable)
def editable_hatchling(tmp: Path, other: Other) -> Venv:
    """starlette 0.44.0's sdist (hatchling), ``-e``: PEP 660 with a ``.pth`` naming the project folder."""
    return editable(tmp, "starlette==0.44.0")


@scenario(check=check_editable)
def editable_pdm_backend(tmp: Path, other: Other) -> Venv:
    """typer 0.20.1's sdist (pdm-backend), ``-e``."""
    return editable(tmp, "typer==0.20.1")


def cpython(here: Interpreter) -> bool:
    """Scenarios about a build backend's layout, whose builds take 10 s under PyPy: CPython only."""
    return here[0] == "cpython"


def check_editable_finder(built: Built) -> None:
    check_editable(built)
    assert list(built.venv.purelib.glob("__editable___*_finder.py")), "setuptools installed an import hook"


@scenario(runs_on=cpython, check=check_editable_finder)
def editable_setuptools(tmp: Path, other: Other) -> Venv:
    """starlette 0.14.2's sdist (setup.py, setuptools), ``-e`` in setuptools' default (lenient) PEP 660 mode:
    a ``.pth`` that installs a meta path finder mapping ``starlette`` to the project folder."""
    return editable(tmp, "starlette==0.14.2")


@scenario(runs_on=cpython, check=check_editable)
def editable_setuptools_compat(tmp: Path, other: Other) -> Venv:
    """The same in setuptools' ``compat`` mode: a plain ``.pth`` with the project folder."""
    return editable(tmp, "starlette==0.14.2", "--config-settings", "editable_mode=compat")


def check_link_tree(built: Built) -> None:
    check_editable(built)
    file = built.truth["starlette"].file
    assert file is not None and "__editable__" in file and os.path.islink(file), file


@scenario(runs_on=cpython, check=check_link_tree)
def editable_setuptools_strict(tmp: Path, other: Other) -> Venv:
    """The same in setuptools' ``strict`` mode: ``import`` loads links to the project's files, in
    ``build/__editable__.*``."""
    return editable(tmp, "starlette==0.14.2", "--config-settings", "editable_mode=strict")


@scenario(check=check_editable)
def setup_py_develop(tmp: Path, other: Other) -> Venv:
    """The legacy ``setup.py develop``: an ``.egg-link``, ``easy-install.pth``, and the egg-info in the project."""
    venv = create_venv(tmp / "venv")
    venv.install("setuptools<80")
    project = unpack_sdist("starlette==0.14.2", tmp / "src")
    run_tool([str(venv.python), "setup.py", "develop", "--no-deps"], cwd=project, env=tool_env())
    venv.notes.update(project=project, modules=["starlette"])
    return venv


def check_egg_info(built: Built) -> None:
    truth = built.truth["starlette"]
    assert truth.owner == "starlette"
    eggs = [path for path in built.venv.purelib.iterdir() if path.name.endswith(".egg-info")]
    assert len(eggs) == 1 and (eggs[0] / "installed-files.txt").is_file(), eggs


@scenario(runs_on=lambda here: here[1] <= (3, 11), check=check_egg_info)
def legacy_setup_py_install(tmp: Path, other: Other) -> Venv:
    """pip before 23.1 installed a setup.py project without ``wheel`` by ``setup.py install``: an ``.egg-info``
    folder in site-packages whose ``installed-files.txt`` lists the files relative to itself (``../starlette/...``).

    pip 23.0.1 runs on 3.7-3.11; starlette 0.14.2 has a setup.py and no pyproject.toml.
    """
    venv = create_venv(tmp / "venv")
    venv.install("pip==23.0.1", "setuptools<80")
    sdist = str(fetch_sdist("starlette==0.14.2"))
    legacy = ["install", "--no-deps", "--no-index", "--no-use-pep517", "--no-build-isolation", sdist]
    run_tool([str(venv.python), "-m", "pip", *legacy], env=pip_env())
    return venv


def check_zip(built: Built) -> None:
    for module in built.venv.notes["modules"]:
        truth = built.truth[module]
        assert truth.file is not None and (".whl" + os.sep in truth.file or ".zip" + os.sep in truth.file), module


@scenario(check=check_zip)
def wheels_on_pythonpath(tmp: Path, other: Other) -> Venv:
    """Real wheel files (zip archives) of fastapi and starlette on PYTHONPATH; their dependencies in the venv."""
    venv = create_venv(tmp / "venv")
    venv.install(f"pydantic=={PYDANTIC}", "anyio", "typing-extensions")
    archives = [str(fetch_wheel(requirement)) for requirement in ("fastapi==0.115.0", "starlette==0.38.6")]
    venv.env = environment(PYTHONPATH=os.pathsep.join(archives))
    venv.notes["modules"] = ["fastapi", "starlette"]
    return venv


@scenario(check=check_zip)
def zip_with_prefix(tmp: Path, other: Other) -> Venv:
    """typer's package and dist-info zipped under ``lib/`` in one archive, with ``bundle.zip/lib`` on PYTHONPATH."""
    venv = create_venv(tmp / "venv")
    venv.install("click", "typing-extensions", "shellingham", "rich")
    bundle = tmp / "bundle.zip"
    with zipfile.ZipFile(fetch_wheel("typer==0.12.5")) as wheel, zipfile.ZipFile(bundle, "w") as out:
        for member in wheel.namelist():
            out.writestr("lib/" + member, wheel.read(member))
    venv.env = environment(PYTHONPATH=str(bundle / "lib"))
    venv.notes["modules"] = ["typer"]
    return venv


def scenarios_here() -> list[str]:
    return [name for name, entry in SCENARIOS.items() if entry.runs_on(HERE)]


# Scenarios are built in parallel: almost all the work is in subprocesses (uv, pip, the
# interpreters), so a few threads keep two cores busy.
WORKERS = min(4, (os.cpu_count() or 2) + 1)


def prepare(name: str, tmp: Path, other: Other, progress: Progress) -> Built:
    """Build a scenario and compute everything its tests compare."""
    entry = SCENARIOS[name]
    ready = Built(entry.build(tmp, other), entry)
    ready.block  # noqa: B018 - computed here, in the worker thread
    ready.truth  # noqa: B018
    if entry.named:
        ready.named  # noqa: B018
    progress.done(name)
    return ready


@pytest.fixture(scope="session")
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Other]:
    """Each scenario's environment, built once per test session and shared by its tests.

    Every scenario the session collected starts building at once, in a few threads.
    """
    uv_bin()  # before the threads start
    futures: dict[str, Future[Built]] = {}
    lock = threading.Lock()
    executor = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="scenario")

    def start(name: str) -> Future[Built]:
        with lock:
            if name not in futures:
                futures[name] = executor.submit(prepare, name, tmp_path_factory.mktemp(name), get, progress)
            return futures[name]

    def get(name: str) -> Built:
        future = start(name)
        if threading.current_thread().name.startswith("scenario") and future.cancel():
            # A scenario built from another, still queued: build it here rather than wait on the queue.
            inline: Future[Built] = Future()
            with lock:
                futures[name] = inline
            try:
                inline.set_result(prepare(name, tmp_path_factory.mktemp(name), get, progress))
            except BaseException as error:
                inline.set_exception(error)
            future = inline
        if threading.current_thread() is threading.main_thread():
            return progress.wait(future)
        return future.result()

    collected = set()
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if getattr(item, "module", None) is sys.modules[__name__] and callspec is not None:
            collected.add(callspec.params.get("name"))
    wanted = [name for name in SCENARIOS if name in collected]
    progress = Progress(request.config, "environment", len(wanted))
    progress.say(f"building {len(wanted)} real environments in {WORKERS} threads (a cold cache downloads wheels first)")
    for name in wanted:
        start(name)
    progress.flush()
    yield get
    executor.shutdown(wait=True)


@pytest.mark.parametrize("name", scenarios_here())
def test_block_matches_a_real_import(built: Other, name: str) -> None:
    """All six product keys are what a real ``import`` loads, as importlib_metadata and packaging tell."""
    scenario = built(name)
    block = scenario.block
    assert block["probe_status"] == "ok"
    for module, truth in scenario.truth.items():
        assert truth.error is None, f"import {module} was found but failed: {truth.error}"
    expected = {key: scenario.value(key) for key in PRODUCT_MODULES}
    assert {key: block[key] for key in PRODUCT_MODULES} == expected


@pytest.mark.parametrize("name", [name for name in scenarios_here() if SCENARIOS[name].check is not None])
def test_scenario_fact(built: Other, name: str) -> None:
    """The fact the scenario exists for holds in the real environment (so the comparison above means something)."""
    check = SCENARIOS[name].check
    assert check is not None
    check(built(name))


@pytest.mark.parametrize("name", [name for name in scenarios_here() if SCENARIOS[name].named])
def test_named_distributions_match_a_real_import(built: Other, name: str) -> None:
    """``python -m probe NAME ...``: distributions whose import names differ from their names."""
    scenario = built(name)
    block, truth = scenario.named
    expected = {key_for(dist): truth[module].value for dist, module in scenario.scenario.named.items()}
    assert {key: block[key] for key in expected} == expected


def test_every_scenario_runs_somewhere() -> None:
    """Each scenario is generated for at least one interpreter this machine has (nox runs them all)."""
    available: list[Interpreter] = []
    for version in CPYTHONS:
        if find_interpreter(version):
            available.append(("cpython", (3, int(version.split(".")[1]))))
    for version in PYPYS:
        if find_interpreter(version):  # a lone pypy3 counts for the version it is
            available.append(("pypy", (3, int(version.split(".")[1]))))
    orphans = [name for name, entry in SCENARIOS.items() if not any(entry.runs_on(here) for here in available)]
    assert orphans == []
