"""Serve a FUSE mount that never answers, for the Node tests: a process held after its answer.

    python deaf_mount.py NAME ...

Mounts a folder listing NAMEs whose lookups never answer and whose daemon ignores interrupts
(as sshfs and rclone do), prints the mount point, serves until stdin ends, then releases the
stall and unmounts. A process whose thread waits there cannot end, not even on SIGKILL.

The file system is ``StallingFS`` from the Python tests' ``tests/stalled_mount.py``, which
needs only the standard library.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests"))

from stalled_mount import StallingFS


def main(names: list[str]) -> None:
    with StallingFS(names, honour_interrupts=False) as fs:
        print(fs.mountpoint, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main(sys.argv[1:])
