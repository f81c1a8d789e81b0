"""Every requirement of the products that this environment leaves unmet.

For each product found (and pydantic-core), each ``Requires-Dist`` entry (PEP 508) whose
marker holds for this interpreter, with no extra asked for, is held against the installed
version of the distribution it names (PEP 440 specifiers, pre-releases allowed, as
``pip check`` does); a distribution that is not installed leaves it unmet too. The parsing,
markers and specifiers are packaging's, vendored in :mod:`probe._vendor` and imported with
only the standard library on ``sys.path`` (a planted ``typing.py`` never runs in its place).

:func:`unmet_requirements` is pure (the installed versions are a function passed in);
:func:`unmet_in_environment` reads this environment.
"""

import sys

from probe.files import import_stdlib
from probe.metadata import Distribution, distributions_on, header_values
from probe.versions import canonical_name, safe_version

TYPE_CHECKING = False  # typing is not imported at run time; type checkers treat this as True
if TYPE_CHECKING:
    from typing import Callable, Mapping

    from probe._vendor.packaging.requirements import Requirement
    from probe.report.findings import Findings

_PACKAGING = "probe._vendor.packaging."

# What installed_version gives for a distribution that is there but whose metadata has no version.
NO_READABLE_VERSION = ""


class UnmetRequirement:
    """*dependent* at *dependent_version* requires *requirement*; *installed* is what is there.

    None: nothing is; :data:`NO_READABLE_VERSION`: a distribution whose metadata gives no version.
    """

    __slots__ = ("dependent", "dependent_version", "requirement", "name", "installed")

    def __init__(
        self, dependent: str, dependent_version: str, requirement: str, name: str, installed: "str | None"
    ) -> None:
        self.dependent = dependent
        self.dependent_version = dependent_version
        self.requirement = requirement
        self.name = name
        self.installed = installed

    def message(self) -> str:
        """``fastapi 0.115.6 requires starlette<0.42.0,>=0.40.0; 0.46.2 is installed``."""
        if self.installed is None:
            there = f"{self.name} is not installed"
        elif self.installed == NO_READABLE_VERSION:
            there = f"{self.name} is installed but has no readable version"
        else:
            there = f"{self.installed} is installed"
        return f"{self.dependent} {self.dependent_version} requires {self.requirement}; {there}"

    def facts(self) -> "dict[str, str | None]":
        return {
            "distribution": self.dependent,
            "version": self.dependent_version,
            "requirement": self.requirement,
            "requires": self.name,
            "installed": self.installed,
            "message": self.message(),
        }


def _shown(requirement: "Requirement") -> str:
    """The requirement without its marker (which held) and without a direct reference's URL (a path, maybe)."""
    extras = "[{}]".format(",".join(sorted(requirement.extras))) if requirement.extras else ""
    if requirement.url:
        return f"{requirement.name}{extras} (a direct reference)"
    return f"{requirement.name}{extras}{requirement.specifier}"


def _import_platform_without_wmi() -> None:
    """Import ``platform`` with ``_wmi`` unavailable, before packaging's markers import it.

    Marker evaluation reads ``platform.release()`` and its neighbours, which on Windows
    3.12+ query WMI: slow on Windows, fatal under wine. Without ``_wmi``, ``platform``
    answers from ``sys.getwindowsversion()`` and the environment, as it did before 3.12.
    """
    system = sys.platform  # a plain variable: type checkers would prune the other systems' branches
    if system != "win32" or "platform" in sys.modules:
        return
    had_wmi = "_wmi" in sys.modules
    saved = sys.modules.get("_wmi")
    sys.modules["_wmi"] = None  # type: ignore[assignment]  # makes "import _wmi" raise ImportError
    try:
        import_stdlib("platform")
    finally:
        if had_wmi:
            sys.modules["_wmi"] = saved  # type: ignore[assignment]
        else:
            del sys.modules["_wmi"]


def unmet_requirements(
    dependent: str,
    dependent_version: str,
    requires_dist: "list[str]",
    installed_version: "Callable[[str], str | None]",
    environment: "Mapping[str, str] | None" = None,
) -> "list[UnmetRequirement]":
    """The entries of *requires_dist* that apply here and that the installed versions do not meet.

    A marker is evaluated for this interpreter (or *environment*, which overrides its
    values) with ``extra`` empty: requirements of extras nobody asked for are left out.
    An entry that does not parse, or an installed version that is not PEP 440, is left out
    too: nothing true could be said about it. *installed_version* takes a PEP 503 name.
    """
    _import_platform_without_wmi()
    requirements = import_stdlib(_PACKAGING + "requirements")
    version = import_stdlib(_PACKAGING + "version")
    context = dict(environment or {})
    context["extra"] = ""
    unmet = []
    for text in requires_dist:
        try:
            requirement = requirements.Requirement(text)
        except requirements.InvalidRequirement:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate(context):
            continue
        installed = installed_version(canonical_name(requirement.name))
        if installed is None or installed == NO_READABLE_VERSION:  # nothing to meet it with
            shown = _shown(requirement)
            unmet.append(UnmetRequirement(dependent, dependent_version, shown, requirement.name, installed))
            continue
        try:
            met = requirement.url or requirement.specifier.contains(version.Version(installed), prereleases=True)
        except version.InvalidVersion:
            continue
        if not met:
            shown, there = _shown(requirement), safe_version(installed)
            unmet.append(UnmetRequirement(dependent, dependent_version, shown, requirement.name, there))
    return unmet


def installed_version(name: str, search_path: "list[str]") -> "str | None":
    """The version of distribution *name* (PEP 503) ``importlib.metadata`` would give: the first on *search_path*.

    None where it is not installed; :data:`NO_READABLE_VERSION` where it is but says no version.
    """
    for dist in distributions_on(search_path, frozenset((name,))):
        version = dist.version
        return NO_READABLE_VERSION if version is None else version
    return None


def requires_dist(dist: Distribution) -> "list[str]":
    """The ``Requires-Dist`` values of *dist*'s METADATA (PKG-INFO for an ``.egg-info``)."""
    return header_values(dist.read("PKG-INFO" if dist.is_egg_info else "METADATA"), "requires-dist")


def unmet_in_environment(findings: "Findings", search_path: "list[str]") -> "list[UnmetRequirement]":
    """Every unmet requirement of the distributions that provided the products found, against *search_path*."""
    unmet, seen = [], set()

    def installed(name: str) -> "str | None":
        return installed_version(name, search_path)

    for _target, finding in findings:
        owner = finding.owner
        if owner is None or owner.path in seen:
            continue
        seen.add(owner.path)
        unmet += unmet_requirements(owner.name, safe_version(owner.version), requires_dist(owner), installed)
    return unmet
