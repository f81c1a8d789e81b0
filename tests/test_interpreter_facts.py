"""probe.interpreter on this interpreter, as a subprocess: its fast answers agree with ``platform``'s
slow ones, and on every system of ``systems.py`` none goes through the slow paths (no
``platform`` module: WMI, ``ver``, ``uname -p`` subprocesses; no process, no ``ctypes``, no
registry). The injected answers themselves are unit tests (``tests/unit/test_interpreter.py``).
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys

from support import ROOT, clean_env, run_probe
from systems import POSIX, WINDOWS

from probe.interpreter import describe, node_platform

# Node's process.arch for the machine names platform.machine() gives on this kind of host.
NODE_ARCH = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64", "i686": "ia32", "ppc64le": "ppc64"}


def test_this_interpreter_against_the_platform_module() -> None:
    """The fast answers agree with ``platform``'s slow ones on the real interpreter."""
    facts = dict(describe()[0])
    assert facts["python_version"] == platform.python_version()
    assert facts["python_implementation"] == sys.implementation.name
    assert (
        facts["python_platform"]
        == node_platform(sys.platform)
        == ("linux" if sys.platform == "linux" else sys.platform)
    )
    bits = 64 if sys.maxsize > 2**32 else 32
    expected = NODE_ARCH[platform.machine().lower()]
    assert facts["python_arch"] == (expected if bits == 64 else {"x64": "ia32", "arm64": "arm"}.get(expected, expected))
    assert run_probe().block["python_arch"] == facts["python_arch"]


# In a child interpreter: every injected system, then the whole block; which modules got
# imported, and which audit events that would mean a process, a library load, the registry,
# a socket or a file written.
_SLOW_PATH_CHILD = r"""
import json, os, sys
events = []
SLOW = ("subprocess.", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "ctypes.", "winreg.", "socket.")
def hook(event, args):
    if event.startswith(SLOW) or (event == "open" and (args[1] or "r") not in ("r", "rb")):
        events.append(event)
sys.addaudithook(hook)
before = set(sys.modules)
from probe import interpreter
answers = []
real = (sys.platform, sys.version)
for platform_name, banner, machine in json.loads(sys.argv[1]):
    sys.platform, sys.version = platform_name, banner
    if machine is not None:
        os.uname = lambda machine=machine: ("Host", "h", "1", "v", machine)
    answers.append(interpreter.describe()[0])
sys.platform, sys.version = real
from probe.output import pairs as block
answers.append(block([], 2.0))
new = sorted(name for name in set(sys.modules) - before if name.split(".")[0] != "probe")
print(json.dumps({"new_modules": new, "events": events, "answers": answers}))
"""


def test_no_slow_path_on_any_system() -> None:
    scenarios = [["win32", case[0], None] for case in WINDOWS.values()]
    scenarios += [[case[0], "3.12.1 (main) [Clang 15.0.0]", case[1]] for case in POSIX.values()]
    env = clean_env(PROCESSOR_ARCHITECTURE="AMD64", PROCESSOR_ARCHITEW6432="ARM64")
    child = subprocess.run(
        [sys.executable, "-c", _SLOW_PATH_CHILD, json.dumps(scenarios)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert child.returncode == 0, child.stderr
    report = json.loads(child.stdout)
    assert report["events"] == []
    assert report["new_modules"] == []  # not platform, not subprocess, not ctypes: nothing at all
    assert len(report["answers"]) == len(scenarios) + 1
