"""From a read-only bundle, every interpreter here loads the byte code the bundle ships: no module
of the probe is compiled at run time, nothing is written, and the answers are the checkout's.

Two signals, each proven able to see a compile by a control that removes one ``.pyc`` or edits
one source: CPython's ``compile`` audit event (a hook in a ``sitecustomize`` on PYTHONPATH), and
importlib's own words under ``-v`` ("code object from '<...>.pyc'" for byte code, "code object
from <...>.py" for a source it compiled), which PyPy also prints but where it raises no
``compile`` audit event. Read-only for real: root ignores permission bits, so as root the
interpreter runs in a mount namespace where the bundle is a read-only bind mount; and whatever
the mechanism, the bundle's files are compared before and after (no ``PYTHONDONTWRITEBYTECODE``:
a compiled module would be written if it could), which is the evidence on Windows, where a
folder's read-only attribute does not keep files from being created in it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Callable, Iterator, NamedTuple

import pytest
from bundles import SOURCE_ONLY, build_bundle, cache_tag
from pythons import SUPPORTED
from support import ROOT, clean_env, require_interpreter, run_probe

HOOK = """\
import os, sys

def _probe_test_hook(event, args):
    if event == "compile" and len(args) > 1 and isinstance(args[1], str):
        os.write(2, ("\\0compile\\t%s\\n" % args[1]).encode("utf-8", "replace"))

