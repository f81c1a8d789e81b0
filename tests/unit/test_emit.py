"""``probe.output``: the block's head, its JSON, and the stderr line for what nobody planned."""

from __future__ import annotations

import json
import os
import struct
import sys
from pathlib import Path

import jsonschema
import pytest

from probe import SCHEMA_VERSION, __version__, interpreter
from probe.keys import STATUS_ERROR, STATUS_OK
from probe.output import encode, error_line, head, with_status

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "probe" / "schema.json").read_text(encoding="utf-8"))
HEAD_KEYS = list(SCHEMA["required"])


@pytest.mark.parametrize(
    "value",
    ["plain", 'quote " and \\ backslash', "tab\tnew\nline\rreturn", "é and 中", "emoji \U0001f600", "\x00\x1f\x7f", ""],
)
def test_encode_is_json(value: str) -> None:
    pairs: list[tuple[str, object]] = [("key", value), ("n", 3), ("none", None), ("yes", True), ("no", False)]
    text = encode(pairs)
    assert text.isascii() and "\n" not in text
    assert json.loads(text) == dict(pairs)
    assert json.loads(encode(pairs, pretty=True)) == dict(pairs)


def test_encode_keeps_the_order() -> None:
    assert encode([("b", 1), ("a", 2)]) == '{"b":1,"a":2}'
    assert encode([], pretty=True) == "{}"


def test_head_is_the_schema_s_required_keys_in_order() -> None:
    pairs, _ = head(STATUS_OK)
    assert [key for key, _ in pairs] == HEAD_KEYS
    assert pairs[:3] == [
        ("probe_schema_version", SCHEMA_VERSION),
        ("probe_version", __version__),
        ("probe_status", "ok"),
    ]
    jsonschema.validate(dict([*pairs, ("fastapi_version", None)]), SCHEMA)
    jsonschema.validate(dict(with_status(pairs, "unsupported_python")), SCHEMA)  # legacy.py's block
    assert encode(pairs).startswith('{"probe_schema_version":')  # the framing rule's prefix
    assert dict(with_status(pairs, STATUS_ERROR))["probe_status"] == "error"


def test_a_broken_uname_costs_only_the_architecture(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> object:
        raise RuntimeError("no")

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(os, "uname", broken, raising=False)
    assert interpreter.uname() is None
    block, failed = head(STATUS_OK)
    pairs = dict(block)
    assert pairs["python_arch"] == "unknown" and failed == []  # a planned answer, not a failure
    jsonschema.validate({**pairs, "fastapi_version": None}, SCHEMA)


def test_a_replaced_version_info_costs_the_version(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not in the threat model (CONTRIBUTING.md): the version is left out rather than read a second way."""
    monkeypatch.setattr(sys, "version_info", (3,))
    block, failed = head(STATUS_OK)
    assert "python_version" not in dict(block)
    assert [key for key, _ in failed] == ["python_version"]


@pytest.mark.parametrize("error", [SystemExit(3), KeyboardInterrupt()])
def test_a_uname_raising_a_base_exception_is_a_planned_unknown(
    monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    def broken() -> None:
        raise error

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(os, "uname", broken, raising=False)
    block, failed = head(STATUS_OK)
    assert dict(block)["python_arch"] == "unknown" and failed == []


def test_a_reader_that_raises_gives_unknown_and_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", None)
    block, failed = head(STATUS_OK)
    pairs = dict(block)
    assert pairs["python_platform"] == "unknown"
    assert "python_platform" in [key for key, _ in failed]


def test_uname_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "uname", lambda: ("Linux", "host", "6.8.0", "#1 SMP", "aarch64"), raising=False)
    assert [interpreter.uname_field(name) for name in ("sysname", "release", "machine")] == [
        "Linux",
        "6.8.0",
        "aarch64",
    ]
    monkeypatch.setattr(os, "uname", lambda: ("too", "short"), raising=False)
    assert interpreter.uname() is None and interpreter.uname_field("machine") == ""


def test_pointer_bits_is_the_size_of_a_pointer() -> None:
    assert interpreter.pointer_bits() == struct.calcsize("P") * 8


@pytest.mark.parametrize(("maxsize", "bits"), [(2**31 - 1, 32), (2**63 - 1, 64)])
def test_pointer_bits_of_either_width(monkeypatch: pytest.MonkeyPatch, maxsize: int, bits: int) -> None:
    monkeypatch.setattr(sys, "maxsize", maxsize)
    assert interpreter.pointer_bits() == bits


def test_error_line_never_carries_the_message() -> None:
    line = error_line("fastapi_version", OSError(5, "Input/output error", "/home/someone/project"))
    assert line == "python -m probe: error: fastapi_version failed unexpectedly (OSError)\n"
    planted = type("/home/someone/Oops", (Exception,), {})
    assert "/" not in error_line("--report", planted())
