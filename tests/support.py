"""Helpers shared by the tests: finding interpreters, and running the probe the way the extension does."""

from __future__ import annotations

import functools
import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("PROBE_TEST_CACHE", ROOT / ".cache"))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
FRAME_PREFIX = '{"probe_schema_version":'

# Variables of the developer's shell that would change what the probe sees.
_LEAKY_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH", "PYTHONUSERBASE", "PYTHONNOUSERSITE", "PYTHONSTARTUP")


def pyenv_root() -> Path:
    return Path(os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv"))


def find_interpreter(version: str) -> str | None:
    """An interpreter for *version* ("3.8", "2.7", "pypy3"), from pyenv or PATH; None if there is none."""
    if version.startswith("pypy"):
        return shutil.which(version) or shutil.which(version.replace(".", "")) or None
    found = sorted(glob.glob(str(pyenv_root() / "versions" / f"{version}.*" / "bin" / "python")))
    if found:
        return found[-1]
    return shutil.which(f"python{version}")


def require_interpreter(version: str) -> str:
    """The interpreter for *version*; a contributor without it skips, CI (which has it) fails."""
    python = find_interpreter(version)
    if python is None:
        message = f"no Python {version} on this machine"
        if IN_CI:
            pytest.fail(message + " (CI installs it: see .ci/run)")
        pytest.skip(message)
    return python


def clean_env(**extra: str) -> dict[str, str]:
    """The current environment without the variables that would change the probe's view."""
    env = {key: value for key, value in os.environ.items() if key not in _LEAKY_VARIABLES}
    env.update(extra)
    return env


SCHEMA_FILE = ROOT / "probe" / "schema.json"


REPORT_SCHEMA_FILE = ROOT / "probe" / "report" / "schema.json"


@functools.lru_cache(maxsize=None)
def validator(schema_file: Path) -> jsonschema.protocols.Validator:
    """A validator for a schema the probe ships (draft 2020-12), checked itself first."""
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def block_validator() -> jsonschema.protocols.Validator:
    """The validator of the block's schema, ``probe/schema.json``."""
    return validator(SCHEMA_FILE)


def report_validator() -> jsonschema.protocols.Validator:
    """The validator of ``--report --json``'s schema, ``probe/report/schema.json``."""
    return validator(REPORT_SCHEMA_FILE)


def parse_report(stdout: str) -> dict[str, Any]:
    """The one JSON object ``--report --json`` prints, validated against its shipped schema."""
    report = json.loads(stdout)
    assert isinstance(report, dict)
    report_validator().validate(report)
    return report


def parse_block(stdout: str) -> dict[str, Any]:
    """The framing rule the extension applies: the last line that starts with the frame prefix.

    Every block a test looks at is validated against the shipped JSON Schema on the way.
    """
    for line in reversed(stdout.splitlines()):
        if line.startswith(FRAME_PREFIX):
            block = json.loads(line)
            assert isinstance(block, dict)
            block_validator().validate(block)
            return block
    raise AssertionError(f"no block in stdout: {stdout!r}")


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
) -> ProbeRun:
    """``python -m probe ARGS`` from the folder that holds ``probe/``, as the extension runs it."""
    completed = subprocess.run(
        [os.fspath(python), *interpreter_flags, "-m", "probe", *args],
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
