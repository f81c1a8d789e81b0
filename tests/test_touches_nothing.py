"""Touches nothing: no file written (bar Python's bytecode cache for the probe's own files), no
process started, no network, no environment change.

Seen three ways, each against ``python -m <empty module>`` from the same folder (the
interpreter's own start-up is not ours): audit hooks (PEP 578) installed by a
``sitecustomize``, ``strace`` on every system call of the process and its threads, and
the files of the whole test folder and of ``HOME`` before and after. The environment runs
every path of the probe; bytecode writing is on, so that the one allowed write happens.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hostile import EveryPath, fresh_venv, traced_python
from support import clean_env, copy_probe, run_probe

EMPTY_MODULE = "probe_twin_empty"
# strace, /proc/self/fd and os.open flags as Linux has them.
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")

# Installed by a sitecustomize: one line per audit event that could change something outside
# the process, written to a descriptor opened before the hook, so the log is not an event itself.
AUDIT_HOOK = """\
import os, sys
_log = os.open({log!r}, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
_WATCH = ("open", "os.", "shutil.", "subprocess.", "socket.", "ctypes.", "tempfile.", "winreg.", "_winapi.",
          "msvcrt.", "webbrowser.", "urllib.", "http.", "ftplib.", "smtplib.", "sqlite3.", "fcntl.", "mmap.",
          "pty.", "syslog.", "signal.", "resource.", "sys.settrace", "sys.setprofile")
_READ_ONLY = ("os.listdir", "os.scandir", "os.getxattr", "os.listxattr", "os.walk", "os.chdir_unused")
def _hook(event, args):
    if not event.startswith(_WATCH) or event.startswith(_READ_ONLY):
        return
    if event == "open":
        path, mode, flags = (list(args) + [None, None])[:3]
        if isinstance(path, int):
            return  # a descriptor opened earlier: its opening was judged then
        if mode is not None:  # io.open: the mode says it (PyPy's third argument is not os.open flags)
            writing = any(c in str(mode) for c in "wax+")
        else:  # os.open: the flags say it
            writing = flags is not None and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC)
        if not writing:
            return
        args = (path,)
    os.write(_log, (event + "\\t" + repr(tuple(str(a) for a in args[:2])) + "\\n").encode("utf-8", "backslashreplace"))
