"""The block of every interpreter here, run from the checkout, validates against the shipped schema:
supported ones with every key, older ones (2.7, 3.6, 3.7) with no product key at all."""

from __future__ import annotations

from typing import Any

import pytest
from pythons import SUPPORTED, UNSUPPORTED
from support import FIXED_KEYS, PRODUCT_KEYS, block_validator, require_interpreter, run_probe


def is_valid(block: dict[str, Any]) -> bool:
    return bool(block_validator().is_valid(block))


@pytest.mark.parametrize("version", SUPPORTED)
def test_default_block_of_every_supported_interpreter_validates(version: str) -> None:
    run = run_probe(require_interpreter(version))
    assert run.returncode == 0, run.stderr
    block = run.block  # validated against the schema by parse_block
    assert block["probe_status"] == "ok"
    assert list(block) == FIXED_KEYS + PRODUCT_KEYS


@pytest.mark.parametrize("version", UNSUPPORTED)
def test_unsupported_block_validates_and_has_no_product_key(version: str) -> None:
    run = run_probe(require_interpreter(version))
    assert run.returncode == 0, run.stderr
    block = run.block
    assert block["probe_status"] == "unsupported_python"
    assert list(block) == FIXED_KEYS
    with_product = dict(block, fastapi_version=None)
    assert not is_valid(with_product), "an unsupported block may carry no product key, not even null"
