"""The change matrix (issue 16): real changes to a real environment, and the cached client's answer after each.

One virtual environment with fastapi[standard] (pinned), changed as users change theirs: pip
install, upgrade, downgrade and uninstall of each product, ``uv pip install``, a reinstall of
the same version, an editable install's source edited in place and by rename, ``.pth`` files,
a ``sitecustomize``, the user site, PYTHONPATH, the venv re-created and the interpreter
replaced, and timestamps that do not move. Before each change the client holds a trusted cache
entry (it answers from the cache, no process); after it, its answer must equal a fresh
``python -m probe`` run: zero stale answers. Whether it ran the probe is recorded, and printed
as a table (``-s``) for the closing note.

The client is the TypeScript module, run by Node (``tests/fresh_driver.mjs``) from its build
(``npm run build`` in ``clients/typescript``); the nox session ``fresh`` builds it and sets
PROBE_FRESH, without which this file is not collected (conftest.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from envs import BIN, Venv, create_venv, environment, pip_env, run_tool, tool_env, unpack_sdist, uv
from support import ROOT, assert_no_paths, run_probe

pytestmark = pytest.mark.network

DRIVER = ROOT / "tests" / "matrix" / "fresh_driver.mjs"
CLIENT_BUILD = ROOT / "clients" / "typescript" / "build" / "src" / "fresh.js"
# The client's racy window (src/fresh.ts RACY_WINDOW_NS), and a margin: waiting this long after a
# change makes the next stored entry one whose timestamps the client trusts.
SETTLE = 2.1

# fastapi[standard] as the newest set that installs on every interpreter here, and an older set to
# downgrade to (tests/test_real_environments.py's SET_38 and OLDER).
NEW = {
    "fastapi": "0.124.4",
    "fastapi-cli": "0.0.18",
    "fastapi-cloud-cli": "0.7.0",
    "pydantic": "2.10.6",
    "starlette": "0.44.0",
    "typer": "0.20.1",
}
OLD = {
    "fastapi": "0.115.0",
    "fastapi-cli": "0.0.5",
    "fastapi-cloud-cli": "0.1.0",
    "pydantic": "2.9.2",
    "starlette": "0.38.6",
    "typer": "0.12.5",
}


def pins(versions: dict[str, str]) -> list[str]:
    return [f"{name}=={version}" for name, version in versions.items()]


class Client:
    """The Node driver: one process for the whole matrix, as one extension host would be."""

    def __init__(self, storage: Path) -> None:
        self.storage = storage
        self.process = subprocess.Popen(
            ["node", str(DRIVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
        )

    def request(self, **request: Any) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"storage": str(self.storage), "bundle": str(ROOT), **request}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the driver ended"
        return json.loads(line)

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


@dataclass
class Row:
    change: str
    block_changed: bool
    reprobed: bool
    reason: str
    right: bool


class Matrix:
    """The environment under change, the client, and the rows of the matrix so far."""

    def __init__(self, tmp: Path, client: Client) -> None:
        self.tmp = tmp
        self.client = client
        self.venv = create_matrix_venv(tmp / "venv")
        self.env = dict(environment(PYTHONUSERBASE=str(tmp / "userbase")))
        self.python = str(self.venv.python)
        self.rows: list[Row] = []

    @property
    def site(self) -> Path:
        return self.venv.purelib

    def fresh(self) -> dict[str, Any]:
        """A fresh ``python -m probe`` run's block: the truth the client's answer must equal."""
        for _ in range(3):
            block = run_probe(self.python, env=self.env).block
            if block["probe_status"] != "timeout":  # a loaded machine: not an answer to compare
                break
        return block

    def ask(self) -> dict[str, Any]:
        return self.client.request(python=self.python, env=self.env)  # type: ignore[no-any-return]

    def trusted(self) -> dict[str, Any]:
        """Settle, then make sure the client holds an entry it answers from without a process."""
        time.sleep(SETTLE)
        first = self.ask()
        if first["from"] == "cache":
            return first  # type: ignore[no-any-return]
        assert first["stored"], f"a complete block is stored: {first}"
        hit = self.ask()
        assert (hit["from"], hit["reason"]) == ("cache", "hit"), hit
        return hit  # type: ignore[no-any-return]

    def check(self, change: str, make: Callable[[], None], *, settle: bool = True) -> Row:
        """Apply *make* to a trusted cache; the client's next answer must equal a fresh run's."""
        before = self.trusted()["block"] if settle else self.ask()["block"]
        make()
        answer = self.ask()
        truth = self.fresh()
        if answer["block"] != truth and "timeout" in (answer["block"] or {}).get("probe_status", ""):
            answer = self.ask()
        assert_no_paths(json.dumps(answer), self.tmp, ROOT)
        row = Row(change, truth != before, answer["from"] == "probe", answer["reason"], answer["block"] == truth)
        self.rows.append(row)
        assert answer["block"] == truth, f"{change}: stale answer {answer} != {truth}"
        return row


# Copies, not uv's hard links into its cache: a hard-linked file's ctime moves whenever another
# environment links or unlinks the same cached file, which the client takes for a change (rightly:
# it cannot tell). Other sessions on this machine install the same wheels at any moment.
COPY = tool_env(UV_LINK_MODE="copy")


def uv_install(python: str, *requirements: str) -> None:
    uv("pip", "install", "--python", python, "--no-build", *requirements, env=COPY)


def create_matrix_venv(root: Path, versions: dict[str, str] = NEW) -> Venv:
    """A venv that sees the base interpreter's site-packages (so the user site counts), with fastapi[standard]."""
    venv = create_venv(root, system_site_packages=True)
    rest = pins({name: version for name, version in versions.items() if name != "fastapi"})
    uv_install(str(venv.python), f"fastapi[standard]=={versions['fastapi']}", *rest)
    return venv


