"""``python -m probe``. Parses on Python 2.7, so that any interpreter gets a JSON answer."""

import sys


def run():
    # type: () -> int
    if sys.version_info < (3, 8):
        from probe import legacy

        return legacy.main(sys.argv[1:])
    from probe import cli

    return cli.main(sys.argv[1:])


if __name__ == "__main__":
    from probe.emit import exit_now

    exit_now(run())
