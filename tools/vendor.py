"""Re-create ``probe/_vendor/packaging/`` from the pinned packaging wheel on PyPI.

    python tools/vendor.py                 # download the pinned wheel (pip), check it, unpack it
    python tools/vendor.py --wheel FILE    # from a wheel already downloaded (its sha256 is checked)
    python tools/vendor.py --check         # exit 1 if probe/_vendor/packaging/ is not what this gives

``python -m probe --report`` checks each product's requirements (PEP 508 markers, PEP 440
specifiers) with packaging; the block never imports it. The wheel's modules are copied
byte for byte, with the wheel's licence files beside them. Two modules are left out, as
nothing the report imports reaches them and they would double the bundle's size:
``metadata.py`` (the core-metadata parser) and ``licenses/`` (the SPDX licence list).
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from bundle import write_folder  # tools/, the folder of this script, is first on sys.path

REPO = Path(__file__).resolve().parent.parent
TARGET = REPO / "probe" / "_vendor" / "packaging"
VERSION = "25.0"
WHEEL = f"packaging-{VERSION}-py3-none-any.whl"
SHA256 = "29572ef2b1f17581046b3a2227d5c611fb25ec70ca1ba8554b24b0e69331a484"  # PyPI's digest of WHEEL
LEFT_OUT = ("packaging/metadata.py", "packaging/licenses/")
LICENSES = ("LICENSE", "LICENSE.APACHE", "LICENSE.BSD")
LICENSE_FOLDER = f"packaging-{VERSION}.dist-info/licenses/"


def download(folder: Path) -> Path:
    """The pinned wheel, fetched from PyPI by pip (``--no-deps``, binary only)."""
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
    subprocess.run([*command, "--dest", str(folder), f"packaging=={VERSION}"], check=True)
    return folder / WHEEL


def vendored_files(wheel: Path) -> dict[str, bytes]:
    """The files of ``probe/_vendor/packaging/``, by path inside it, from *wheel* (whose sha256 must match)."""
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"vendor: {wheel.name} has sha256 {digest}, not the pinned {SHA256}")
    files = {}
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(archive.namelist()):
            if name.startswith("packaging/") and not name.startswith(LEFT_OUT) and not name.endswith("/"):
                files[name[len("packaging/") :]] = archive.read(name)
            elif name.startswith(LICENSE_FOLDER) and name[len(LICENSE_FOLDER) :] in LICENSES:
                files[name[len(LICENSE_FOLDER) :]] = archive.read(name)
    missing = [name for name in LICENSES if name not in files]
    if missing:
        raise SystemExit(f"vendor: {wheel.name} lacks {', '.join(missing)}")
    return files


def current_files() -> dict[str, bytes]:
    if not TARGET.is_dir():
        return {}
    return {
        path.relative_to(TARGET).as_posix(): path.read_bytes()
        for path in sorted(TARGET.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help=f"use this {WHEEL} instead of downloading it")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        files = vendored_files(options.wheel or download(Path(folder)))
    if options.check:
        if current_files() != files:
            print(f"vendor: {TARGET.relative_to(REPO)} differs from packaging {VERSION}'s wheel", file=sys.stderr)
            return 1
        print(f"vendor: {TARGET.relative_to(REPO)} is packaging {VERSION}, as pinned")
        return 0
    write_folder(files, TARGET)
    print(f"vendor: {TARGET.relative_to(REPO)}: packaging {VERSION}, {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
