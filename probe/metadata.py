"""Installed distributions as their metadata directories describe them, read as text.

A ``.dist-info`` directory (PEP 376, PEP 427) or a legacy ``.egg-info`` directory or
file names its project, holds its version (core metadata, PEP 566), usually lists the
files it installed with their hashes (RECORD), and may say where an editable install's
project lives (PEP 610). Only the metadata of distributions whose names are asked for is
ever opened: the cost is one directory listing per ``sys.path`` entry, whatever else is installed.
"""

import os
import sys

from probe.files import HEAD_LIMIT, WHOLE_LIMIT, file_url_path, import_stdlib, is_file, list_dir, read_text
from probe.versions import canonical_name

TYPE_CHECKING = False  # typing is not imported at run time; type checkers treat this as True
if TYPE_CHECKING:
    from typing import Iterable, Iterator

METADATA_SUFFIXES = (".dist-info", ".egg-info")
HEADER_GUESS = 16 * 1024


class Distribution:
    """One metadata directory (or legacy ``.egg-info`` file) inside a ``sys.path`` entry."""

    __slots__ = ("entry", "dirname", "name", "_version", "_record", "_files")

    def __init__(self, entry: str, dirname: str, name: str) -> None:
        self.entry = entry
        self.dirname = dirname
        self.name = name
        self._version: "str | bool | None" = False
        # RECORD's text and the list of installed files, each read once (False: not read yet).
        self._record: "str | bool | None" = False
        self._files: "list[str] | bool | None" = False

    @property
    def path(self) -> str:
        return os.path.join(self.entry, self.dirname)

    @property
    def is_egg_info(self) -> bool:
        return self.dirname.lower().endswith(".egg-info")

    def read(self, filename: str, limit: int = HEAD_LIMIT) -> "str | None":
        if self.is_egg_info and os.path.isfile(self.path):
            # A distutils-era ``name-version-pyX.Y.egg-info`` file is PKG-INFO itself.
            return read_text(self.path, limit) if filename == "PKG-INFO" else None
        return read_text(os.path.join(self.path, filename), limit)

    @property
    def version(self) -> "str | None":
        """The ``Version`` field of METADATA (PKG-INFO for eggs), else the version in the directory name."""
        if self._version is False:
            filename = "PKG-INFO" if self.is_egg_info else "METADATA"
            # The header is a few kB; the description after it can run to 100 kB, so the
            # first bytes are read alone, and all of HEAD_LIMIT only if no blank line is in them.
            header = self.read(filename, HEADER_GUESS)
            if header is not None and "\n\n" not in header:
                header = self.read(filename)
            values = header_values(header, "version")
            self._version = (values[0] if values else None) or version_from_dirname(self.dirname)
        return self._version  # type: ignore[return-value]

    def record(self) -> "str | None":
        """The text of RECORD (PEP 376), read once; None for an egg-info or when there is none."""
        if self._record is False:
            self._record = None if self.is_egg_info else self.read("RECORD", WHOLE_LIMIT)
        return self._record  # type: ignore[return-value]

    def installed_files(self) -> "list[str] | None":
        """Paths relative to the ``sys.path`` entry, ``/``-separated, or None if no list was kept.

        From RECORD for a dist-info; from ``installed-files.txt`` (relative to the egg-info
        directory itself) for an egg-info that pip installed. Read once.
        """
        if self._files is False:
            if self.is_egg_info:
                text = self.read("installed-files.txt", WHOLE_LIMIT)
                base = self.dirname + "/"
                lines = [resolve_relative(base + line.strip()) for line in (text or "").splitlines() if line.strip()]
            else:
                text = self.record()
                lines = [record_path(line) for line in (text or "").splitlines() if line.strip()]
            self._files = None if text is None else lines
        return self._files  # type: ignore[return-value]

    def lists_file(self, relative: "str | None") -> "bool | None":
        """Whether :meth:`installed_files` names *relative*; None if no list was kept."""
        if self.is_egg_info or self._files is not False:
            files = self.installed_files()
            return None if files is None else relative in files
        text = self.record()
        if text is None:
            return None
        return relative is not None and record_lists(text, relative)

    def top_level(self) -> "list[str] | None":
        text = self.read("top_level.txt")
        if text is None:
            return None
        return [line.strip() for line in text.splitlines() if line.strip()]

    def record_row(self, relative: str) -> "tuple[str, str] | None":
        """The hash (``sha256=...``) and size RECORD gives for *relative*, as written; None if unlisted."""
        for line in (self.record() or "").splitlines():
            path, _, rest = _split_record_line(line)
            if path.replace("\\", "/") == relative:
                hash_, _, size = rest.rpartition(",")
                return hash_.strip(), size.strip()
        return None

    def record_size(self, relative: str) -> "int | None":
        """The size RECORD gives for *relative*, if it gives a valid one."""
        row = self.record_row(relative)
        try:
            return int(row[1]) if row is not None else None
        except ValueError:  # empty, or junk such as "2" as a superscript
            return None

    def recorded_hash(self, relative: str) -> "str | None":
        """The hash RECORD gives for *relative*, as ``algorithm=digest``."""
        row = self.record_row(relative)
        return row[0] or None if row is not None else None

    def top_level_modules(self) -> "list[str]":
        """The top-level import names it installed, from ``top_level.txt`` or its file list."""
        listed = self.top_level()
        if listed:
            return listed
        modules = set()
        for path in self.installed_files() or ():
            top = path.partition("/")[0]
            if not top or top.startswith("..") or top.endswith((".dist-info", ".egg-info", ".pth", ".data")):
                continue
            if "/" in path:
                if top != "__pycache__" and top.isidentifier():
                    modules.add(top)
            elif top.endswith((".py", ".so", ".pyd")):
                modules.add(top.partition(".")[0])
        return sorted(modules)


