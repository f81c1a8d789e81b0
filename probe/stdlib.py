"""Import a standard-library module that the interpreter has not loaded yet, from the standard library.

The probe's hot path needs nothing beyond what start-up already loaded. Rarer paths
(zip archives, editable installs, the report) need a little more; importing it with
``sys.path`` narrowed to the interpreter's own library directories means a ``json.py``
or ``zipfile.py`` on PYTHONPATH or in site-packages is never executed in its place.
"""

import os
import sys

TYPE_CHECKING = False  # typing is not imported at run time; type checkers treat this as True
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Callable, TypeVar

    T = TypeVar("T")

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
