"""The promise: on a supported interpreter ``python -m probe`` prints a block and exits 0, whatever is raised.

Start-up hooks (a ``sitecustomize`` on PYTHONPATH, as a user's environment can have one)
replace or break functions of ``os``, ``sys`` and ``_thread`` before the probe starts, or
leave odd entries on ``sys.path``. Every answer must parse, validate against the shipped
schema and carry the right products: a value that is present is the one a real ``import``
gives, an absent one means status ``error`` and one line on stderr without a path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hostile import build_wheel
from support import FRAME_PREFIX, PRODUCT_KEYS, PRODUCT_MODULES, clean_env, copy_probe, run_probe

# What each hook does, and the status it must lead to: "ok" where the probe has a planned
# answer (a guarded reader, a fallback), "error" where a lookup cannot go on.
HOOKS: dict[str, tuple[str, str]] = {
    "os.getcwd raises": ("import os\ndef broken():\n    raise OSError('gone')\nos.getcwd = broken\n", "ok"),
    "os.getcwd raises a RuntimeError": (
        "import os\ndef broken():\n    raise RuntimeError('gone')\nos.getcwd = broken\n",
        "ok",
    ),
    "os.uname raises": ("import os\ndef broken():\n    raise RuntimeError('no')\nos.uname = broken\n", "ok"),
    "os.uname returns junk": ("import os\nos.uname = lambda: None\n", "ok"),
    "os.uname raises SystemExit(3)": ("import os\ndef broken():\n    raise SystemExit(3)\nos.uname = broken\n", "ok"),
    "os.uname raises KeyboardInterrupt": (
        "import os\ndef broken():\n    raise KeyboardInterrupt()\nos.uname = broken\n",
        "ok",
    ),
    "os.write, os.dup and os.pipe raise": (
        "import os\ndef broken(*args):\n    raise RuntimeError('no')\nos.write = os.dup = os.pipe = os.dup2 = broken\n",
        "ok",
    ),
    "os._exit does nothing": ("import os\nos._exit = lambda code: None\n", "ok"),
    "_thread.start_new_thread raises": (
        "import _thread\ndef broken(*args):\n    raise MemoryError()\n_thread.start_new_thread = broken\n",
        "ok",
    ),
    "sys.stdout.flush raises": (
        "import sys\nclass Out:\n    def write(self, text): return len(text)\n"
        "    def flush(self): raise SystemExit(3)\nsys.stdout = Out()\n",
        "ok",
    ),
    "os.open raises a RuntimeError": (
        "import os\ndef broken(*args, **kwargs):\n    raise RuntimeError('no')\nos.open = broken\n",
        "error",
    ),
    "os.path.join raises": (
        "import os\ndef broken(*args):\n    raise RuntimeError('no')\nos.path.join = broken\n",
        "error",
    ),
    "a finder raises SystemExit for starlette": (
        "import sys\nclass Finder:\n    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'starlette':\n            raise SystemExit(1)\nsys.meta_path.insert(0, Finder())\n",
        "error",
    ),
}

# sys.path entries that are not strings, and one string entry between them.
ODD_ENTRIES = """
import pathlib, sys
sys.path.append(pathlib.Path({hidden!r}))
sys.path.append(b"/nonexistent")
sys.path.append(42)
sys.path.append(None)
"""

# A real import with the same start-up hooks: the version each module's code declares, or None.
_IMPORTS = r"""
import json, sys
found = {}
for name in sys.argv[1:]:
    try:
        module = __import__(name)
    except Exception:
        found[name] = None
    else:
        found[name] = getattr(module, "__version__", "unknown")
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """starlette and pydantic from real wheels unpacked onto PYTHONPATH; typer in a folder only a Path entry names."""
    root = tmp_path_factory.mktemp("trees")
    site, hidden = root / "site", root / "hidden"
    for folder, name, version in (
        (site, "starlette", "0.37.2"),
        (site, "pydantic", "2.9.2"),
        (hidden, "typer", "0.12.5"),
    ):
        wheel = build_wheel(root / "wheels", name, version, {f"{name}/__init__.py": f'__version__ = "{version}"\n'})
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(folder)
    return site, hidden


def hook_env(tmp_path: Path, code: str, site: Path) -> dict[str, str]:
    hooks = tmp_path / "hooks"
    hooks.mkdir(parents=True, exist_ok=True)
    (hooks / "sitecustomize.py").write_text(code, encoding="utf-8")
    return clean_env(PYTHONPATH=f"{hooks}{os.pathsep}{site}")


def real_imports(env: dict[str, str], cwd: Path) -> dict[str, Any]:
    modules = [PRODUCT_MODULES[key] for key in PRODUCT_KEYS]
    out = subprocess.run(
        [sys.executable, "-c", _IMPORTS, *modules], env=env, cwd=cwd, capture_output=True, text=True, check=True
    ).stdout
    found = json.loads(out.splitlines()[-1])
    return {key: found[PRODUCT_MODULES[key]] for key in PRODUCT_KEYS}


