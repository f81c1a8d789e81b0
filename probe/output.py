"""The block and its one write, and the promise that holds them: one block, exit status 0, whatever is raised.

The head (the keys every block starts with) comes first, then each product's value. A
stalled network mount or a FIFO can block a system call for minutes, so the products are
looked up in a worker thread; when the deadline passes first, the worker is abandoned (the
process ends right after the answer) and the keys it did not reach are left out, with
status ``timeout``. Anything raised that nobody planned for (a start-up hook that broke a
function of ``os``, a finder that raises) costs only the keys it touched: the block has the
keys known so far, status ``error``, and stderr one line naming what failed.

Framing rule (the extension relies on it): the block is the last line of stdout that
starts with ``{"probe_schema_version":``. It is written after a newline, so a start-up
hook's unterminated output cannot join it, to a private copy of file descriptor 1 after
descriptor 1 itself was pointed at a pipe nobody reads, so a thread a hook started cannot
print after it; and the process ends at once afterwards, so no ``atexit`` handler can.
``json`` is not imported: it costs more than half an interpreter start-up, and a ``json.py``
planted on ``sys.path`` could stand in for it.
"""

import _thread
import os
import sys

from probe import SCHEMA_VERSION, __version__
from probe.interpreter import describe
from probe.keys import (
    PROBE_SCHEMA_VERSION,
    PROBE_STATUS,
    PROBE_VERSION,
    STATUS_ERROR,
    STATUS_OK,
    STATUS_TIMEOUT,
)
from probe.lookup import PRODUCTS, Target, resolve, target_for, user_search_path

TYPE_CHECKING = False  # typing is not imported at run time; type checkers treat this as True
if TYPE_CHECKING:
    Pairs = list[tuple[str, object]]
    Failures = list[tuple[str, BaseException]]

# The system calls of the write, taken from the interpreter's own module rather than from
# ``os``, whose functions a start-up hook may have replaced (``os`` re-exports these).
_system = sys.modules.get("posix") or sys.modules.get("nt") or os

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _string(text: str) -> str:
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
                out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
            else:
                out.append(f"\\u{code:04x}")
    return '"' + "".join(out) + '"'


def _value(value: object) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    return _string(str(value))


