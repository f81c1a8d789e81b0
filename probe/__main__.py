"""``python -m probe``. Parses on Python 2.7, so that any interpreter gets a JSON answer.

Also runs as a file, ``python <bundle>/probe/__main__.py``: that is how the extension runs it,
because some interpreters keep the current folder off ``sys.path`` and ``-m probe`` then cannot
find the probe: the Windows embeddable CPython (its ``pythonXY._pth`` file), ``-I``, ``-P`` and
``PYTHONSAFEPATH``. Run as a file, it puts the folder that holds ``probe/`` on ``sys.path``
itself, and the probe leaves that folder out of what it reports (``probe.lookup``).
"""

import sys


def bundle_on_path():
    # type: () -> None
    """Make ``import probe`` find the folder that holds this package, whatever the interpreter's flags.

    The folder Python put first for a script is ``probe/`` itself (unless isolated): it goes, so
    that no module of the probe's can stand in for a standard library module of the same name.
    Only ``sys`` and ``os`` are imported first, and neither can be shadowed from there.
    """
    import os

    here = os.path.dirname(os.path.realpath(__file__))
    if sys.path and isinstance(sys.path[0], str) and os.path.realpath(sys.path[0] or ".") == here:
        del sys.path[0]
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


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
    if not __package__:  # run as a file, not as ``-m probe``
        bundle_on_path()
    code = run()
    if supported():
        from probe.output import exit_now
    else:
        from probe.legacy import exit_now
    exit_now(code)
