"""``python -m probe``. Parses on Python 2.7, so that any interpreter gets a JSON answer."""

import sys


def supported():
    # type: () -> bool
    """Whether this is Python 3.8 or newer, read from ``sys.hexversion``.

    The one place a replaced ``sys.version_info`` is read around: where ``hexversion`` cannot
    be read either, the legacy answer, which parses and runs everywhere, still gives a block.
    """
    try:
        return int(sys.hexversion) >= 0x03080000
    except BaseException:
        return False


def run():
    # type: () -> int
    if not supported():
        from probe import legacy

        return legacy.main(sys.argv[1:])
    from probe import cli

    return cli.main(sys.argv[1:])


if __name__ == "__main__":
    code = run()
    if supported():
        from probe.output import exit_now
    else:
        from probe.legacy import exit_now
    exit_now(code)
