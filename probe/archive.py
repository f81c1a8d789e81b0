"""Distributions inside a zip archive on ``sys.path``, read with ``zipfile``.

Rare enough that ``zipfile`` is imported only here, from the standard library.
"""

from probe.files import HEAD_LIMIT, import_stdlib
from probe.metadata import METADATA_SUFFIXES, Distribution, name_from_dirname


class ArchiveDistribution(Distribution):
    """A metadata directory stored in a zip archive; ``entry`` is the archive's path."""

    __slots__ = ("archive", "prefix")

    def __init__(self, archive: object, prefix: str, dirname: str, name: str, entry: str) -> None:
        super().__init__(entry, dirname, name)
        self.archive = archive
        self.prefix = prefix

    def read(self, filename: str, limit: int = HEAD_LIMIT) -> "str | None":
        try:
            with self.archive.open(self.prefix + self.dirname + "/" + filename) as member:  # type: ignore[attr-defined]
                return member.read(limit).decode("utf-8", "replace")  # type: ignore[no-any-return]
        except Exception:  # a missing member, or a damaged archive
            return None


def distributions_in_archive(archive_path: str, prefix: str, names: "frozenset[str]") -> "list[Distribution]":
    """The metadata directories directly under *prefix* in the archive whose names are in *names*."""
    zipfile = import_stdlib("zipfile")
    try:
        archive = zipfile.ZipFile(archive_path)
        members = archive.namelist()
    except Exception:
        return []
    found = {}
    for member in members:
        if not member.startswith(prefix):
            continue
        top = member[len(prefix) :].partition("/")[0]
        if top.lower().endswith(METADATA_SUFFIXES) and top not in found:
            name = name_from_dirname(top)
            if name in names:
                found[top] = ArchiveDistribution(archive, prefix, top, name, archive_path)
    return [found[key] for key in sorted(found)]


def read_member(loader: object, origin: str) -> "str | None":
    """The source of a module stored in an archive, through its zipimporter."""
    try:
        data = loader.get_data(origin)  # type: ignore[attr-defined]
    except Exception:
        return None
    return data[:HEAD_LIMIT].decode("utf-8", "replace")  # type: ignore[no-any-return]
