"""The version a module's source declares, read as text and never executed.

For code found with no metadata at all (a source tree on PYTHONPATH), the version is
the string literal assigned to ``__version__``, ``VERSION`` or ``version`` at the top level of the
module, or of the package's ``version.py``-style files (pydantic keeps it in
``pydantic/version.py``). Anything that is not a plain string literal is ignored.
"""

import os

from probe.files import read_text

_NAMES = ("__version__", "VERSION", "version")
_PACKAGE_FILES = ("__init__.py", "version.py", "_version.py", "__version__.py", "__about__.py")
_QUOTES = ("'", '"')


def assigned_string(line: str) -> "str | None":
    """The literal in ``NAME = "1.2"`` or ``NAME: str = '1.2'`` for a version-like NAME, else None."""
    for name in _NAMES:
        if not line.startswith(name):
            continue
        rest = line[len(name) :].lstrip()
        if rest.startswith(":"):
            annotation, equals, rest = rest[1:].partition("=")
            if not equals or annotation.strip() not in ("str", "Final", "Final[str]", "typing.Final"):
                return None
            rest = rest.lstrip()
        elif rest.startswith("=") and not rest.startswith("=="):
            rest = rest[1:].lstrip()
        else:
            continue
        if not rest or rest[0] not in _QUOTES:
            return None
        quote = rest[0]
        end = rest.find(quote, 1)
        if end == -1:
            return None
        literal, tail = rest[1:end], rest[end + 1 :].strip()
        if "\\" in literal or (tail and not tail.startswith("#")):
            return None  # escapes or an expression: not a plain literal
        return literal
    return None


TYPE_CHECKING = False  # typing is not imported at run time; type checkers treat this as True
if TYPE_CHECKING:
    from typing import Callable

    Reader = Callable[[str], str | None]


def declared_in_file(path: str, read: "Reader" = read_text) -> "str | None":
    text = read(path)
    if text is None:
        return None
    for line in text.splitlines():
        found = assigned_string(line)
        if found is not None:
            return found
    return None


def declared_version(origin: str, is_package: bool, read: "Reader" = read_text) -> "str | None":
    """The version declared by the module at *origin*, or by its package's version files."""
    if not is_package:
        return declared_in_file(origin, read) if origin.endswith(".py") else None
    # A compiled package (pydantic 1.x: ``__init__.cpython-38-x86_64-linux-gnu.so``) ships its
    # ``.py`` sources beside the extension modules; they still say what version they are.
    package_dir = os.path.dirname(origin)
    for filename in _PACKAGE_FILES:
        found = declared_in_file(os.path.join(package_dir, filename), read)
        if found is not None:
            return found
    return None
