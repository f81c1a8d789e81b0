"""Two facts the report asks the system for: a field of ``os.uname()`` and the pointer width.

Stand-ins until :mod:`probe.interpreter` has its guarded ``os.uname()`` reader and its
pointer-width helper (the hot path needs both too); then these go, and the report uses those.
"""

import os
import sys


def uname_field(field: str) -> str:
    """``os.uname().<field>`` (``release``, ``machine``, ``sysname``), or ``""`` where there is no uname."""
    try:
        return str(getattr(os.uname(), field))
    except (AttributeError, OSError):
        return ""


def pointer_bits() -> int:
    """64 or 32: the size of a pointer in this process, which a 32-bit interpreter on a 64-bit OS shows."""
    return 64 if sys.maxsize > 2**32 else 32
