"""The report's facts, gathered once: the Markdown and the JSON report (``probe/report/schema.json``)
are two renderings of them.

Each section is gathered on its own: one that fails shows ``unknown (ErrorName)`` and the
rest of the report still comes. Paths appear only when *paths* is asked for.
"""

import sys

from probe import __version__
from probe.interpreter import python_version
from probe.lookup import user_search_path
from probe.report.architecture import architectures
from probe.report.environment import environment
from probe.report.findings import findings, product_facts
from probe.report.hardware import hardware
from probe.report.notices import notices
from probe.report.operating_system import os_facts
from probe.report.python_build import python_build
from probe.report.requirements import unmet_in_environment

TYPE_CHECKING = False  # typing is not imported at run time; type checkers treat this as True
if TYPE_CHECKING:
    from typing import Any, Callable, Dict

    Facts = Dict[str, Any]

_FORM_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._()/+-")

# The shape of the JSON report (probe/report/schema.json); raised when a key is removed or changes meaning.
REPORT_SCHEMA_VERSION = 1


def section(gather: "Callable[[], Facts]") -> "Facts":
    """*gather*'s facts, or only a ``summary`` of ``unknown (ErrorName)`` and the ``error``.

    Even a ``SystemExit`` or ``KeyboardInterrupt`` a start-up hook raises costs only its section,
    as it costs the block only its key.
    """
    try:
        return gather()
    except BaseException as error:
        return {"summary": f"unknown ({type(error).__name__})", "error": type(error).__name__}


def gather_facts(paths: bool) -> "Facts":
    """Everything the report says, as JSON-ready values; paths only with *paths*."""
    search_path = user_search_path(sys.path, sys.flags)  # as the block looks: handed down, sys.path left alone
    found = findings(search_path)
    try:
        noticed = notices(found, paths, search_path)
    except BaseException as error:
        noticed = [f"the checks for anything unusual stopped with {type(error).__name__}"]
    try:
        unmet = [requirement.facts() for requirement in unmet_in_environment(found, search_path)]
    except BaseException as error:
        unmet = []
        noticed.append(f"the check of the requirements stopped with {type(error).__name__}")
    facts: "Facts" = {
        "report_schema_version": REPORT_SCHEMA_VERSION,
        "probe_version": __version__,
        "python": section(python_build),
        "os": section(os_facts),
        "architecture": section(architectures),
        "environment": section(environment),
        "hardware": hardware(),
        "products": [product_facts(target, finding, paths) for target, finding in found],
        "notices": noticed,
        "unmet_requirements": unmet,
    }
    facts["issue_form"] = issue_form(facts)
    if paths:
        facts["paths"] = {"interpreter": sys.executable, "prefix": sys.prefix}
    return facts


def _form_text(text: object) -> str:
    """*text* as a form may take it: the characters OS names use, at most 64 of them; else empty."""
    if not isinstance(text, str):
        return ""
    kept = "".join(char for char in text if char in _FORM_CHARACTERS)
    return kept[:64].strip()


def issue_form(facts: "Facts") -> "dict[str, str]":
    """The fields of fastapi/fastapi-vscode's bug report form, by id: ``python-version``,
    ``fastapi-version`` (empty when fastapi is not installed) and ``os``, the name without the kernel.
    """
    fastapi = next((product for product in facts["products"] if product["module"] == "fastapi"), None)
    return {
        "python-version": python_version(),
        "fastapi-version": str(fastapi["version"] or "") if fastapi else "",
        "os": _form_text(facts["os"].get("name")),
    }
