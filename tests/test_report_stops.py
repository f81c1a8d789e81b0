"""``--report`` behaves like a command-line tool: it ends by its deadline with what it has, and
Ctrl-C (SIGINT) or SIGTERM stops it at once, with one line on stderr and nothing on stdout.

Real processes, real signals: the interpreter running the tests runs the probe with a start-up
hook whose meta-path finder sleeps for a minute when asked for starlette or typer
(``hostile.SLEEPY_FINDER``), as a slow editable-install finder on a network share would. The
finder says when it falls asleep (a file it creates), and the signal is sent then. No time is
asserted: the report could only have come from its deadline, and a signal could only have
ended the run, long before the finder wakes up. Each test prints what it measured.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile import SLEEPY_FINDER
from support import REPORT_FRAME_PREFIX, ROOT, clean_env, parse_block, parse_report, run_probe

# Signals as a terminal sends them: POSIX (Windows' Ctrl-C is a console event, not a signal).
pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")

# Far longer than anything here should take, far shorter than the finder's sleep: only a hang reaches it.
HANG = 30.0


def sleepy_env(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """The environment of a run whose start-up hook installs the sleeping finder, and the file it makes as it sleeps."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SLEEPY_FINDER, encoding="utf-8")
    asleep = tmp_path / "asleep"
    return clean_env(PYTHONPATH=str(hooks), SLEEPY_FINDER_ASLEEP=str(asleep)), asleep


def interrupted(tmp_path: Path, signum: int, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """``python -m probe ARGS`` sent *signum* while the finder sleeps: the run, and seconds from signal to end."""
    env, asleep = sleepy_env(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "probe", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        waited = time.monotonic()
        while not asleep.exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() - waited < HANG, "the finder was never asked"
            time.sleep(0.01)
        sent = time.monotonic()
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=HANG)
        elapsed = time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr), elapsed


@pytest.mark.parametrize("fmt", [(), ("--json",)], ids=["markdown", "json"])
@pytest.mark.parametrize(("name", "status"), [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_signal_during_a_slow_finder_stops_the_report(
    tmp_path: Path, fmt: tuple[str, ...], name: str, status: int
) -> None:
    run, elapsed = interrupted(tmp_path, getattr(signal, name), "--report", *fmt)
    assert (run.returncode, run.stdout, run.stderr) == (status, "", f"python -m probe: --report stopped by {name}\n")
    print(f"--report {' '.join(fmt)} stopped by {name} {elapsed:.3f}s after it")


def test_the_block_keeps_its_promise_through_ctrl_c(tmp_path: Path) -> None:
    """The block is the extension's, not a person's: even Ctrl-C gets a block and exit 0, as any exception does."""
    run, elapsed = interrupted(tmp_path, signal.SIGINT)
    assert run.returncode == 0, run.stderr
    block = parse_block(run.stdout)
    assert block["probe_status"] == "error" and "starlette_version" not in block
    assert run.stderr.count("\n") == 1 and "KeyboardInterrupt" in run.stderr
    print(f"block after SIGINT {elapsed:.3f}s after it")


def test_a_stalled_finder_gets_the_report_within_its_deadline(tmp_path: Path) -> None:
    """What the deadline cut is named, as not checked; what came before it is there."""
    env, _ = sleepy_env(tmp_path)
    started = time.monotonic()
    run = run_probe(sys.executable, "--report", "--json", "--timeout", "1", env=env, timeout=HANG)
    elapsed = time.monotonic() - started
    assert (run.returncode, run.stderr) == (0, ""), run.stderr
    assert run.stdout.splitlines()[-1].startswith(REPORT_FRAME_PREFIX)
    facts = parse_report(run.stdout)
    found_by = {product["module"]: product["found_by"] for product in facts["products"]}
    assert found_by == {
        "fastapi": "missing",
        "fastapi_cli": "missing",
        "fastapi_cloud_cli": "missing",
        "pydantic": found_by["pydantic"],  # whatever this interpreter has
        "starlette": "not checked",
        "typer": "not checked",
        "pydantic_core": "not checked",
    }
    assert found_by["pydantic"] in ("missing", "metadata")
    assert facts["deadline"] == {
        "seconds": 1,
        "passed": True,
        "not_checked": ["hardware", "products", "notices", "unmet_requirements"],
    }
    assert facts["hardware"] == {"summary": "not checked (deadline)", "not_checked": True}
    assert facts["python"]["version"] == facts["issue_form"]["python-version"]
    print(f"--report --json --timeout 1 with a finder asleep: {elapsed:.3f}s")

    markdown = run_probe(sys.executable, "--report", "--timeout", "1", env=env, timeout=HANG)
    assert (markdown.returncode, markdown.stderr) == (0, "")
    assert "| starlette | ? |  | not checked (deadline) |" in markdown.stdout.splitlines()
    assert (
        "- not checked, because the deadline of 1 s passed first: hardware, products, notices, unmet requirements"
        " (`--timeout SECONDS` waits longer)" in markdown.stdout.splitlines()
    )


def test_the_report_without_a_stall_checks_everything() -> None:
    """The control: the same interpreter without the hook reaches everything within the default deadline."""
    facts = parse_report(run_probe(sys.executable, "--report", "--json", timeout=HANG).stdout)
    assert facts["deadline"] == {"seconds": 10, "passed": False, "not_checked": []}
    assert "not checked" not in json.dumps(facts)