def pip(matrix: Matrix, *args: str) -> None:
    matrix.venv.pip(*args)


def shadow(matrix: Matrix, name: str, module: str, version: str) -> Path:
    """A folder holding a source tree of *module* that declares *version*."""
    folder = matrix.tmp / name
    (folder / module).mkdir(parents=True, exist_ok=True)
    (folder / module / "__init__.py").write_text(f'__version__ = "{version}"\n')
    return folder


def product_changes() -> Iterator[tuple[str, Callable[[Matrix], None]]]:
    """pip uninstall, install, downgrade and upgrade of each product (real pip, wheels from the cache)."""
    for name in NEW:

        def uninstall(matrix: Matrix, name: str = name) -> None:
            pip(matrix, "uninstall", "-y", name)

        def install(matrix: Matrix, name: str = name) -> None:
            matrix.venv.pip_from_cache(f"{name}=={NEW[name]}")

        def downgrade(matrix: Matrix, name: str = name) -> None:
            matrix.venv.pip_from_cache(f"{name}=={OLD[name]}")

        yield f"pip uninstall {name}", uninstall
        yield f"pip install {name}=={NEW[name]}", install
        yield f"pip install {name}=={OLD[name]} (downgrade)", downgrade
        yield f"pip install {name}=={NEW[name]} (upgrade)", install


def test_change_matrix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if shutil.which("node") is None or not CLIENT_BUILD.exists():
        pytest.fail("the matrix needs node and the built client: run it through `python3 noxfile.py -s fresh`")
    client = Client(tmp_path / "storage")
    matrix = Matrix(tmp_path, client)
    try:
        run_matrix(matrix)
    finally:
        client.request(dispose=True)
        client.close()
        with capsys.disabled():
            print_matrix(matrix.rows)
    assert all(row.right for row in matrix.rows)


