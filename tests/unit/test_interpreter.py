"""probe.interpreter on systems that cannot run here, with the system's answers injected.

Windows and macOS branches get the answers those systems give (the interpreter banner,
``PROCESSOR_ARCHITECTURE``/``PROCESSOR_ARCHITEW6432``, ``uname`` under Rosetta), and a
child interpreter proves that none of it goes through the slow paths: no ``platform``
module (WMI, ``ver``, ``uname -p`` subprocesses), no process, no ``ctypes``, no registry.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from types import SimpleNamespace

import pytest
from support import ROOT, clean_env, run_probe

from probe import interpreter, legacy
from probe.interpreter import describe, node_arch, node_platform, python_arch, python_version, safe_token

# Node's process.arch for the machine names platform.machine() gives on this kind of host.
NODE_ARCH = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64", "i686": "ia32", "ppc64le": "ppc64"}


@pytest.mark.parametrize(
    ("sys_platform", "expected"),
    [
        ("win32", "win32"),
        ("cygwin", "cygwin"),
        ("msys", "cygwin"),
        ("darwin", "darwin"),
        ("linux", "linux"),
        ("linux2", "linux"),  # Python 2.7
        ("freebsd13", "freebsd"),
        ("freebsd14", "freebsd"),
        ("openbsd7", "openbsd"),
        ("netbsd10", "netbsd"),
        ("sunos5", "sunos"),
        ("aix", "aix"),
        ("aix7", "aix"),
        ("os400", "os400"),
        ("android", "android"),
        ("ios", "ios"),
        ("emscripten", "emscripten"),
        ("wasi", "wasi"),
        ("haiku1", "haiku"),
        ("dragonfly6", "dragonfly"),
        ("Weird/OS 2\\x", "weirdos2x"),
    ],
)
def test_platform_names(sys_platform: str, expected: str) -> None:
    assert node_platform(sys_platform) == expected


# (sys.version banner, environment, pointer bits) -> Node's process.arch
WINDOWS = {
    "native x64": (
        "3.12.1 (tags/v3.12.1:2305ca5, Dec  7 2023) [MSC v.1937 64 bit (AMD64)]",
        {"PROCESSOR_ARCHITECTURE": "AMD64"},
        64,
        "x64",
    ),
    "WOW64: 32-bit Python on 64-bit Windows": (
        "3.12.1 (tags/v3.12.1:2305ca5, Dec  7 2023) [MSC v.1937 32 bit (Intel)]",
        {"PROCESSOR_ARCHITECTURE": "x86", "PROCESSOR_ARCHITEW6432": "AMD64"},
        32,
        "ia32",
    ),
    "native ARM64": (
        "3.12.1 (tags/v3.12.1:2305ca5, Dec  7 2023) [MSC v.1937 64 bit (ARM64)]",
        {"PROCESSOR_ARCHITECTURE": "ARM64"},
        64,
        "arm64",
    ),
    "x64 Python emulated on ARM64": (
        "3.12.1 (tags/v3.12.1:2305ca5, Dec  7 2023) [MSC v.1937 64 bit (AMD64)]",
        {"PROCESSOR_ARCHITECTURE": "AMD64", "PROCESSOR_ARCHITEW6432": "ARM64"},
        64,
        "x64",
    ),
    "x86 Python emulated on ARM64": (
        "3.11.7 (tags/v3.11.7:fa7a6f2, Dec  4 2023) [MSC v.1937 32 bit (Intel)]",
        {"PROCESSOR_ARCHITECTURE": "x86", "PROCESSOR_ARCHITEW6432": "ARM64"},
        32,
        "ia32",
    ),
    "32-bit ARM Python on ARM64": (
        "3.8.10 (default) [MSC v.1928 32 bit (ARM)]",
        {"PROCESSOR_ARCHITECTURE": "ARM"},
        32,
        "arm",
    ),
    "PyPy on Windows": (
        "3.10.14 (75b3de9d9035, Apr 21 2024, 10:54:48)\n[PyPy 7.3.16 with MSC v.1929 64 bit (AMD64)]",
        {"PROCESSOR_ARCHITECTURE": "AMD64"},
        64,
        "x64",
    ),
    "no banner part (MinGW build): the process's own variable": (
        "3.11.6 (main, Oct  2 2023) [GCC 13.2.0]",
        {"PROCESSOR_ARCHITECTURE": "x86", "PROCESSOR_ARCHITEW6432": "AMD64"},
        32,
        "ia32",
    ),
    "no banner part, 64-bit": ("3.11.6 (main) [GCC 13.2.0]", {"PROCESSOR_ARCHITECTURE": "AMD64"}, 64, "x64"),
    "nothing known at all": ("3.11.6 (main) [GCC 13.2.0]", {}, 64, "unknown"),
}


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Pretend to be Windows: sys.platform, and no PROCESSOR_* variables from this machine."""
    monkeypatch.setattr(sys, "platform", "win32")
    for name in ("PROCESSOR_ARCHITECTURE", "PROCESSOR_ARCHITEW6432"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(os, "uname", lambda: pytest.fail("uname is not a Windows call"), raising=False)
    return monkeypatch


@pytest.mark.parametrize("case", WINDOWS)
def test_windows_arch(case: str, windows: pytest.MonkeyPatch) -> None:
    banner, environ, bits, expected = WINDOWS[case]
    windows.setattr(sys, "version", banner)
    windows.setattr(sys, "maxsize", 2**63 - 1 if bits == 64 else 2**31 - 1)
    for name, value in environ.items():
        windows.setenv(name, value)
    assert python_arch() == expected
    assert dict(describe()[0])["python_platform"] == "win32"


def fake_uname(machine: str) -> SimpleNamespace:
    """What os.uname() gives; the probe reads index 4, as os.uname_result allows."""
    fields = ("Darwin", "host.example", "23.1.0", "Darwin Kernel", machine)
    return type("uname_result", (tuple,), {"machine": property(lambda self: self[4])})(fields)  # type: ignore[return-value]


# (sys.platform, uname machine, pointer bits, byte order) -> Node's process.arch
POSIX = {
    "macOS on Apple silicon": ("darwin", "arm64", 64, "little", "arm64"),
    "x86-64 Python under Rosetta 2 (uname answers x86_64)": ("darwin", "x86_64", 64, "little", "x64"),
    "macOS on Intel": ("darwin", "x86_64", 64, "little", "x64"),
    "32-bit Python on 64-bit Linux": ("linux", "x86_64", 32, "little", "ia32"),
    "32-bit ARM Python on a 64-bit ARM kernel": ("linux", "aarch64", 32, "little", "arm"),
    "armv8l (32-bit userland on ARMv8)": ("linux", "armv8l", 32, "little", "arm"),
    "Raspberry Pi OS 32-bit": ("linux", "armv7l", 32, "little", "arm"),
    "armv6l": ("linux", "armv6l", 32, "little", "arm"),
    "Linux on ARM64": ("linux", "aarch64", 64, "little", "arm64"),
    "POWER little-endian": ("linux", "ppc64le", 64, "little", "ppc64"),
    "IBM Z": ("linux", "s390x", 64, "big", "s390x"),
    "RISC-V": ("linux", "riscv64", 64, "little", "riscv64"),
    "LoongArch": ("linux", "loongarch64", 64, "little", "loong64"),
    "MIPS little-endian 32-bit": ("linux", "mips", 32, "little", "mipsel"),
    "MIPS big-endian 32-bit": ("linux", "mips", 32, "big", "mips"),
    "FreeBSD amd64": ("freebsd14", "amd64", 64, "little", "x64"),
    "OpenBSD i386": ("openbsd7", "i386", 32, "little", "ia32"),
    "unknown machine, kept as a safe token": ("linux", "Weird/CPU 9", 64, "little", "weirdcpu9"),
    "uname gives nothing": ("linux", "", 64, "little", "unknown"),
}


@pytest.mark.parametrize("case", POSIX)
def test_posix_arch(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    sys_platform, machine, bits, byteorder, expected = POSIX[case]
    monkeypatch.setattr(sys, "platform", sys_platform)
    monkeypatch.setattr(os, "uname", lambda: fake_uname(machine))
    monkeypatch.setattr(sys, "maxsize", 2**63 - 1 if bits == 64 else 2**31 - 1)
    monkeypatch.setattr(sys, "byteorder", byteorder)
    assert python_arch() == expected
    assert node_arch(machine, bits, byteorder) == expected


def test_uname_that_fails_is_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise OSError("no uname here")

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(os, "uname", broken)
    assert python_arch() == "unknown"
    monkeypatch.delattr(os, "uname")
    assert python_arch() == "unknown"


@pytest.mark.parametrize(
    ("version_info", "expected"),
    [
        ((3, 12, 1, "final", 0), "3.12.1"),
        ((3, 14, 0, "candidate", 1), "3.14.0rc1"),
        ((3, 13, 0, "beta", 4), "3.13.0b4"),
        ((3, 14, 0, "alpha", 7), "3.14.0a7"),
        # PyPy 7.3.11's sys.version_info is its language version, not 7.3.11.
        ((3, 9, 16, "final", 0), "3.9.16"),
        ((2, 7, 18, "final", 0), "2.7.18"),
    ],
)
def test_python_version(version_info: tuple[int, int, int, str, int], expected: str) -> None:
    assert python_version(version_info) == expected


@pytest.mark.parametrize(
    ("implementation", "builtins", "sys_platform", "expected"),
    [
        (SimpleNamespace(name="cpython"), (), "linux", "cpython"),
        (SimpleNamespace(name="pypy"), (), "linux", "pypy"),
        (SimpleNamespace(name="graalpy"), (), "linux", "graalpy"),
        (SimpleNamespace(name="Odd/Name 1"), (), "linux", "oddname1"),
        # Python 2.7 has no sys.implementation (probe/legacy.py): PyPy 2.7 is told by its __pypy__ module.
        (None, ("__pypy__", "sys"), "linux2", "pypy"),
        (None, ("sys",), "java1.8.0_292", "jython"),
        (None, ("sys",), "linux2", "cpython"),
    ],
)
def test_python_implementation(
    implementation: object, builtins: tuple[str, ...], sys_platform: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "implementation", implementation)
    monkeypatch.setattr(sys, "builtin_module_names", builtins or sys.builtin_module_names)
    monkeypatch.setattr(sys, "platform", sys_platform)
    answer = legacy.python_implementation if implementation is None else interpreter.python_implementation
    assert answer() == expected


@pytest.mark.parametrize("text", ["", "/home/user", "C:\\Users\\me", "x" * 100, "é"])
def test_safe_token_never_carries_a_path(text: str) -> None:
    token = safe_token(text)
    assert token and len(token) <= 32
    assert set(token) <= set("abcdefghijklmnopqrstuvwxyz0123456789._-")


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
