"""The interpreter's keys of the block: facts about the running interpreter, named as Node.js names them.

Nothing here starts a process or imports ``platform``, which calls ``uname`` through a
subprocess on some versions and WMI on Windows.
"""

import os
import sys

from probe.keys import PYTHON_ARCH, PYTHON_IMPLEMENTATION, PYTHON_PLATFORM, PYTHON_VERSION

TYPE_CHECKING = False  # typing is not imported at run time; type checkers treat this as True
if TYPE_CHECKING:
    from typing import Any, Callable, Iterable

# sys.platform prefixes -> Node's process.platform (https://nodejs.org/api/process.html#processplatform).
_PLATFORMS = (
    ("win32", "win32"),
    ("cygwin", "cygwin"),
    ("msys", "cygwin"),
    ("darwin", "darwin"),
    ("linux", "linux"),
    ("android", "android"),
    ("freebsd", "freebsd"),
    ("openbsd", "openbsd"),
    ("netbsd", "netbsd"),
    ("sunos", "sunos"),
    ("aix", "aix"),
    ("os400", "os400"),
    ("ios", "ios"),
    ("emscripten", "emscripten"),
    ("wasi", "wasi"),
)

# Machine names from uname(2) and Windows -> Node's process.arch, as (64-bit name, 32-bit name).
_ARCHES = {
    "x86_64": ("x64", "ia32"),
    "amd64": ("x64", "ia32"),
    "x64": ("x64", "ia32"),
    "i386": ("ia32", "ia32"),
    "i486": ("ia32", "ia32"),
    "i586": ("ia32", "ia32"),
    "i686": ("ia32", "ia32"),
    "x86": ("ia32", "ia32"),
    "intel": ("ia32", "ia32"),
    "aarch64": ("arm64", "arm"),
    "aarch64_be": ("arm64", "arm"),
    "arm64": ("arm64", "arm"),
    "armv8l": ("arm64", "arm"),
    "arm": ("arm", "arm"),
    "ppc64": ("ppc64", "ppc"),
    "ppc64le": ("ppc64", "ppc"),
    "ppc": ("ppc64", "ppc"),
    "powerpc": ("ppc64", "ppc"),
    "s390x": ("s390x", "s390"),
    "s390": ("s390x", "s390"),
    "riscv64": ("riscv64", "riscv32"),
    "loongarch64": ("loong64", "loong32"),
    "mips64": ("mips64el", "mipsel"),
    "mips": ("mips64el", "mipsel"),
}

_SAFE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")


def safe_token(text: str, limit: int = 32) -> str:
    """Lower-case *text* and keep only ``[a-z0-9._-]``, so no value can carry a path or a name."""
    kept = "".join(char for char in text.lower() if char in _SAFE)
    return kept[:limit] or "unknown"


def python_version(version_info: "Iterable[Any] | None" = None) -> str:
    """The language version as ``platform.python_version()`` gives it: ``3.12.1``, ``3.14.0rc1``.

    Built from ``sys.version_info`` rather than ``sys.version``, whose first word may carry a
    vendor's ``+`` suffix. PyPy reports its language version there too.
    """
    info = sys.version_info if version_info is None else version_info
    major, minor, micro, level, serial = tuple(info)[:5]
    suffix = {"alpha": "a", "beta": "b", "candidate": "rc"}.get(level)
    return f"{major:d}.{minor:d}.{micro:d}" + (f"{suffix}{serial:d}" if suffix else "")


def python_implementation() -> str:
    """``sys.implementation.name``: ``cpython``, ``pypy``, ``graalpy``."""
    return safe_token(sys.implementation.name)


def node_platform(sys_platform: str) -> str:
    """Node's ``process.platform`` word for a ``sys.platform`` value (``freebsd14`` -> ``freebsd``)."""
    for prefix, name in _PLATFORMS:
        if sys_platform.startswith(prefix):
            return name
    return safe_token(sys_platform.rstrip("0123456789"))


