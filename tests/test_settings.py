"""Any encoding, any settings: the same answer, ASCII-only output, exit 0.

The environment runs every path of the probe (the hash path, a zip archive, an editable
install found through ``direct_url.json``), with non-ASCII folder names, so that the
locale and the file system encoding matter. Each variant sets environment variables or
interpreter flags a user's shell or IDE might set; the answer must not change.

``-I`` is not among them: isolated mode leaves the current folder off ``sys.path`` on
every version, so ``python -I -m probe`` cannot find the probe (the extension does not
pass it). ``PYTHONSAFEPATH`` does the same from 3.11 on; the README tells the extension to
drop it, and with the probe importable another way the answer is unchanged.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

import pytest
from hostile import EveryPath, fresh_venv
from support import clean_env, copy_probe, run_probe

# Locales and the variables of a POSIX shell.
pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX only")


class Variant(NamedTuple):
    env: dict[str, str | None] | None = None
    flags: tuple[str, ...] = ()
    since: tuple[int, int] = (3, 8)
    quiet: bool = True  # nothing on stderr
    without_pythonpath: bool = False  # -E: PYTHONPATH is ignored, so compare with a run without it


VARIANTS = {
    "LANG=C": Variant({"LANG": "C", "LC_ALL": None, "LC_CTYPE": None}),
    "LC_ALL=C, no UTF-8 mode, no locale coercion (ASCII file names)": Variant(
        {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    ),
    "LC_ALL=POSIX": Variant({"LC_ALL": "POSIX"}),
    "LANG=tr_TR.ISO-8859-9": Variant({"LANG": "tr_TR.ISO-8859-9", "LC_ALL": "tr_TR.ISO-8859-9"}),
    "PYTHONUTF8=0": Variant({"PYTHONUTF8": "0"}),
    "PYTHONUTF8=1": Variant({"PYTHONUTF8": "1"}),
    "-X utf8": Variant(flags=("-X", "utf8")),
    "PYTHONIOENCODING=latin-1": Variant({"PYTHONIOENCODING": "latin-1"}),
    "PYTHONIOENCODING=ascii:strict": Variant({"PYTHONIOENCODING": "ascii:strict"}),
    "PYTHONIOENCODING=utf-16": Variant({"PYTHONIOENCODING": "utf-16"}),
    "PYTHONIOENCODING=cp1252 and LANG=C": Variant({"PYTHONIOENCODING": "cp1252", "LANG": "C"}),
    "PYTHONWARNINGS=error": Variant({"PYTHONWARNINGS": "error"}),
    "-W error -X dev": Variant(flags=("-W", "error", "-X", "dev")),
    "PYTHONDEVMODE=1": Variant({"PYTHONDEVMODE": "1"}),
    "PYTHONWARNINGS=error with default-encoding warnings": Variant(
        {"PYTHONWARNINGS": "error", "PYTHONWARNDEFAULTENCODING": "1"}, since=(3, 10)
    ),
    "PYTHONDONTWRITEBYTECODE=1": Variant({"PYTHONDONTWRITEBYTECODE": "1"}),
    "bytecode written": Variant({"PYTHONDONTWRITEBYTECODE": None}),
    "-B": Variant(flags=("-B",)),
    "PYTHONPYCACHEPREFIX": Variant({"PYTHONPYCACHEPREFIX": "{tmp}/pycache", "PYTHONDONTWRITEBYTECODE": None}),
    "PYTHONSAFEPATH=1 with the probe on PYTHONPATH": Variant(
        {"PYTHONSAFEPATH": "1", "PYTHONPATH": "{app}" + os.pathsep + "{pythonpath}"}
    ),
    "-E": Variant(flags=("-E",), without_pythonpath=True),
    "-s": Variant(flags=("-s",)),
    "PYTHONNOUSERSITE=1": Variant({"PYTHONNOUSERSITE": "1"}),
    "-O": Variant(flags=("-O",)),
    "-OO": Variant(flags=("-OO",)),
    "PYTHONOPTIMIZE=2": Variant({"PYTHONOPTIMIZE": "2"}),
    "PYTHONHASHSEED=0": Variant({"PYTHONHASHSEED": "0"}),
    "PYTHONHASHSEED=4294967295": Variant({"PYTHONHASHSEED": "4294967295"}),
    "PYTHONMALLOC=debug": Variant({"PYTHONMALLOC": "debug"}),
    "PYTHONFAULTHANDLER=1": Variant({"PYTHONFAULTHANDLER": "1"}),
    "PYTHONINSPECT=1": Variant({"PYTHONINSPECT": "1"}),
    "unbuffered off": Variant({"PYTHONUNBUFFERED": None}),
    "-u": Variant(flags=("-u",)),
    "PYTHONINTMAXSTRDIGITS=640": Variant({"PYTHONINTMAXSTRDIGITS": "640"}),
    "-X frozen_modules=off": Variant(flags=("-X", "frozen_modules=off"), since=(3, 11)),
    "-X no_debug_ranges": Variant(flags=("-X", "no_debug_ranges"), since=(3, 11)),
    "-X importtime": Variant(flags=("-X", "importtime"), quiet=False),
    "-v": Variant(flags=("-v",), quiet=False),
    "-X tracemalloc": Variant(flags=("-X", "tracemalloc")),
    "no HOME, no PATH, odd TZ": Variant({"HOME": None, "PATH": None, "TZ": ":/nowhere"}),
    "PYTHONSTARTUP and PYTHONCASEOK": Variant({"PYTHONSTARTUP": "{tmp}/startup.py", "PYTHONCASEOK": "1"}),
}


def starts_from_non_ascii_folders() -> bool:
    """Whether the interpreter starts at all with a non-ASCII PYTHONPATH entry under an ASCII locale.

    PyPy 3.9 does not ('import site' failed, UnicodeEncodeError): no Python code runs there,
    the probe's neither, so on such an interpreter the folders are ASCII.
    """
    with tempfile.TemporaryDirectory(suffix="-dé") as folder:
        env = clean_env(PYTHONPATH=folder, LC_ALL="C", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0")
        return subprocess.run([sys.executable, "-c", "pass"], env=env, capture_output=True).returncode == 0


class World:
    """A venv under a non-ASCII folder with the products installed along every path of the probe."""

    def __init__(self, root: Path) -> None:
        self.tmp = root / ("dé-ü 世界" if starts_from_non_ascii_folders() else "ascii-only")
        self.tmp.mkdir()
        self.app = copy_probe(self.tmp)
        self.venv = fresh_venv(self.tmp / "venv")
        # The editable install's .pth file goes, and PYTHONPATH carries its project instead: a
        # .pth naming a non-ASCII folder stops Python 3.8-3.12 from starting under an ASCII
        # locale at all, which is the interpreter's business, not the probe's.
        self.products = EveryPath(self.venv, self.tmp, pth=False)
        self.pythonpath = self.products.pythonpath_text
        (self.tmp / "startup.py").write_text("print('startup file ran')\n", encoding="utf-8")

    def env(self, changes: dict[str, str | None] | None = None) -> dict[str, str]:
        env = clean_env(PYTHONPATH=self.pythonpath, LANG="C.UTF-8")
        for name, value in (changes or {}).items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value.format(tmp=self.tmp, app=self.app, pythonpath=self.pythonpath)
        return env

    def run(self, variant: Variant | None = None) -> tuple[dict[str, object], str, str]:
        variant = variant or Variant()
        env = self.env(variant.env)
        run = run_probe(self.venv.python, env=env, cwd=self.app, interpreter_flags=variant.flags)
        assert run.returncode == 0, run.stderr
        return run.block, run.stdout, run.stderr

    def refuses_to_start(self, variant: Variant) -> bool:
        """Whether the interpreter itself stops at start-up in *variant*, before any Python code runs.

        PyPy 8 does when the locale names one the system lacks ("unsupported locale setting"
        for LANG=tr_TR.ISO-8859-9 here): the probe cannot run there, and fails as ``-c pass`` does.
        """
        env = self.env(variant.env)
        bare = subprocess.run(
            [str(self.venv.python), *variant.flags, "-c", "pass"], env=env, cwd=self.app, capture_output=True, text=True
        )
        if bare.returncode == 0:
            return False
        run = run_probe(self.venv.python, env=env, cwd=self.app, interpreter_flags=variant.flags)
        assert (run.returncode, run.stdout, run.stderr) == (bare.returncode, "", bare.stderr)
        return True


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return World(tmp_path_factory.mktemp("settings"))


@pytest.fixture(scope="module")
def baseline(world: World) -> dict[str, object]:
    block, _, stderr = world.run()
    assert stderr == ""
    # Every path ran: the hash path, the editable install through PYTHONPATH, the zip archive.
    assert {key: block[key] for key in world.products.expected} == world.products.expected
    return block


def applicable() -> list[str]:
    return [name for name, variant in VARIANTS.items() if sys.version_info[:2] >= variant.since]


@pytest.mark.parametrize("name", applicable())
def test_same_answer_in_ascii(name: str, world: World, baseline: dict[str, object]) -> None:
    variant = VARIANTS[name]
    names_a_locale = (variant.env or {}).get("LC_ALL") not in (None, "C", "POSIX")
    if names_a_locale and world.refuses_to_start(variant):
        return  # the interpreter's own failure, which the probe's run matched
    block, stdout, stderr = world.run(variant)
    assert stdout.isascii()
    if variant.without_pythonpath:
        expected = run_probe(world.venv.python, env=clean_env(), cwd=world.app).block
        assert expected["pydantic_version"] is None  # so -E did change what is importable
    else:
        expected = baseline
    assert block == expected
    if variant.quiet:
        assert stderr == ""


def test_safe_path_without_another_way_in(world: World, baseline: dict[str, object]) -> None:
    """README: with PYTHONSAFEPATH, Python 3.11+ cannot find the probe in the current folder."""
    env = world.env({"PYTHONSAFEPATH": "1"})
    run = run_probe(world.venv.python, env=env, cwd=world.app)
    if sys.version_info >= (3, 11):
        assert (run.returncode, run.stdout) == (1, "")
        assert "No module named probe" in run.stderr
    else:
        assert run.returncode == 0 and run.block == baseline
