"""The report's pure parsers, with the system's answers injected: OS names, architectures, the
interpreter's description, the environment and the hardware. In-process, no subprocess; the
same readers on this machine, and the whole report on real environments, are in tests/test_report.py."""

from __future__ import annotations

import plistlib

import pytest

from probe.report import architecture, environment, hardware, operating_system, python_build

# ---- operating system names -------------------------------------------------------------------

UBUNTU_2404 = """\
PRETTY_NAME="Ubuntu 24.04.1 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04.1 LTS (Noble Numbat)"
VERSION_CODENAME=noble
ID=ubuntu
ID_LIKE=debian
"""
DEBIAN_12 = """\
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
ID=debian
"""
FEDORA_40 = 'NAME="Fedora Linux"\nVERSION="40 (Workstation Edition)"\nID=fedora\nVERSION_ID=40\n'
ALPINE = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n'
ARCH = 'NAME="Arch Linux"\nPRETTY_NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\n'
QUOTED = '# a comment\nNAME=\'Single Quoted\'\nVERSION_ID="1 \\"x\\" \\\\ \\$y"\nnot a line\n'


@pytest.mark.parametrize(
    ("os_release", "kernel", "expected"),
    [
        (UBUNTU_2404, "6.8.0-45-generic", "Ubuntu 24.04 (Linux 6.8.0-45-generic)"),
        (DEBIAN_12, "6.1.0-26-amd64", "Debian GNU/Linux 12 (Linux 6.1.0-26-amd64)"),
        (FEDORA_40, "6.10.6-200.fc40.x86_64", "Fedora Linux 40 (Linux 6.10.6-200.fc40.x86_64)"),
        (ALPINE, "6.6.31-0-lts", "Alpine Linux 3.20.3 (Linux 6.6.31-0-lts)"),
        (ARCH, "6.10.10-arch1-1", "Arch Linux (Linux 6.10.10-arch1-1)"),
        (
            UBUNTU_2404,
            "5.15.153.1-microsoft-standard-WSL2",
            "Ubuntu 24.04 on WSL2 (Linux 5.15.153.1-microsoft-standard-wsl2)",
        ),
        (UBUNTU_2404, "4.4.0-19041-Microsoft", "Ubuntu 24.04 on WSL (Linux 4.4.0-19041-microsoft)"),
        (None, "6.8.0", "Linux (Linux 6.8.0)"),
        ("", "", "Linux"),
        (QUOTED, "6.8.0", 'Single Quoted 1 "x" \\ $y (Linux 6.8.0)'),
    ],
)
def test_linux_name(os_release: str | None, kernel: str, expected: str) -> None:
    assert operating_system.linux_name(os_release, kernel) == expected


def plist(**fields: str) -> bytes:
    return plistlib.dumps({"ProductBuildVersion": "24D60", **fields})


@pytest.mark.parametrize(
    ("data", "darwin", "expected"),
    [
        (plist(ProductName="macOS", ProductVersion="15.3"), "24.3.0", "macOS 15.3"),
        (plist(ProductName="macOS", ProductVersion="14.7.1"), "23.6.0", "macOS 14.7.1"),
        (plist(ProductName="Mac OS X", ProductVersion="10.15.7"), "19.6.0", "Mac OS X 10.15.7"),
        # An old-SDK process is shown 10.16 (Apple's shim); the kernel tells the truth.
        (plist(ProductName="Mac OS X", ProductVersion="10.16"), "24.3.0", "macOS 15 (Darwin 24.3.0)"),
        (plist(ProductName="macOS", ProductVersion="10.16"), "20.6.0", "macOS 11 (Darwin 20.6.0)"),
        (None, "25.0.0", "macOS 26 (Darwin 25.0.0)"),
        (b"<plist>damaged", "23.1.0", "macOS 14 (Darwin 23.1.0)"),
        (None, "", "macOS (Darwin unknown)"),
    ],
)
def test_macos_name(data: bytes | None, darwin: str, expected: str) -> None:
    assert operating_system.macos_name(data, darwin) == expected


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ((10, 0, 22631, 1), "Windows 11 (build 22631)"),
        ((10, 0, 26100, 1), "Windows 11 (build 26100)"),
        ((10, 0, 22000, 1), "Windows 11 (build 22000)"),
        ((10, 0, 21999, 1), "Windows 10 (build 21999)"),
        ((10, 0, 19045, 1), "Windows 10 (build 19045)"),
        ((6, 3, 9600, 1), "Windows 8.1 (build 9600)"),
        ((6, 1, 7601, 1), "Windows 7 (build 7601)"),
        ((10, 0, 20348, 3), "Windows Server 2022 (build 20348)"),
        ((10, 0, 17763, 2), "Windows Server 2019 (build 17763)"),
        ((10, 0, 26100, 3), "Windows Server 2025 (build 26100)"),
        ((6, 3, 9600, 3), "Windows Server 6.3 (build 9600)"),
    ],
)
def test_windows_name(version: tuple[int, int, int, int], expected: str) -> None:
    assert operating_system.windows_name(*version) == expected


