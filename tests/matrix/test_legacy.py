"""Interpreters the probe does not support (2.7, 3.6, 3.7) still get one line of valid JSON.

Each runs the probe as a subprocess from the supported interpreter running the tests, the
way the extension would run it in a user's old interpreter. Product keys are absent there:
unknown is not the same as "not installed" (``null``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hostile import last_line
from pythons import UNSUPPORTED
from support import FIXED_KEYS, ROOT, clean_env, require_interpreter, run_probe

from probe import SCHEMA_VERSION, __version__

# CONTEXT/DEVELOPERS: these must parse on Python 2.7 whatever the legacy path imports today.
MUST_PARSE_ON_27 = {
    "probe/__init__.py",
    "probe/__main__.py",
    "probe/legacy.py",
}

# Runs the legacy path in-process (without the final os._exit) and lists the probe's modules it loaded.
_LOADED = r"""
import sys
sys.argv = ["probe"]
import probe.__main__
probe.__main__.run()
names = sorted(name for name, module in sys.modules.items() if module is not None and name.split(".")[0] == "probe")
sys.stderr.write("\n".join(sys.modules[name].__file__ for name in names))
"""

# The interpreter's own view of itself, from the slow, complete sources the probe avoids.
_TRUTH = r"""
import json, platform, struct, sys
print(json.dumps({"version": platform.python_version(), "platform": sys.platform,
                  "machine": platform.machine(), "bits": struct.calcsize("P") * 8}))
"""


@pytest.fixture(params=UNSUPPORTED)
def old_python(request: pytest.FixtureRequest) -> str:
    return require_interpreter(request.param)


def truth(python: str) -> dict[str, object]:
    out = subprocess.run([python, "-c", _TRUTH], capture_output=True, text=True, env=clean_env(), check=True).stdout
    return json.loads(out)  # type: ignore[no-any-return]


def test_one_line_of_json_and_exit_0(old_python: str) -> None:
    run = run_probe(old_python)
    assert (run.returncode, run.stderr) == (0, "")
    line = last_line(run.stdout)
    assert run.stdout == "\n" + line + "\n"
    block = json.loads(line)
    assert block == run.block
    assert list(block) == FIXED_KEYS  # no product key at all: unknown is not null
    assert block["probe_schema_version"] == SCHEMA_VERSION
    assert block["probe_version"] == __version__
    assert block["probe_status"] == "unsupported_python"
    facts = truth(old_python)
    assert block["python_version"] == facts["version"]
    assert block["python_implementation"] == "cpython"
    assert block["python_platform"] == ("linux" if str(facts["platform"]).startswith("linux") else facts["platform"])
    assert facts["machine"] == "x86_64" and facts["bits"] == 64, "this test knows x86-64 machines only"
    assert block["python_arch"] == "x64"
    assert run.stdout.isascii()


@pytest.mark.parametrize("args", [["--timeout", "0.5"], ["fastapi", "Jinja2"], ["--report"], ["--nope"], ["--schema"]])
def test_any_arguments_still_get_the_block(old_python: str, args: list[str]) -> None:
    """Whatever a newer extension passes, an old interpreter answers with the block, exit 0."""
    plain = run_probe(old_python).block
    run = run_probe(old_python, *args)
    assert (run.returncode, run.stderr) == (0, "")
    assert json.loads(last_line(run.stdout)) == plain


def test_pretty_and_version(old_python: str) -> None:
    plain = run_probe(old_python).block
    pretty = run_probe(old_python, "--pretty")
    assert pretty.returncode == 0
    assert json.loads(pretty.stdout) == plain
    version = run_probe(old_python, "--version")
    assert (version.returncode, version.stdout, version.stderr) == (0, f"probe {__version__}\n", "")


def loaded_on_legacy_path(python: str) -> set[str]:
    """The probe's files an old interpreter loads to answer, relative to the repository."""
    run = subprocess.run([python, "-c", _LOADED], cwd=ROOT, capture_output=True, text=True, env=clean_env())
    assert run.returncode == 0, run.stderr
    files = set()
    for line in run.stderr.splitlines():
        path = line.strip().replace("\\", "/")
        if path.endswith((".pyc", ".pyo")):
            path = path[:-1]
        files.add(path[path.index("probe/") :])
    return files


def test_every_file_on_the_legacy_path_parses_on_27(old_python: str) -> None:
    """Compile, with Python 2.7 itself, every file an old interpreter imports (and the ones that must)."""
    python27 = require_interpreter("2.7")
    files = loaded_on_legacy_path(old_python)
    assert files == MUST_PARSE_ON_27  # legacy.py is self-contained: nothing of the 3.8+ core is loaded
    compile_all = "import sys\nfor path in sys.argv[1:]:\n    compile(open(path).read(), path, 'exec')\n"
    for python in (python27, old_python):
        check = subprocess.run(
            [python, "-c", compile_all, *sorted(files | MUST_PARSE_ON_27)], cwd=ROOT, capture_output=True, text=True
        )
        assert check.returncode == 0, check.stderr


def test_supported_interpreter_is_not_sent_down_the_legacy_path() -> None:
    block = run_probe(sys.executable).block
    assert block["probe_status"] == "ok"


# Start-up hooks the legacy path must survive (CONTRIBUTING.md, "Threat model"): one that raises an Exception.
_OLD_HOOKS = {
    "os.uname raises": "import os\ndef broken():\n    raise RuntimeError('no')\nos.uname = broken\n",
}


@pytest.mark.parametrize("case", list(_OLD_HOOKS))
def test_a_start_up_hook_still_gets_the_block(old_python: str, case: str, tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(_OLD_HOOKS[case], encoding="utf-8")
    plain = run_probe(old_python).block
    run = run_probe(old_python, env=clean_env(PYTHONPATH=str(tmp_path)))
    assert (run.returncode, run.stderr) == (0, ""), run.stderr
    expected = dict(plain, python_arch="unknown") if "uname" in case else plain  # no uname: no machine name
    assert run.block == expected
