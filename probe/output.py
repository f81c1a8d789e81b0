"""The block's head and its one write: a JSON encoder for flat objects, and a write nothing can follow.

Used by the block (:mod:`probe.block`) and by the answer for unsupported interpreters
(:mod:`probe.legacy`), so it parses on Python 2.7. ``json`` is not imported: it costs more than half an interpreter
start-up, and a ``json.py`` planted on ``sys.path`` could stand in for it.

Framing rule (the extension relies on it): the block is the last line of stdout that
starts with ``{"probe_schema_version":``. It is written after a newline, so a start-up
hook's unterminated output cannot join it, to a private copy of file descriptor 1 after
descriptor 1 itself was pointed at a pipe nobody reads, so a thread a hook started cannot
print after it; and the process ends at once afterwards, so no ``atexit`` handler can.
"""

import os
import sys

from probe import SCHEMA_VERSION, __version__
from probe.interpreter import describe

# probe_status: every product asked for answered; the deadline passed first; finding one
# failed unexpectedly; an interpreter older than 3.8 (README, "The block").
STATUS_OK = "ok"
STATUS_TIMEOUT = "timeout"
STATUS_ERROR = "error"
STATUS_UNSUPPORTED = "unsupported_python"

# The system calls of the write, taken from the interpreter's own module rather than from
# ``os``, whose functions a start-up hook may have replaced (``os`` re-exports these).
_system = sys.modules.get("posix") or sys.modules.get("nt") or os

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _string(text):
    # type: (str) -> str
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif " " <= char <= "~":
            out.append(char)
        else:
            # ASCII only, whatever the locale: \uXXXX, with surrogate pairs beyond the BMP.
            code = ord(char)
            if code > 0xFFFF:
                code -= 0x10000
                out.append("\\u%04x\\u%04x" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)))
            else:
                out.append("\\u%04x" % code)
    return '"' + "".join(out) + '"'


def _value(value):
    # type: (object) -> str
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    return _string(str(value))


def encode(pairs, pretty=False):
    # type: (list[tuple[str, object]], bool) -> str
    """A JSON object from ``(key, value)`` pairs, in their order; values are str, int, bool or None."""
    colon = ": " if pretty else ":"
    members = [_string(key) + colon + _value(value) for key, value in pairs]
    if pretty:
        return "{\n  " + ",\n  ".join(members) + "\n}" if members else "{}"
    return "{" + ",".join(members) + "}"


def fixed_pairs(status):
    # type: (str) -> list[tuple[str, object]]
    """The three keys that need no reading of the interpreter; ``probe_schema_version`` first (the framing rule)."""
    return [
        ("probe_schema_version", SCHEMA_VERSION),
        ("probe_version", __version__),
        ("probe_status", status),
    ]


def head(status, failed=None):
    # type: (str, list[tuple[str, BaseException]] | None) -> list[tuple[str, object]]
    """The keys every block starts with: :func:`fixed_pairs`, then the interpreter's.

    An interpreter key that could not be read is added to *failed* (see ``describe``).
    """
    return fixed_pairs(status) + describe(failed)


def with_status(pairs, status):
    # type: (list[tuple[str, object]], str) -> list[tuple[str, object]]
    """*pairs* with ``probe_status`` set to *status*."""
    return [(key, status if key == "probe_status" else value) for key, value in pairs]


def write_block(pairs, pretty=False):
    # type: (list[tuple[str, object]], bool) -> None
    """The one write of a block: after a newline (the framing rule), or indented for people."""
    if pretty:
        write_stdout(encode(pairs, pretty=True) + "\n")
    else:
        write_stdout("\n" + encode(pairs) + "\n")


def error_line(what, error):
    # type: (str, BaseException) -> str
    """One line for stderr about an unplanned *error*: its type, never its message (which may hold a path)."""
    name = "".join(char for char in type(error).__name__ if char.isalnum() or char in "_.")[:60]
    return "python -m probe: error: %s failed unexpectedly (%s)\n" % (what, name or "exception")


# The private copy of file descriptor 1 that the answer goes to, once taken.
_OWN_STDOUT = []  # type: list[int]


def own_stdout():
    # type: () -> int
    """A private copy of stdout, after pointing descriptor 1 itself at a pipe that nobody reads.

    Threads and ``atexit`` handlers that start-up hooks arranged write to descriptor 1 (through
    ``sys.stdout`` or not); from here on that output goes into the pipe, never after the block.
    The pipe's read end stays open, so their writes succeed quietly instead of raising.
    """
    if _OWN_STDOUT:
        return _OWN_STDOUT[0]
    fd = 1
    try:
        fd = _system.dup(1)
        _read_end, write_end = _system.pipe()  # the read end stays open for good
        _system.dup2(write_end, 1)
        _system.close(write_end)
    except OSError:  # no descriptor 1, or none to spare: write to it as it is
        pass
    _OWN_STDOUT.append(fd)
    return fd


def write_stdout(text):
    # type: (str) -> None
    """Write *text* to stdout after whatever start-up hooks left in ``sys.stdout``, and after nothing else."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # a replaced or closed stream must not stop the answer
            pass
    data = text.encode("ascii", "backslashreplace")
    fd = own_stdout()
    while data:
        try:
            written = _system.write(fd, data)
        except OSError:
            return
        data = data[written:]


def write_stderr(text):
    # type: (str) -> None
    try:
        _system.write(2, text.encode("ascii", "backslashreplace"))
    except OSError:
        pass


def exit_now(code):
    # type: (int) -> None
    """End the process without running ``atexit`` handlers or waiting for threads.

    stdout and stderr are closed first, so the reader sees their end now: a thread the
    deadline abandoned inside a stalled file system can keep the process from ending (a FUSE
    request already sent waits for its daemon, even after SIGKILL), but not the output.
    """
    for fd in _OWN_STDOUT + [1, 2]:
        try:
            _system.close(fd)
        except OSError:
            pass
    _system._exit(code)
