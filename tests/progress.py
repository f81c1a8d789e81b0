"""A short line on the terminal for each step of a slow set-up (real environments take minutes).

pytest captures what runs during a test, its own terminal writer included, so a line
written from a worker thread would land in the test's captured output. Workers only note
that a step finished; the main thread, while it waits for them, writes the notes with
capture suspended (what ``capsys.disabled()`` does), so they reach the terminal, or nox's
output, while nothing else does.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, wait
from typing import TypeVar

import pytest

T = TypeVar("T")


class Progress:
    """Counts finished steps of one set-up; each becomes a line ``what 3/40: name (12 s)``."""

    def __init__(self, config: pytest.Config, what: str, total: int) -> None:
        self._reporter = config.pluginmanager.get_plugin("terminalreporter")
        self._capture = config.pluginmanager.get_plugin("capturemanager")
        self._what = what
        self._total = total
        self._done = 0
        self._pending: list[str] = []
        self._start = time.monotonic()
        self._lock = threading.Lock()

    def say(self, line: str) -> None:
        """Note *line*, from any thread; it is written by the next :meth:`flush`."""
        with self._lock:
            self._pending.append(line)

    def done(self, name: str) -> None:
        """Note that the step *name* finished, from any thread."""
        elapsed = time.monotonic() - self._start
        with self._lock:
            self._done += 1
            self._pending.append(f"{self._what} {self._done}/{max(self._done, self._total)}: {name} ({elapsed:.0f} s)")

    def flush(self) -> None:
        """Write the notes so far, each on a line of its own (main thread only)."""
        with self._lock:
            lines, self._pending = self._pending, []
        if not lines or self._reporter is None:  # -p no:terminal
            return
        if self._capture is None:  # -p no:capture
            for line in lines:
                self._reporter.write_line(line)
            return
        with self._capture.global_and_fixture_disabled():
            for line in lines:
                self._reporter.write_line(line)

    def wait(self, future: Future[T]) -> T:
        """``future.result()``; while it keeps the main thread waiting, the notes so far are written.

        Only then: a warm run, whose steps are done before anyone waits, stays quiet.
        """
        while not wait([future], timeout=1).done:
            self.flush()
        return future.result()
