"""The interpreter's architecture and the machine's, which an emulated or 32-bit interpreter does not share.

In Node's ``process.arch`` words, as the block names the interpreter's. The machine's comes
from ``IsWow64Process2`` on Windows, ``sysctl.proc_translated`` (Rosetta 2) on macOS and
``uname`` elsewhere; each call answers at once, and a failed one falls back to what the
process itself sees.
"""

import os
import sys

from probe.files import import_stdlib
from probe.interpreter import node_arch, python_arch, uname_field

TYPE_CHECKING = False  # typing is not imported at run time; type checkers treat this as True
if TYPE_CHECKING:
    from typing import Mapping

# IMAGE_FILE_MACHINE_* values that IsWow64Process2 reports for the native machine.
WINDOWS_MACHINES = {0x014C: "ia32", 0x8664: "x64", 0xAA64: "arm64", 0x01C4: "arm"}
# Node's name of a 32-bit architecture -> its 64-bit sibling, which runs its programs natively.
SIXTY_FOUR_BIT_SIBLING = {
    "ia32": "x64",
    "arm": "arm64",
    "ppc": "ppc64",
    "s390": "s390x",
    "riscv32": "riscv64",
    "mipsel": "mips64el",
}


def windows_machine_arch(native_machine: "int | None", environ: "Mapping[str, str]") -> str:
    """The machine's architecture in Node's words, from IsWow64Process2's native machine.

    Without that call (before Windows 10 1709), ``PROCESSOR_ARCHITEW6432`` names the machine
    to a WOW64 process and ``PROCESSOR_ARCHITECTURE`` to a native one.
    """
    if native_machine in WINDOWS_MACHINES:
        return WINDOWS_MACHINES[native_machine]
    name = environ.get("PROCESSOR_ARCHITEW6432") or environ.get("PROCESSOR_ARCHITECTURE") or ""
    return node_arch(name, 64)


def describe_architecture(interpreter: str, machine: str) -> str:
    """``x64 (interpreter and machine)`` when they agree; otherwise both, and why they can differ."""
    if interpreter == machine or machine == "unknown":
        return f"{interpreter} (interpreter and machine)"
    if SIXTY_FOUR_BIT_SIBLING.get(interpreter) == machine:
        why = "a 32-bit interpreter on a 64-bit system"
    else:
        why = "the interpreter runs under emulation"
    return f"{interpreter} interpreter on an {machine} machine ({why})"


def _windows_native_machine() -> "int | None":
    ctypes = import_stdlib("ctypes")
    kernel32 = ctypes.WinDLL("kernel32")
    function = getattr(kernel32, "IsWow64Process2", None)
    if function is None:
        return None
    kernel32.GetCurrentProcess.restype = ctypes.c_void_p
    process = ctypes.c_ushort()
    native = ctypes.c_ushort()
    function.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    if not function(kernel32.GetCurrentProcess(), ctypes.byref(process), ctypes.byref(native)):
        return None
    return int(native.value)


def _darwin_translated() -> bool:
    """Whether Rosetta 2 translates this process (``sysctl.proc_translated``; absent on Intel Macs)."""
    ctypes = import_stdlib("ctypes")
    sysctlbyname = ctypes.CDLL(None).sysctlbyname
    sysctlbyname.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
    sysctlbyname.restype = ctypes.c_int
    value = ctypes.c_int(0)
    size = ctypes.c_size_t(ctypes.sizeof(value))
    found = sysctlbyname(b"sysctl.proc_translated", ctypes.byref(value), ctypes.byref(size), None, 0)
    return bool(found == 0 and value.value == 1)


def machine_arch() -> str:
    """The architecture of the machine, ``unknown`` when the system does not say."""
    platform = sys.platform  # a plain variable: type checkers would prune the other systems' branches
    if platform == "win32":
        try:
            native = _windows_native_machine()
        except Exception:
            native = None
        return windows_machine_arch(native, os.environ)
    machine = uname_field("machine")
    if not machine:
        return "unknown"
    if platform == "darwin":
        try:
            if _darwin_translated():
                return "arm64"
        except Exception:  # no sysctlbyname to ask: take uname's word
            pass
    return node_arch(machine, 64)


def architectures() -> "dict[str, str]":
    """The interpreter's and the machine's architecture, and the sentence that puts them together."""
    interpreter, machine = python_arch(), machine_arch()
    return {"interpreter": interpreter, "machine": machine, "summary": describe_architecture(interpreter, machine)}
