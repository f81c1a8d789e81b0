"""probe: the Python half of the FastAPI extension's telemetry context block.

This file must parse on Python 2.7: ``python -m probe`` imports it before it can
tell the interpreter is too old.
"""

__version__ = "0.1.0"

# The shape of the block; bumped whenever a key is removed or changes meaning.
SCHEMA_VERSION = 1
