"""The lookup: the version of the code ``import NAME`` would load, read without importing it.

A product is a top-level module (``import fastapi``) and the distributions that may
have installed it: distribution names are not import names, and several distributions
can claim one package (``fastapi`` and ``fastapi-slim``, ``typer`` and ``typer-slim``).
The version reported is that of the code ``import`` would load, in four steps, each a
function of its own (:func:`explain` runs them and records which one decided):

1. the import system locates the module, without loading it (:func:`locate`);
2. a distribution of the product installed in the same ``sys.path`` entry that lists the
   module's file among its installed files owns it; when several do, the one whose
   recorded size and hash match the file on disk;
3. failing that, an editable install whose project folder holds the module (PEP 610,
   PEP 660), or that recorded the link the module is reached through: the version its
   working tree declares, else its metadata's;
4. failing that, the version the module's source declares (:mod:`probe.source`).

Locating asks the finders on ``sys.meta_path`` for a spec exactly as the import statement
asks them, so ``sys.path`` order, ``.pth`` entries, zip files and editable-install finders
all count as they count for the user's code. A spec only names a file: no module is
executed, and the directory listings the path finder makes are the ones the interpreter
would make for the import itself.
"""

import os
import sys

from probe import keys
from probe.files import file_size, is_within, read_bytes
from probe.metadata import (
    Distribution,
    distributions_in,
    distributions_on,
    editable_project,
    is_build_metadata,
    record_hash,
)
from probe.versions import UNKNOWN, canonical_name, safe_version


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


class Target:
    """One product key: ``<key>_version`` reports ``import <module>``, installed by one of *distributions*."""

    __slots__ = ("key", "module", "distributions")

    def __init__(self, key: str, module: "str | None", distributions: "tuple[str, ...]") -> None:
        self.key = key
        self.module = module
        self.distributions = frozenset(distributions)


PRODUCTS = tuple(Target(key, module, distributions) for key, module, distributions in keys.PRODUCTS)


def key_for(name: str) -> str:
    """The block key for a distribution name: PEP 503 name, ``-`` turned into ``_``, plus ``_version``."""
    return canonical_name(name).replace("-", "_") + keys.PRODUCT_SUFFIX


def target_for(name: str) -> Target:
    """The target for a distribution named on the command line; the six products keep their aliases."""
    key = key_for(name)
    for product in PRODUCTS:
        if product.key == key:
            return product
    return Target(key, None, (canonical_name(name),))


# How a value was found, for ``--report`` (the steps of the module docstring).
FOUND_MISSING = "missing"
FOUND_METADATA = "metadata"
FOUND_EDITABLE = "editable"
FOUND_NO_FILE = "no file"
FOUND_SOURCE = "source"


class Finding:
    """A target's value, the location and distribution it came from, and which step decided it."""

    __slots__ = ("value", "how", "location", "owner")

    def __init__(
        self, value: "str | None", how: str, location: "Location | None" = None, owner: "Distribution | None" = None
    ) -> None:
        self.value = value
        self.how = how
        self.location = location
        self.owner = owner


def resolve(target: Target, search_path: "list[str]") -> "str | None":
    """The block's value for *target*: a version, ``"unknown"``, or None when it is not importable."""
    return explain(target, search_path).value


def explain(target: Target, search_path: "list[str]") -> Finding:
    """How *target* resolves in *search_path* (``sys.path`` as the user's code sees it): the four steps.

    1. :func:`locate`: where ``import`` would load the module from;
    2. :func:`installed_owner`: an installed distribution in that entry lists the file;
    3. :func:`editable_owner`: an editable install's project holds it; its working tree is the
       code, so the version that tree declares wins over the metadata frozen at install time;
    4. :func:`declared_version`: the version the module's source declares.
    """
    module = target.module or guess_module(target.distributions, search_path)
    location = locate(module, search_path)
    if location is None:
        return Finding(None, FOUND_MISSING)
    if location.origin is None:
        return namespace_finding(location, target)
    owner = installed_owner(location, target.distributions)
    if owner is not None:
        return Finding(safe_version(owner.version), FOUND_METADATA, location, owner)
    editable = editable_owner(location, target.distributions, search_path)
    declared = declared_version(location)
    if editable is not None:
        version = declared if declared is not None else editable.version
        return Finding(safe_version(version), FOUND_EDITABLE, location, editable)
    return Finding(safe_version(declared), FOUND_SOURCE, location)


