"""The command line as this interpreter runs it: one or two cases per wiring (the block, names,
--pretty, --help, --version, --timeout, a usage error). What each argument means, and every
bad one's message, is in-process in tests/unit/test_arguments.py."""

from __future__ import annotations

import sys

import pytest
from support import FIXED_KEYS, FRAME_PREFIX, PRODUCT_KEYS, SCHEMA_FILE, run_probe

from probe import SCHEMA_VERSION, __version__


def test_default_block_has_every_key_in_order() -> None:
    run = run_probe()
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    block = run.block
    assert list(block) == FIXED_KEYS + PRODUCT_KEYS
    assert block["probe_schema_version"] == SCHEMA_VERSION
    assert block["probe_version"] == __version__
    assert block["probe_status"] == "ok"
    assert run.stdout.endswith("\n") and run.stdout.splitlines()[-1].startswith("{")


def test_pretty_is_the_same_block_indented() -> None:
    import json

    plain = run_probe().block
    pretty = run_probe(sys.executable, "--pretty")
    assert pretty.returncode == 0
    assert json.loads(pretty.stdout) == plain
    assert '\n  "probe_schema_version": 1,\n' in pretty.stdout


def test_names_replace_the_six() -> None:
    run = run_probe(sys.executable, "Jinja2", "zope.interface", "FastAPI-CLI")
    assert run.returncode == 0, run.stderr
    assert list(run.block)[len(FIXED_KEYS) :] == ["jinja2_version", "zope_interface_version", "fastapi_cli_version"]


def test_named_distribution_reports_its_version() -> None:
    import importlib.metadata

    block = run_probe(sys.executable, "pytest").block
    assert block["pytest_version"] == importlib.metadata.version("pytest")


def test_help() -> None:
    run = run_probe(sys.executable, "-h")
    assert run.returncode == 0
    assert run.stdout.startswith("usage: python -m probe")
    assert run.stderr == ""


def test_schema_flag_prints_the_shipped_file_exactly() -> None:
    run = run_probe(sys.executable, "--schema")
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout == SCHEMA_FILE.read_text(encoding="utf-8")
    assert not run.stdout.startswith(FRAME_PREFIX)


def test_version() -> None:
    run = run_probe(sys.executable, "--version")
    assert (run.returncode, run.stdout, run.stderr) == (0, f"probe {__version__}\n", "")


def test_a_bad_argument_gets_one_line_and_exit_2() -> None:
    """The wiring of a usage error: what each bad command line means is tests/unit/test_arguments.py's."""
    run = run_probe(sys.executable, "--timeout", "soon")
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("python -m probe: error: ")
    assert "--timeout takes a number of seconds, not 'soon'" in run.stderr
    assert "Traceback" not in run.stderr


def test_timeout_argument_is_accepted() -> None:
    run = run_probe(sys.executable, "--timeout", "3.5")
    assert run.returncode == 0
    assert run.block["probe_status"] == "ok"


@pytest.mark.parametrize("args", [[], ["--pretty"], ["fastapi", "Jinja2"]])
def test_paths_adds_one_line_after_the_same_block_and_only_then_loads_the_recorder(args: list[str]) -> None:
    """``--paths``: the block as without it, then the dependency line; without it the recorder is not even imported."""
    plain_run = run_probe(sys.executable, *args)
    paths_run = run_probe(sys.executable, "--paths", *args)
    assert (plain_run.returncode, paths_run.returncode) == (0, 0)
    before, _, line = paths_run.stdout.rstrip("\n").rpartition("\n")
    assert before + "\n" == plain_run.stdout
    assert line.startswith('{"probe_dependencies_version":1,"environment":{')
    imports = run_probe(sys.executable, *args, interpreter_flags=("-v",)).stderr  # every module loaded, on PyPy too
    assert "output.py" in imports and "dependencies.py" not in imports
