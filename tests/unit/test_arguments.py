"""``parse_args``: what each command line means, and the one-line errors of the bad ones."""

from __future__ import annotations

import pytest

from probe.cli import DEFAULT_TIMEOUT, MAX_NAMES, UsageError, parse_args


def test_no_arguments_is_the_block() -> None:
    options = parse_args([])
    assert (options.action, options.pretty, options.timeout, options.names, options.paths) == (
        "block",
        False,
        DEFAULT_TIMEOUT,
        [],
        False,
    )


@pytest.mark.parametrize(
    ("argv", "field", "value"),
    [
        (["--pretty"], "pretty", True),
        (["--timeout", "3.5"], "timeout", 3.5),
        (["--timeout=60"], "timeout", 60.0),
        (["Jinja2", "zope.interface"], "names", ["Jinja2", "zope.interface"]),
        (["--", "--pretty"], "names", None),  # after --, a name; this one is not a valid one
        (["--report", "--paths"], "paths", True),
        (["--paths"], "paths", True),  # the block, then the line of what it depends on
        (["--paths", "fastapi"], "action", "block"),
        (["--report"], "action", "report"),
        (["--report", "--json"], "timeout", 10.0),  # a person waits: the report's own default
        (["--timeout", "30", "--report"], "timeout", 30.0),
        (["--schema"], "action", "schema"),
        (["-V"], "action", "version"),
        (["--version", "--version"], "action", "version"),
        (["-h", "--nonsense-after-help"], "action", None),
        (["--help", "fastapi"], "action", "help"),
    ],
)
def test_meanings(argv: list[str], field: str, value: object) -> None:
    if value is None:
        with pytest.raises(UsageError):
            parse_args(argv)
        return
    assert getattr(parse_args(argv), field) == value


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--nope"], "unrecognized argument: '--nope'"),
        (["-x"], "unrecognized argument: '-x'"),
        (["not a name"], "not a distribution name: 'not a name'"),
        (["fastapi/../etc"], "not a distribution name"),
        (["é"], "not a distribution name"),
        (["--timeout"], "--timeout takes a number of seconds, not ''"),
        (["--timeout", "soon"], "--timeout takes a number of seconds"),
        (["--timeout", "0"], "--timeout must be more than 0 and at most 60 seconds"),
        (["--timeout", "-1"], "--timeout must be more than 0"),
        (["--timeout", "nan"], "--timeout must be more than 0"),
        (["--timeout", "61"], "--timeout must be more than 0"),
        (["--paths", "--schema"], "--paths goes with the block or --report"),
        (["--version", "--paths"], "--paths goes with the block or --report"),
        (["--json"], "--json goes with --report"),
        (["--json", "--schema"], "--json goes with --report"),
        (["--schema", "--report"], "--report cannot be combined with --schema"),
        (["--report", "fastapi"], "distribution names go with the block, not --report"),
        (["python"], "'python' would report under a reserved key"),
        (["probe"], "reserved key"),
        (["Probe-Schema"], "reserved key"),
        (["fastapi"] * (MAX_NAMES + 1), "at most 64 distribution names"),
    ],
)
def test_errors(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_args(argv)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_long_bad_argument_is_cut() -> None:
    with pytest.raises(UsageError) as caught:
        parse_args(["-" + "x" * 500])
    assert len(str(caught.value)) < 120
