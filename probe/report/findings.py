"""What the report says about each product: its version, the distribution that provided it, how it was found.

Versions come from the probe's own resolution (:func:`probe.lookup.explain`), so the
report and the block cannot disagree. pydantic-core comes along: pydantic pins the one it
was built against, and a mismatch breaks ``import pydantic``.
"""

from probe.lookup import (
    FOUND_EDITABLE,
    FOUND_METADATA,
    FOUND_MISSING,
    FOUND_NO_FILE,
    FOUND_SOURCE,
    PRODUCTS,
    Finding,
    Target,
    explain,
)
from probe.metadata import Distribution
from probe.versions import safe_version

TYPE_CHECKING = False  # typing is not imported at run time; type checkers treat this as True
if TYPE_CHECKING:
    from typing import List, Tuple

    Findings = List[Tuple[Target, Finding]]

PYDANTIC_CORE = Target("pydantic_core_version", "pydantic_core", ("pydantic-core",))
REPORTED = (*PRODUCTS, PYDANTIC_CORE)

# A finding that stopped with an exception; the block calls that status "error".
FOUND_FAILED = "failed"
# A product the report's deadline passed before it was looked up (probe.report.deadline).
FOUND_NOT_CHECKED = "not checked"

FOUND_BY_WORDS = {
    FOUND_METADATA: "metadata",
    FOUND_EDITABLE: "editable install (PEP 610)",
    FOUND_SOURCE: "source (no metadata)",
    FOUND_NO_FILE: "namespace package (no version)",
    FOUND_MISSING: "",
    FOUND_NOT_CHECKED: "not checked (deadline)",
}


class FailedLookup(Finding):
    """A product whose lookup raised: no value (the block's ``error`` status), and the exception's name."""

    __slots__ = ("error",)

    def __init__(self, error: str) -> None:
        super().__init__(None, FOUND_FAILED)
        self.error = error


NOT_CHECKED = Finding(None, FOUND_NOT_CHECKED)


def explain_safely(target: Target, search_path: "list[str]") -> Finding:
    """:func:`probe.lookup.explain`, or a :class:`FailedLookup`: one product must not cost the report."""
    try:
        return explain(target, search_path)
    except BaseException as error:  # as in the block: even a hook's SystemExit costs this product only
        return FailedLookup(type(error).__name__)


def module_of(target: Target) -> str:
    return target.module or target.key[: -len("_version")]


def dist_label(dist: Distribution) -> str:
    """``fastapi 0.115.6``: the distribution's name and version as the report shows them."""
    return f"{dist.name} {safe_version(dist.version)}"


def product_facts(target: Target, finding: Finding, paths: bool) -> "dict[str, object]":
    """One product: its version (None when not importable), distribution, how it was found and, with *paths*, where."""
    facts: "dict[str, object]" = {
        "module": module_of(target),
        "version": finding.value,
        "distribution": (
            {"name": finding.owner.name, "version": safe_version(finding.owner.version)} if finding.owner else None
        ),
        "found_by": finding.how,
    }
    if isinstance(finding, FailedLookup):
        facts["error"] = finding.error
    if paths:
        facts["location"] = finding.location.origin if finding.location else None
    return facts


def version_cell(facts: "dict[str, object]") -> str:
    """The table's version: the version, ``not installed``, or ``?`` when finding it failed."""
    if facts["version"] is not None:
        return str(facts["version"])
    return "not installed" if facts["found_by"] == FOUND_MISSING else "?"


def found_by_cell(facts: "dict[str, object]") -> str:
    how = str(facts["found_by"])
    if how == FOUND_FAILED:
        return "{} ({})".format(FOUND_FAILED, facts["error"])
    return FOUND_BY_WORDS.get(how, how)
