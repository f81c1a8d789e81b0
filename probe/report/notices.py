"""Anything unusual about the products: metadata whose files are gone, two distributions claiming
one file, a copy shadowed by another in an earlier ``sys.path`` entry, a module without a version.

Unmet requirements are :mod:`probe.report.requirements`' concern."""

import os

from probe.lookup import FOUND_NO_FILE, FOUND_SOURCE, Finding, claims
from probe.metadata import Distribution, distributions_in, distributions_on
from probe.report.findings import dist_label

TYPE_CHECKING = False  # typing is not imported at run time; type checkers treat this as True
if TYPE_CHECKING:
    from probe.report.findings import Findings

MODULE_SUFFIXES = (".py", ".pyd", ".so")


def code(text: str) -> str:
    """*text* as Markdown inline code."""
    return "`{}`".format(text.replace("`", "'"))


def module_files(dist: Distribution, module: str) -> "list[str]":
    """The files *dist* lists for top-level *module*, bytecode caches aside."""
    listed = dist.installed_files() or []
    return [
        path
        for path in listed
        if (path.startswith(module + "/") and "/__pycache__/" not in path)
        or (path.partition(".")[0] == module and path.endswith(MODULE_SUFFIXES))
    ]


def missing_files(dist: Distribution, files: "list[str]") -> "list[str]":
    return [path for path in files if not os.path.exists(os.path.join(dist.entry, *path.split("/")))]


def _is_owner(owner: "Distribution | None", dist: Distribution) -> bool:
    return owner is not None and owner.path == dist.path


def _path_of(dist: Distribution, paths: bool) -> str:
    """`` (`/path/to/x.dist-info`)`` with *paths*, else nothing: notices name no path unless asked."""
    return f" ({code(dist.path)})" if paths else ""


def describe_unversioned(finding: Finding) -> str:
    if finding.how == FOUND_NO_FILE:
        return "has no file of its own (a namespace package), so no version"
    if finding.how == FOUND_SOURCE:
        if finding.value == "unknown":
            return "has no metadata and declares no version"
        return "has no metadata: the version is the one its source declares"
    return "its metadata has no valid version"


def notices(findings: "Findings", paths: bool, search_path: "list[str]") -> "list[str]":
    """Anything suspicious about the products on *search_path*: leftovers, rival claims, copies shadowed,
    versions missing."""
    found = []
    for target, finding in findings:
        module = target.module or ""
        location = finding.location
        for dist in distributions_on(search_path, target.distributions):
            files = module_files(dist, module)
            missing = missing_files(dist, files)
            if files and len(missing) == len(files):
                found.append(
                    f"{dist_label(dist)} is recorded as installed but none of the {len(files):d} files it lists for "
                    f"`{module}` are there: metadata left over by an overwrite or an uninstall{_path_of(dist, paths)}"
                )
            elif missing:
                found.append(
                    f"{dist_label(dist)} lists {len(missing):d} files for `{module}` "
                    f"that are missing{_path_of(dist, paths)}"
                )
            elif location is not None and files and dist.entry != location.entry and not _is_owner(finding.owner, dist):
                found.append(
                    f"{dist_label(dist)} is also installed in another `sys.path` entry, "
                    f"shadowed by the one `import {module}` loads{_path_of(dist, paths)}"
                )
        if location is not None and location.entry is not None and location.relative is not None:
            rivals = [dist for dist in distributions_in(location.entry, target.distributions) if claims(dist, location)]
            if len(rivals) > 1:
                found.append(
                    "`{}` is claimed by {} (one was installed over the other); the probe reports {}".format(
                        location.relative,
                        " and ".join(dist_label(dist) for dist in rivals),
                        dist_label(finding.owner) if finding.owner else "neither",
                    )
                )
        if finding.how in (FOUND_SOURCE, FOUND_NO_FILE) or finding.value == "unknown":
            found.append(f"`{module}` is importable but {describe_unversioned(finding)}")
    return found
