"""The answer for interpreters the probe does not support (before 3.8): parses on Python 2.7.

Product keys are left out rather than set to null: unknown is not "not installed".
"""

from probe import __version__
from probe.emit import STATUS_UNSUPPORTED, head, write_block, write_stdout


def main(argv):
    # type: (list[str]) -> int
    if "--version" in argv or "-V" in argv:
        write_stdout("probe %s\n" % __version__)
        return 0
    write_block(head(STATUS_UNSUPPORTED), pretty="--pretty" in argv)
    return 0
