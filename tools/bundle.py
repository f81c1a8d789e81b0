"""Build the folder the FastAPI extension copies into its VSIX, and a zip of it.

    python tools/bundle.py                     # build/bundle/ and build/probe-bundle-<version>.zip
    python tools/bundle.py --out DIR           # somewhere else
    python tools/bundle.py --root CHECKOUT     # from another checkout of the repository
    python tools/bundle.py --python PATH ...   # byte code from these interpreters only
    python tools/bundle.py --no-bytecode       # sources only

The folder holds ``probe/`` (every ``.py``, ``.json`` and ``LICENSE*`` file under it,
subpackages included), its byte code, the probe's own LICENSE, and a short README.txt; the
extension runs ``<python> -m probe`` with that folder as the working directory. Nothing else
is needed in the user's interpreter.

Byte code: every module is compiled by each interpreter found here (CPython 3.8-3.15 and
PyPy, in pyenv's folders, on PATH or fetched from Debian sid, as tests/pythons.py finds
them), run as its own process, into ``__pycache__/<module>.<cache tag>.pyc``, as PEP 552
checked-hash files. Python then loads them without writing anything, also from a read-only
folder, and a source that no longer matches its hash (someone edited it) is compiled again,
as without the file. An interpreter the build did not have compiles at first use, as it
would without byte code. The report (probe/report/) and the packaging it vendors
(probe/_vendor/), which only ``--report`` imports, ship as sources only: their byte code
was 60 % of the bundle, and a report compiles them in milliseconds. So does legacy.py,
which only 2.7/3.6/3.7 run, and no byte code is built for them.

Reproducible: the same sources and the same interpreters give the same bytes. Files are
taken in sorted order, line endings are written as LF whatever the checkout did, the byte
code holds a hash of the source instead of its time and a relative file name, and each
interpreter compiles in a fresh process (no site, ``PYTHONHASHSEED=0``, the same files in
the same order): marshal marks an object for back-references when its reference count is
above one, so what else that process holds shows in the bytes, and set constants follow
string hashes before 3.11. On PyPy, what its collector has freed shows too (whether a
string is written as interned), so the process collects before it marshals each module.
The zip's entries are stored (not deflated: zlib and zlib-ng compress differently) with
one timestamp, ``SOURCE_DATE_EPOCH`` or else the commit time of HEAD, and fixed
permissions. The folder's own files keep the time they were written.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
PACKAGE = "probe"
SUFFIXES = (".py", ".json")
LICENSE_PREFIX = "LICENSE"  # probe/_vendor/packaging/LICENSE*, which its licence asks to ship with it
LICENSE = "LICENSE"  # the probe's own, at the checkout's root and the bundle's
ZIP_EPOCH_MIN = 315532800  # 1980-01-01, the earliest time a zip entry can hold
FILE_MODE = 0o644
DIR_MODE = 0o755
CACHE_DIR = "__pycache__"
# Shipped without byte code: only --report imports them (see the module's docstring), and
# legacy.py runs only on 2.7/3.6/3.7, for which no byte code is built.
SOURCE_ONLY = ("probe/report/", "probe/_vendor/", "probe/legacy.py")
# The test suite's list of supported interpreters and its finder (standard library only).
PYTHONS_MODULE = REPO / "tests" / "pythons.py"

README = """\
probe {version}: the Python half of the FastAPI extension's telemetry context block.

Run it with the user's interpreter, with this folder as the working directory:

    <python> -m probe

