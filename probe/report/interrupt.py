"""Ctrl-C and SIGTERM stop ``--report`` at once, as they stop any command-line tool.

The block promises an answer whatever is raised, so its guards catch even
``KeyboardInterrupt``; a person who interrupts the report wants it to stop instead. So for
the report the two signals get a handler of their own: one line on stderr, nothing more on
stdout (the report is written in one piece, only once it is complete), and exit status
128 + the signal's number, as shells report it: 130 for SIGINT, 143 for SIGTERM. The work runs
in a worker thread (:mod:`probe.report.deadline`) while the main thread, where Python runs
signal handlers, only waits; a finder that sleeps or a stalled mount cannot delay the handler.
"""

from probe.files import import_stdlib
from probe.output import exit_now, write_stderr

TYPE_CHECKING = False  # typing is not imported at run time; type checkers treat this as True
if TYPE_CHECKING:
    from types import FrameType

# The signals that stop the report, and the exit status each gives.
STOPPING = (("SIGINT", 130), ("SIGTERM", 143))


def stopped(name: str, status: int) -> None:
    """One line on stderr for the signal *name*, then the process ends with *status*, at once."""
    write_stderr(f"python -m probe: --report stopped by {name}\n")
    exit_now(status)


def stop_on_signals() -> None:
    """Make SIGINT and SIGTERM end the process through :func:`stopped`.

    A signal that was ignored when the probe started (``nohup``, a shell's background job)
    stays ignored, as Python leaves it. Where a signal cannot be handled (not the main thread,
    a platform without it), the default stays.
    """
    signal = import_stdlib("signal")
    for name, status in STOPPING:
        number = getattr(signal, name, None)
        if number is None:
            continue

        def handler(signum: int, frame: "FrameType | None", name: str = name, status: int = status) -> None:
            stopped(name, status)

        try:
            if signal.getsignal(number) == signal.SIG_IGN:
                continue
            signal.signal(number, handler)
        except (ValueError, OSError, RuntimeError):
            pass
