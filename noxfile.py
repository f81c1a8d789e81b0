"""Test, lint and type-check the probe on every interpreter this machine has.

    python3 noxfile.py            # everything (what CI runs); installs nox on first use
    python3 noxfile.py -s tests   # the test suite on every interpreter found
    python3 noxfile.py -s bench   # the benchmark (not part of the default run)

Interpreters are looked up on PATH and in pyenv (``$PYENV_ROOT`` or ``~/.pyenv``); one
that is missing is skipped, not failed, so a contributor with fewer of them can still run
the rest.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
BOOTSTRAP = ROOT / ".nox" / ".bootstrap"
NOX_REQUIREMENT = "nox[uv]>=2025.2.9"


def bootstrap() -> None:
    """Run this file with nox from a private virtual environment, creating it on first use."""
    bindir = "Scripts" if os.name == "nt" else "bin"
    python = BOOTSTRAP / bindir / ("python.exe" if os.name == "nt" else "python")
    if not python.exists():
        print(f"noxfile.py: installing {NOX_REQUIREMENT} into {BOOTSTRAP.relative_to(ROOT)}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(BOOTSTRAP)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", NOX_REQUIREMENT], check=True)
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


def pyenv_bin_dirs() -> list[str]:
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    return sorted(glob.glob(os.path.join(root, "versions", "*", "bin")))


# pyenv keeps one folder per version; putting them all on PATH lets nox find python3.X.
os.environ["PATH"] = os.pathsep.join([os.environ.get("PATH", ""), *pyenv_bin_dirs()])
# A missing interpreter is skipped, never downloaded: uv would otherwise fetch a build of its own.
os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")

PYTHONS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "pypy3.9", "pypy3.10", "pypy3.11"]
TEST_REQUIREMENTS = ["pytest>=7", "hypothesis>=6", "packaging>=23", "importlib-metadata>=6", "jsonschema>=4", "uv>=0.4"]

nox.options.error_on_missing_interpreters = False
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests", "lint", "typecheck", "node"]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The pytest suite, with the probe as a checkout (the way the extension ships it)."""
    session.install(*TEST_REQUIREMENTS)
    session.env["PROBE_TEST_CACHE"] = str(ROOT / ".cache")
    junit = ROOT / ".nox" / "junit" / f"{session.name}.xml"
    session.run("python", "-m", "pytest", f"--junitxml={junit}", *session.posargs)


@nox.session(python="3.12")
def lint(session: nox.Session) -> None:
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python="3.12")
def typecheck(session: nox.Session) -> None:
    session.install("mypy", *TEST_REQUIREMENTS)
    session.run("mypy")


@nox.session(venv_backend="none")
def bundle(session: nox.Session) -> None:
    """Build build/bundle/, the folder the extension copies into its VSIX, and its zip."""
    session.run(sys.executable, "tools/bundle.py", *session.posargs)


# Every interpreter the contract is checked against, old ones included (they get unsupported_python).
CONTRACT_PYTHONS = ["2.7", "3.6", "3.7", *PYTHONS]


def contract_interpreters() -> list[str]:
    """The interpreters in pyenv's folders and on PATH, and the Windows launcher's list.

    pyenv's shims are left out: scripts that pick one of the real interpreters, slowly.
    """
    folders = [*pyenv_bin_dirs(), *(d for d in os.environ.get("PATH", "").split(os.pathsep) if "shims" not in d)]
    search = os.pathsep.join(folders)
    names = [f"python{version}" if version[0].isdigit() else version for version in CONTRACT_PYTHONS]
    found = [shutil.which(name, path=search) for name in [*names, "pypy3", "python3", "python"]]
    if os.name == "nt" and shutil.which("py"):
        listing = subprocess.run(["py", "-0p"], capture_output=True, text=True).stdout
        found += [word for line in listing.splitlines() for word in line.split() if word.lower().endswith(".exe")]
    unique: dict[str, str] = {}
    for python in found:
        if python and not os.path.normcase(python).startswith(os.path.normcase(str(ROOT / ".nox"))):
            unique.setdefault(os.path.realpath(python), python)
    return list(unique.values())


@nox.session(venv_backend="none")
def node(session: nox.Session) -> None:
    """The extension's side of the contract: Node runs the bundle under every interpreter found."""
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


@nox.session(python="3.12")
def bench(session: nox.Session) -> None:
    """The benchmark of issue 4 (not in the default run): builds its venvs, measures, writes BENCHMARKS.md."""
    session.install("psutil>=5.9", "matplotlib>=3.5", "uv>=0.4", "flit_core>=3.4,<4")
    session.env["PROBE_TEST_CACHE"] = str(ROOT / ".cache")
    session.env.pop("PYTHONDONTWRITEBYTECODE", None)  # run.py also leaves it out of every child's environment
    session.run("python", "bench/run.py", *session.posargs)


if __name__ == "__main__":
    nox.main()
