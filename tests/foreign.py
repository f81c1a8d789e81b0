"""Debian's CPython 3.11 for i386 and arm64, unpacked into the cache and started through its own loader.

The packages come from Debian's archive with ``apt-get download``, through a private apt
state under the cache (its own package lists, with the two architectures added there), so
nothing on the machine changes: no ``dpkg --add-architecture``, no install. ``dpkg -x``
unpacks them into one folder per architecture, and the interpreter is started as
``<loader> --library-path <its libraries> usr/bin/python3.11`` with ``PYTHONHOME``; the
arm64 one under ``qemu-aarch64-static``. The first run downloads about 20 MB; later runs
find the folders there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from envs import ToolError, run_tool, tool_env
from support import CACHE, ROOT, clean_env
from target_oracle import run_captured

HOME = CACHE / "foreign"
VERSION = "3.11"
PACKAGES = (
    "python3.11-minimal",
    "libpython3.11-minimal",
    "libpython3.11-stdlib",
    "libc6",
    "zlib1g",
    "libexpat1",
    "libffi8",
    "libssl3",
)


@dataclass(frozen=True)
class Arch:
    debian: str  # Debian's architecture name
    node: str  # what the block must call the interpreter (Node's process.arch)
    triplet: str  # the multiarch folder of its libraries
    loader: str  # the dynamic loader, relative to the unpacked root
    emulator: str | None  # what runs it on this x86-64 machine
    # The target uv resolves wheels for: uv has no i686 Linux target, and the tests install
    # pure-Python wheels only, whose markers do not depend on the machine.
    platform: str


ARCHES = {
    "i386": Arch("i386", "ia32", "i386-linux-gnu", "lib/ld-linux.so.2", None, "linux"),
    "arm64": Arch(
        "arm64",
        "arm64",
        "aarch64-linux-gnu",
        "lib/ld-linux-aarch64.so.1",
        "qemu-aarch64-static",
        "aarch64-unknown-linux-gnu",
    ),
}


TOOLS = {"apt-get": "apt", "dpkg": "dpkg", "qemu-aarch64-static": "qemu-user-static"}


def _apt_options() -> list[str]:
    """apt-get with a private state under the cache, which knows the foreign architectures."""
    state = HOME / "apt"
    for folder in (state / "lists" / "partial", state / "cache" / "archives" / "partial"):
        folder.mkdir(parents=True, exist_ok=True)
    return [
        f"-o=Dir::State::Lists={state / 'lists'}",
        f"-o=Dir::Cache={state / 'cache'}",
        "-o=APT::Architectures::=amd64",
        *(f"-o=APT::Architectures::={arch}" for arch in ARCHES),
        "-o=Debug::NoLocking=1",
        "-qq",
    ]


def _debs(arch: Arch) -> list[Path]:
    """The architecture's .deb files, downloaded once (a private ``apt-get update`` first, once)."""
    folder = HOME / "debs" / arch.debian
    done = folder / ".complete"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        if not any((HOME / "apt" / "lists").glob("*Packages*")):
            run_tool(["apt-get", *_apt_options(), "update"], env=tool_env(DEBIAN_FRONTEND="noninteractive"))
        packages = [f"{name}:{arch.debian}" for name in PACKAGES]
        completed = subprocess.run(
            ["apt-get", *_apt_options(), "download", *packages],
            cwd=folder,
            env=tool_env(DEBIAN_FRONTEND="noninteractive"),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0:
            raise ToolError(f"apt-get download failed:\n{completed.stdout}\n{completed.stderr}")
        done.write_text("\n".join(packages) + "\n", encoding="utf-8")
    return sorted(folder.glob("*.deb"))


def root(arch: Arch) -> Path:
    """The folder the architecture's packages are unpacked into (``dpkg -x``), made once."""
    folder = HOME / "root" / arch.debian
    if (folder / "usr" / "bin" / "python3.11").exists():
        return folder
    staging = folder.with_name(folder.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for deb in _debs(arch):
        run_tool(["dpkg", "-x", str(deb), str(staging)])
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(staging, folder)
    return folder


def command(arch: Arch) -> list[str]:
    """The command line that starts the architecture's interpreter, through its own loader."""
    base = root(arch)
    libraries = [str(base / "lib" / arch.triplet), str(base / "usr" / "lib" / arch.triplet)]
    start = [str(base / arch.loader), "--library-path", os.pathsep.join(libraries), str(base / "usr/bin/python3.11")]
    return ([arch.emulator] if arch.emulator else []) + start


def env(arch: Arch, **extra: str) -> dict[str, str]:
    return clean_env(PYTHONHOME=str(root(arch) / "usr"), **extra)


def run(arch: Arch, *args: str, cwd: str | os.PathLike[str] = ROOT, **extra: str) -> subprocess.CompletedProcess[str]:
    """``python3.11 ARGS`` on *arch*, with /dev/null as stdin."""
    return run_captured([*command(arch), *args], env=env(arch, **extra), cwd=cwd, timeout=300)