sys.addaudithook(_probe_test_hook)
"""
# importlib's verbose messages (Lib/importlib/_bootstrap_external.py): byte code paths are repr()'d.
CODE_OBJECT = re.compile(r"^# code object from '?(.+?)'?$")
HOT_PATH = {"probe/__init__.py", "probe/__main__.py", "probe/cli.py"}
# What the bundle ships without byte code (only --report imports it).
DAMAGED = "probe/cli.py"
# read_only_copy(damage=None, tag=""): a fresh read-only copy of the bundle, maybe damaged.
MakeCopy = Callable[..., Path]


class Traced(NamedTuple):
    """What one ``python -v -m probe`` from the bundle compiled and loaded, by path inside the bundle."""

    audited: set[str]  # sources a compile audit event named
    from_source: set[str]  # modules importlib compiled from source
    from_bytecode: set[str]  # modules importlib loaded from byte code (named by their source)
    block: dict[str, object]


def is_root() -> bool:
    return bool(getattr(os, "geteuid", lambda: -1)() == 0)


def read_only_prefix(folder: Path) -> list[str]:
    """A command prefix under which *folder* is read-only even for root: a private read-only bind mount.

    Empty when not root (the permission bits are enough), and where root may not mount (a
    container without CAP_SYS_ADMIN): there the before/after comparison is the evidence.
    """
    if not is_root() or shutil.which("unshare") is None:
        return []
    script = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"'
    prefix = ["unshare", "--mount", "sh", "-c", script, str(folder)]
    if subprocess.run([*prefix, "true"], capture_output=True).returncode != 0:
        return []
    return prefix


def make_read_only(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def make_writable(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file under *folder*: its modification time and content digest."""
    return {
        path.relative_to(folder).as_posix(): (path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def inside(bundle: Path, path: str) -> str | None:
    """*path* as ``probe/x.py`` when it is a module of the bundle's probe (its byte code named by the source)."""
    try:
        relative = Path(path).resolve().relative_to(bundle.resolve())
    except ValueError:
        return None
    if relative.parent.name == "__pycache__":
        return (relative.parent.parent / (relative.name.split(".")[0] + ".py")).as_posix()
    return relative.as_posix()


def traced(python: str, bundle: Path, hook_dir: Path, *args: str) -> Traced:
    """``python -v -m probe ARGS`` from *bundle*, read-only, with the audit hook; what it compiled and loaded."""
    env = clean_env(PYTHONPATH=str(hook_dir))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a compiled module is written wherever that is possible
    run = run_probe(python, *args, env=env, cwd=bundle, interpreter_flags=("-v",), wrapper=read_only_prefix(bundle))
    assert run.returncode == 0, run.stderr[-2000:]
    audited, from_source, from_bytecode = set(), set(), set()
    for line in run.stderr.splitlines():
        if line.startswith("\0compile\t"):
            name = inside(bundle, line.split("\t", 1)[1])
            if name is not None:
                audited.add(name)
        found = CODE_OBJECT.match(line)
        if found:
            name = inside(bundle, found.group(1))
            if name is not None:
                (from_bytecode if found.group(1).endswith(".pyc") else from_source).add(name)
    return Traced(audited, from_source, from_bytecode, run.block if not args else {})


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder, _ = build_bundle(tmp_path_factory.mktemp("built"))
    return folder


@pytest.fixture(scope="module")
def hook_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hook")
    (folder / "sitecustomize.py").write_text(HOOK)
    return folder


@pytest.fixture()
def read_only_copy(built: Path, tmp_path: Path) -> Iterator[MakeCopy]:
    """A copy of the bundle nobody can write to; writable again afterwards, so that pytest can remove it."""
    copies: list[Path] = []

    def make(damage: str | None = None, tag: str = "") -> Path:
        folder = tmp_path / f"bundle-{len(copies)}"
        shutil.copytree(built, folder)
        if damage == "missing":
            (folder / "probe" / "__pycache__" / f"cli.{tag}.pyc").unlink()
        elif damage == "stale":
            with open(folder / DAMAGED, "a", encoding="utf-8") as source:
                source.write("# edited after the build\n")
        make_read_only(folder)
        copies.append(folder)
        return folder

    yield make
    for folder in copies:
        make_writable(folder)


@pytest.mark.skipif(os.name == "nt", reason="Windows: a folder's read-only attribute does not stop new files in it")
def test_the_copy_is_read_only_for_this_user(read_only_copy: MakeCopy) -> None:
    """The condition the other tests rely on: creating a file in the copy's ``__pycache__`` fails."""
    folder = read_only_copy()
    if is_root() and not read_only_prefix(folder):
        pytest.skip("root without a mount namespace ignores permission bits; the other tests compare the files")
    target = folder / "probe" / "__pycache__" / "written.pyc"
    attempt = subprocess.run(
        [*read_only_prefix(folder), require_interpreter("3.12"), "-c", f"open({str(target)!r}, 'x')"],
        capture_output=True,
        text=True,
    )
    assert attempt.returncode != 0
    assert "Read-only file system" in attempt.stderr or "Permission denied" in attempt.stderr
    assert not target.exists()


@pytest.mark.parametrize("version", SUPPORTED)
def test_nothing_is_compiled_from_a_read_only_bundle(
    read_only_copy: MakeCopy,
    hook_dir: Path,
    version: str,
) -> None:
    python = require_interpreter(version)
    bundle = read_only_copy()
    before = snapshot(bundle)
    run = traced(python, bundle, hook_dir)
    assert run.audited == set()
    assert run.from_source == set()
    assert run.from_bytecode >= HOT_PATH, run.from_bytecode
    assert snapshot(bundle) == before, "something was written into the bundle"
    assert run.block["probe_status"] == "ok"


@pytest.mark.parametrize("version", SUPPORTED)
def test_the_report_compiles_only_what_ships_as_sources(read_only_copy: MakeCopy, hook_dir: Path, version: str) -> None:
    """``--report --json`` imports the report package (and maybe the packaging it vendors), which the bundle
    ships without byte code: they are compiled (in memory: nothing is written); the block's modules load
    from their byte code."""
    python = require_interpreter(version)
    bundle = read_only_copy()
    before = snapshot(bundle)
    run = traced(python, bundle, hook_dir, "--report", "--json")
    assert {"probe/report/__init__.py", "probe/report/assembly.py"} <= run.from_source, run.from_source
    assert all(name.startswith(SOURCE_ONLY) for name in run.from_source | run.audited), run.from_source
    assert run.from_bytecode >= HOT_PATH, run.from_bytecode
    assert snapshot(bundle) == before, "something was written into the bundle"


@pytest.mark.parametrize("damage", ["missing", "stale"])
@pytest.mark.parametrize("version", SUPPORTED)
def test_missing_or_stale_byte_code_is_compiled_and_seen(
    read_only_copy: MakeCopy,
    hook_dir: Path,
    version: str,
    damage: str,
) -> None:
    """The control: the signals above see a compile when there is one (a .pyc removed, a source edited)."""
    python = require_interpreter(version)
    bundle = read_only_copy(damage, cache_tag(python))
    run = traced(python, bundle, hook_dir)
    assert run.from_source == {DAMAGED}
    assert run.from_bytecode >= HOT_PATH - {DAMAGED}
    assert DAMAGED not in run.from_bytecode
    if "cpython" in cache_tag(python):
        assert run.audited == {DAMAGED}
    else:
        assert run.audited <= {DAMAGED}  # PyPy 7.3 raises no compile event; if a later one does, it must agree
    assert run.block["probe_status"] == "ok"


@pytest.mark.parametrize("version", SUPPORTED)
def test_the_answers_from_the_byte_code_are_the_checkouts(read_only_copy: MakeCopy, version: str) -> None:
    python = require_interpreter(version)
    bundle = read_only_copy()
    env = clean_env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    shipped = run_probe(python, env=env, cwd=bundle, wrapper=read_only_prefix(bundle))
    checkout = run_probe(python, cwd=ROOT)
    assert (shipped.returncode, shipped.stderr) == (0, "")
    assert shipped.stdout == checkout.stdout
    assert shipped.block == checkout.block
