"""No shadowing: modules named like the standard library's, planted where ``import`` would find them
first, are never executed by the probe; nor is any reported package, nor its dependencies.

Every planted module leaves a trace file when executed. The probe may execute no planted
module beyond those that ``python -m <empty module>`` from the same folder executes (the
interpreter's own start-up, which is not ours), on each of its code paths: plain
site-packages, a zip archive on ``sys.path``, an editable install (``direct_url.json``),
two dist-infos claiming one file (the hash path), and distribution names on the command line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hostile import EveryPath, build_wheel, fresh_venv, install_wheels, trace_module, traces
from pythons import UNSUPPORTED
from support import clean_env, copy_probe, require_interpreter, run_probe

# Modules the probe imports on some path, or might be tempted to, and their usual imports.
STDLIB_NAMES = """
__future__ _compression _json _hashlib _sha256 _blake2 _struct _bisect _heapq _random _socket _datetime
_opcode _posixsubprocess abc argparse ast base64 binascii bisect bz2 calendar codecs collections contextlib
copy copyreg csv ctypes dataclasses datetime decimal dis email enum errno fcntl fnmatch functools genericpath
gettext glob hashlib heapq importlib_resources inspect io ipaddress json keyword linecache locale logging lzma
math ntpath numbers operator optparse os pathlib pickle platform posixpath pprint queue quopri random re
reprlib select selectors shlex shutil signal socket sre_compile sre_constants sre_parse stat string struct
subprocess sysconfig tempfile textwrap threading token tokenize traceback types typing urllib uuid warnings
weakref zipfile zipimport zlib
""".split()  # noqa: SIM905
# Third-party modules a probe could be tempted to use, and the probe's own name.
THIRD_PARTY_NAMES = [
    "packaging",
    "importlib_metadata",
    "typing_extensions",
    "six",
    "simplejson",
    "orjson",
    "distro",
    "probe",
]

EMPTY_MODULE = "probe_twin_empty"


def preloaded(python: Path | str, app: Path, env: dict[str, str]) -> set[str]:
    """Top-level modules loaded by the time ``python -m <module>`` runs a module: nothing can shadow them."""
    (app / "list_modules.py").write_text(
        "import sys\nsys.stdout.write(' '.join(sorted(set(name.split('.')[0] for name in sys.modules))))\n",
        encoding="utf-8",
    )
    out = subprocess.run([str(python), "-m", "list_modules"], cwd=app, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return set(out.stdout.split())


def plant(folder: Path, names: list[str], trace_dir: Path, prefix: str, *, packages: bool) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = trace_module(trace_dir, f"{prefix}-{name}")
        if packages:
            (folder / name).mkdir()
            (folder / name / "__init__.py").write_text(source, encoding="utf-8")
        else:
            (folder / f"{name}.py").write_text(source, encoding="utf-8")


def shadow_candidates(python: Path | str, app: Path, env: dict[str, str]) -> list[str]:
    names = set(STDLIB_NAMES) | set(getattr(sys, "stdlib_module_names", ()))
    return sorted(names - preloaded(python, app, env) - {"antigravity", "this"})


class World:
    """A venv with traced products installed four ways, planted modules, and the probe copied beside."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.trace_dir = root / "traces"
        self.trace_dir.mkdir()
        self.app = copy_probe(root)
        (self.app / f"{EMPTY_MODULE}.py").write_text("", encoding="utf-8")
        self.venv = fresh_venv(root / "venv")
        self.python = self.venv.python
        self.site = self.venv.purelib
        self.pythonpath = root / "pythonpath"
        self.env = clean_env()

    def traced(self, module: str) -> str:
        return trace_module(self.trace_dir, f"product-{module}")

    def install_products(self) -> None:
        """The six along every path, and their dependencies, each leaving a trace if executed."""
        names = ["click", "rich", "typing_extensions", "shellingham", "pydantic_core", "annotated_types"]
        names += ["anyio", "sniffio", "idna", "jinja2", "markupsafe"]
        wheels = self.root / "dependency-wheels"
        install_wheels(
            self.venv,
            *(
                build_wheel(wheels, name.replace("_", "-"), "1.0", {f"{name}/__init__.py": self.traced(name)})
                for name in names
            ),
        )
        self.products = EveryPath(self.venv, self.root, source=self.traced)
        self.archive = self.products.pythonpath[-1]
        self.env = clean_env(PYTHONPATH=os.pathsep.join([str(self.pythonpath), self.products.pythonpath_text]))

    def plant_shadows(self) -> list[str]:
        names = shadow_candidates(self.python, self.app, self.env)
        plant(self.pythonpath, names + THIRD_PARTY_NAMES, self.trace_dir, "pythonpath", packages=False)
        plant(
            self.site,
            names + [name for name in THIRD_PARTY_NAMES if name != "typing_extensions"],
            self.trace_dir,
            "site",
            packages=True,
        )
        return names

    def run_module(self, module: str, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
        for path in self.trace_dir.iterdir():
            path.unlink()
        done = subprocess.run(
            [str(self.python), "-m", module, *args], cwd=self.app, env=self.env, capture_output=True, text=True
        )
        return done, traces(self.trace_dir)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    world = World(tmp_path_factory.mktemp("shadowing"))
    world.install_products()
    world.plant_shadows()
    return world


def test_planted_modules_do_shadow(world: World) -> None:
    """The control: an ordinary import in that environment does execute the planted modules."""
    (world.app / "import_one.py").write_text("import sys\n__import__(sys.argv[1])\n", encoding="utf-8")
    for module in ("json", "platform", "packaging", "fastapi", "starlette", "pydantic", "click"):
        _, startup = world.run_module(EMPTY_MODULE)
        # -m as the probe runs, not -c (3.13's -c needs linecache, which is planted)
        check, found = world.run_module("import_one", module)
        assert check.returncode == 0, check.stderr
        assert found - startup, f"import {module} left no trace"


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["fastapi-slim", "typer", "starlette", "pydantic", "click", "Jinja2", "annotated-types", "packaging", "six"],
    ],
    ids=["the six", "names"],
)
def test_probe_executes_nothing_planted(world: World, args: list[str]) -> None:
    baseline, startup = world.run_module(EMPTY_MODULE)
    assert baseline.returncode == 0, baseline.stderr
    assert not any(name.startswith("product-") for name in startup)
    run = run_probe(world.python, *args, env=world.env, cwd=world.app)
    assert run.returncode == 0, run.stderr
    executed = traces(world.trace_dir)
    assert executed - startup == set(), f"the probe executed planted modules: {sorted(executed - startup)}"
    block = run.block
    assert block["probe_status"] == "ok"
    if not args:
        # Each product came through its own path, so each path ran with the plants in place.
        assert {key: block[key] for key in world.products.expected} == world.products.expected
    else:
        assert block["click_version"] == block["jinja2_version"] == "1.0"
        # Importable (planted on PYTHONPATH), with nothing that declares a version.
        assert block["six_version"] == block["packaging_version"] == "unknown"


