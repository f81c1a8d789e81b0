"""Never hangs: whatever blocks, the probe answers within its deadline, with what it knows.

The stalls are real where this machine allows: a FUSE file system served by this test over
``/dev/fuse`` whose lookups never answer (:class:`stalled_mount.StallingFS`), a FIFO where
METADATA should be, folders the probe's user may not list (run under another user, made with
a user namespace since the tests run as root). A meta-path finder that a
``.pth`` file installs and that sleeps stands for a slow editable-install finder.

Each test asserts which path settled the run, not how long it took: ``timeout`` in the block
says the deadline did, ``ok`` that every lookup finished first, and the stalled mount records
what the probe reached. A lower bound stays where waiting is the point (the probe waits for a
stalled product until its deadline, not less); the only upper bound is a hang limit far above
any deadline (a stall that the deadline did not cut would otherwise wait forever).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hostile import SLEEPY_FINDER, assert_safe_block, fresh_venv, wrapper
from stalled_mount import StallingFS
from support import FIXED_KEYS, PRODUCT_KEYS, ROOT, clean_env, copy_probe, parse_block, run_probe, unavailable

# FIFOs, FUSE, another user: POSIX (FUSE and user namespaces: Linux, and skipped without them).
pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX only")

DEFAULT_TIMEOUT = 2.0
# A run that takes this long has hung: the stalls below never end, and the sleeping finder sleeps 60 s.
HANG_LIMIT = 30


@pytest.fixture
def stalling_fs(request: pytest.FixtureRequest) -> StallingFS:
    if not os.path.exists("/dev/fuse") or os.geteuid() != 0:
        unavailable("a FUSE mount needs /dev/fuse and root")
    names, honour_interrupts = request.param if isinstance(request.param, tuple) else (request.param, True)
    fs = StallingFS(names, honour_interrupts)
    try:
        fs.__enter__()
    except OSError as error:
        unavailable(str(error))
    request.addfinalizer(lambda: fs.__exit__(None, None, None))
    return fs


def timed(
    *args: str, env: dict[str, str], python: str = sys.executable, cwd: Path | None = None
) -> tuple[float, dict[str, object]]:
    """The run's block, exit 0 and nothing on stderr; and how long it took (for lower bounds and the log)."""
    start = time.monotonic()
    kwargs = {"cwd": cwd} if cwd is not None else {}
    run = run_probe(python, *args, env=env, timeout=HANG_LIMIT, **kwargs)  # type: ignore[arg-type]
    elapsed = time.monotonic() - start
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    return elapsed, run.block


def product_tree(root: Path, products: dict[str, str]) -> Path:
    """A folder with real-looking installs of *products* (module and dist-info with RECORD)."""
    for module, version in products.items():
        (root / module).mkdir(parents=True)
        (root / module / "__init__.py").write_text("", encoding="utf-8")
        info = root / f"{module}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: {version}\n", encoding="utf-8")
        (info / "RECORD").write_text(
            f"{module}/__init__.py,,\n{info.name}/METADATA,,\n{info.name}/RECORD,,\n", encoding="utf-8"
        )
    return root


@pytest.mark.parametrize("stalling_fs", [["typer"]], indirect=True)
@pytest.mark.parametrize("timeout", [None, 0.5, 1.0])
def test_stalled_mount_answers_by_the_deadline(stalling_fs: StallingFS, timeout: float | None, tmp_path: Path) -> None:
    """typer sits on a mount that stops answering: the other five are known, typer is left out."""
    known = product_tree(tmp_path / "site", {"pydantic": "2.7.1", "starlette": "0.37.2"})
    env = clean_env(PYTHONPATH=f"{known}:{stalling_fs.mountpoint}")
    args = [] if timeout is None else ["--timeout", str(timeout)]
    elapsed, block = timed(*args, env=env)
    deadline = DEFAULT_TIMEOUT if timeout is None else timeout
    assert stalling_fs.stalled, "the probe never reached the stalled mount"
    assert_safe_block(block, products=PRODUCT_KEYS[:-1], status="timeout")
    assert block["pydantic_version"] == "2.7.1" and block["starlette_version"] == "0.37.2"
    assert block["fastapi_version"] is None
    assert elapsed >= deadline, "answered before its deadline although a product was still being looked up"
    print(f"stalled mount, deadline {deadline}s: answered in {elapsed:.3f}s")


@pytest.mark.parametrize("stalling_fs", [["fastapi", "typer"]], indirect=True)
def test_stall_on_the_first_product_leaves_every_product_out(stalling_fs: StallingFS) -> None:
    env = clean_env(PYTHONPATH=str(stalling_fs.mountpoint))
    _, block = timed("--timeout", "0.5", env=env)
    assert stalling_fs.stalled, "the probe never reached the stalled mount"
    assert list(block) == FIXED_KEYS
    assert block["probe_status"] == "timeout"


@pytest.mark.parametrize("stalling_fs", [["fastapi"]], indirect=True)
def test_a_stall_the_probe_never_needs_costs_nothing(stalling_fs: StallingFS) -> None:
    """Named distributions the mount does not hold: the listing answers, nothing is looked up."""
    env = clean_env(PYTHONPATH=str(stalling_fs.mountpoint))
    _, block = timed("pytest", env=env)
    assert block["probe_status"] == "ok"  # settled by the lookups, not by the deadline
    assert stalling_fs.stalled == []


