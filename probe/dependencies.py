"""What the block's answer depends on: ``python -m probe --paths``, for a cache on the user's machine.

A client that keeps the block (the extension, across windows and restarts) must know when it
went stale. Only the probe knows what its answer was read from, so with ``--paths`` it says so,
on one more line right after the block: the files it read, the folders whose listing decided a
lookup, the interpreter, the places start-up reads (``pyvenv.cfg``, ``.pth`` files,
``sitecustomize``, the user site, also where they do not exist yet) and the environment
variables that shape ``sys.path``. Each path comes with what to compare it by: its kind, its
modification time in nanoseconds, its size and its inode (its file id on Windows), or absence.

None of it is part of the block, and without ``--paths`` none of it is gathered: the hot path
only pays one ``is None`` test per read (:data:`probe.files.OBSERVED`). The line holds paths,
so it is for a local cache only; it never leaves the machine.
"""

import os
import stat
import sys

from probe import files

# The shape of this line (``probe_dependencies_version``); raised when a key is removed or
# changes meaning.
DEPENDENCIES_VERSION = 1

# Environment variables that change sys.path or where start-up looks, as the caller passes them.
# HOME and APPDATA place the user site (site.getuserbase()); the rest are the interpreter's own.
ENVIRONMENT = (
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONUSERBASE",
    "PYTHONNOUSERSITE",
    "PYTHONPLATLIBDIR",
    "PYTHONSAFEPATH",
    "PYTHONEXECUTABLE",
    "__PYVENV_LAUNCHER__",
    "HOME",
    "APPDATA",
)

# A start-up hook can put thousands of entries on sys.path; past this, no list is given (the
# client then caches nothing and probes every time) rather than one that is too long to check.
MAX_PATHS = 4096

KIND_FILE = "file"
KIND_DIRECTORY = "directory"
KIND_OTHER = "other"
KIND_ABSENT = "absent"

TYPE_CHECKING = False  # typing is not imported at run time; type checkers treat this as True
if TYPE_CHECKING:
    from probe.lookup import Location, Target

    Seen = tuple[str, "os.stat_result | None"]


def start() -> None:
    """Begin recording every file the lookup reads and every folder it lists (:mod:`probe.files`)."""
    files.OBSERVED = []


def _kind(info: "os.stat_result | None") -> str:
    if info is None:
        return KIND_ABSENT
    if stat.S_ISDIR(info.st_mode):
        return KIND_DIRECTORY
    return KIND_FILE if stat.S_ISREG(info.st_mode) else KIND_OTHER


def describe(path: str, info: "os.stat_result | None") -> "dict[str, object]":
    """One path and what to compare it by: kind, and for one that exists mtime (ns), size, inode."""
    described: "dict[str, object]" = {"path": path, "kind": _kind(info)}
    if info is not None:
        described["mtime_ns"] = info.st_mtime_ns
        described["size"] = info.st_size
        described["inode"] = info.st_ino
    return described


def interpreter_paths() -> "list[str]":
    """The interpreter's files: the executable as named and as resolved, the base one, and ``pyvenv.cfg``.

    Start-up reads ``pyvenv.cfg`` beside the executable or one folder up (PEP 405); both
    places count, present or not, since creating one changes ``sys.prefix``.
    """
    paths = []
    for executable in (sys.executable, getattr(sys, "_base_executable", None)):
        if isinstance(executable, str) and executable:
            paths += [executable, os.path.realpath(executable)]
    if isinstance(sys.executable, str) and sys.executable:
        folder = os.path.dirname(sys.executable)
        paths += [os.path.join(folder, "pyvenv.cfg"), os.path.join(os.path.dirname(folder), "pyvenv.cfg")]
    return paths


