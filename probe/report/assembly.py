"""The report's facts, gathered once: the Markdown and the JSON report (``probe/report/schema.json``)
are two renderings of them.

Each section is gathered on its own: one that fails shows ``unknown (ErrorName)`` and the
rest of the report still comes. They are gathered in a worker thread under a deadline
(:mod:`probe.report.deadline`): what it had not reached when the deadline passed is reported
as not checked, and ``deadline`` says what. Paths appear only when *paths* is asked for.
"""

import sys

from probe import __version__
from probe.interpreter import python_version
from probe.lookup import user_search_path
from probe.report.architecture import architectures
from probe.report.deadline import within
from probe.report.environment import environment
from probe.report.findings import NOT_CHECKED, REPORTED, explain_safely, product_facts
from probe.report.hardware import hardware
from probe.report.notices import notices
from probe.report.operating_system import os_facts
from probe.report.python_build import python_build
from probe.report.requirements import unmet_in_environment

TYPE_CHECKING = False  # typing is not imported at run time; type checkers treat this as True
if TYPE_CHECKING:
    from typing import Any, Callable, Dict

    from probe.report.deadline import Record

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


def gather_facts(paths: bool, timeout: float) -> "Facts":
    """Everything the report says, as JSON-ready values, within *timeout* seconds; paths only with *paths*."""
    search_path = user_search_path(sys.path, sys.flags)  # as the block looks: handed down, sys.path left alone
    reached, finished = within(timeout, lambda record: _gather(record, paths, search_path))
    found = [(target, reached.get(target.key, NOT_CHECKED)) for target in REPORTED]
    facts: "Facts" = {
        "report_schema_version": REPORT_SCHEMA_VERSION,  # first: the framing rule (probe.report.report_json)
        "probe_version": __version__,
        **{name: reached.get(name, UNCHECKED_SECTION) for name in ("python", "os", "architecture", "environment")},
        "hardware": reached.get("hardware", UNCHECKED_SECTION),
        "products": [product_facts(target, finding, paths) for target, finding in found],
        "notices": reached.get("notices", []),
        "unmet_requirements": reached.get("unmet_requirements", []),
        "deadline": {
            "seconds": timeout,
            "passed": not finished,
            "not_checked": [name for name in _CUT_BY_DEADLINE if not _was_reached(name, reached)],
        },
    }
    facts["issue_form"] = issue_form(facts)
    if paths:
        facts["paths"] = {"interpreter": sys.executable, "prefix": sys.prefix}
    return facts


# A section the deadline passed before it was gathered.
UNCHECKED_SECTION: "Facts" = {"summary": "not checked (deadline)", "not_checked": True}

# The report's keys that a deadline can leave unchecked, in the report's order.
_CUT_BY_DEADLINE = (
    "python",
    "os",
    "architecture",
    "environment",
    "hardware",
    "products",
    "notices",
    "unmet_requirements",
)


def _was_reached(name: str, reached: "Facts") -> bool:
    """Whether the worker recorded *name*; for ``products``, every product (each goes by its target's key)."""
    if name == "products":
        return all(target.key in reached for target in REPORTED)
    return name in reached


def _gather(record: "Record", paths: bool, search_path: "list[str]") -> None:
    """The report's facts, each passed to *record* as soon as it is known.

    The order is what a deadline cuts last: the cheap sections, each product (what a FastAPI
    bug report needs most), the checks that read every product's files, then psutil, third-party
    code that may itself be slow to import.
    """
    for name, gather in (
        ("python", python_build),
        ("os", os_facts),
        ("architecture", architectures),
        ("environment", environment),
    ):
        record(name, section(gather))
    found = []
    for target in REPORTED:
        finding = explain_safely(target, search_path)
        found.append((target, finding))
        record(target.key, finding)
    try:
        noticed = notices(found, paths, search_path)
    except BaseException as error:
        noticed = [f"the checks for anything unusual stopped with {type(error).__name__}"]
    record("notices", noticed)
    try:
        unmet = [requirement.facts() for requirement in unmet_in_environment(found, search_path)]
    except BaseException as error:
        unmet = []
        record("notices", [*noticed, f"the check of the requirements stopped with {type(error).__name__}"])
    record("unmet_requirements", unmet)
    record("hardware", hardware())


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
