"""File trees from dicts for the unit tier, in the manner of importlib_metadata's ``build_files``.

A key is a file or folder name; a ``str`` value is a file's text (UTF-8), ``bytes`` its
content, a ``dict`` a folder. Only for states a test wants exactly: the slower tiers install
real wheels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Union

from support import record_hash

Tree = Dict[str, Union[str, bytes, "Tree"]]


def build(tree: Tree, root: Path) -> Path:
    """Write *tree* under *root* (created if needed); returns *root*."""
    root.mkdir(parents=True, exist_ok=True)
    for name, content in tree.items():
        path = root / name
        if isinstance(content, dict):
            build(content, path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    return root


def dist_info(name: str, version: str, files: dict[str, str], **extra: str) -> Tree:
    """A ``.dist-info`` folder entry for *name*, with METADATA and a RECORD of *files* (as a wheel installs them)."""
    rows = [f"{path},{record_hash(text.encode())},{len(text.encode())}" for path, text in files.items()]
    stem = f"{name.replace('-', '_')}-{version}.dist-info"
    rows.append(f"{stem}/RECORD,,")
    folder: Tree = {
        "METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n",
        "RECORD": "\n".join(rows),
    }
    folder.update(extra)
    return {stem: folder}


def installed(name: str, version: str, files: dict[str, str]) -> Tree:
    """*files* (paths with ``/``) as a folder tree, beside their distribution's ``.dist-info``."""
    tree: Tree = {}
    for path, text in files.items():
        *folders, leaf = path.split("/")
        node = tree
        for folder in folders:
            node = node.setdefault(folder, {})  # type: ignore[assignment]
        node[leaf] = text
    tree.update(dist_info(name, version, files))
    return tree
