"""Serve a FUSE mount that never answers, for the Node tests: the guard timer's real case.

    python deaf_mount.py NAME ...

Mounts a folder listing NAMEs whose lookups never answer and whose daemon ignores interrupts
(as sshfs and rclone do), prints the mount point, serves until stdin ends, then releases the
stall and unmounts. A process whose thread waits there cannot end, not even on SIGKILL.

The file system is tests/test_deadline.py's ``StallingFS``, taken from that file's source: it
needs only the standard library, while the test module around it imports pytest.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

TEST_DEADLINE = Path(__file__).resolve().parents[3] / "tests" / "test_deadline.py"
# What StallingFS needs from its module: the standard library and the FUSE protocol's constants.
NOT_STDLIB = {"pytest", "hostile", "support"}
CONSTANTS = {"IN_HEADER", "OUT_HEADER", "ATTR"}


def _needed(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import):
        return not any(alias.name.split(".")[0] in NOT_STDLIB for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        return node.module not in NOT_STDLIB
    if isinstance(node, ast.Assign):
        names = [target.id for tuple_ in node.targets for target in ast.walk(tuple_) if isinstance(target, ast.Name)]
        return bool(names) and all(name.startswith("FUSE_") or name in CONSTANTS for name in names)
    return isinstance(node, ast.ClassDef) and node.name == "StallingFS"


def stalling_fs_class() -> type:
    tree = ast.parse(TEST_DEADLINE.read_text(encoding="utf-8"))
    module = ast.Module(body=[node for node in tree.body if _needed(node)], type_ignores=[])
    namespace: dict[str, object] = {"__name__": "deaf_mount_fs"}
    exec(compile(module, str(TEST_DEADLINE), "exec"), namespace)
    return namespace["StallingFS"]  # type: ignore[return-value]


def main(names: list[str]) -> None:
    fs = stalling_fs_class()(names, honour_interrupts=False)
    fs.__enter__()
    try:
        print(fs.mountpoint, flush=True)
        sys.stdin.read()
    finally:
        fs.__exit__(None, None, None)


if __name__ == "__main__":
    main(sys.argv[1:])