def windows_machine(sys_version: str, environ: "dict[str, str]") -> str:
    """The machine the interpreter was built for, from its banner, e.g. ``[MSC v.1937 64 bit (AMD64)]``.

    The banner names the process's own architecture, so a 32-bit Python on 64-bit Windows
    (WOW64) says ``Intel`` and an x64 Python emulated on ARM64 says ``AMD64``. Only when the
    banner has no such part does the process's ``PROCESSOR_ARCHITECTURE`` decide; Windows sets
    that variable to the process's architecture as well (``PROCESSOR_ARCHITEW6432`` would be the
    machine's).
    """
    marker = " bit ("
    start = sys_version.rfind(marker)
    if start != -1:
        end = sys_version.find(")", start)
        if end != -1:
            return sys_version[start + len(marker) : end]
    return environ.get("PROCESSOR_ARCHITECTURE", "")


def node_arch(machine: str, pointer_bits: int, byteorder: str = "little") -> str:
    """Node's ``process.arch`` word for the process: the machine name, narrowed by the pointer size.

    A 32-bit interpreter on a 64-bit kernel reports the kernel's machine in ``uname``,
    so the size of a pointer decides between, say, ``x64`` and ``ia32``.
    """
    key = machine.strip().lower()
    if key.startswith("armv") and key not in _ARCHES:
        key = "arm"
    names = _ARCHES.get(key)
    if names is None:
        return safe_token(key)
    name = names[0] if pointer_bits == 64 else names[1]
    if name.startswith("mips") and byteorder == "big":
        name = name.replace("el", "")
    return name


def uname() -> "tuple[str, str, str, str, str] | None":
    """``os.uname()`` as ``(sysname, nodename, release, version, machine)``, or None where it fails.

    The one reader of uname for the block and the report: Windows has none, and a start-up
    hook may have replaced it with anything. (``nodename`` is the host name: never print it.)
    """
    try:
        parts = tuple(str(part) for part in os.uname()[:5])
    except BaseException:  # even SystemExit or KeyboardInterrupt from a replaced uname
        return None
    if len(parts) != 5:
        return None
    return parts


_UNAME_FIELDS = ("sysname", "nodename", "release", "version", "machine")


def uname_field(field: str) -> str:
    """One field of :func:`uname` by name (``sysname``, ``release``, ``machine``), or ``""`` where there is none."""
    found = uname()
    return found[_UNAME_FIELDS.index(field)] if found is not None else ""


def pointer_bits() -> int:
    """The width of a pointer in this process, 64 or 32: what "64-bit Python" means."""
    return 64 if sys.maxsize > 2**32 else 32


def process_machine() -> str:
    """The machine name the running process sees: ``uname`` on POSIX, the banner on Windows.

    Under Rosetta 2, ``uname`` already answers ``x86_64`` to an x86-64 process.
    """
    if sys.platform.startswith("win") or sys.platform == "cli":
        return windows_machine(sys.version, dict(os.environ))
    return uname_field("machine")


def python_arch() -> str:
    """Node's ``process.arch`` word for this interpreter process."""
    return node_arch(process_machine(), pointer_bits(), sys.byteorder)


def _platform() -> str:
    return node_platform(sys.platform)


# The interpreter keys of the block, in order, each with its reader.
_READERS: "tuple[tuple[str, Callable[[], str]], ...]" = (
    (PYTHON_VERSION, python_version),
    (PYTHON_IMPLEMENTATION, python_implementation),
    (PYTHON_PLATFORM, _platform),
    (PYTHON_ARCH, python_arch),
)


def describe() -> "tuple[list[tuple[str, object]], list[tuple[str, BaseException]]]":
    """The interpreter keys of the block, in order, and the keys whose reader raised.

    Each is read on its own, so one a start-up hook broke costs only that value: a token
    becomes ``"unknown"``; a version that cannot be read is left out rather than made up.
    """
    pairs: "list[tuple[str, object]]" = []
    failed: "list[tuple[str, BaseException]]" = []
    for key, read in _READERS:
        try:
            pairs.append((key, read()))
        except BaseException as error:  # a hook's SystemExit too: it costs this key only
            failed.append((key, error))
            if key != PYTHON_VERSION:
                pairs.append((key, "unknown"))
    return pairs, failed