def startup_paths() -> "list[str]":
    """Where start-up looked: the site folders and their ``.pth`` files, the user site, the customize modules.

    A ``.pth`` file edited in place does not change its folder's mtime, so each one is listed;
    the user site is listed even when it does not exist yet (creating it adds it to ``sys.path``).
    A ``sitecustomize``/``usercustomize`` created later changes the mtime of the ``sys.path``
    entry it is created in, which is listed anyway; one that exists is listed itself, and so is
    every module start-up imported from a site folder (what ``.pth`` import lines ran: an
    editable install's finder and its mapping, ``_virtualenv``), since they can change
    ``sys.path`` and ``sys.meta_path`` when edited in place.
    """
    site = sys.modules.get("site")
    folders: "list[str]" = []
    try:
        folders += list(site.getsitepackages()) if site is not None else []
    except Exception:  # an old virtualenv's site.py has no getsitepackages()
        pass
    user_site = getattr(site, "USER_SITE", None)
    if getattr(site, "ENABLE_USER_SITE", None) and isinstance(user_site, str):
        folders.append(user_site)
    paths = list(folders)
    for folder in folders:
        paths += [os.path.join(folder, name) for name in files.list_dir(folder) if name.lower().endswith(".pth")]
    prefixes = tuple(os.path.join(folder, "") for folder in folders)
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None)
        if isinstance(origin, str) and (name in ("sitecustomize", "usercustomize") or origin.startswith(prefixes)):
            paths.append(origin)
    return paths


def lookup_paths(chosen: "list[Target]", search_path: "list[str]") -> "list[str]":
    """The folders the import system's lookup listed: every ``sys.path`` entry, and each product's package folders.

    The path finder lists each entry until it finds the module (and all of them when it does
    not); a dist-info added or removed, a ``.pth`` or a module, changes that listing and the
    entry's mtime. An absent entry is listed too: creating it changes the answer.
    """
    from probe.lookup import guess_module, locate

    paths = [entry for entry in search_path if isinstance(entry, str) and entry]
    for target in chosen:
        location: "Location | None" = locate(
            target.module or guess_module(target.distributions, search_path), search_path
        )
        if location is not None:
            paths += location.search_locations
            if location.origin is not None and location.entry is not None and not location.in_archive:
                paths.append(location.origin)
    return paths


def gather(chosen: "list[Target]", search_path: "list[str]") -> "list[dict[str, object]]":
    """Every dependency of the answer, each path once, in the order first seen.

    What the lookup read comes with the state it was read in (stat before listing, fstat before
    reading); the rest is stat-ed now, after the lookup, so a change made during the run shows up
    as a time at least as new as the run, which the client does not trust.
    """
    seen: "list[Seen]" = list(files.OBSERVED or [])
    files.OBSERVED = None
    extra = interpreter_paths() + startup_paths() + lookup_paths(chosen, search_path)
    seen += [(path, files.stat_or_none(path)) for path in extra]
    own = os.path.join(os.path.dirname(os.path.abspath(__file__)), "__init__.py")  # the probe's own version
    seen.append((own, files.stat_or_none(own)))
    first: "dict[str, os.stat_result | None]" = {}
    for path, info in seen:
        first.setdefault(path, info)
    return [describe(path, info) for path, info in first.items()][: MAX_PATHS + 1]


def environment(environ: "dict[str, str] | os._Environ[str]") -> "list[tuple[str, object]]":
    """The variables of :data:`ENVIRONMENT` as this process got them (None: not set)."""
    return [(name, environ.get(name)) for name in ENVIRONMENT]


def record(chosen: "list[Target]", search_path: "list[str]") -> "dict[str, object] | None":
    """The object printed after the block: ``{"probe_dependencies_version": 1, "environment": {..}, "paths": [..]}``.

    None when there are too many paths to be worth checking.
    """
    paths = gather(chosen, search_path)
    if len(paths) > MAX_PATHS:
        return None
    return {
        "probe_dependencies_version": DEPENDENCIES_VERSION,
        "environment": dict(environment(os.environ)),
        "paths": paths,
    }