@pytest.mark.matrix
@pytest.mark.parametrize("version", UNSUPPORTED)
def test_old_interpreters_execute_nothing_planted(version: str, tmp_path: Path) -> None:
    python = require_interpreter(version)
    trace_dir = tmp_path / "traces"
    trace_dir.mkdir()
    app = copy_probe(tmp_path)
    (app / f"{EMPTY_MODULE}.py").write_text("", encoding="utf-8")
    pythonpath = tmp_path / "pythonpath"
    env = clean_env(PYTHONPATH=str(pythonpath))
    names = sorted(set(STDLIB_NAMES) - preloaded(python, app, env))
    plant(pythonpath, names, trace_dir, "pythonpath", packages=False)
    baseline = subprocess.run([python, "-m", EMPTY_MODULE], cwd=app, env=env, capture_output=True, text=True)
    assert baseline.returncode == 0, baseline.stderr
    startup = traces(trace_dir)
    for path in trace_dir.iterdir():
        path.unlink()
    run = run_probe(python, env=env, cwd=app)
    assert run.returncode == 0
    assert run.block["probe_status"] == "unsupported_python"
    assert traces(trace_dir) - startup == set()


def test_reported_block_is_the_same_without_the_plants(world: World, tmp_path: Path) -> None:
    """The plants change nothing in the answer (json.dumps here is the test's, not the probe's)."""
    planted = run_probe(world.python, env=world.env, cwd=world.app).block
    unplanted_env = clean_env(PYTHONPATH=str(world.archive))
    assert json.dumps(run_probe(world.python, env=unplanted_env, cwd=world.app).block) == json.dumps(planted)
