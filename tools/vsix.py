"""Make a .vsix that ``vsce package`` wrote reproducible: the same bytes from the same commit.

    python tools/vsix.py build/fastapi-probe-reference-0.1.0.vsix

vsce stamps every entry with the time it packaged (and the files' own modification times),
so two builds of one commit differ. This rewrites the archive in place with the same entries
and contents, sorted, each with one timestamp (``SOURCE_DATE_EPOCH``, else the commit time of
HEAD, as tools/bundle.py does) and fixed permissions. Entries are deflated, as vsce does:
the same zlib gives the same bytes (zlib-ng compresses differently).
"""

from __future__ import annotations

import importlib.util
import sys
import time
import zipfile
from pathlib import Path
from types import ModuleType

TOOLS = Path(__file__).resolve().parent
FILE_MODE = 0o644


def _bundle_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bundle", TOOLS / "bundle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def normalize(vsix: Path, epoch: int) -> None:
    """Rewrite *vsix* so that its bytes depend only on its entries' names and contents and *epoch*."""
    with zipfile.ZipFile(vsix) as archive:
        contents = {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
    date_time = time.gmtime(epoch)[:6]
    staging = vsix.with_name(vsix.name + ".tmp")
    with zipfile.ZipFile(staging, "w") as out:
        for name in sorted(contents):
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.create_system = 3  # Unix, so that the permissions below are read
            info.external_attr = (0o100000 | FILE_MODE) << 16
            out.writestr(info, contents[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    staging.replace(vsix)


def main(argv: list[str]) -> int:
    epoch = _bundle_tool().source_date_epoch(TOOLS.parent)
    for name in argv:
        normalize(Path(name), epoch)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
