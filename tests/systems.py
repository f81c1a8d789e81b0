"""What other systems answer: the interpreter banner, ``PROCESSOR_*`` variables and ``uname``
of Windows, macOS and Linux machines this one cannot be, for tests that inject them.

Standard library only: the unit tier (in-process) and the host tier (a child interpreter that
proves no slow path is taken) read the same tables.
"""

from __future__ import annotations

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
