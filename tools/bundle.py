"""Build the folder the FastAPI extension copies into its VSIX, and a zip of it.

    python tools/bundle.py                   # build/bundle/ and build/probe-bundle-<version>.zip
    python tools/bundle.py --out DIR         # somewhere else
    python tools/bundle.py --root CHECKOUT   # from another checkout of the repository

The folder holds ``probe/`` (its ``.py`` files and ``schema.json``) and a short README.txt;
the extension runs ``<python> -m probe`` with that folder as the working directory. Nothing
else is needed in the user's interpreter.

Reproducible: the same sources give the same bytes. Files are taken in sorted order, line
endings are written as LF whatever the checkout did, and the zip's entries are stored (not
deflated: zlib and zlib-ng compress differently) with one timestamp, ``SOURCE_DATE_EPOCH``
or else the commit time of HEAD, and fixed permissions. The folder's own files keep the
time they were written: giving them an old fixed time could make Python trust a stale
``__pycache__`` left over from another build.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = "probe"
SUFFIXES = (".py", ".json")
LICENSE_PREFIX = "LICENSE"  # probe/_vendor/packaging/LICENSE*, which its licence asks to ship with it
ZIP_EPOCH_MIN = 315532800  # 1980-01-01, the earliest time a zip entry can hold
FILE_MODE = 0o644
DIR_MODE = 0o755

README = """\
probe {version}: the Python half of the FastAPI extension's telemetry context block.

Run it with the user's interpreter, with this folder as the working directory:

    <python> -m probe

It prints one line of JSON, the last line of stdout that starts with
{{"probe_schema_version":, and exits 0. `<python> -m probe --schema` prints the
JSON Schema of that line (probe/schema.json); `--report` a Markdown report for bug
reports; `--help` the rest. Standard library only; CPython 3.8+ and PyPy 3.9+
(older interpreters get a status of "unsupported_python").

MIT license. Built from the probe repository by tools/bundle.py.
"""


def read_version(root: Path) -> str:
    """``__version__`` from the package's ``__init__.py``, read as text."""
    text = (root / PACKAGE / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"$', text, re.MULTILINE)
    if found is None:
        raise SystemExit(f"bundle: no __version__ in {root / PACKAGE / '__init__.py'}")
    return found.group(1)


def source_files(root: Path) -> list[Path]:
    """The package's files the probe needs at run time, sorted: ``.py`` and ``.json``, in subpackages too
    (``probe/report/``), and the licences of vendored code; no caches."""
    package = root / PACKAGE
    return sorted(
        path
        for path in package.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and (path.suffix in SUFFIXES or path.name.startswith(LICENSE_PREFIX))
    )


def normalized(data: bytes) -> bytes:
    """LF line endings, so a Windows checkout with autocrlf bundles the same bytes."""
    return data.replace(b"\r\n", b"\n")


def bundle_contents(root: Path) -> dict[str, bytes]:
    """Every file of the bundle, by its ``/``-separated path inside the bundle folder."""
    package = root / PACKAGE
    contents = {
        f"{PACKAGE}/{path.relative_to(package).as_posix()}": normalized(path.read_bytes())
        for path in source_files(root)
    }
    contents["README.txt"] = README.format(version=read_version(root)).encode("ascii")
    return dict(sorted(contents.items()))


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
    for name, data in contents.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(FILE_MODE)


def write_zip(contents: dict[str, bytes], archive: Path, epoch: int) -> None:
    """A zip whose bytes depend only on *contents* and *epoch*."""
    date_time = time.gmtime(epoch)[:6]
    directories = sorted({name.rpartition("/")[0] + "/" for name in contents if "/" in name})
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


def build(root: Path, out: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """Build ``out/bundle`` and ``out/probe-bundle-<version>.zip`` from the checkout at *root*."""
    contents = bundle_contents(root)
    folder = out / "bundle"
    archive = out / f"probe-bundle-{read_version(root)}.zip"
    write_folder(contents, folder)
    write_zip(contents, archive, source_date_epoch(root))
    return folder, archive, contents


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "build", help="output folder (default: build/)")
    parser.add_argument("--root", type=Path, default=REPO, help="the checkout to bundle (default: this one)")
    options = parser.parse_args(argv)
    folder, archive, contents = build(options.root.resolve(), options.out.resolve())
    size = sum(len(data) for data in contents.values())
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    print(f"bundle: {folder} ({len(contents)} files, {size} bytes)")
    print(f"bundle: {archive} ({archive.stat().st_size} bytes, sha256 {digest})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
