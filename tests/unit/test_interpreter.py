"""probe.interpreter on systems that cannot run here, with the system's answers injected.

Windows and macOS branches get the answers those systems give (the interpreter banner,
``PROCESSOR_ARCHITECTURE``/``PROCESSOR_ARCHITEW6432``, ``uname`` under Rosetta), from
``systems.py``; that none of it goes through the slow paths is proven in a child interpreter
(``tests/test_interpreter_facts.py``), as is the agreement with ``platform`` on this machine.
"""

from __future__ import annotations

import os
import sys
from types import SimpleNamespace

import pytest
from systems import POSIX, WINDOWS

from probe import interpreter, legacy
from probe.interpreter import describe, node_arch, node_platform, python_arch, python_version, safe_token


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
