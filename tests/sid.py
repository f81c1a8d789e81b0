"""Debian sid's CPython 3.14 and 3.15 and PyPy, unpacked into the cache and made to start on their own.

Debian 12 has none of them; sid has all three. The packages come with ``apt-get download``
through a private apt state under the cache: its own sources list (the Debian mirror this
machine's apt already uses, suite ``sid``), its own package lists, nothing installed, no
system file changed. ``dpkg -x`` unpacks them into one folder, with sid's C library, which
sid's binaries need. A venv (uv's, nox's) links to the interpreter and runs it by its own
path, so the interpreter must start without a wrapper: ``patchelf`` (from sid as well, run
through sid's loader) points each executable at the unpacked loader (``PT_INTERP``) and
libraries (``DT_RPATH``, which also covers the libraries and extension modules it loads).
Started so, the interpreter finds its standard library from its own location, as an
installed one does: no ``PYTHONHOME``.

The first run downloads about 34 MB; later runs find the folder complete and download
nothing. Standard library only: ``noxfile.py`` runs :func:`fetch` before nox looks for the
interpreters, and tests/pythons.py finds them in :func:`bin_dir`.
"""

from __future__ import annotations

import contextlib
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator

SUITE = "sid"
# Used when this machine's apt names no Debian mirror (another distribution's apt).
DEFAULT_MIRROR = "http://deb.debian.org/debian"
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
# python3.X itself only adds pydoc and desktop files: the -minimal package holds the
# executable, libpython3.X-stdlib the rest of the standard library (ensurepip excepted: venvs
# come from uv). Then what their executables and extension modules link, and patchelf.
PACKAGES = (
    "python3.14-minimal",
    "libpython3.14-minimal",
    "libpython3.14-stdlib",
    "python3.15-minimal",
    "libpython3.15-minimal",
    "libpython3.15-stdlib",
    "pypy3",
    "pypy3-lib",
    "libc6",
    "libgcc-s1",
    "libstdc++6",
    "zlib1g",
    "libexpat1",
    "libffi8",
    "libssl3t64",
    "libbz2-1.0",
    "liblzma5",
    "libzstd1",
    "libsqlite3-0",
    "libncursesw6",
    "libtinfo6",
    "libreadline8t64",
    "libuuid1",
    "libdb5.3t64",
    "libgdbm6t64",
    "libmpdec4",
    "patchelf",
)
LIBRARIES = "usr/lib/x86_64-linux-gnu"
LOADER = f"{LIBRARIES}/ld-linux-x86-64.so.2"
# The interpreters' executables (files, not links) in the unpacked usr/bin.
EXECUTABLE = re.compile(r"^(python3\.\d+|pypy3\.\d+)$")


class FetchError(Exception):
    """A step of the fetch failed; the message says which and what it printed."""


def available() -> bool:
    """Whether this machine can fetch them: x86-64 Linux with apt-get and dpkg."""
    machine_ok = sys.platform == "linux" and platform.machine() == "x86_64"
    return machine_ok and bool(shutil.which("apt-get")) and bool(shutil.which("dpkg"))


def bin_dir(home: Path) -> Path:
    """The folder of the interpreters (``python3.14``, ``python3.15``, ``pypy3.11``), once fetched.

    Their own ``usr/bin``, not links elsewhere: a venv records the folder it was made from as
    ``home``, and a copied interpreter (``venv --copies``) finds its standard library from there.
    """
    return home / "root" / "usr" / "bin"


def parse_mirrors(text: str) -> list[str]:
    """The URIs of Debian's main archive in an apt sources file, one-line (``deb URI suite``) or deb822 (``URIs:``)."""
    uris: list[str] = []
    for line in text.splitlines():
        words = re.sub(r"\[[^\]]*\]", " ", line.split("#", 1)[0]).split()
        if words[:1] == ["deb"] and len(words) > 1:
            uris.append(words[1])
        elif words[:1] == ["URIs:"]:
            uris += words[1:]
    return [uri.rstrip("/") for uri in uris if uri.rstrip("/").endswith("/debian")]


def mirror() -> str:
    """The Debian mirror this machine's apt uses (so that the fetch reaches what apt reaches)."""
    sources = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for path in sources:
        if path.suffix in (".list", ".sources") and path.is_file():
            found = parse_mirrors(path.read_text(encoding="utf-8", errors="replace"))
            if found:
                return found[0]
    return DEFAULT_MIRROR