def runs_modules(env: dict[str, str], tmp_path: Path) -> bool:
    """Whether this interpreter can run ``python -m <an empty package>`` at all with these hooks.

    PyPy's own ``-m`` calls ``os.getcwd`` and ``os.path.join`` before any module runs: with
    those broken, no module can answer, the probe included.
    """
    app = tmp_path / "control"
    (app / "emptypkg").mkdir(parents=True, exist_ok=True)
    (app / "emptypkg" / "__init__.py").write_text("", encoding="utf-8")
    # It ends as the probe does, at once: interpreter shutdown would flush a broken sys.stdout.
    ending = "import sys\n(sys.modules.get('posix') or sys.modules.get('nt'))._exit(0)\n"
    (app / "emptypkg" / "__main__.py").write_text(ending, encoding="utf-8")
    control = subprocess.run([sys.executable, "-m", "emptypkg"], env=env, cwd=app, capture_output=True, text=True)
    return control.returncode == 0


def assert_interpreter_fails_first(run: Any) -> None:
    """The interpreter failed before the probe ran: no block, and not exit 0 (README, "no block")."""
    assert sys.implementation.name == "pypy", "only PyPy's -m is known to need these functions"
    assert run.returncode != 0 and FRAME_PREFIX not in run.stdout


def assert_kept(run: Any, truth: dict[str, Any], status: str) -> dict[str, Any]:
    """Exit 0, a valid block with *status*, every product present equal to the truth, stderr as the status says."""
    assert run.returncode == 0, run.stderr
    block = run.block  # parsed by the framing rule and validated against schema.json
    assert block["probe_status"] == status, (block, run.stderr)
    for key in PRODUCT_KEYS:
        if key in block:
            assert block[key] == truth[key], key
    if status == "ok":
        assert run.stderr == ""
        assert all(key in block for key in PRODUCT_KEYS)
    else:
        assert run.stderr.count("\n") == 1 and run.stderr.startswith("python -m probe: error: "), run.stderr
        assert "/" not in run.stderr and "\\" not in run.stderr and "Traceback" not in run.stderr
    return block


@pytest.mark.parametrize("case", list(HOOKS))
def test_a_broken_function_still_gets_a_block(case: str, tmp_path: Path, trees: tuple[Path, Path]) -> None:
    code, status = HOOKS[case]
    site, _ = trees
    env = hook_env(tmp_path, code, site)
    truth = real_imports(hook_env(tmp_path / "plain", "", site), tmp_path)
    assert truth["starlette_version"] == "0.37.2" and truth["typer_version"] is None
    if not runs_modules(env, tmp_path):
        assert_interpreter_fails_first(run_probe(sys.executable, env=env))
        return
    block = assert_kept(run_probe(sys.executable, env=env), truth, status)
    if status == "error":
        assert "starlette_version" not in block
    else:
        assert block["starlette_version"] == "0.37.2"


def test_odd_sys_path_entries(tmp_path: Path, trees: tuple[Path, Path]) -> None:
    """``Path`` objects, bytes, ints and None on ``sys.path``: import skips (or trips over) them, as the probe does."""
    site, hidden = trees
    env = hook_env(tmp_path, ODD_ENTRIES.format(hidden=str(hidden)), site)
    truth = real_imports(env, tmp_path)
    assert truth["starlette_version"] == "0.37.2"  # a string entry still works
    assert truth["typer_version"] is None  # only a Path object names its folder
    assert_kept(run_probe(sys.executable, env=env), truth, "ok")
    named = run_probe(sys.executable, "starlette", "typer", env=env)
    assert named.returncode == 0, named.stderr
    assert (named.block["starlette_version"], named.block["typer_version"]) == ("0.37.2", None)


@pytest.mark.parametrize(
    "case", ["os.getcwd raises", "os.uname raises", "os.uname raises SystemExit(3)", "os.open raises a RuntimeError"]
)
def test_report_works_under_broken_functions(case: str, tmp_path: Path, trees: tuple[Path, Path]) -> None:
    env = hook_env(tmp_path, HOOKS[case][0], trees[0])
    run = run_probe(sys.executable, "--report", env=env)
    if not runs_modules(env, tmp_path):
        assert_interpreter_fails_first(run)
        return
    # Every section is guarded on its own: the report works, only the broken fact is unknown.
    assert (run.returncode, run.stderr) == (0, ""), run.stderr
    assert run.stdout.startswith("### Python environment")


@pytest.mark.parametrize("flags", [(), ("--json",)])
def test_unplanned_failure_in_report_is_one_line(tmp_path: Path, flags: tuple[str, ...]) -> None:
    """A report that raises (here: its package cannot be imported) gives one line and exit 1, no traceback."""
    app = copy_probe(tmp_path)
    (app / "probe" / "report" / "__init__.py").write_text(
        "raise RuntimeError('/home/someone/secret')\n", encoding="utf-8"
    )
    run = run_probe(sys.executable, "--report", *flags, cwd=app)
    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr == "python -m probe: error: --report failed unexpectedly (RuntimeError)\n"
