"""Where ``import NAME`` would load a top-level module from, without loading it.

The finders on ``sys.meta_path`` are asked for a spec exactly as the import statement
asks them, so ``sys.path`` order, ``.pth`` entries, zip files and editable-install
finders all count as they count for the user's code. A spec only names a file: no module
is executed, and the directory listings the path finder makes are the ones the
interpreter would make for the import itself.
"""

import os
import sys


def user_search_path(path: "list[str]", flags: object, cwd: "str | None" = None) -> "list[str]":
    """``sys.path`` as the user's own code sees it: without the folder ``-m`` put first.

    ``python -m probe`` puts the current folder (the one holding ``probe/``) in front of
    ``sys.path``, unless safe-path or isolated mode is on; the user's code does not have it.
    Applied once, before any lookup; every lookup then takes the result as an argument.
    Entries that are not strings (a start-up hook's ``Path`` objects, bytes, None) stay, for
    the import system to treat as it treats them; the probe's own readers skip them.
    """
    inserted = not (getattr(flags, "safe_path", False) or getattr(flags, "isolated", False))
    first = path[0] if path else None
    if inserted and isinstance(first, str) and first in ("", cwd or _current_folder()):
        return list(path[1:])
    return list(path)


def _current_folder() -> str:
    """The current folder; where ``os.getcwd`` fails (or a hook broke it), the folder holding ``probe/``.

    That is the folder ``-m`` put first: it found the probe there.
    """
    try:
        return str(os.getcwd())
    except Exception:
        return os.path.dirname(os.path.dirname(__file__))


class Location:
    """A module as the import system found it.

    ``entry`` is the ``sys.path`` entry (directory or zip archive) that holds it, and
    ``relative`` the path of its file inside that entry, with ``/`` separators, as a
    RECORD lists it: ``fastapi/__init__.py``. ``origin`` is None for namespace packages.
    """

    __slots__ = ("name", "origin", "entry", "relative", "archive_prefix", "search_locations", "loader")

    def __init__(
        self,
        name: str,
        origin: "str | None",
        entry: "str | None",
        relative: "str | None",
        archive_prefix: "str | None" = None,
        search_locations: "list[str] | None" = None,
        loader: object = None,
    ) -> None:
        self.name = name
        self.origin = origin
        self.entry = entry
        self.relative = relative
        self.archive_prefix = archive_prefix
        self.search_locations = search_locations or []
        self.loader = loader

    @property
    def is_package(self) -> bool:
        return bool(self.search_locations)

    @property
    def in_archive(self) -> bool:
        return self.archive_prefix is not None


def find_spec(name: str, search_path: "list[str]") -> object:
    """The spec ``import name`` would use: ``sys.modules`` first, then each meta path finder in turn.

    The standard path finder is given *search_path* (as import gives it ``sys.path``); other
    finders are asked as import asks them for a top-level module, with no path.
    """
    module = sys.modules.get(name)
    if module is not None:
        return getattr(module, "__spec__", None)
    path_finder = getattr(sys.modules.get("_frozen_importlib_external"), "PathFinder", None)
    for finder in list(sys.meta_path):
        find = getattr(finder, "find_spec", None)
        if find is None:
            # A finder with only find_module() (deprecated since 3.4, ignored by import from 3.12)
            # is skipped: asking it would mean loading through APIs the probe does not use.
            continue
        try:
            spec = find(name, search_path if finder is path_finder else None)
        except Exception:  # a broken third-party finder is skipped, as far as we are concerned
            continue
        if spec is not None:
            return spec
    return None


def locate(name: str, search_path: "list[str]") -> "Location | None":
    """The location of top-level module *name*, or None when ``import name`` would fail to find it."""
    spec = find_spec(name, search_path)
    if spec is None:
        return None
    origin = getattr(spec, "origin", None)
    search = getattr(spec, "submodule_search_locations", None)
    locations = [str(entry) for entry in search] if search is not None else None
    if not getattr(spec, "has_location", False) or not isinstance(origin, str):
        # A namespace package, or a built-in or frozen module: no file of its own.
        return Location(name, None, None, None, search_locations=locations)

    archive = getattr(getattr(spec, "loader", None), "archive", None)
    if isinstance(archive, str) and origin.startswith(archive + os.sep):
        inner = origin[len(archive) + 1 :].replace(os.sep, "/")
        prefix = getattr(spec.loader, "prefix", "") or ""  # type: ignore[attr-defined]
        prefix = prefix.replace(os.sep, "/")
        return Location(name, origin, archive, inner[len(prefix) :], prefix, locations, spec.loader)  # type: ignore[attr-defined]

    if locations is not None:
        package_dir = os.path.dirname(origin)
        entry = os.path.dirname(package_dir)
        relative = os.path.basename(package_dir) + "/" + os.path.basename(origin)
    else:
        entry = os.path.dirname(origin)
        relative = os.path.basename(origin)
    return Location(name, origin, entry, relative, search_locations=locations)