def namespace_finding(location: Location, target: Target) -> Finding:
    """A module with no file of its own: a namespace package (or a built-in module).

    The six products are regular packages, so for them it is what an uninstall left behind;
    a distribution named on the command line may really install into one (zope.interface into zope).
    """
    owner = namespace_owner(location, target.distributions) if target.module is None else None
    if owner is None:
        return Finding(UNKNOWN, FOUND_NO_FILE, location)
    return Finding(safe_version(owner.version), FOUND_METADATA, location, owner)


def namespace_owner(location: Location, names: "frozenset[str]") -> "Distribution | None":
    """A distribution among *names* that installed files into a namespace package (``zope``, ``google``).

    A namespace package has no file of its own: a distribution beside one of its folders whose
    list of installed files has some under it (or whose ``top_level.txt`` names it) owns it.
    """
    prefix = location.name + "/"
    for folder in location.search_locations:
        for dist in distributions_in(os.path.dirname(folder), names):
            files = dist.installed_files()
            if files is not None:
                if any(path.startswith(prefix) for path in files):
                    return dist
            elif location.name in (dist.top_level() or ()):
                return dist
    return None


def installed_owner(location: Location, names: "frozenset[str]") -> "Distribution | None":
    """Step 2: the distribution among *names*, installed in the module's entry, that lists its file.

    When several do (one installed over the other), the one whose record matches the file on disk.
    """
    if location.entry is None or location.relative is None:
        return None
    if location.in_archive:
        from probe.archive import distributions_in_archive

        candidates = distributions_in_archive(location.entry, location.archive_prefix or "", names)
    else:
        candidates = [dist for dist in distributions_in(location.entry, names) if not is_build_metadata(dist)]
    owners = [dist for dist in candidates if claims(dist, location)]
    if len(owners) > 1 and len({dist.version for dist in owners}) > 1:
        owners = matching_installed_file(owners, location)
    return owners[0] if owners else None


def editable_owner(location: Location, names: "frozenset[str]", search_path: "list[str]") -> "Distribution | None":
    """Step 3: the editable install whose project folder holds the module.

    A PEP 610 ``direct_url.json`` marked editable, in any entry of *search_path* (PEP 660 installs
    keep their metadata in site-packages, not beside the project), or in the module's own entry
    one that recorded the link to the module's folder (:func:`recorded_link`); else the metadata
    setuptools built inside the project itself (``setup.py develop``, and ``pip install -e`` of
    old projects).
    """
    if location.in_archive or location.origin is None:
        return None
    origins = {os.path.normcase(path) for path in (os.path.abspath(location.origin), os.path.realpath(location.origin))}
    for dist in distributions_on(search_path, names):
        if dist.entry == location.entry:
            if recorded_link(dist, location):
                return dist
            continue
        project = editable_project(dist)
        if project is not None and any(is_within(origin, project) for origin in origins):
            return dist
    if location.entry is not None:
        for dist in distributions_in(location.entry, names):
            if is_build_metadata(dist) and claims(dist, location):
                return dist
    return None


def declared_version(location: Location) -> "str | None":
    """Step 4: the version the module's source declares, read as text (:mod:`probe.source`)."""
    assert location.origin is not None
    # Imported here: installed code always has metadata, so only editable installs and source
    # trees on PYTHONPATH get this far, and the common run saves a module's import.
    from probe.source import declared_version as declared_in_source

    if location.in_archive:
        from probe.archive import read_member

        loader = location.loader
        return declared_in_source(location.origin, location.is_package, lambda path: read_member(loader, path))
    return declared_in_source(location.origin, location.is_package)


