"""The interpreter's build: version, implementation, free-threading, debug, pointer width.

The build details that change how packages behave (a free-threaded or debug CPython needs
wheels of its own) come along with the version a bug form asks for.
"""

import sys

from probe.files import import_stdlib, with_stdlib_path
from probe.interpreter import pointer_bits, python_implementation, python_version

IMPLEMENTATION_NAMES = {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalPy", "ironpython": "IronPython"}


def describe_python(
    version: str,
    implementation: str,
    pypy_version: "str | None",
    bits: int,
    free_threaded: bool,
    gil_enabled: "bool | None",
    debug: bool,
) -> str:
    """``3.12.1 (CPython, 64-bit)``, with the build details that change behaviour."""
    details = [IMPLEMENTATION_NAMES.get(implementation, implementation)]
    if pypy_version:
        details[0] = f"PyPy {pypy_version}"
    if free_threaded:
        details.append("free-threaded build, GIL %s" % ("enabled at run time" if gil_enabled else "disabled"))
    if debug:
        details.append("debug build")
    details.append(f"{bits:d}-bit")
    return "{} ({})".format(version, ", ".join(details))


def free_threaded_build() -> bool:
    """Whether this is a free-threaded CPython (PEP 703, 3.13+): ``t`` in ``sys.abiflags``.

    Windows has no ``sys.abiflags`` before 3.14; there sysconfig is asked, with only the
    standard library on ``sys.path`` for the whole call: ``get_config_var`` imports modules
    lazily (PyPy's imports ``platform``), and a planted one must not run in their place.
    """
    version = tuple(sys.version_info[:2])  # a plain tuple: type checkers would prune by their target
    if version < (3, 13) or sys.implementation.name != "cpython":
        return False
    abiflags = getattr(sys, "abiflags", None)
    if isinstance(abiflags, str):
        return "t" in abiflags
    return bool(with_stdlib_path(lambda: import_stdlib("sysconfig").get_config_var("Py_GIL_DISABLED")))


def python_build() -> "dict[str, object]":
    """This interpreter's build, and the sentence that describes it."""
    pypy = getattr(sys, "pypy_version_info", None)
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    version, implementation = python_version(), python_implementation()
    pypy_version = python_version(pypy) if pypy is not None else None
    bits, free_threaded = pointer_bits(), free_threaded_build()
    gil_enabled = bool(is_gil_enabled()) if callable(is_gil_enabled) else None
    debug = hasattr(sys, "gettotalrefcount")
    return {
        "version": version,
        "implementation": implementation,
        "pypy_version": pypy_version,
        "bits": bits,
        "free_threaded": free_threaded,
        "gil_enabled": gil_enabled,
        "debug": debug,
        "summary": describe_python(version, implementation, pypy_version, bits, free_threaded, gil_enabled, debug),
    }


def python_summary() -> str:
    return str(python_build()["summary"])
