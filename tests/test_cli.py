"""The command line: arguments, errors, and the shape of the block."""

from __future__ import annotations

import sys

import pytest
from support import FIXED_KEYS, PRODUCT_KEYS, run_probe

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


@pytest.mark.parametrize(
    ("names", "keys"),
    [
        (["pytest"], ["pytest_version"]),
        (
            ["Jinja2", "zope.interface", "typing_extensions"],
            ["jinja2_version", "zope_interface_version", "typing_extensions_version"],
        ),
        (["FastAPI-CLI"], ["fastapi_cli_version"]),
    ],
)
def test_names_replace_the_six(names: list[str], keys: list[str]) -> None:
    run = run_probe(sys.executable, *names)
    assert run.returncode == 0, run.stderr
    assert list(run.block)[len(FIXED_KEYS) :] == keys


def test_named_distribution_reports_its_version() -> None:
    import importlib.metadata

    block = run_probe(sys.executable, "pytest").block
    assert block["pytest_version"] == importlib.metadata.version("pytest")


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help(flag: str) -> None:
    run = run_probe(sys.executable, flag)
    assert run.returncode == 0
    assert run.stdout.startswith("usage: python -m probe")
    assert run.stderr == ""


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag: str) -> None:
    run = run_probe(sys.executable, flag)
    assert (run.returncode, run.stdout, run.stderr) == (0, f"probe {__version__}\n", "")


@pytest.mark.parametrize(
    "args",
    [
        ["--nope"],
        ["not a name"],
        ["-x"],
        ["fastapi/../etc"],
        ["--timeout"],
        ["--timeout", "soon"],
        ["--timeout", "0"],
        ["--timeout", "-1"],
        ["--timeout", "nan"],
        ["--paths"],
        ["--json"],
        ["--json", "--schema"],
        ["--schema", "--report"],
        ["--report", "fastapi"],
        ["python"],
        ["probe"],
        ["probe-schema"],
        ["é"],
    ],
)
def test_bad_arguments_get_one_line_and_exit_2(args: list[str]) -> None:
    run = run_probe(sys.executable, *args)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("python -m probe: error: ")
    assert "Traceback" not in run.stderr


def test_timeout_argument_is_accepted() -> None:
    run = run_probe(sys.executable, "--timeout", "3.5")
    assert run.returncode == 0
    assert run.block["probe_status"] == "ok"
