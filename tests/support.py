"""Helpers shared by the tests: the block's keys, requiring interpreters, running the probe as the extension does."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, NoReturn

import jsonschema
import pytest
from pythons import NOT_ON_CI, ON_CI, find_interpreter
from schema_keys import FIXED_KEYS as FIXED_KEYS  # the block's keys, re-exported for the tests
from schema_keys import PRODUCT_KEYS as PRODUCT_KEYS
from schema_keys import PRODUCT_MODULES as PRODUCT_MODULES
from schema_keys import SCHEMA_FILE, load_schema

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("PROBE_TEST_CACHE", ROOT / ".cache"))
# PROBE_STRICT=1 (.ci/run sets it): the machine is meant to have every tool, so a missing one fails.
IN_CI = os.environ.get("PROBE_STRICT", "").lower() in ("1", "true", "yes")
FRAME_PREFIX = '{"probe_schema_version":'
REPORT_FRAME_PREFIX = '{"report_schema_version":'

# Variables of the developer's shell that would change what the probe sees.
_LEAKY_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH", "PYTHONUSERBASE", "PYTHONNOUSERSITE", "PYTHONSTARTUP")


def unavailable(message: str, *, in_ci: bool = True) -> NoReturn:
    """Something a test needs is missing: a contributor skips with *message* (say what to install), CI fails.

    ``in_ci=False`` for what CI's machine does not have either: it skips there too.
    """
    if IN_CI and in_ci:
        pytest.fail(message + " (CI must have it: see .ci/run)")
    pytest.skip(message)


def require_interpreter(version: str) -> str:
    """The interpreter for *version*; a contributor without it skips, CI fails for those it has (``ON_CI``)."""
    python = find_interpreter(version)
    if python is None:
        name = version if version.startswith("pypy") else f"python{version}"
        why = f" ({NOT_ON_CI[version]})" if version in NOT_ON_CI else ""
        unavailable(
            f"no Python {version} here{why}: install it with pyenv, or put {name} on PATH", in_ci=version in ON_CI
        )
    return python


def clean_env(**extra: str) -> dict[str, str]:
    """The current environment without the variables that would change the probe's view."""
    env = {key: value for key, value in os.environ.items() if key not in _LEAKY_VARIABLES}
    env.update(extra)
    return env


REPORT_SCHEMA_FILE = ROOT / "probe" / "report" / "schema.json"


@functools.lru_cache(maxsize=None)
def validator(schema_file: Path) -> jsonschema.protocols.Validator:
    """A validator for a schema the probe ships (draft 2020-12), checked itself first."""
    schema = load_schema(schema_file)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def block_validator() -> jsonschema.protocols.Validator:
    """The validator of the block's schema, ``probe/schema.json``."""
    return validator(SCHEMA_FILE)


def report_validator() -> jsonschema.protocols.Validator:
    """The validator of ``--report --json``'s schema, ``probe/report/schema.json``."""
    return validator(REPORT_SCHEMA_FILE)


def framed(stdout: str, prefix: str) -> dict[str, Any]:
    """The framing rule the extension applies to the block and the report alike: the last line of
    *stdout* that starts with *prefix*, as a JSON object."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(prefix):
            found = json.loads(line)
            assert isinstance(found, dict)
            return found
    raise AssertionError(f"no line starts with {prefix} in stdout: {stdout!r}")


def parse_report(stdout: str) -> dict[str, Any]:
    """The one line of JSON ``--report --json`` prints, found by the framing rule and validated
    against its shipped schema."""
    report = framed(stdout, REPORT_FRAME_PREFIX)
    report_validator().validate(report)
    return report


def assert_no_paths(text: str, *places: str | os.PathLike[str]) -> None:
    """No path in a report: neither the checkout, this interpreter's prefix and the home folder, nor *places*."""
    for place in {str(ROOT), sys.prefix, os.path.expanduser("~"), *map(str, places)}:
        assert place not in text, f"{place} leaked into the report"


def parse_block(stdout: str) -> dict[str, Any]:
    """The framing rule the extension applies: the last line that starts with the frame prefix.

    Every block a test looks at is validated against the shipped JSON Schema on the way.
    """
    block = framed(stdout, FRAME_PREFIX)
    block_validator().validate(block)
    return block


class ProbeRun:
    def __init__(self, completed: subprocess.CompletedProcess[str]) -> None:
        self.returncode = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr

    @property
    def block(self) -> dict[str, Any]:
        return parse_block(self.stdout)


def run_probe(
    python: str | os.PathLike[str] = sys.executable,
    *args: str,
    env: dict[str, str] | None = None,
    cwd: str | os.PathLike[str] = ROOT,
    timeout: float = 60,
    interpreter_flags: tuple[str, ...] = (),
    wrapper: list[str] | None = None,
) -> ProbeRun:
    """``python -m probe ARGS`` from the folder that holds ``probe/``, as the extension runs it.

    *wrapper* is a command that runs the interpreter for it (``unshare ...`` for a read-only mount).
    """
    completed = subprocess.run(
        [*(wrapper or []), os.fspath(python), *interpreter_flags, "-m", "probe", *args],
        cwd=cwd,
        env=clean_env() if env is None else env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return ProbeRun(completed)


def record_hash(data: bytes) -> str:
    """A RECORD row's hash of *data* (PEP 376, PEP 427): ``sha256=`` and URL-safe base64 without padding."""
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode("ascii").rstrip("=")


def copy_probe(directory: Path) -> Path:
    """A copy of ``probe/`` in a folder of its own, without bytecode; returns the folder to run it from."""
    app = directory / "app"
    shutil.copytree(ROOT / "probe", app / "probe", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return app