def header_values(text: "str | None", field: str) -> "list[str]":
    """Every value of an RFC 822 style header *field* (lower case), read up to the first blank line.

    The one reader of METADATA/PKG-INFO headers (core metadata, PEP 566), for the block and the report.
    """
    if not text:
        return []
    end = text.find("\n\n")
    if end != -1:
        # Only the lines before the blank line can answer: a long description (pydantic's
        # runs to 100 kB) is not split into lines at all.
        text = text[: end + 1]
    values = []
    for line in text.splitlines():
        if not line.strip():
            break
        key, colon, value = line.partition(":")
        if colon and key.strip().lower() == field:
            values.append(value.strip())
    return values


def version_from_dirname(dirname: str) -> "str | None":
    """``fastapi-0.115.0.dist-info`` -> ``0.115.0``; ``pkg-1.0-py3.8.egg-info`` -> ``1.0``."""
    stem = dirname.rpartition(".")[0]
    parts = stem.split("-")
    return parts[1] if len(parts) > 1 and parts[1] else None


def name_from_dirname(dirname: str) -> str:
    """The canonical project name in a metadata directory name (PEP 427 escapes ``-`` as ``_``)."""
    return canonical_name(dirname.rpartition(".")[0].partition("-")[0])


def _split_record_line(line: str) -> "tuple[str, str, str]":
    """A RECORD row (RFC 4180 CSV, PEP 376) as (path, ",", hash-and-size)."""
    if line.startswith('"'):
        end = 1
        while True:
            end = line.find('"', end)
            if end == -1:
                return line[1:], "", ""
            if line[end + 1 : end + 2] == '"':
                end += 2
                continue
            return line[1:end].replace('""', '"'), ",", line[end + 2 :]
    path, _, size = line.rpartition(",")
    path, comma, hash_ = path.rpartition(",")
    if not comma:
        return line, "", ""
    return path, ",", hash_ + "," + size


