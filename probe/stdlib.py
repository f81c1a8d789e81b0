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

_THIRD_PARTY_DIRS = ("site-packages", "dist-packages")


def is_stdlib_entry(entry: str) -> bool:
    """A ``sys.path`` entry under the base installation that is not a site directory."""
    if not entry or any(part in entry for part in _THIRD_PARTY_DIRS):
        return False
    bases = {os.path.normcase(base) for base in (sys.base_prefix, sys.base_exec_prefix) if base}
    path = os.path.normcase(os.path.abspath(entry))
    return any(path == base or path.startswith(base.rstrip(os.sep) + os.sep) for base in bases)


def import_stdlib(name: str) -> "ModuleType":
    """Import *name* (and whatever it imports) with only the standard library on ``sys.path``."""
    module = sys.modules.get(name)
    if module is not None:
        return module
    saved = sys.path[:]
    narrowed = [entry for entry in saved if is_stdlib_entry(entry)]
    if narrowed:
        sys.path[:] = narrowed
    try:
        __import__(name)
    finally:
        sys.path[:] = saved
    return sys.modules[name]