def claims(dist: Distribution, location: Location) -> bool:
    """Whether *dist* installed the module's file.

    Its list of installed files decides; without one (Debian, for one, drops RECORD),
    ``top_level.txt``; without either, its name and place are all the evidence there is.
    A legacy ``.pyc`` where the ``.py`` was (``compileall -b``, sources then deleted) is the
    byte code of the source file listed there: the distribution that installed the source owns it.
    """
    listed = dist.lists_file(location.relative)
    relative = location.relative or ""
    if listed is False and relative.endswith(".pyc") and "__pycache__/" not in relative:
        listed = dist.lists_file(relative[:-1])
    if listed is not None:
        return listed
    top_level = dist.top_level()
    if top_level is not None:
        return location.name in top_level
    return True


def recorded_link(dist: Distribution, location: Location) -> bool:
    """Whether *dist* installed the module's folder as a link, its RECORD naming that alone (flit --symlink)."""
    top, slash, _ = (location.relative or "").partition("/")
    if not slash or location.entry is None or not dist.lists_file(top):
        return False
    return os.path.islink(os.path.join(location.entry, top))


def matching_installed_file(owners: "list[Distribution]", location: Location) -> "list[Distribution]":
    """Of several distributions claiming one file, those whose RECORD size (then hash) match it on disk.

    When one install overwrote another's files, only the last one's record matches.
    """
    assert location.origin is not None and location.relative is not None
    size = file_size(location.origin)
    sized = [dist for dist in owners if dist.record_size(location.relative) == size]
    if len(sized) == 1:
        return sized
    data = read_bytes(location.origin, 1 << 30)
    actual = record_hash(data) if data is not None else None
    hashed = [dist for dist in (sized or owners) if dist.recorded_hash(location.relative) == actual]
    return hashed or sized or owners


def guess_module(names: "frozenset[str]", search_path: "list[str]") -> str:
    """The import name of a distribution named on the command line.

    The first distribution of that name on ``sys.path`` lists its top-level modules; the one
    spelled like the distribution wins, else the first public one. With no distribution
    found, the distribution's name with ``_`` for ``-`` is the best guess.
    """
    (name,) = names
    spelled = name.replace("-", "_")
    for dist in distributions_on(search_path, names):
        modules = dist.top_level_modules()
        if spelled in modules or not modules:
            return spelled
        public = sorted(module for module in modules if not module.startswith("_"))
        return (public or sorted(modules))[0]
    return spelled


def user_search_path(path: "list[str]", flags: object, cwd: "str | None" = None) -> "list[str]":
    """``sys.path`` as the user's own code sees it: without the folder ``-m`` put first.

    ``python -m probe`` puts the current folder (the one holding ``probe/``) in front of
    ``sys.path``, unless safe-path or isolated mode is on; ``python <folder>/probe/__main__.py``
    puts that folder there in every mode. The user's code has neither.
    Applied once, before any lookup; every lookup then takes the result as an argument.
    Entries that are not strings (a start-up hook's ``Path`` objects, bytes, None) stay, for
    the import system to treat as it treats them; the probe's own readers skip them.
    """
    inserted = not (getattr(flags, "safe_path", False) or getattr(flags, "isolated", False))
    first = path[0] if path else None
    if inserted and isinstance(first, str) and first in ("", cwd or _current_folder()):
        return list(path[1:])
    if first == _probe_folder():  # put there by ``probe/__main__.py`` run as a file, whatever the flags
        return list(path[1:])
    return list(path)


def _probe_folder() -> str:
    """The ``sys.path`` entry the probe was imported from: the extension's bundle folder, not the user's."""
    return os.path.dirname(os.path.dirname(__file__))


def _current_folder() -> str:
    """The current folder; where ``os.getcwd`` fails (or a hook broke it), the folder holding ``probe/``.

    That is the folder ``-m`` put first: it found the probe there.
    """
    try:
        return str(os.getcwd())
    except Exception:
        return _probe_folder()


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
