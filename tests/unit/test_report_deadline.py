"""``probe.report.deadline.within`` and the report's facts when the deadline cuts them, in-process.

The work waits on a lock the test holds, so "the deadline passed first" is an event, not a race.
"""

from __future__ import annotations

import _thread
import threading
from collections.abc import Iterator
from typing import Any, Callable

import pytest

from probe.report import assembly, findings
from probe.report.deadline import within
from probe.report.markdown import render_markdown


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    """An event the work waits on; set when the test ends, so no worker thread is left behind."""
    event = threading.Event()
    yield event
    event.set()


def test_work_that_finishes_gives_all_it_recorded() -> None:
    reached, finished = within(5, lambda record: [record(name, index) for index, name in enumerate("abc")])
    assert (reached, finished) == ({"a": 0, "b": 1, "c": 2}, True)


def test_the_deadline_keeps_what_was_reached_and_drops_what_comes_later(gate: threading.Event) -> None:
    def work(record: Callable[[str, Any], None]) -> None:
        record("first", 1)
        gate.wait()
        record("late", 2)  # after the deadline: dropped, whenever the gate opens

    reached, finished = within(0.1, work)
    assert (reached, finished) == ({"first": 1}, False)


def test_work_that_raises_keeps_what_it_reached() -> None:
    def work(record: Callable[[str, Any], None]) -> None:
        record("first", 1)
        raise KeyboardInterrupt  # as a start-up hook may raise anything: the worker ends, the report does not

    assert within(5, work) == ({"first": 1}, True)


def test_without_threads_the_work_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_threads(*args: object) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(_thread, "start_new_thread", no_threads)
    caller = threading.get_ident()
    assert within(5, lambda record: record("thread", threading.get_ident())) == ({"thread": caller}, True)


def test_a_product_past_the_deadline_is_reported_as_not_checked(
    monkeypatch: pytest.MonkeyPatch, gate: threading.Event
) -> None:
    """starlette's lookup never returns: the products before it are there, the rest are not checked, and so are
    the checks that need every product; the facts still match the shipped schema."""
    from support import report_validator

    explain = findings.explain

    def stalled(target: Any, search_path: list[str]) -> Any:
        if target.key == "starlette_version":
            gate.wait()
        return explain(target, search_path)

    monkeypatch.setattr(findings, "explain", stalled)
    facts = assembly.gather_facts(paths=False, timeout=0.5)
    report_validator().validate(facts)
    by_module = {product["module"]: product for product in facts["products"]}
    assert by_module["starlette"] == {
        "module": "starlette",
        "version": None,
        "distribution": None,
        "found_by": "not checked",
    }
    assert by_module["pydantic"]["found_by"] != "not checked"
    assert facts["deadline"] == {
        "seconds": 0.5,
        "passed": True,
        "not_checked": ["hardware", "products", "notices", "unmet_requirements"],
    }
    assert (facts["notices"], facts["unmet_requirements"]) == ([], [])
    markdown = render_markdown(facts).splitlines()
    assert "| typer | ? |  | not checked (deadline) |" in markdown
    assert "- **Hardware**: not checked (deadline)" in markdown
    assert any(line.startswith("- not checked, because the deadline of 0.5 s passed first: ") for line in markdown)
