"""``python -m probe --schema``: the JSON Schema (draft 2020-12) of the block, shipped beside the code.

The schema lives in ``schema.json`` inside the package, so the extension, the tests and
anyone reading the bundle see the same file; this prints it unchanged.
"""

import os

from probe.files import read_bytes

SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema.json")


def schema_text() -> str:
    """The content of ``schema.json``, exactly as shipped."""
    data = read_bytes(SCHEMA_FILE, 1024 * 1024)
    if data is None:
        raise OSError("the probe's schema.json is missing: %s" % SCHEMA_FILE)
    return data.decode("utf-8")
