"""Framing: the block is the last line of stdout whatever start-up hooks print, before or after.

Start-up hooks of every kind print: a ``.pth`` file, ``sitecustomize`` and ``usercustomize``
(the user site needs the base interpreter, as a virtual environment turns it off), with a
line that is itself valid JSON, a line that mimics the block, and output left without a
newline. Then threads they start and ``atexit`` handlers they register try to print after
the block. Each answer is read through the documented rule (``support.parse_block``) and
also as the literal last line of stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hostile import last_line
from support import PRODUCT_KEYS, REPORT_FRAME_PREFIX, clean_env, parse_report, require_interpreter, run_probe

from probe import __version__

# Written for every interpreter (2.7 too): no f-strings, no print function.
PTH_LINE = "import sys; sys.stdout.write('pth says hi\\n'); sys.stdout.flush()\n"
SITECUSTOMIZE = """\
import sys
sys.stdout.write('sitecustomize says hi\\n')
sys.stdout.write('{"probe_schema_version":1,"probe_status":"fake","from":"sitecustomize"}\\n')
sys.stdout.write('{"valid": "json", "from": "sitecustomize"}\\n')
sys.stdout.flush()
"""
USERCUSTOMIZE = """\
import sys
sys.stdout.write('usercustomize says hi\\n')
sys.stdout.write('{"probe_schema_version":1}')  # mimics the block, and no newline after it
sys.stdout.flush()
"""
EXPECTED_BEFORE = (
    "pth says hi\n"
    "sitecustomize says hi\n"
    '{"probe_schema_version":1,"probe_status":"fake","from":"sitecustomize"}\n'
    '{"valid": "json", "from": "sitecustomize"}\n'
    "usercustomize says hi\n"
    '{"probe_schema_version":1}'
)

# Threads that print for as long as the process lives, through sys.stdout and straight to
# descriptor 1, with the interpreter switching threads as often as it can; and atexit.
NOISY_SITECUSTOMIZE = """\
import atexit, os, sys, threading, time
try:
    sys.setswitchinterval(1e-6)
except AttributeError:
    sys.setcheckinterval(1)

def through_stdout():
    while True:
        sys.stdout.write('THREAD-STDOUT\\n')
        sys.stdout.flush()
        time.sleep(0.0001)

def through_fd():
    while True:
        os.write(1, b'THREAD-FD\\n')
        time.sleep(0.0001)

for target in (through_stdout, through_fd):
    thread = threading.Thread(target=target)
    thread.daemon = True
    thread.start()
atexit.register(lambda: sys.stdout.write('ATEXIT\\n'))
"""

# Descriptor juggling and hooks as POSIX has them; not run on Windows here.
pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX only")

# The interpreter running the tests, and two the probe answers without product keys; those run
# once per run, in the matrix session (they are the same whichever interpreter runs pytest).
INTERPRETERS = ["current", *(pytest.param(version, marks=pytest.mark.matrix) for version in ("2.7", "3.7"))]


def interpreter(name: str) -> str:
    return sys.executable if name == "current" else require_interpreter(name)


def base_of(python: str) -> str:
    """The interpreter itself rather than a virtual environment of it (which turns the user site off)."""
    if python != sys.executable:
        return python
    from envs import base_interpreter

    return base_interpreter()


def user_site(python: str, userbase: Path) -> Path:
    """The user site folder *python* reads with ``PYTHONUSERBASE=userbase``."""
    code = "import site, sys; sys.stdout.write(site.getusersitepackages())"
    out = subprocess.run(
        [python, "-c", code], env=clean_env(PYTHONUSERBASE=str(userbase)), capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return Path(out.stdout)


def hooked_env(
    tmp_path: Path, python: str, sitecustomize: str, *, pth: bool = True, user: bool = True
) -> dict[str, str]:
    """An environment whose start-up runs a ``.pth`` file, ``sitecustomize`` and ``usercustomize``."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(sitecustomize, encoding="utf-8")
    userbase = tmp_path / "userbase"
    site = user_site(python, userbase)
    site.mkdir(parents=True)
    if pth:
        (site / "aaa_prints.pth").write_text(PTH_LINE, encoding="utf-8")
    if user:
        (site / "usercustomize.py").write_text(USERCUSTOMIZE, encoding="utf-8")
    return clean_env(PYTHONPATH=str(hooks), PYTHONUSERBASE=str(userbase))


