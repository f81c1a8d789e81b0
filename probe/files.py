"""Reading what the probe did not write: bounded, non-blocking file reads, and standard-library imports.

Every file is opened without blocking and read only if it is a regular file, up to a
limit: a METADATA that is a FIFO, a device, or 100 MB of junk costs nothing more than
its first bytes.

The probe's hot path needs no module beyond what start-up already loaded. Rarer paths
(zip archives, editable installs, the report) need a little more; importing it with
``sys.path`` narrowed to the interpreter's own library directories means a ``json.py``
or ``zipfile.py`` on PYTHONPATH or in site-packages is never executed in its place.
"""

import os
import stat
import sys

TYPE_CHECKING = False  # typing is not imported at run time; type checkers treat this as True
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Callable, TypeVar

    T = TypeVar("T")

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)

# Enough for any METADATA header block or the RECORD of a large package.
HEAD_LIMIT = 64 * 1024
WHOLE_LIMIT = 8 * 1024 * 1024

# With ``--paths`` (:mod:`probe.dependencies`), every path read or listed and the state it was
# seen in (None: absent or unreadable); None, the default, records nothing.
OBSERVED: "list[tuple[str, os.stat_result | None]] | None" = None


def _observe(path: str, info: "os.stat_result | None") -> None:
    if OBSERVED is not None:
        OBSERVED.append((path, info))


def read_bytes(path: str, limit: int = HEAD_LIMIT) -> "bytes | None":
    """The first *limit* bytes of a regular file, or None if it is not one or cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY | _CLOEXEC)
    except (OSError, ValueError):
        if OBSERVED is not None:
            _observe(path, None)
        return None
    try:
        info = os.fstat(fd)
        if OBSERVED is not None:
            _observe(path, info)
        if not stat.S_ISREG(info.st_mode):
            return None
        chunks = []
        remaining = limit
        # os.read() allocates the whole size asked for: ask for what the file holds (and a byte
        # more, to see its end), not a megabyte for every 10 kB RECORD.
        wanted = min(max(info.st_size + 1, 8192), 1024 * 1024)
        while remaining > 0:
            chunk = os.read(fd, min(remaining, wanted))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    except (OSError, ValueError, OverflowError):
        return None
    finally:
        os.close(fd)


def read_text(path: str, limit: int = HEAD_LIMIT) -> "str | None":
    """Like :func:`read_bytes`, decoded as UTF-8 with undecodable bytes replaced."""
    data = read_bytes(path, limit)
    return None if data is None else data.decode("utf-8", "replace")


def list_dir(path: str) -> "list[str]":
    """The names in a directory, or an empty list if it cannot be listed."""
    if OBSERVED is not None:
        _observe(path, stat_or_none(path))  # before the listing: a change after it shows as a newer mtime
    try:
        return os.listdir(path)
    except (OSError, ValueError):
        return []


def stat_or_none(path: str) -> "os.stat_result | None":
    """``os.stat`` (following links), or None where there is nothing to stat."""
    try:
        return os.stat(path)
    except (OSError, ValueError):
        return None


def is_file(path: str) -> bool:
    """``os.path.isfile``, seen by ``--paths``: whether a project file is there decides a lookup."""
    info = stat_or_none(path)
    if OBSERVED is not None:
        _observe(path, info)
    return info is not None and stat.S_ISREG(info.st_mode)


def file_size(path: str) -> "int | None":
    info = stat_or_none(path)
    if OBSERVED is not None:
        _observe(path, info)
    return None if info is None else info.st_size


def is_within(path: str, folder: str) -> bool:
    """Whether *path* (normalized) lies inside *folder*, as written or with its links resolved.

    The installer records the project folder as it was named (``/tmp/link``) while the import
    system may load through the real one (``/private/tmp/...`` on macOS), or the other way round.
    """
    for candidate in {folder, os.path.realpath(folder)}:
        if path.startswith(os.path.normcase(candidate).rstrip(os.sep) + os.sep):
            return True
    return False


def file_url_path(url: str, windows: "bool | None" = None) -> "str | None":
    """The local path of a ``file://`` URL (RFC 8089), or None for any other URL.

    *windows* (default: whether this is Windows) picks the Windows reading: drive letters,
    UNC hosts and ``\\`` separators.
    """
    if not url.startswith("file://"):
        return None
    if windows is None:
        windows = os.name == "nt"
    parse = import_stdlib("urllib.parse")
    quoted = url[len("file://") :]
    # On POSIX the escapes are the path's own bytes (pathlib's as_uri() quotes os.fsencode(path)):
    # decoded as file names are, they match the import system's paths whatever the locale.
    path: str = parse.unquote(quoted) if windows else os.fsdecode(parse.unquote_to_bytes(quoted))
    if path.startswith("localhost/"):
        path = path[len("localhost") :]
    if windows:
        # file:///C:/project -> C:/project; file://server/share -> \\server\share
        if path.startswith("/") and path[2:3] == ":":
            path = path[1:]
        elif not path.startswith("/"):
            path = "//" + path
        path = path.replace("/", "\\")
    return path


_THIRD_PARTY_DIRS = ("site-packages", "dist-packages")


def is_stdlib_entry(entry: object) -> bool:
    """A ``sys.path`` entry under the base installation that is not a site directory."""
    if not entry or not isinstance(entry, str) or any(part in entry for part in _THIRD_PARTY_DIRS):
        return False
    bases = {os.path.normcase(base) for base in (sys.base_prefix, sys.base_exec_prefix) if base}
    path = os.path.normcase(os.path.abspath(entry))
    return any(path == base or path.startswith(base.rstrip(os.sep) + os.sep) for base in bases)


def with_stdlib_path(function: "Callable[[], T]") -> "T":
    """*function*'s answer, called with only the standard library's entries on ``sys.path``.

    For calls that import lazily inside (``sysconfig.get_config_var`` imports on PyPy): a
    planted module of the same name must not run in their place. ``sys.path`` is restored after.
    """
    saved = sys.path[:]
    narrowed = [entry for entry in saved if is_stdlib_entry(entry)]
    if narrowed:
        sys.path[:] = narrowed
    try:
        return function()
    finally:
        sys.path[:] = saved


def import_stdlib(name: str) -> "ModuleType":
    """Import *name* (and whatever it imports) with only the standard library on ``sys.path``."""
    module = sys.modules.get(name)
    if module is not None:
        return module
    with_stdlib_path(lambda: __import__(name))
    return sys.modules[name]
