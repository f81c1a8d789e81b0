"""A free-threaded CPython (PEP 703), its facts injected: Debian sid packages none (no python3.13t or
python3.14t), so no real one runs in the suite.

What differs for the probe is ``t`` in ``sys.abiflags``, which the report's build line names (on
Windows before 3.14, with no ``sys.abiflags``, sysconfig's ``Py_GIL_DISABLED``). The byte code
cache tag does not differ: CPython builds it from the name and version alone (``cpython-314`` for
both builds), so the bundle's byte code serves a free-threaded interpreter too.
"""

from __future__ import annotations

import sys
import sysconfig

import pytest

from probe.report import python_build

MISSING = object()


def free_threaded(version: tuple[int, int], name: str, abiflags: object, gil_disabled: int | None = None) -> bool:
    """``free_threaded_build()`` with these facts in ``sys`` (*abiflags* ``MISSING``: no ``sys.abiflags``).

    Patched around the call only: pytest itself reads ``sys.version_info``.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "version_info", (*version, 0, "final", 0))
        patch.setattr(sys.implementation, "name", name)
        if abiflags is MISSING:
            patch.delattr(sys, "abiflags", raising=False)
        else:
            patch.setattr(sys, "abiflags", abiflags, raising=False)
        patch.setattr(sysconfig, "get_config_var", lambda key: gil_disabled if key == "Py_GIL_DISABLED" else None)
        return python_build.free_threaded_build()


@pytest.mark.parametrize(("abiflags", "expected"), [("t", True), ("td", True), ("", False), ("d", False)])
def test_t_in_abiflags_is_a_free_threaded_build(abiflags: str, expected: bool) -> None:
    assert free_threaded((3, 14), "cpython", abiflags) is expected
    assert free_threaded((3, 13), "cpython", abiflags) is expected


@pytest.mark.parametrize(("gil_disabled", "expected"), [(1, True), (0, False), (None, False)])
def test_without_abiflags_sysconfig_answers(gil_disabled: int | None, expected: bool) -> None:
    """Windows before 3.14 has no ``sys.abiflags``."""
    assert free_threaded((3, 13), "cpython", MISSING, gil_disabled) is expected


def test_before_3_13_or_on_pypy_there_is_none() -> None:
    assert free_threaded((3, 12), "cpython", "t", 1) is False
    assert free_threaded((3, 14), "pypy", "t", 1) is False


def test_the_build_line_says_so() -> None:
    line = python_build.describe_python("3.14.0", "cpython", None, 64, True, False, False)
    assert line == "3.14.0 (CPython, free-threaded build, GIL disabled, 64-bit)"
