"""The JSON Schema the probe ships: valid itself, and strict where it matters.

Every block any test parses is validated against it by ``support.parse_block``; this file
checks the schema from the other side, in-process: this interpreter's real block passes, and
blocks that break a promise (a path in a value, a product key where none may be) fail. That
--schema prints it is tests/test_cli.py's; that every interpreter's block passes,
tests/matrix/test_every_interpreter.py's.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import InvalidVersion, Version
from support import (
    FIXED_KEYS,
    FRAME_PREFIX,
    PRODUCT_KEYS,
    SCHEMA_FILE,
    block_validator,
    load_schema,
    parse_block,
)

from probe.lookup import PRODUCTS
from probe.output import head, pairs
from probe.versions import public_version


def is_valid(block: dict[str, Any]) -> bool:
    return bool(block_validator().is_valid(block))


@pytest.fixture(scope="module")
def real_block() -> dict[str, Any]:
    """This interpreter's block, built in-process as ``python -m probe`` builds it."""
    block = dict(pairs([], 10.0))
    assert block["probe_status"] == "ok"
    return block


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert jsonschema.validators.validator_for(schema) is jsonschema.Draft202012Validator


def test_schema_file_is_ascii_so_the_probe_prints_it_unchanged() -> None:
    # write_stdout encodes ASCII with backslashreplace: any other character would be altered.
    SCHEMA_FILE.read_bytes().decode("ascii")


def test_schema_names_the_keys_the_probe_prints_in_order() -> None:
    """The tests take the keys from the schema; here the schema is held against the code's own lists."""
    assert list(load_schema()["properties"]) == FIXED_KEYS + PRODUCT_KEYS
    assert [key for key, _ in head("ok")[0]] == FIXED_KEYS
    assert [target.key for target in PRODUCTS] == PRODUCT_KEYS
    assert len(PRODUCT_KEYS) == 6 and all(key.endswith("_version") for key in PRODUCT_KEYS)


def mutated(block: dict[str, Any], **changes: Any) -> dict[str, Any]:
    result = copy.deepcopy(block)
    for key, value in changes.items():
        if value is KeyError:
            del result[key]
        else:
            result[key] = value
    return result


@pytest.mark.parametrize(
    "changes",
    [
        {"fastapi_version": "/home/alice/project/.venv/lib/python3.12/site-packages/fastapi"},
        {"fastapi_version": "C:\\Users\\alice\\fastapi"},
        {"pydantic_version": "2.10.6 /home/alice"},
        {"typer_version": "0.15.1+acme.internal"},  # the local label can name a company
        {"starlette_version": "01.0"},  # not normalized
        {"starlette_version": "1.0-rc1"},  # not normalized
        {"starlette_version": "v1.0"},
        {"starlette_version": "1." + "0." * 40 + "0"},  # longer than 64 characters
        {"starlette_version": ""},
        {"starlette_version": 1},
        {"starlette_version": "Unknown"},
        {"python_arch": "x64 (alice-laptop)"},
        {"python_arch": "X64"},
        {"python_platform": "/usr/lib"},
        {"python_implementation": "a" * 33},
        {"python_version": "3.12.1+vendor"},
        {"python_version": "3.12"},
        {"probe_version": "0.1.0 /opt"},
        {"probe_schema_version": 2},
        {"probe_schema_version": "1"},
        {"probe_status": "fine"},
        {"python_arch": KeyError},
        {"probe_status": KeyError},
        {"user": "alice"},
        {"hostname_version": "alice-laptop"},
        {"Jinja2_version": "3.1.4"},  # names are normalized: lower case
        {"home": None},
    ],
)
def test_a_block_that_breaks_a_promise_fails(real_block: dict[str, Any], changes: dict[str, Any]) -> None:
    assert is_valid(real_block)
    assert not is_valid(mutated(real_block, **changes))


@pytest.mark.parametrize(
    "changes",
    [
        {"fastapi_version": None},
        {"fastapi_version": "unknown"},
        {"fastapi_version": "1!2.0.post1.dev3"},
        {"fastapi_version": "0.115.0rc1"},
        {"python_version": "3.14.0rc1"},
        {"python_arch": "loong64"},
        {"jinja2_version": "3.1.4", "python_dateutil_version": None},
    ],
)
def test_a_block_that_keeps_every_promise_passes(real_block: dict[str, Any], changes: dict[str, Any]) -> None:
    assert is_valid(mutated(real_block, **changes))


def test_status_rules(real_block: dict[str, Any]) -> None:
    fixed = {key: real_block[key] for key in FIXED_KEYS}
    assert not is_valid(dict(fixed, probe_status="ok")), "ok means the products asked for are there"
    assert is_valid(dict(fixed, probe_status="timeout")), "a timeout may leave every product out"
    assert is_valid(dict(fixed, probe_status="error", fastapi_version="0.115.0"))
    assert is_valid(dict(fixed, probe_status="unsupported_python"))
    assert not is_valid(dict(fixed, probe_status="unsupported_python", typer_version="unknown"))


def test_parse_block_rejects_an_invalid_block() -> None:
    line = FRAME_PREFIX + '1,"probe_version":"0.1.0","probe_status":"ok","python_version":"/root"}'
    with pytest.raises(jsonschema.ValidationError):
        parse_block(line + "\n")


VERSION_PATTERN = re.compile(load_schema()["$defs"]["public_version"]["pattern"])
near_versions = st.from_regex(
    r"\A(v?[0-9]{1,3}!)?[0-9]{1,3}(\.[0-9]{1,3}){0,3}([-_.]?(a|b|rc|c|alpha|beta|pre)[0-9]{0,2})?"
    r"([-_.]?(post|r|rev)[0-9]{0,2}|-[0-9])?([-_.]?dev[0-9]{0,2})?(\+[a-z0-9]{1,4})?\Z",
    fullmatch=True,
) | st.text(alphabet="0123456789.!abcdeprostv+-_", max_size=16)


def is_normalized_public(text: str) -> bool:
    """The oracle: packaging parses it and prints it back unchanged, without a local label."""
    try:
        version = Version(text)
    except InvalidVersion:
        return False
    return str(version) == text and version.local is None and len(text) <= 64


@given(near_versions)
def test_version_pattern_accepts_exactly_normalized_public_versions(text: str) -> None:
    assert bool(VERSION_PATTERN.fullmatch(text)) == is_normalized_public(text)


@given(near_versions)
def test_every_version_the_probe_produces_matches_the_pattern(text: str) -> None:
    produced = public_version(text)
    if produced is not None and len(produced) <= 64:
        assert VERSION_PATTERN.fullmatch(produced)