def record_path(line: str) -> str:
    return resolve_relative(_split_record_line(line)[0].replace("\\", "/"))


def record_lists(text: str, relative: str) -> bool:
    """Whether a row of RECORD *text* has the path *relative*, as :func:`record_path` reads rows.

    A row starts with its path, so the rows that start with ``relative,`` are found with
    ``str.find`` and read alone; only when none of them is the one is every row read (a
    quoted or ``\\``-separated path, or ``./`` in it). Reading RECORD row by row was most of
    the probe's own time.
    """
    prefix = relative + ","
    start = 0 if text.startswith(prefix) else text.find("\n" + prefix) + 1 or -1
    while start != -1:
        end = text.find("\n", start)
        row = text[start : end if end != -1 else len(text)].splitlines()[0]  # cut as splitlines() cuts it
        if record_path(row) == relative:
            return True
        start = text.find("\n" + prefix, start) + 1 or -1
    return relative in [record_path(line) for line in text.splitlines() if line.strip()]


def resolve_relative(path: str) -> str:
    """Fold ``a/../b`` and ``./`` away, keeping leading ``..`` (files outside the entry)."""
    parts: "list[str]" = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == ".." and parts and parts[-1] != "..":
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


def entry_names(entry: str) -> "list[str] | set[str]":
    """The names in a ``sys.path`` directory, from the path finder's own listing where it made one.

    The finder's set is returned as it is, not copied: the import system replaces it with a
    new set when the directory changes, and never changes it in place.
    """
    finder = sys.path_importer_cache.get(entry)
    cached = getattr(finder, "_path_cache", None)
    if isinstance(cached, set) and cached:
        return cached
    return list_dir(entry)


# Listings already joined by _joined(), by id(); each holds its listing, so that the id stays its own.
_JOINED: "dict[int, tuple[object, str | None, str | None]]" = {}


def _joined(listing: "list[str] | set[str]") -> "tuple[str | None, str | None]":
    """The names of *listing*, each after a NUL, as one string, and the same in lower case.

    NUL cannot occur in a file name. Only for ASCII does ``lower()`` map letter for letter, so
    that a position in one string is the same name in the other: otherwise (None, None).
    """
    memo = _JOINED.get(id(listing))
    if memo is not None and memo[0] is listing:
        return memo[1], memo[2]
    text = "\0" + "\0".join(listing)
    joined, lowered = (text, text.lower()) if text.isascii() else (None, None)
    if isinstance(listing, set):  # the finder's own listing: asked for once per product
        _JOINED[id(listing)] = (listing, joined, lowered)
    return joined, lowered


def candidate_names(listing: "list[str] | set[str]", names: "frozenset[str] | set[str]") -> "list[str] | set[str]":
    """The names in *listing* that can be metadata directories of the projects *names*.

    PEP 503 normalization only folds case and runs of ``-_.``, so a project's directory starts,
    in lower case, with the first word of its canonical name (``fastapi_cli-0.0.5.dist-info``
    with ``fastapi``). Finding those with ``str.find`` over the joined listing spares a
    site-packages of 20,000 names a Python loop over every name for each product.
    """
    joined, lowered = _joined(listing)
    if joined is None or lowered is None:
        return listing  # names beyond ASCII: every one is checked the exact way
    found = set()
    for word in {name.partition("-")[0] for name in names}:
        needle = "\0" + word
        start = lowered.find(needle)
        while start != -1:
            end = lowered.find("\0", start + 1)
            found.add(joined[start + 1 : end] if end != -1 else joined[start + 1 :])
            start = lowered.find(needle, end) if end != -1 else -1
    return found