def quiet_block(python: str, tmp_path: Path) -> dict[str, object]:
    """The block of the same interpreter with an empty user site and no hooks."""
    empty = tmp_path / "empty-userbase"
    empty.mkdir()
    return run_probe(python, env=clean_env(PYTHONUSERBASE=str(empty))).block


@pytest.mark.parametrize("name", INTERPRETERS)
def test_startup_output_comes_before_the_block(name: str, tmp_path: Path) -> None:
    python = base_of(interpreter(name))
    run = run_probe(python, env=hooked_env(tmp_path, python, SITECUSTOMIZE))
    assert run.returncode == 0, run.stderr
    line = last_line(run.stdout)
    # Exactly: every hook's output in start-up order, then the newline the probe puts first, then the block.
    assert run.stdout == EXPECTED_BEFORE + "\n" + line + "\n"
    assert json.loads(line) == run.block  # the documented rule and the literal last line agree
    assert run.block["probe_version"] == __version__
    assert run.block == quiet_block(python, tmp_path)


@pytest.mark.parametrize("name", INTERPRETERS)
def test_threads_and_atexit_cannot_print_after_the_block(name: str, tmp_path: Path) -> None:
    """Before the fix about half the runs ended with a thread's line after the block."""
    python = base_of(interpreter(name))
    env = hooked_env(tmp_path, python, SITECUSTOMIZE + NOISY_SITECUSTOMIZE)
    expected = quiet_block(python, tmp_path)
    printed_before = set()
    for _ in range(8):
        run = run_probe(python, env=env, timeout=30)
        assert run.returncode == 0, run.stderr
        line = last_line(run.stdout)
        assert json.loads(line) == run.block == expected
        assert "ATEXIT" not in run.stdout
        printed_before.update(word for word in ("THREAD-STDOUT", "THREAD-FD") if word in run.stdout)
    assert printed_before == {"THREAD-STDOUT", "THREAD-FD"}, "the threads never printed: the race was not run"


def test_pretty_output_is_framed_too(tmp_path: Path) -> None:
    """``--pretty`` is for people, but threads still cannot write into or after it."""
    python = base_of(sys.executable)
    env = hooked_env(tmp_path, python, NOISY_SITECUSTOMIZE, pth=False, user=False)
    for _ in range(4):
        run = run_probe(python, "--pretty", env=env, timeout=30)
        assert run.returncode == 0
        start = run.stdout.rindex('{\n  "probe_schema_version"')
        assert run.stdout.endswith("\n}\n")
        assert set(json.loads(run.stdout[start:])) >= set(PRODUCT_KEYS)


def test_json_report_is_framed_as_the_block_is(tmp_path: Path) -> None:
    """``--report --json`` is one line framed as the block is: after a newline, so the hook's line
    left without one (``{"probe_schema_version":1}``) cannot join it, and the last line of stdout."""
    python = base_of(sys.executable)
    run = run_probe(python, "--report", "--json", env=hooked_env(tmp_path, python, SITECUSTOMIZE))
    assert run.returncode == 0, run.stderr
    before, newline, line = run.stdout.rstrip("\n").rpartition("\n")
    assert (before + newline, run.stdout[-1]) == (EXPECTED_BEFORE + "\n", "\n")
    assert line.startswith(REPORT_FRAME_PREFIX)
    report = parse_report(run.stdout)
    assert json.loads(line) == report and report["probe_version"] == __version__


def test_closed_stdout_is_not_a_crash(tmp_path: Path) -> None:
    """A hook that closes ``sys.stdout`` (or replaces it with None, as pythonw does) costs nothing."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text("import sys\nsys.stdout.close()\nsys.stderr = None\n", encoding="utf-8")
    run = run_probe(sys.executable, env=clean_env(PYTHONPATH=str(hooks)))
    assert run.returncode == 0
    assert run.stdout == "\n" + last_line(run.stdout) + "\n"
    assert run.block["probe_status"] == "ok"