def _apt(home: Path) -> list[str]:
    """apt-get with a private state under *home*: sid's lists only, none of this machine's sources or pins."""
    state = home / "apt"
    for folder in (state / "lists" / "partial", state / "cache" / "archives" / "partial", state / "etc" / "parts"):
        folder.mkdir(parents=True, exist_ok=True)
    sources = state / "etc" / "sources.list"
    sources.write_text(f"deb [signed-by={KEYRING}] {mirror()} {SUITE} main\n", encoding="utf-8")
    return [
        "apt-get",
        f"-o=Dir::State::Lists={state / 'lists'}",
        f"-o=Dir::Cache={state / 'cache'}",
        f"-o=Dir::Etc::SourceList={sources}",
        f"-o=Dir::Etc::SourceParts={state / 'etc' / 'parts'}",
        f"-o=Dir::Etc::Preferences={state / 'etc' / 'preferences'}",
        f"-o=Dir::Etc::PreferencesParts={state / 'etc' / 'parts'}",
        "-o=APT::Architectures::=amd64",
        "-o=Debug::NoLocking=1",
        "-qq",
    ]


def _run(args: list[str], cwd: Path | None = None) -> None:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive", LC_ALL="C")
    completed = subprocess.run(
        args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900
    )
    if completed.returncode != 0:
        raise FetchError(f"{' '.join(args)} failed:\n{completed.stdout}{completed.stderr}")


def _download(home: Path) -> Path:
    """The .deb files, downloaded once; the lists are fetched (again) only when a download needs them."""
    folder = home / "debs"
    done = folder / ".complete"
    if done.exists() and done.read_text(encoding="utf-8").split() == list(PACKAGES):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    apt = _apt(home)
    if not any((home / "apt" / "lists").glob("*Packages*")):
        _run([*apt, "update"])
    try:
        _run([*apt, "download", *PACKAGES], cwd=folder)
    except FetchError:  # lists older than the archive name versions sid has dropped
        _run([*apt, "update"])
        _run([*apt, "download", *PACKAGES], cwd=folder)
    done.write_text("\n".join(PACKAGES) + "\n", encoding="utf-8")
    return folder


def _patch(root: Path, tools: Path) -> None:
    """Point each interpreter's executable at the unpacked loader and libraries."""
    libraries, loader = str(root / LIBRARIES), str(root / LOADER)
    patchelf = [loader, "--library-path", libraries, str(tools / "usr" / "bin" / "patchelf")]
    executables = sorted(
        path for path in (root / "usr" / "bin").iterdir() if EXECUTABLE.match(path.name) and not path.is_symlink()
    )
    for executable in executables:
        # Two calls, the search path first: patchelf 0.18 setting both at once, or the loader
        # first, writes a python3.14 (a non-PIE executable) that crashes at start.
        # --force-rpath writes DT_RPATH, which (unlike RUNPATH, PyPy's "$ORIGIN/") also applies
        # to the libraries the executable loads, such as libpypy3.11-c.so and libssl.
        _run([*patchelf, "--force-rpath", "--set-rpath", libraries, str(executable)])
        _run([*patchelf, "--set-interpreter", loader, str(executable)])
        _run([str(executable), "-c", "import ssl, sqlite3, ctypes, decimal"])


@contextlib.contextmanager
def _locked(home: Path) -> Iterator[None]:
    """One fetch at a time per cache (parallel nox runs share it)."""
    import fcntl  # POSIX only, as is the rest of this module's work

    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def fetch(home: Path) -> Path:
    """Download, unpack and patch the interpreters into *home* unless done there already; their :func:`bin_dir`.

    The unpacked folder records the path it was patched for (the executables hold it): a
    cache moved elsewhere is unpacked again, from the .deb files it keeps.
    """
    home = home.resolve()
    root, tools = home / "root", home / "tools"
    stamp = root / ".complete"
    if stamp.exists() and stamp.read_text(encoding="utf-8") == str(root):
        return bin_dir(home)
    with _locked(home):
        if stamp.exists() and stamp.read_text(encoding="utf-8") == str(root):
            return bin_dir(home)
        debs = _download(home)
        for folder in (root, tools):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        for deb in sorted(debs.glob("*.deb")):
            # patchelf apart, so that the interpreters' usr/bin (on PATH) holds only their own.
            _run(["dpkg", "-x", str(deb), str(tools if deb.name.startswith("patchelf_") else root)])
        _patch(root, tools)
        stamp.write_text(str(root), encoding="utf-8")
    return bin_dir(home)


if __name__ == "__main__":
    print(fetch(Path(sys.argv[1])))
