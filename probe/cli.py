"""``python -m probe``: parse the arguments and hand the work to the part that does it.

Arguments are parsed by hand: ``argparse`` would import more than the whole probe costs,
and its errors span several lines.
"""

from probe import __version__
from probe.block import answer
from probe.emit import STATUS_OK, error_line, head, write_stderr, write_stdout
from probe.products import target_for
from probe.versions import is_valid_project_name

DEFAULT_TIMEOUT = 2.0
MAX_TIMEOUT = 60.0
MAX_NAMES = 64

HELP = """\
usage: python -m probe [--pretty] [--timeout SECONDS] [NAME ...]
       python -m probe --report [--json] [--paths]
       python -m probe --schema | --help | --version

Print the FastAPI extension's telemetry context block for this interpreter: one
line of JSON, the last line of stdout. Installed packages are read, never imported.

positional arguments:
  NAME               distributions to report instead of fastapi, fastapi-cli,
                     fastapi-cloud-cli, pydantic, starlette and typer; each is
                     reported under its PEP 503 name with '-' as '_' plus '_version'

options:
  --pretty           indent the JSON for people
  --timeout SECONDS  answer within this many seconds, whatever blocks (default: 2)
  --report           print a Markdown report to paste into a bug report
  --json             with --report, print the report's facts as one JSON object
  --paths            with --report, include file system paths
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
        self.timeout = DEFAULT_TIMEOUT
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
                raise UsageError("not a distribution name: %r" % arg[:80])
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
                raise UsageError("%s cannot be combined with --%s" % (arg, options.action))
            options.action = actions[arg]
        else:
            raise UsageError("unrecognized argument: %r" % arg[:80])
    if options.action == "help":
        return options
    if options.paths and options.action != "report":
        raise UsageError("--paths goes with --report")
    if options.json and options.action != "report":
        raise UsageError("--json goes with --report")
    if options.names and options.action != "block":
        raise UsageError("distribution names go with the block, not --%s" % options.action)
    if len(options.names) > MAX_NAMES:
        raise UsageError("at most %d distribution names" % MAX_NAMES)
    reserved = {key for key, _ in head(STATUS_OK)} if options.names else set()
    for name in options.names:
        if target_for(name).key in reserved:
            raise UsageError("%r would report under a reserved key" % name)
    return options


def parse_timeout(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise UsageError("--timeout takes a number of seconds, not %r" % value[:40]) from None
    if not 0 < seconds <= MAX_TIMEOUT:
        raise UsageError("--timeout must be more than 0 and at most %g seconds" % MAX_TIMEOUT)
    return seconds


def main(argv: "list[str]") -> int:
    """Parse *argv* and run what it asks for: the block (exit 0, always), or another action.

    A bad argument is one line on stderr and exit status 2. The block keeps its own promise
    (:func:`probe.block.answer`); any other action that fails unexpectedly gets one line on
    stderr, never a traceback, and exit status 1.
    """
    try:
        options = parse_args(argv)
    except UsageError as error:
        write_stderr("python -m probe: error: %s (see --help)\n" % error)
        return 2
    if options.action == "block":
        return answer(options.names, options.timeout, options.pretty)
    try:
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
        return "probe %s\n" % __version__
    if options.action == "schema":
        from probe.schema import schema_text

        return schema_text()
    from probe.report import report, report_json

    return report_json(paths=options.paths) if options.json else report(paths=options.paths)