sys.addaudithook(_hook)
"""


class World:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.app = copy_probe(root)
        (self.app / f"{EMPTY_MODULE}.py").write_text("", encoding="utf-8")
        self.venv = fresh_venv(root / "venv")
        self.products = EveryPath(self.venv, root)
        self.home = root / "home"
        (self.home / ".cache").mkdir(parents=True)
        self.hooks = root / "hooks"
        self.hooks.mkdir()
        self.log = root / "audit.log"
        (self.hooks / "sitecustomize.py").write_text(AUDIT_HOOK.format(log=str(self.log)), encoding="utf-8")
        # Bytecode on: the one write allowed is the probe's own __pycache__.
        self.env = {key: value for key, value in clean_env().items() if key != "PYTHONDONTWRITEBYTECODE"}
        self.env.update(HOME=str(self.home), XDG_CACHE_HOME=str(self.home / ".cache"), TMPDIR=str(root / "tmp"))
        (root / "tmp").mkdir()

    def env_with(self, *entries: Path) -> dict[str, str]:
        return dict(self.env, PYTHONPATH=os.pathsep.join([*map(str, entries), self.products.pythonpath_text]))

    def audited(self, module: str, *args: str) -> list[str]:
        self.log.write_text("")
        done = subprocess.run(
            [str(self.venv.python), "-m", module, *args],
            cwd=self.app,
            env=self.env_with(self.hooks),
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        return self.log.read_text().splitlines()

    def bytecode_cache(self) -> Path:
        return self.app / "probe" / "__pycache__"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    world = World(tmp_path_factory.mktemp("touches"))
    block = run_probe(world.venv.python, env=world.env_with(), cwd=world.app).block
    assert {key: block[key] for key in world.products.expected} == world.products.expected
    return world


def outside_bytecode_cache(events: list[str], cache: Path) -> set[str]:
    return {event for event in events if str(cache) not in event}


@pytest.mark.parametrize("args", [[], ["--timeout", "5", "fastapi-slim", "typer", "pytest", "six"], ["--pretty"]])
def test_audit_events(world: World, args: list[str]) -> None:
    cache = world.bytecode_cache()
    if cache.exists():
        for path in cache.iterdir():
            path.unlink()
        cache.rmdir()
    startup = set(world.audited(EMPTY_MODULE))
    first = world.audited("probe", *args)
    # The control: the hook does see writes, here the probe's own bytecode being cached.
    assert any(str(cache) in event for event in first), first
    second = world.audited("probe", *args)
    for events in (first, second):
        assert outside_bytecode_cache(events, cache) - startup == set()
    assert not [event for event in second if str(cache) in event and event.startswith("open")]  # cached now


def test_no_process_no_socket_no_write_at_the_system_call_level(world: World, tmp_path: Path) -> None:
    syscalls = (
        "open,openat,creat,unlink,unlinkat,rename,renameat,renameat2,mkdir,mkdirat,rmdir,symlink,symlinkat,link,linkat,"
        "chmod,fchmod,fchmodat,chown,fchown,fchownat,lchown,truncate,ftruncate,utimensat,utimes,"
        "socket,connect,bind,sendto,sendmsg,clone,clone3,fork,vfork,execve,execveat,kill,setxattr,removexattr"
    )

    def violations(module: str) -> set[str]:
        log = tmp_path / f"{module}.strace"
        python = traced_python(tmp_path, str(world.venv.python), log, syscalls)
        command = [python, "-m", module] if module != "probe" else None
        if command is None:
            run = run_probe(python, env=world.env_with(), cwd=world.app)
            assert run.returncode == 0, run.stderr
            assert run.block["probe_status"] == "ok"
        else:
            done = subprocess.run(command, env=world.env_with(), cwd=world.app, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
        return changes(log.read_text(errors="replace"), world.bytecode_cache())

    startup = violations(EMPTY_MODULE)
    found = violations("probe")
    assert found - startup == set()


_WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND")


def calls(log: str) -> list[tuple[str, str, str]]:
    """(name, arguments, result) of each call in an ``strace -f`` log, interrupted calls joined up."""
    pending: dict[str, str] = {}
    found = []
    for line in log.splitlines():
        pid, _, rest = line.partition(" ")
        rest = rest.strip()
        if rest.endswith("<unfinished ...>"):
            pending[pid] = rest[: -len("<unfinished ...>")].rstrip()
            continue
        resumed = re.match(r"<\.\.\. (\w+) resumed>(.*)$", rest)
        if resumed:
            rest = pending.pop(pid, resumed.group(1) + "(") + resumed.group(2)
        call = re.match(r"(\w+)\((.*)\)\s+=\s+(-?\d+|\?)", rest)
        if call:
            found.append((call.group(1), call.group(2), call.group(3)))
    return found


def changes(log: str, cache: Path) -> set[str]:
    """The calls in an ``strace -f`` log that write, start a process, or talk to a network."""
    found = set()
    execs = 0
    for name, args, result in calls(log):
        if result.startswith("-"):
            continue  # failed: changed nothing
        path = re.search(r'"([^"]*)"', args)
        where = path.group(1) if path else ""
        if str(cache) in where:
            continue  # Python's bytecode cache for the probe's own files
        if name in ("open", "openat", "creat"):
            if name == "creat" or any(flag in args for flag in _WRITE_FLAGS):
                found.add(f"{name} {where}")
        elif name in ("clone", "clone3", "fork", "vfork"):
            if "CLONE_THREAD" not in args:
                found.add(name)  # a process, not a thread
        elif name == "execve":
            execs += 1
        elif name == "kill":
            found.add(f"kill {args}")
        else:
            found.add(f"{name} {where}")
    if execs != 1:
        found.add(f"{execs} execve")
    return found


def snapshot(*folders: Path, skip: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder below *folders*: (size, modification time)."""
    seen = {}
    for folder in folders:
        for base, dirs, files in os.walk(folder):
            for name in dirs + files:
                path = Path(base, name)
                if skip in path.parents or path == skip:
                    continue
                info = path.lstat()
                seen[str(path)] = (info.st_size, info.st_mtime_ns)
    return seen


def test_no_file_changes(world: World) -> None:
    before = snapshot(world.root, skip=world.bytecode_cache())
    for args in ([], ["fastapi", "pydantic", "Starlette"], ["--timeout", "0.001"]):
        run = run_probe(world.venv.python, *args, env=world.env_with(), cwd=world.app)
        assert run.returncode == 0
    assert snapshot(world.root, skip=world.bytecode_cache()) == before


# In a child interpreter: the environment, the working folder, the umask, signal handlers
# and the open descriptors (bar garbage) are the same after the probe's work as before it.
# Descriptors of files the process has mapped are the libraries' own: libffi (3.4+) keeps its
# .so open for its trampolines from the first callback on, which PyPy 8's hashlib makes.
_STATE_CHILD = r"""
import gc, json, os, signal, sys
def descriptors():
    with open("/proc/self/maps") as maps:
        mapped = {line.split(None, 5)[5].strip() for line in maps if len(line.split(None, 5)) == 6}
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink("/proc/self/fd/" + fd)
        except OSError:  # the listing's own, closed by now
            continue
        if target not in mapped:
            found.append(fd)
    return sorted(found)
def state():
    mask = os.umask(0o22); os.umask(mask)
    return {"environ": dict(os.environ), "cwd": os.getcwd(), "umask": mask,
            "signals": {str(s): repr(signal.getsignal(s)) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE)},
            "fds": descriptors()}
before = state()
from probe.output import pairs as block
block([], 2.0)
block(["fastapi-slim", "typer", "six"], 2.0)
gc.collect()
gc.collect()  # PyPy runs the finalizer that closes a dropped zip archive at the second collection
after = state()
print(json.dumps({key: [before[key], after[key]] for key in before if before[key] != after[key]}))
"""


def test_no_change_to_the_process_state(world: World) -> None:
    done = subprocess.run(
        [str(world.venv.python), "-c", _STATE_CHILD],
        env=world.env_with(),
        cwd=world.app,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {}