# ---- architecture ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("native", "environ", "expected"),
    [
        (0xAA64, {"PROCESSOR_ARCHITECTURE": "AMD64"}, "arm64"),  # x64 Python emulated on Windows on Arm
        (0x8664, {"PROCESSOR_ARCHITECTURE": "x86", "PROCESSOR_ARCHITEW6432": "AMD64"}, "x64"),
        (None, {"PROCESSOR_ARCHITECTURE": "x86", "PROCESSOR_ARCHITEW6432": "AMD64"}, "x64"),  # WOW64
        (None, {"PROCESSOR_ARCHITECTURE": "x86"}, "ia32"),
        (None, {"PROCESSOR_ARCHITECTURE": "ARM64"}, "arm64"),
        (None, {}, "unknown"),
    ],
)
def test_windows_machine_arch(native: int | None, environ: dict[str, str], expected: str) -> None:
    assert architecture.windows_machine_arch(native, environ) == expected


@pytest.mark.parametrize(
    ("interpreter", "machine", "expected"),
    [
        ("x64", "x64", "x64 (interpreter and machine)"),
        ("ia32", "x64", "ia32 interpreter on an x64 machine (a 32-bit interpreter on a 64-bit system)"),
        ("arm", "arm64", "arm interpreter on an arm64 machine (a 32-bit interpreter on a 64-bit system)"),
        ("x64", "arm64", "x64 interpreter on an arm64 machine (the interpreter runs under emulation)"),
        ("x64", "unknown", "x64 (interpreter and machine)"),
    ],
)
def test_describe_architecture(interpreter: str, machine: str, expected: str) -> None:
    assert architecture.describe_architecture(interpreter, machine) == expected


# ---- interpreter, environment, hardware -------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("3.12.1", "cpython", None, 64, False, None, False), "3.12.1 (CPython, 64-bit)"),
        (("3.9.16", "pypy", "7.3.11", 64, False, None, False), "3.9.16 (PyPy 7.3.11, 64-bit)"),
        (
            ("3.13.0", "cpython", None, 64, True, False, False),
            "3.13.0 (CPython, free-threaded build, GIL disabled, 64-bit)",
        ),
        (
            ("3.13.1", "cpython", None, 64, True, True, True),
            "3.13.1 (CPython, free-threaded build, GIL enabled at run time, debug build, 64-bit)",
        ),
        (("3.8.10", "cpython", None, 32, False, None, False), "3.8.10 (CPython, 32-bit)"),
        (("3.11.7", "graalpy", None, 64, False, None, False), "3.11.7 (GraalPy, 64-bit)"),
    ],
)
def test_describe_python(args: tuple[object, ...], expected: str) -> None:
    assert python_build.describe_python(*args) == expected  # type: ignore[arg-type]