def encode_value(value: object) -> str:
    """JSON for *value*, lists and string-keyed dicts included (``--paths``); the block itself is flat."""
    if isinstance(value, dict):
        return "{" + ",".join(_string(key) + ":" + encode_value(item) for key, item in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(encode_value(item) for item in value) + "]"
    return _value(value)


def encode(pairs: "Pairs", pretty: bool = False) -> str:
    """A JSON object from ``(key, value)`` pairs, in their order; values are str, int, bool or None."""
    colon = ": " if pretty else ":"
    members = [_string(key) + colon + _value(value) for key, value in pairs]
    if pretty:
        return "{\n  " + ",\n  ".join(members) + "\n}" if members else "{}"
    return "{" + ",".join(members) + "}"


def fixed_pairs(status: str) -> "Pairs":
    """The three keys that need no reading of the interpreter; ``probe_schema_version`` first (the framing rule)."""
    return [(PROBE_SCHEMA_VERSION, SCHEMA_VERSION), (PROBE_VERSION, __version__), (PROBE_STATUS, status)]


def head(status: str) -> "tuple[Pairs, Failures]":
    """The keys every block starts with (:func:`fixed_pairs`, then the interpreter's), and the keys that failed."""
    described, failed = describe()
    return fixed_pairs(status) + described, failed


def with_status(pairs: "Pairs", status: str) -> "Pairs":
    """*pairs* with ``probe_status`` set to *status*."""
    return [(key, status if key == PROBE_STATUS else value) for key, value in pairs]


def targets(names: "list[str]") -> "list[Target]":
    """The products to report: the distributions named, else the six; one per key, in order."""
    chosen = [target_for(name) for name in names] if names else list(PRODUCTS)
    return list({target.key: target for target in chosen}.values())


def gather(
    chosen: "list[Target]", search_path: "list[str]", timeout: float, dependencies: "list[object] | None" = None
) -> "tuple[str, Pairs, Failures]":
    """Resolve every target in a worker thread; after *timeout* seconds, answer with what is known.

    Returns the status, the values found, and the targets whose lookup raised (left out). Given
    a *dependencies* list (``--paths``), the worker then adds the object of
    :mod:`probe.dependencies` to it, within the same deadline; a failure there costs that object only.
    """
    results: "dict[str, object]" = {}
    errors: "Failures" = []
    done = _thread.allocate_lock()
    done.acquire()

    def work() -> None:
        try:
            for target in chosen:
                try:
                    results[target.key] = resolve(target, search_path)
                except BaseException as error:  # even SystemExit from a hook: this key only
                    errors.append((target.key, error))
            if dependencies is not None:
                from probe.dependencies import record

                try:
                    dependencies.append(record(chosen, search_path))
                except BaseException:  # no line: the client caches nothing and probes next time
                    pass
        finally:
            done.release()

    try:
        _thread.start_new_thread(work, ())
    except Exception:  # no threads on this platform (or a hook broke them): no deadline either
        work()
    finished = done.acquire(True, timeout)
    known = dict(results)
    failed = errors[:]
    if not finished:
        status = STATUS_TIMEOUT
    elif failed:
        status = STATUS_ERROR
    else:
        status = STATUS_OK
    return status, [(target.key, known[target.key]) for target in chosen if target.key in known], failed


def collect(names: "list[str]", timeout: float, dependencies: "list[object] | None" = None) -> "tuple[Pairs, Failures]":
    """The block as ``(key, value)`` pairs, in the documented order, and what failed on the way;
    with *dependencies* (``--paths``), the object of what the answer depends on (see :func:`gather`).

    ``sys.path`` is read here once, as the user's code sees it, and handed down: no lookup reads it.
    """
    failed: "Failures" = []
    status = STATUS_ERROR
    products: "Pairs" = []
    try:
        search_path = user_search_path(sys.path, sys.flags)
        status, products, failed = gather(targets(names), search_path, timeout, dependencies)
    except BaseException as error:
        failed.append(("the lookup", error))
    block, interpreter_failed = head(status)
    failed += interpreter_failed
    if failed and status == STATUS_OK:
        block = with_status(block, STATUS_ERROR)
    return block + products, failed


def pairs(names: "list[str]", timeout: float) -> "Pairs":
    """The block as ``(key, value)`` pairs (:func:`collect` without its failures)."""
    return collect(names, timeout)[0]


def answer(names: "list[str]", timeout: float, pretty: bool, paths: bool = False) -> int:
    """Print the block and return exit status 0, whatever happened on the way.

    With *paths*, the line of what the answer depends on follows the block (:mod:`probe.dependencies`),
    when the block is complete (status ``ok``) and the line could be made within the deadline.
    """
    dependencies: "list[object] | None" = None
    if paths:
        from probe.dependencies import start

        start()
        dependencies = []
    block, failed = collect(names, timeout, dependencies)
    write_block(block, pretty)
    recorded = dependencies[0] if dependencies else None
    if recorded is not None and (PROBE_STATUS, STATUS_OK) in block:
        write_stdout(encode_value(recorded) + "\n")  # one line, right after the block's
    if failed:
        what = ", ".join(sorted({key for key, _ in failed}))
        write_stderr(error_line(what, failed[0][1]))
    return 0


def write_block(pairs: "Pairs", pretty: bool = False) -> None:
    """The one write of a block: after a newline (the framing rule), or indented for people."""
    if pretty:
        write_stdout(encode(pairs, pretty=True) + "\n")
    else:
        write_stdout("\n" + encode(pairs) + "\n")


def error_line(what: str, error: BaseException) -> str:
    """One line for stderr about an unplanned *error*: its type, never its message (which may hold a path)."""
    name = "".join(char for char in type(error).__name__ if char.isalnum() or char in "_.")[:60]
    return f"python -m probe: error: {what} failed unexpectedly ({name or 'exception'})\n"


# The private copy of file descriptor 1 that the answer goes to, once taken.
_OWN_STDOUT: "list[int]" = []


def own_stdout() -> int:
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


def write_stdout(text: str) -> None:
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


def write_stderr(text: str) -> None:
    try:
        _system.write(2, text.encode("ascii", "backslashreplace"))
    except OSError:
        pass


def exit_now(code: int) -> None:
    """End the process without running ``atexit`` handlers or waiting for threads.

    stdout and stderr are closed first, so the reader sees their end now: a thread the
    deadline abandoned inside a stalled file system can keep the process from ending (a FUSE
    request already sent waits for its daemon, even after SIGKILL), but not the output.
    """
    for fd in [*_OWN_STDOUT, 1, 2]:
        try:
            _system.close(fd)
        except OSError:
            pass
    _system._exit(code)
