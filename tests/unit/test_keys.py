"""``probe.keys``, the one list of the block's keys, against ``schema.json``; ``probe.legacy``'s copy against both."""

from __future__ import annotations

import os
import sys

import pytest
from schema_keys import FIXED_KEYS, PRODUCT_KEYS, load_schema

from probe import interpreter, keys, legacy
from probe.lookup import PRODUCTS
from probe.output import encode, head


def test_keys_are_the_schema_s() -> None:
    schema = load_schema()
    assert list(keys.HEAD_KEYS) == FIXED_KEYS
    assert [key for key, _, _ in keys.PRODUCTS] == PRODUCT_KEYS == [target.key for target in PRODUCTS]
    statuses = [keys.STATUS_OK, keys.STATUS_TIMEOUT, keys.STATUS_ERROR, keys.STATUS_UNSUPPORTED]
    assert statuses == schema["properties"][keys.PROBE_STATUS]["enum"]
    assert all(key.endswith(keys.PRODUCT_SUFFIX) for key in PRODUCT_KEYS)


def test_legacy_keeps_the_same_head() -> None:
    """legacy.py must parse on Python 2.7, so it keeps a copy of the head: the copy is this process's head."""
    assert legacy.HEAD_KEYS == keys.HEAD_KEYS and legacy.STATUS_UNSUPPORTED == keys.STATUS_UNSUPPORTED
    expected, failed = head(keys.STATUS_UNSUPPORTED)
    assert failed == [] and legacy.head() == expected
    for pretty in (False, True):
        assert legacy.encode(expected, pretty) == encode(expected, pretty)


@pytest.mark.parametrize("machine", [*sorted(interpreter._ARCHES), "armv7l", "sparc64", ""])
@pytest.mark.parametrize("maxsize", [2**31 - 1, 2**63 - 1])
def test_legacy_names_the_architecture_as_the_core_does(
    monkeypatch: pytest.MonkeyPatch, machine: str, maxsize: int
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(sys, "maxsize", maxsize)
    monkeypatch.setattr(os, "uname", lambda: ("Linux", "host", "6.8", "#1", machine), raising=False)
    assert legacy.python_arch() == interpreter.python_arch()


@pytest.mark.parametrize("platform", [*(prefix + "9" for prefix, _ in legacy.PLATFORMS), "plan9", "java1.8"])
def test_legacy_names_the_platform_as_the_core_does(monkeypatch: pytest.MonkeyPatch, platform: str) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    assert legacy.python_platform() == interpreter.node_platform(platform)