def distributions_in(
    entry: str, names: "frozenset[str] | set[str]", listing: "list[str] | None" = None
) -> "list[Distribution]":
    """The metadata directories in *entry* whose canonical project names are in *names*."""
    found = []
    for dirname in candidate_names(entry_names(entry) if listing is None else listing, names):
        lowered = dirname.lower()
        if not lowered.endswith(METADATA_SUFFIXES):
            continue
        name = name_from_dirname(dirname)
        if name in names:
            found.append(Distribution(entry, dirname, name))
    found.sort(key=lambda dist: dist.dirname)
    return found


def distributions_on(search_path: "Iterable[object]", names: "frozenset[str] | set[str]") -> "Iterator[Distribution]":
    """The distributions of *names* on *search_path*, entry by entry, first found first (as
    ``importlib.metadata`` finds them); an entry that is not a folder's name (empty, bytes, None) is skipped."""
    for entry in search_path:
        if entry and isinstance(entry, str):
            yield from distributions_in(entry, names)


def editable_project(dist: Distribution) -> "str | None":
    """The project folder of a distribution installed in editable mode (PEP 610 ``direct_url.json``), else None."""
    text = dist.read("direct_url.json")
    if text is None:
        return None
    json = import_stdlib("json")
    try:
        data = json.loads(text)
        editable = data.get("dir_info", {}).get("editable", False)
        url = data.get("url")
    except (ValueError, AttributeError, RecursionError):  # not JSON, not the PEP 610 shape, nested too deep
        return None
    if editable is not True or not isinstance(url, str):
        return None
    path = file_url_path(url)
    return os.path.abspath(path) if path else None


def record_hash(data: bytes) -> str:
    """A RECORD hash (PEP 376, PEP 427): ``sha256=`` and the URL-safe base64 digest without padding."""
    hashlib = import_stdlib("hashlib")
    base64 = import_stdlib("base64")
    digest: bytes = hashlib.sha256(data).digest()
    encoded: bytes = base64.urlsafe_b64encode(digest)
    return "sha256=" + encoded.decode("ascii").rstrip("=")


# Files that make a folder a project's source tree.
_PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


def is_build_metadata(dist: Distribution) -> bool:
    """Whether *dist* is the ``.egg-info`` a build left in a project's source tree, not an install.

    setuptools' ``egg_info`` (``setup.py develop``, and ``pip install -e`` of projects older
    than PEP 660) writes ``<name>.egg-info``, with no list of installed files, in the folder
    the packages are in: the project folder itself, or ``src/`` in a src layout. The rule:
    such an egg-info is a build's when a project file (``pyproject.toml``, ``setup.py``,
    ``setup.cfg``) is in its entry, or in the project folder its ``SOURCES.txt`` names (see
    :func:`sources_root`). The code there is the working tree, edited at will.
    """
    if not dist.is_egg_info or dist.installed_files() is not None:
        return False
    if _is_project(dist.entry):
        return True
    root = sources_root(dist)
    return root is not None and root != dist.entry and _is_project(root)


def _is_project(folder: str) -> bool:
    return any(is_file(os.path.join(folder, name)) for name in _PROJECT_FILES)


def sources_root(dist: Distribution) -> "str | None":
    """The folder an egg-info's ``SOURCES.txt`` is relative to, or None where it does not say.

    ``SOURCES.txt`` lists the project's files from the project folder, the egg-info's own
    ``PKG-INFO`` among them (``src/name.egg-info/PKG-INFO``): the folders before the
    egg-info's name must be the last ones of its entry, and the folder above them is the root.
    """
    own = (dist.dirname + "/PKG-INFO").lower()
    for line in (dist.read("SOURCES.txt", WHOLE_LIMIT) or "").splitlines():
        path = line.strip().replace("\\", "/").lower()
        if path != own and not path.endswith("/" + own):
            continue
        folders = [part for part in path[: -len(own)].split("/") if part]
        root = dist.entry.rstrip("/" + os.sep)
        for folder in reversed(folders):
            head, tail = os.path.split(root)
            if folder in (".", "..") or tail.lower() != folder:
                return None
            root = head
        return root
    return None
