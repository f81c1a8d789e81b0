"""The block's keys as ``probe/schema.json`` (the public API) names them: one list, in one place.

Standard library only: the benchmark (bench/, which runs without pytest or jsonschema) uses
these lists too, so that it times and checks the products the tests check.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "probe" / "schema.json"


@functools.lru_cache(maxsize=None)
def load_schema(schema_file: Path = SCHEMA_FILE) -> dict[str, Any]:
    """A JSON Schema the probe ships; the block's by default. Cached and shared: do not mutate it."""
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert isinstance(schema, dict)
    return schema


# The block's keys in their order: the keys every block has, then the six product keys.
FIXED_KEYS: list[str] = list(load_schema()["required"])
PRODUCT_KEYS: list[str] = [key for key in load_schema()["properties"] if key not in FIXED_KEYS]
# Block key -> the module ``import`` loads (``fastapi_cli_version`` -> ``fastapi_cli``).
PRODUCT_MODULES: dict[str, str] = {key: key[: -len("_version")] for key in PRODUCT_KEYS}