It prints one line of JSON, the last line of stdout that starts with
{{"probe_schema_version":, and exits 0. `<python> -m probe --schema` prints the
JSON Schema of that line (probe/schema.json); `--report` a Markdown report for bug
reports; `--help` the rest. Standard library only; CPython 3.8+ and PyPy 3.9+
(older interpreters get a status of "unsupported_python").

{bytecode}

MIT license: see LICENSE. The vendored packaging (probe/_vendor/packaging/) has its
own licence files beside it. Built from the probe repository by tools/bundle.py.
"""

# Run by each interpreter: compile the given files (relative to the folder) to PEP 552
# checked-hash byte code in their __pycache__, under that interpreter's own cache tag: what
# py_compile writes with CHECKED_HASH, with a full collection between compile and marshal.
# PyPy's marshal writes a string as interned when an equal string is in its table of interned
# strings, which holds them weakly: whether one that only garbage still names (a module
# compiled before, the compiler's own temporaries) is there depends on when the collector last
# ran, so the bytes changed with the nursery size and the machine's load. After gc.collect()
# only strings reachable from live objects are there, the same ones every time.
COMPILE_SCRIPT = """\
import gc, importlib.util, marshal, os, sys
folder = sys.argv[1]
for name in sys.argv[2:]:
    source = os.path.join(folder, *name.split("/"))
    with open(source, "rb") as file:
        data = file.read()
    code = compile(data, name, "exec", dont_inherit=True)
    gc.collect()
    flags = (0b11).to_bytes(4, "little")  # hash-based, checked
    pyc = importlib.util.MAGIC_NUMBER + flags + importlib.util.source_hash(data) + marshal.dumps(code)
    target = importlib.util.cache_from_source(source)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as out:
        out.write(pyc)
"""
_QUERY = """\
import platform, sys
print(sys.implementation.cache_tag, sys.version_info >= (3, 8), platform.python_version())
"""


class Interpreter(NamedTuple):
    """An interpreter that compiles the bundle's byte code."""

    path: str
    tag: str  # sys.implementation.cache_tag: "cpython-312", "pypy39"
    version: str  # platform.python_version()


def read_version(root: Path) -> str:
    """``__version__`` from the package's ``__init__.py``, read as text."""
    text = (root / PACKAGE / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"$', text, re.MULTILINE)
    if found is None:
        raise SystemExit(f"bundle: no __version__ in {root / PACKAGE / '__init__.py'}")
    return found.group(1)


def ships(path: Path) -> bool:
    """A file the bundle carries: a module, a data file, or a license (a vendored package's must travel with it)."""
    return path.suffix in SUFFIXES or path.name.startswith(LICENSE_PREFIX)


def source_files(root: Path) -> list[Path]:
    """The package's files the bundle carries, sorted, subpackages included, no caches."""
    package = root / PACKAGE
    return sorted(
        path
        for path in package.rglob("*")
        if path.is_file() and ships(path) and CACHE_DIR not in path.relative_to(package).parts
    )


def normalized(data: bytes) -> bytes:
    """LF line endings, so a Windows checkout with autocrlf bundles the same bytes."""
    return data.replace(b"\r\n", b"\n")


def package_contents(root: Path) -> dict[str, bytes]:
    """The package's files, by their ``/``-separated path inside the bundle folder."""
    return {path.relative_to(root).as_posix(): normalized(path.read_bytes()) for path in source_files(root)}


def license_text(root: Path) -> bytes:
    """The probe's own LICENSE (MIT), which must travel with every copy; a checkout without it builds nothing."""
    path = root / LICENSE
    if not path.is_file():
        raise SystemExit(f"bundle: no {LICENSE} in {root}: the bundle must ship the probe's licence")
    return normalized(path.read_bytes())


def pythons() -> ModuleType:
    """tests/pythons.py: the interpreters the tests run, found as the tests find them (pyenv, then PATH)."""
    spec = importlib.util.spec_from_file_location("pythons", PYTHONS_MODULE)
    if spec is None or spec.loader is None:
        raise SystemExit(f"bundle: cannot load {PYTHONS_MODULE}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def supported_cpythons() -> list[str]:
    versions: list[str] = pythons().CPYTHONS
    return versions


def candidate_interpreters() -> list[str]:
    """Every supported interpreter here (CPython 3.8-3.15, PyPy 3.9-3.11), as the test suite finds them."""
    finder = pythons()
    found: list[str | None] = [finder.find_interpreter(version) for version in [*finder.SUPPORTED, "pypy3"]]
    return [python for python in found if python]


def query(python: str) -> Interpreter | None:
    """The interpreter's cache tag and version; None if it cannot run or is older than 3.8."""
    try:
        completed = subprocess.run(
            [python, "-S", "-c", _QUERY], capture_output=True, text=True, timeout=60, env=_compile_env()
        )
    except (OSError, subprocess.SubprocessError):
        return None
    words = completed.stdout.split()
    if completed.returncode != 0 or len(words) != 3 or words[1] != "True" or words[0] == "None":
        return None
    return Interpreter(python, words[0], words[2])


def find_interpreters(paths: list[str] | None = None) -> list[Interpreter]:
    """The interpreters to compile with (*paths*, or every one found), one per cache tag, sorted by tag."""
    by_tag: dict[str, Interpreter] = {}
    for python in candidate_interpreters() if paths is None else paths:
        found = query(python)
        if found is None:
            if paths is not None:
                raise SystemExit(f"bundle: {python} is not a Python 3.8 or newer that runs")
            continue
        by_tag.setdefault(found.tag, found)
    return sorted(by_tag.values(), key=_tag_order)


def _tag_order(interpreter: Interpreter) -> tuple[str, tuple[int, ...]]:
    implementation = interpreter.tag.rstrip("0123456789-")
    return implementation, tuple(int(part) for part in interpreter.version.split(".")[:2] if part.isdigit())


def _compile_env() -> dict[str, str]:
    """No PYTHON* variable of the caller's; a fixed hash seed, so set constants keep one order before 3.11."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env["PYTHONHASHSEED"] = "0"
    return env


def compile_with(interpreter: Interpreter, folder: Path, modules: list[str], **env: str) -> None:
    """Have *interpreter* compile *modules* (paths inside *folder*) into their ``__pycache__``.

    *env*: variables for the compiling process beyond its fixed few (a test's).
    """
    completed = subprocess.run(
        [interpreter.path, "-S", "-s", "-B", "-c", COMPILE_SCRIPT, str(folder), *modules],
        capture_output=True,
        text=True,
        env={**_compile_env(), **env},
    )
    if completed.returncode != 0:
        raise SystemExit(f"bundle: {interpreter.path} could not compile the probe:\n{completed.stderr}")


def compiled_contents(folder: Path, interpreters: list[Interpreter], modules: list[str]) -> dict[str, bytes]:
    """Every interpreter's byte code for *modules*, by path inside *folder*; each in its own process."""
    with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        list(pool.map(lambda interpreter: compile_with(interpreter, folder, modules), interpreters))
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob(f"{CACHE_DIR}/*.pyc"))
    }


def readme_text(version: str, interpreters: list[Interpreter]) -> str:
    if interpreters:
        tags = ", ".join(f"{found.tag} ({found.version})" for found in interpreters)
        bytecode = (
            f"Byte code (PEP 552 checked-hash .pyc, in probe/__pycache__/) for: {tags}.\n"
            "Other interpreters compile the modules at first use, and cache them only\n"
            "where this folder is writable. The report (probe/report/) and the packaging\n"
            "it vendors (probe/_vendor/), which only --report imports, have none:\n"
            "--report compiles them. Nor has probe/legacy.py, run only by Python 2.7,\n"
            "3.6 and 3.7."
        )
    else:
        bytecode = "No byte code: each interpreter compiles the modules at first use."
    return README.format(version=version, bytecode=bytecode)


def source_date_epoch(root: Path) -> int:
    """``SOURCE_DATE_EPOCH`` (reproducible-builds.org), else HEAD's commit time, else 1980."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value:
        return max(int(value), ZIP_EPOCH_MIN)
    try:
        completed = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%ct"],
            capture_output=True,
            text=True,
            check=True,
        )
        return max(int(completed.stdout.strip()), ZIP_EPOCH_MIN)
    except (OSError, ValueError, subprocess.CalledProcessError):
        return ZIP_EPOCH_MIN


def write_folder(contents: dict[str, bytes], folder: Path) -> None:
    """Replace *folder* with exactly *contents*."""
    if folder.exists():
        shutil.rmtree(folder)
    add_files(contents, folder)


def add_files(contents: dict[str, bytes], folder: Path) -> None:
    """Write *contents* into *folder*, with fixed permissions."""
    for name, data in contents.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(FILE_MODE)


def write_zip(contents: dict[str, bytes], archive: Path, epoch: int) -> None:
    """A zip whose bytes depend only on *contents* and *epoch*."""
    date_time = time.gmtime(epoch)[:6]
    directories = {
        "/".join(name.split("/")[:depth]) + "/" for name in contents for depth in range(1, name.count("/") + 1)
    }
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as out:
        for name in sorted([*directories, *contents]):
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.create_system = 3  # Unix, so the permissions below are read by unzip
            if name.endswith("/"):
                info.external_attr = (0o040000 | DIR_MODE) << 16 | 0x10
                out.writestr(info, b"")
            else:
                info.external_attr = (0o100000 | FILE_MODE) << 16
                out.writestr(info, contents[name])


class Bundle(NamedTuple):
    folder: Path
    archive: Path
    contents: dict[str, bytes]
    interpreters: list[Interpreter]


def build(root: Path, out: Path, interpreters: list[Interpreter] | None = None) -> Bundle:
    """Build ``out/bundle`` and ``out/probe-bundle-<version>.zip`` from the checkout at *root*.

    *interpreters* compile the byte code (default: every one found; ``[]`` for none).
    """
    if interpreters is None:
        interpreters = find_interpreters()
    version = read_version(root)
    folder = out / "bundle"
    archive = out / f"probe-bundle-{version}.zip"
    contents = package_contents(root)
    write_folder(contents, folder)
    modules = [name for name in contents if name.endswith(".py") and not name.startswith(SOURCE_ONLY)]
    contents.update(compiled_contents(folder, interpreters, modules))
    contents["README.txt"] = readme_text(version, interpreters).encode("ascii")
    contents[LICENSE] = license_text(root)
    contents = dict(sorted(contents.items()))
    write_folder(contents, folder)  # again, so every file has the fixed permissions
    write_zip(contents, archive, source_date_epoch(root))
    return Bundle(folder, archive, contents, interpreters)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "build", help="output folder (default: build/)")
    parser.add_argument("--root", type=Path, default=REPO, help="the checkout to bundle (default: this one)")
    parser.add_argument("--python", action="append", help="compile with this interpreter (repeatable; default: all)")
    parser.add_argument("--no-bytecode", action="store_true", help="ship the sources only")
    options = parser.parse_args(argv)
    interpreters = [] if options.no_bytecode else find_interpreters(options.python)
    bundle = build(options.root.resolve(), options.out.resolve(), interpreters)
    size = sum(len(data) for data in bundle.contents.values())
    digest = hashlib.sha256(bundle.archive.read_bytes()).hexdigest()
    tags = ", ".join(found.tag for found in bundle.interpreters) or "none"
    missing = [version for version in supported_cpythons() if f"cpython-{version.replace('.', '')}" not in tags]
    print(f"bundle: {bundle.folder} ({len(bundle.contents)} files, {size} bytes; byte code for {tags})")
    if missing and not options.no_bytecode:
        print(f"bundle: no byte code for CPython {', '.join(missing)}: not found here (they compile at first use)")
    print(f"bundle: {bundle.archive} ({bundle.archive.stat().st_size} bytes, sha256 {digest})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