UV_CFG = "home = /opt/python/bin\nimplementation = CPython\nuv = 0.5.11\nversion_info = 3.12.8\n"
VIRTUALENV_CFG = "home = /usr/bin\nimplementation = CPython\nversion_info = 3.11.2.final.0\nvirtualenv = 20.26.6\n"
VENV_CFG = "home = /usr/local/bin\ninclude-system-site-packages = false\nversion = 3.12.1\n"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"prefix": "/home/a/app/.venv", "base_prefix": "/home/a/.pyenv/versions/3.12.1", "pyvenv_cfg": UV_CFG},
            "virtual environment (created by uv 0.5.11, a project's .venv); interpreter from pyenv",
        ),
        (
            {
                "prefix": "/home/a/.cache/pypoetry/virtualenvs/app-x-py3.11",
                "base_prefix": "/usr",
                "pyvenv_cfg": VIRTUALENV_CFG,
                "externally_managed": True,
            },
            "virtual environment (created by virtualenv 20.26.6, managed by Poetry); "
            "interpreter from the operating system (externally managed)",
        ),
        (
            {"prefix": "/srv/env", "base_prefix": "/usr/local", "pyvenv_cfg": VENV_CFG},
            "virtual environment (venv); interpreter from a local installation",
        ),
        (
            {"prefix": "/home/a/miniforge3/envs/web", "base_prefix": "/home/a/miniforge3/envs/web", "is_conda": True},
            "conda environment",
        ),
        (
            {"prefix": "/usr", "base_prefix": "/usr", "externally_managed": True},
            "no virtual environment; interpreter from the operating system (externally managed)",
        ),
        (
            {
                "prefix": "C:\\Users\\a\\projects\\web\\env",
                "base_prefix": "C:\\Program Files\\WindowsApps\\PythonSoftwareFoundation.Python.3.12_3.12.2544.0_x64",
            },
            "virtual environment (venv); interpreter from Microsoft Store",
        ),
        (
            {
                "prefix": "C:\\hostedtoolcache\\windows\\Python\\3.12.7\\x64",
                "base_prefix": "C:\\hostedtoolcache\\windows\\Python\\3.12.7\\x64",
            },
            "no virtual environment; interpreter from actions/setup-python",
        ),
        (
            {
                "prefix": "/x/app/venv",
                "base_prefix": "/home/a/.local/share/uv/python/cpython-3.12.8-linux-x86_64-gnu",
                "pyvenv_cfg": UV_CFG,
            },
            "virtual environment (created by uv 0.5.11); interpreter from uv (managed Python)",
        ),
        (
            {
                "prefix": "/opt/homebrew/Cellar/python@3.12/3.12.8/Frameworks/Python.framework/Versions/3.12",
                "base_prefix": "/opt/homebrew/Cellar/python@3.12/3.12.8/Frameworks/Python.framework/Versions/3.12",
            },
            "no virtual environment; interpreter from Homebrew",
        ),
        (
            {"prefix": "/x/env", "base_prefix": "/home/a/miniconda3", "pyvenv_cfg": VENV_CFG, "base_is_conda": True},
            "virtual environment (venv); interpreter from conda",
        ),
        (
            {"prefix": "/x/old-env", "base_prefix": "/usr", "legacy_virtualenv": True},
            "virtual environment (virtualenv before 20); interpreter from the operating system",
        ),
    ],
)
def test_environment_facts(kwargs: dict[str, object], expected: str) -> None:
    defaults = {"pyvenv_cfg": None, "is_conda": False, "base_is_conda": False, "externally_managed": False}
    assert environment.environment_facts(**{**defaults, **kwargs})["summary"] == expected  # type: ignore[arg-type]


def test_describe_hardware() -> None:
    assert (
        hardware.describe_hardware(8, 4, 16 * 1024**3, "6.1.0") == "8 CPUs (4 physical), 16.0 GiB memory (psutil 6.1.0)"
    )
    assert hardware.describe_hardware(2, 2, None, "7.0.0") == "2 CPUs, unknown memory (psutil 7.0.0)"
