"""The answer for interpreters the probe does not support (before 3.8): parses on Python 2.7.

Product keys are left out rather than set to null: unknown is not "not installed".
"""

from probe import SCHEMA_VERSION, __version__
from probe.emit import encode, write_stdout
from probe.interpreter import describe

STATUS_UNSUPPORTED = "unsupported_python"


def main(argv):
    # type: (list[str]) -> int
    if "--version" in argv or "-V" in argv:
        write_stdout("probe %s\n" % __version__)
        return 0
    pairs = [
        ("probe_schema_version", SCHEMA_VERSION),
        ("probe_version", __version__),
        ("probe_status", STATUS_UNSUPPORTED),
    ] + describe()
    if "--pretty" in argv:
        write_stdout(encode(pairs, pretty=True) + "\n")
    else:
        write_stdout("\n" + encode(pairs) + "\n")
    return 0
