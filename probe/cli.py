"""``python -m probe``: parse the arguments and hand the work to the part that does it.

Arguments are parsed by hand: ``argparse`` would import more than the whole probe costs,
and its errors span several lines.
"""

import os

from probe import __version__
from probe.files import read_bytes
from probe.keys import HEAD_KEYS
from probe.lookup import target_for
from probe.output import answer, error_line, write_stderr, write_stdout
from probe.versions import is_valid_project_name

DEFAULT_TIMEOUT = 2.0
REPORT_TIMEOUT = 10.0  # --report: a person, or the extension's Report Issue command, is waiting
MAX_TIMEOUT = 60.0
MAX_NAMES = 64

HELP = """\
usage: python -m probe [--pretty] [--timeout SECONDS] [--paths] [NAME ...]
       python -m probe --report [--json] [--paths] [--timeout SECONDS]
       python -m probe --schema | --help | --version

Print the FastAPI extension's telemetry context block for this interpreter: one
line of JSON, the last line of stdout. Installed packages are read, never imported.

positional arguments:
  NAME               distributions to report instead of fastapi, fastapi-cli,
                     fastapi-cloud-cli, pydantic, starlette and typer; each is
                     reported under its PEP 503 name with '-' as '_' plus '_version'

options:
  --pretty           indent the JSON for people
  --timeout SECONDS  answer within this many seconds, whatever blocks (default: 2;
                     with --report: 10)
  --report           print a Markdown report to paste into a bug report
  --json             with --report, print the report's facts as one line of JSON
  --paths            after the block, one more line: what the answer depends on
                     (files, folders, environment variables), for a local cache;
                     with --report, include file system paths
  --schema           print the JSON Schema of the block
  -V, --version      print the probe's version
  -h, --help         show this help
"""


class UsageError(Exception):
    """A bad command line: one line on stderr, exit status 2."""


class Options:
    __slots__ = ("pretty", "timeout", "names", "action", "paths", "json")

    def __init__(self) -> None:
        self.pretty = False
        self.timeout = 0.0  # the action's default, set by parse_args (--timeout takes more than 0)
        self.names: "list[str]" = []
        self.action = "block"
        self.paths = False
        self.json = False


def parse_args(argv: "list[str]") -> Options:
    options = Options()
    actions = {
        "--report": "report",
        "--schema": "schema",
        "--help": "help",
        "-h": "help",
        "--version": "version",
        "-V": "version",
    }
    args = list(argv)
    only_names = False
    while args:
        arg = args.pop(0)
        if only_names or not arg.startswith("-"):
            if not is_valid_project_name(arg):
                raise UsageError(f"not a distribution name: {arg[:80]!r}")
            options.names.append(arg)
        elif arg == "--":
            only_names = True
        elif arg == "--pretty":
            options.pretty = True
        elif arg == "--paths":
            options.paths = True
        elif arg == "--json":
            options.json = True
        elif arg == "--timeout" or arg.startswith("--timeout="):
            value = arg.partition("=")[2] if "=" in arg else (args.pop(0) if args else "")
            options.timeout = parse_timeout(value)
        elif arg in actions:
            if options.action not in ("block", actions[arg]):
                raise UsageError(f"{arg} cannot be combined with --{options.action}")
            options.action = actions[arg]
        else:
            raise UsageError(f"unrecognized argument: {arg[:80]!r}")
    if options.action == "help":
        return options
    if not options.timeout:
        options.timeout = REPORT_TIMEOUT if options.action == "report" else DEFAULT_TIMEOUT
    if options.paths and options.action not in ("block", "report"):
        raise UsageError("--paths goes with the block or --report")
    if options.json and options.action != "report":
        raise UsageError("--json goes with --report")
    if options.names and options.action != "block":
        raise UsageError(f"distribution names go with the block, not --{options.action}")
    if len(options.names) > MAX_NAMES:
        raise UsageError(f"at most {MAX_NAMES:d} distribution names")
    for name in options.names:
        if target_for(name).key in HEAD_KEYS:
            raise UsageError(f"{name!r} would report under a reserved key")
    return options


def parse_timeout(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise UsageError(f"--timeout takes a number of seconds, not {value[:40]!r}") from None
    if not 0 < seconds <= MAX_TIMEOUT:
        raise UsageError(f"--timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds")
    return seconds


def main(argv: "list[str]") -> int:
    """Parse *argv* and run what it asks for: the block (exit 0, always), or another action.

    A bad argument is one line on stderr and exit status 2. The block keeps its own promise
    (:func:`probe.output.answer`); any other action that fails unexpectedly gets one line on
    stderr, never a traceback, and exit status 1.
    """
    try:
        options = parse_args(argv)
    except UsageError as error:
        write_stderr(f"python -m probe: error: {error} (see --help)\n")
        return 2
    if options.action == "block":
        return answer(options.names, options.timeout, options.pretty, options.paths)
    try:
        if options.action == "report":  # a person's command: Ctrl-C and SIGTERM stop it (exit 130, 143)
            from probe.report.interrupt import stop_on_signals

            stop_on_signals()
        write_stdout(action_text(options))
    except BaseException as error:
        write_stderr(error_line("--" + options.action, error))
        return 1
    return 0


def action_text(options: Options) -> str:
    """What ``--help``, ``--version``, ``--schema`` or ``--report`` prints."""
    if options.action == "help":
        return HELP
    if options.action == "version":
        return f"probe {__version__}\n"
    if options.action == "schema":
        return schema_text()
    from probe.report import report, report_json

    return report_json(options.paths, options.timeout) if options.json else report(options.paths, options.timeout)


def schema_text() -> str:
    """What ``--schema`` prints: ``schema.json`` (JSON Schema draft 2020-12), shipped beside the code, unchanged.

    The extension, the tests and anyone reading the bundle see the same file.
    """
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema.json")
    data = read_bytes(path, 1024 * 1024)
    if data is None:
        raise OSError(f"the probe's schema.json is missing: {path}")
    return data.decode("utf-8")
