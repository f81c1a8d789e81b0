"""The answer for interpreters the probe does not support (2.7, 3.6, 3.7): the head, status ``unsupported_python``.

Parses and runs on Python 2.7 and imports nothing of the probe but its version: the rest
of the probe is 3.8+ code. It repeats the few lines of :mod:`probe.interpreter`,
:mod:`probe.keys` and :mod:`probe.output` it needs; ``tests/unit`` holds the copies to
the originals. Product keys are left out rather than set to null: unknown is not "not installed".
It keeps the framing rule; of the start-up hooks, it survives those that print or raise
an ``Exception`` (see CONTRIBUTING.md, "Threat model").
"""

import os
import sys

from probe import SCHEMA_VERSION, __version__

# probe.keys.HEAD_KEYS, with probe.keys.STATUS_UNSUPPORTED.
HEAD_KEYS = (
    "probe_schema_version",
    "probe_version",
    "probe_status",
    "python_version",
    "python_implementation",
    "python_platform",
    "python_arch",
)
STATUS_UNSUPPORTED = "unsupported_python"

# probe.interpreter's tables, as far as an interpreter older than 3.8 can need them.
PLATFORMS = (
    ("win32", "win32"),
    ("cygwin", "cygwin"),
    ("msys", "cygwin"),
    ("darwin", "darwin"),
    ("linux", "linux"),
    ("freebsd", "freebsd"),
    ("openbsd", "openbsd"),
    ("netbsd", "netbsd"),
    ("sunos", "sunos"),
    ("aix", "aix"),
)
ARCHES = {
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

# The write's system calls, from the interpreter's own module (a hook may replace os's).
_system = sys.modules.get("posix") or sys.modules.get("nt") or os
_OWN_STDOUT = []  # type: list[int]


def token(text, limit=32):
    # type: (str, int) -> str
    kept = "".join(char for char in text.lower() if char in _SAFE)
    return kept[:limit] or "unknown"


def python_version():
    # type: () -> str
    info = sys.version_info
    suffix = {"alpha": "a", "beta": "b", "candidate": "rc"}.get(info.releaselevel)
    return "%d.%d.%d" % (info.major, info.minor, info.micro) + ("%s%d" % (suffix, info.serial) if suffix else "")


def python_implementation():
    # type: () -> str
    implementation = getattr(sys, "implementation", None)  # missing on 2.7
    if implementation is not None:
        return token(implementation.name)
    if "__pypy__" in sys.builtin_module_names:
        return "pypy"
    return "jython" if sys.platform.startswith("java") else "cpython"


def python_platform():
    # type: () -> str
    for prefix, name in PLATFORMS:
        if sys.platform.startswith(prefix):
            return name
    return token(sys.platform.rstrip("0123456789"))


def python_arch():
    # type: () -> str
    if sys.platform.startswith("win"):
        banner = sys.version  # "... [MSC v.1500 64 bit (AMD64)]"
        start = banner.rfind(" bit (")
        end = banner.find(")", start)
        machine = banner[start + 6 : end] if start != -1 and end != -1 else os.environ.get("PROCESSOR_ARCHITECTURE", "")
    else:
        machine = str(os.uname()[4])
    key = machine.strip().lower()
    if key.startswith("armv") and key not in ARCHES:
        key = "arm"
    names = ARCHES.get(key)
    if names is None:
        return token(key)
    name = names[0] if sys.maxsize > 2**32 else names[1]
    return name.replace("el", "") if name.startswith("mips") and sys.byteorder == "big" else name


def head():
    # type: () -> list[tuple[str, object]]
    """The keys every block starts with; an interpreter token that cannot be read is ``unknown``."""
    pairs = list(zip(HEAD_KEYS, (SCHEMA_VERSION, __version__, STATUS_UNSUPPORTED)))  # type: list[tuple[str, object]]
    for key, read in zip(HEAD_KEYS[3:], (python_version, python_implementation, python_platform, python_arch)):
        try:
            pairs.append((key, read()))
        except Exception:  # a version nothing can read is left out rather than made up
            if key != "python_version":
                pairs.append((key, "unknown"))
    return pairs


def encode(pairs, pretty=False):
    # type: (list[tuple[str, object]], bool) -> str
    """The block's JSON: its values are ints and tokens, which need no escaping."""
    colon = ": " if pretty else ":"
    members = ['"%s"%s%s' % (key, colon, value if isinstance(value, int) else '"%s"' % value) for key, value in pairs]
    return "{\n  " + ",\n  ".join(members) + "\n}" if pretty else "{" + ",".join(members) + "}"


def write_stdout(text):
    # type: (str) -> None
    """Write *text* after whatever start-up hooks printed, to a copy of stdout no later print can follow."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    fd = 1
    try:
        fd = _system.dup(1)
        write_end = _system.pipe()[1]  # the read end stays open, so hooks' late writes succeed quietly
        _system.dup2(write_end, 1)
        _system.close(write_end)
    except OSError:
        pass
    _OWN_STDOUT.append(fd)
    data = text.encode("ascii", "backslashreplace")
    while data:
        try:
            data = data[_system.write(fd, data) :]
        except OSError:
            return


def main(argv):
    # type: (list[str]) -> int
    if "--version" in argv or "-V" in argv:
        write_stdout("probe %s\n" % __version__)
    elif "--pretty" in argv:
        write_stdout(encode(head(), pretty=True) + "\n")
    else:
        write_stdout("\n" + encode(head()) + "\n")  # after a newline: the framing rule
    return 0


def exit_now(code):
    # type: (int) -> None
    """End the process now: no ``atexit`` handler or thread a hook started can print after the block."""
    for fd in _OWN_STDOUT + [1, 2]:
        try:
            _system.close(fd)
        except OSError:
            pass
    _system._exit(code)