def test_sleeping_meta_path_finder_from_a_pth(tmp_path: Path) -> None:
    venv = fresh_venv(tmp_path / "venv")
    site = venv.purelib
    (site / "sleepy_finder.py").write_text(SLEEPY_FINDER, encoding="utf-8")
    (site / "sleepy.pth").write_text("import sleepy_finder\n", encoding="utf-8")
    known = product_tree(tmp_path / "site", {"fastapi": "0.110.0", "pydantic": "2.7.1"})
    elapsed, block = timed("--timeout", "1", env=clean_env(PYTHONPATH=str(known)), python=str(venv.python))
    assert_safe_block(block, products=PRODUCT_KEYS[:4], status="timeout")
    assert (block["fastapi_version"], block["pydantic_version"]) == ("0.110.0", "2.7.1")
    assert elapsed >= 1.0, "answered before its deadline although the finder was still asleep"
    print(f"sleeping finder, deadline 1s: answered in {elapsed:.3f}s")


def test_fifos_where_metadata_should_be(tmp_path: Path) -> None:
    """Opening a FIFO for reading blocks until a writer comes; the probe never waits for one."""
    site = product_tree(tmp_path / "site", {"fastapi": "0.110.0", "typer": "0.9.0", "starlette": "0.37.2"})
    for fifo in (
        site / "fastapi-0.110.0.dist-info" / "METADATA",
        site / "typer-0.9.0.dist-info" / "RECORD",
        site / "starlette-0.37.2.dist-info" / "METADATA",
        site / "starlette-0.37.2.dist-info" / "RECORD",
    ):
        fifo.unlink()
        os.mkfifo(fifo)
    os.mkfifo(site / "typer-0.9.0.dist-info" / "top_level.txt")
    source = tmp_path / "src" / "pydantic"
    source.mkdir(parents=True)
    os.mkfifo(source / "__init__.py")  # a package whose __init__.py is a FIFO
    os.mkfifo(source / "version.py")
    _, block = timed(env=clean_env(PYTHONPATH=f"{site}:{tmp_path / 'src'}"))
    assert_safe_block(block)  # status ok: no read waited for a writer, or the deadline would have settled it
    # METADATA unreadable: the dist-info's name gives the version (PEP 427 names carry it).
    assert block["fastapi_version"] == "0.110.0"
    assert block["typer_version"] == "0.9.0"
    assert block["starlette_version"] == "0.37.2"


def unprivileged(tmp_path: Path) -> str:
    """A command that runs this interpreter as a user who owns nothing special (a user namespace)."""
    if os.geteuid() != 0:
        return sys.executable  # already unprivileged: permission bits bind
    unshare = shutil.which("unshare")
    check = subprocess.run(
        [unshare or "unshare", "--user", "--map-user=1000", "--map-group=1000", "true"], capture_output=True
    )
    if unshare is None or check.returncode != 0:
        unavailable("unshare --user is needed to drop root's file access (util-linux, user namespaces)")
    command = [unshare, "--user", "--map-user=1000", "--map-group=1000", sys.executable]
    return wrapper(tmp_path / "python-unprivileged", command)


def test_folders_that_cannot_be_listed_or_read(tmp_path: Path) -> None:
    python = unprivileged(tmp_path)
    app = copy_probe(tmp_path)
    locked = tmp_path / "locked"  # on PYTHONPATH, cannot be listed: import finds nothing there
    product_tree(locked, {"pydantic": "2.7.1"})
    source = tmp_path / "src"  # a source tree: the probe lists every sys.path entry for an owner
    (source / "fastapi").mkdir(parents=True)
    (source / "fastapi" / "__init__.py").write_text('__version__ = "0.99.0"\n', encoding="utf-8")
    site = product_tree(tmp_path / "site", {"starlette": "0.37.2", "typer": "0.9.0"})
    (site / "starlette-0.37.2.dist-info").chmod(0)  # a dist-info that cannot be opened
    (site / "typer-0.9.0.dist-info" / "METADATA").chmod(0)  # a METADATA that cannot be read
    locked.chmod(0)
    env = clean_env(PYTHONPATH=f"{locked}:{source}:{site}")
    truth = subprocess.run(
        [
            python,
            "-c",
            "import fastapi, starlette, typer\ntry:\n import pydantic\nexcept ImportError:\n print('no pydantic')",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert (truth.returncode, truth.stdout) == (0, "no pydantic\n"), truth.stderr
    _, block = timed(env=env, python=python, cwd=app)
    assert_safe_block(block)  # status ok: settled by the lookups
    assert block["pydantic_version"] is None
    assert block["fastapi_version"] == "0.99.0"
    assert block["starlette_version"] == "0.37.2"
    assert block["typer_version"] == "0.9.0"


@pytest.mark.parametrize("stalling_fs", [(["typer"], False)], indirect=True)
def test_output_ends_even_when_the_process_cannot(stalling_fs: StallingFS) -> None:
    """A FUSE daemon that ignores interrupts (sshfs, rclone...) holds the abandoned thread, so
    the process cannot end, not even on SIGKILL; the probe closes its output first, so the
    reader still gets the whole answer, and its end, by the deadline."""
    env = clean_env(PYTHONPATH=str(stalling_fs.mountpoint))
    start = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-m", "probe", "--timeout", "1"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    output: list[bytes] = []
    reader = threading.Thread(target=lambda: output.append(child.stdout.read()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(HANG_LIMIT)
    elapsed = time.monotonic() - start
    try:
        assert not reader.is_alive(), "stdout never ended"
        block = parse_block(output[0].decode("ascii"))
        # The deadline settled it, and stdout ended while the stalled file system still held the process.
        assert block["probe_status"] == "timeout" and "typer_version" not in block
        assert stalling_fs.stalled, "the probe never reached the stalled mount"
        assert child.poll() is None, "the control: the stalled file system should still hold the process"
        assert elapsed >= 1.0, "answered before its deadline although typer was still being looked up"
    finally:
        stalling_fs.release()
        assert child.wait(10) == 0
    print(f"deaf FUSE daemon, deadline 1s: output ended after {elapsed:.3f}s; process ended once the mount answered")