def run_matrix(matrix: Matrix) -> None:
    site = matrix.site
    matrix.check("nothing changed (the control)", lambda: None)
    assert not matrix.rows[-1].reprobed, "an unchanged environment ran the probe"
    # Not a product, but the folder's listing changes: the client cannot tell, and re-probes.
    matrix.check(
        "pip uninstall email-validator (not a product)", lambda: pip(matrix, "uninstall", "-y", "email-validator")
    )
    for change, make in product_changes():
        matrix.check(change, lambda make=make: make(matrix))  # type: ignore[misc]

    matrix.check(
        f"uv pip install fastapi=={OLD['fastapi']}",
        lambda: uv_install(matrix.python, "--no-deps", f"fastapi=={OLD['fastapi']}"),
    )
    matrix.check(
        f"pip reinstall of the same fastapi=={OLD['fastapi']}",
        lambda: matrix.venv.pip_from_cache(f"fastapi=={OLD['fastapi']}", flags=("--force-reinstall",)),
    )

    # An editable install (hatchling, PEP 660): its working tree's __version__ is the answer.
    project = unpack_sdist(f"starlette=={NEW['starlette']}", matrix.tmp / "src")
    matrix.check(
        "pip install --editable starlette",
        lambda: uv("pip", "install", "--python", matrix.python, "--editable", str(project), env=COPY),
    )
    init = project / "starlette" / "__init__.py"

    def edit_in_place() -> None:
        init.write_text(init.read_text().replace(NEW["starlette"], "0.44.1"))

    def edit_by_rename() -> None:
        replacement = init.with_name("__init__.py.new")
        replacement.write_text(init.read_text().replace("0.44.1", "0.44.2"))
        os.replace(replacement, init)

    matrix.check("editable __version__ edited in place", edit_in_place)
    matrix.check("editable __version__ edited by rename", edit_by_rename)

    def edit_keep_time() -> None:
        info = init.stat()
        init.write_text(init.read_text().replace("0.44.2", "0.44.3"))  # same size
        os.utime(init, ns=(info.st_atime_ns, info.st_mtime_ns))  # touch -d back to the old mtime

    matrix.check("editable edited, same size, mtime set back (touch -d)", edit_keep_time)

    def same_tick() -> None:
        # Right after a stored run (no settling): a change whose mtime equals the recorded one, as a
        # second write within one tick of a coarse file system clock leaves it.
        info = init.stat()
        init.write_text(init.read_text().replace("0.44.3", "0.44.4"))
        os.utime(init, ns=(info.st_atime_ns, info.st_mtime_ns))

    matrix.ask()  # stores an entry now: its timestamps are within the racy window
    matrix.check("editable edited right after the last run, mtime kept", same_tick, settle=False)
    # Two writes within one tick of a coarse clock leave mtime and ctime alike, which no test can
    # cause at will: so no entry whose times are within the racy window of its run is trusted.
    matrix.check("request within the racy window of the last change (nothing changed)", lambda: None, settle=False)
    assert matrix.rows[-1].reason == "racy", matrix.rows[-1]

    # .pth files: one that puts a folder first (as an import line in a .pth can), edited, removed.
    first = shadow(matrix, "pth-one", "typer", "99.1")
    second = shadow(matrix, "pth-two", "typer", "99.2")
    pth = site / "zz-shadow.pth"
    matrix.check(".pth added", lambda: pth.write_text(f"import sys; sys.path.insert(0, {str(first)!r})\n"))

    def edit_pth() -> None:
        text = pth.read_text().replace(str(first), str(second))
        pth.write_text(text)

    matrix.check(".pth edited in place", edit_pth)
    matrix.check(".pth removed", pth.unlink)

    # A sitecustomize that adds a folder in front of sys.path, then removed.
    extra = shadow(matrix, "customized", "pydantic", "98.0")
    custom = site / "sitecustomize.py"
    matrix.check(
        "sitecustomize.py adds a folder", lambda: custom.write_text(f"import sys\nsys.path.insert(0, {str(extra)!r})\n")
    )
    matrix.check("sitecustomize.py removed", custom.unlink)

    # The user site (PYTHONUSERBASE, absent until now) created by pip install --user (which pip
    # refuses for a distribution the venv has: typer goes first).
    matrix.check("pip uninstall typer", lambda: pip(matrix, "uninstall", "-y", "typer"))

    def user_site() -> None:
        userbase = matrix.env["PYTHONUSERBASE"]
        matrix.venv.pip_from_cache(f"typer=={OLD['typer']}", user=True, env=pip_env(PYTHONUSERBASE=userbase))

    matrix.check(f"user site created (pip install --user typer=={OLD['typer']})", user_site)

    # PYTHONPATH: set, changed, and unset again: each value is its own cache entry.
    one = shadow(matrix, "path-one", "fastapi", "97.1")
    two = shadow(matrix, "path-two", "fastapi", "97.2")
    matrix.check("PYTHONPATH set", lambda: matrix.env.update(PYTHONPATH=str(one)))
    matrix.check("PYTHONPATH changed", lambda: matrix.env.update(PYTHONPATH=str(two)))
    # Back to the environment without it: that entry is still valid, so no process.
    matrix.check("PYTHONPATH unset again", lambda: matrix.env.pop("PYTHONPATH"))

    # The watcher (as the extension holds it): after a pip install, the listener hears the new block.
    matrix.trusted()
    client = matrix.client
    client.request(watch=True, python=matrix.python, env=matrix.env)
    matrix.venv.pip_from_cache(f"starlette=={OLD['starlette']}")
    truth = matrix.fresh()
    deadline = time.monotonic() + 30
    heard: list[Any] = []
    while time.monotonic() < deadline and truth not in heard:
        time.sleep(0.2)
        heard += client.request(heard=True)
    assert truth in heard, f"the watcher did not report the pip install: {heard}"
    client.request(dispose=True)

    # The whole venv deleted and created again at the same path, with the older versions.
    def recreate() -> None:
        shutil.rmtree(matrix.venv.root)
        create_matrix_venv(matrix.venv.root, OLD)

    matrix.check("venv deleted and re-created at the same path (older versions)", recreate)

    # The interpreter replaced in place: the venv's python becomes a copy of its base interpreter
    # (same version, another file), then a link to another version's interpreter.
    link = matrix.venv.root / BIN / "python"
    base = os.path.realpath(link)

    def copy_interpreter() -> None:
        link.unlink()
        shutil.copy2(base, link)

    matrix.check("interpreter replaced by a copy of itself", copy_interpreter)
    other = other_interpreter()
    if other is not None:

        def other_version() -> None:
            link.unlink()
            link.symlink_to(other)

        version = run_tool([other, "-c", "import platform; print(platform.python_version())"]).strip()
        matrix.check(f"interpreter replaced by a link to CPython {version}", other_version)


def other_interpreter() -> str | None:
    """Another minor version of CPython, for the interpreter swapped under the venv."""
    from pythons import find_interpreter

    for version in ("3.11", "3.13", "3.10", "3.12"):
        if f"{sys.version_info[0]}.{sys.version_info[1]}" != version:
            found = find_interpreter(version)
            if found is not None:
                return found
    return None


def print_matrix(rows: list[Row]) -> None:
    print("\n| change | block changed | client re-probed (why) | right |")
    print("|---|---|---|---|")
    for row in rows:
        probed = f"yes ({row.reason})" if row.reprobed else "no (cache hit)"
        print(
            f"| {row.change} | {'yes' if row.block_changed else 'no'} | {probed} | {'yes' if row.right else 'STALE'} |"
        )
