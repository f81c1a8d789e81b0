"""The report's deadline: the facts are gathered in a worker thread, and the report is written
with what that thread reached when the work ends or the deadline passes, whichever comes first.

The block does the same for its products (:func:`probe.output.gather`); the report needs it for a
person at a terminal, or the extension's "Report Issue" command, waiting on a finder that
sleeps or a network mount that stopped answering. The thread left behind is abandoned: the
process ends right after the report (:func:`probe.output.exit_now`). The main thread only
waits, in short slices, so that a signal handler (:mod:`probe.report.interrupt`) runs at once
on every platform: a lock's wait is not interrupted by Ctrl-C on Windows.
"""

import _thread

from probe.files import import_stdlib

TYPE_CHECKING = False  # typing is not imported at run time; type checkers treat this as True
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Tuple

    Record = Callable[[str, Any], None]
    Reached = Dict[str, Any]

# The longest a signal waits for the main thread's attention.
WAIT_SLICE = 0.05


class _Progress:
    """What the worker recorded, by name, until the main thread closes it: later records are dropped."""

    __slots__ = ("_lock", "_open", "_reached")

    def __init__(self) -> None:
        self._lock = _thread.allocate_lock()
        self._open = True
        self._reached: "Reached" = {}

    def record(self, name: str, value: object) -> None:
        with self._lock:
            if self._open:
                self._reached[name] = value

    def close(self) -> "Reached":
        with self._lock:
            self._open = False
            return dict(self._reached)


def _wait(done: "_thread.LockType", timeout: float) -> bool:
    """Whether *done* was released within *timeout* seconds, waited for in slices of :data:`WAIT_SLICE`."""
    monotonic = import_stdlib("time").monotonic
    deadline = monotonic() + timeout
    while True:
        left = deadline - monotonic()
        if left <= 0:
            return False
        if done.acquire(True, min(left, WAIT_SLICE)):
            return True


def within(timeout: float, work: "Callable[[Record], None]") -> "Tuple[Reached, bool]":
    """Run ``work(record)`` in a worker thread for at most *timeout* seconds.

    Returns what *work* had passed to ``record(name, value)`` by then, and whether it finished.
    *work* guards its own steps; one it did not guard ends it, and what it had not recorded is
    missing as after a deadline. Where no thread can be started (a platform without threads,
    or a start-up hook that broke them), *work* runs here, with no deadline.
    """
    progress = _Progress()
    done = _thread.allocate_lock()
    done.acquire()

    def worker() -> None:
        try:
            work(progress.record)
        except BaseException:  # what it reached is kept; the rest is reported as not checked
            pass
        finally:
            done.release()

    try:
        _thread.start_new_thread(worker, ())
    except Exception:
        worker()
    finished = _wait(done, timeout)
    return progress.close(), finished
