"""Real environments for the tests, and the oracle that tells what ``import`` really loads in them.

Environments are virtual environments of the interpreter running the tests, built by uv
from real wheels (and real sdists) from PyPI. uv's cache, and the wheels and sdists that
scenarios need as files, live under ``CACHE``: the first run downloads, later runs build
every environment from the cache, offline. Every resolution sees PyPI as it stood at the moment
in ``tests/pypi-snapshot.txt`` (``UV_EXCLUDE_NEWER``): "newest" means newest then.

The oracle is independent of the probe's code: a real ``import`` in the environment's
interpreter names the file it loaded, then ``importlib_metadata`` (the backport, not the
probe's own readers) names the distribution whose installed files include it, and
``packaging`` normalizes that distribution's version.
"""

from __future__ import annotations

import functools
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Tuple

import importlib_metadata
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from support import CACHE, clean_env, record_hash

PYPY = sys.implementation.name == "pypy"
# The pydantic releases the tests pin, each with the pydantic-core it requires and an earlier one.
# pydantic-core (its compiled half) has wheels for CPython 3.14+ and PyPy 8's ABI (pp80) from 2.50
# (pydantic 2.14) on; the releases pinned for the others (3.8 included) have none there.
NEW_ABI = sys.version_info >= (3, 14) or (PYPY and sys.implementation.version >= (8,))
PYDANTIC, PYDANTIC_CORE, EARLIER_PYDANTIC_CORE = (
    ("2.14.4", "2.50.5", "2.50.4") if NEW_ABI else ("2.10.6", "2.27.2", "2.27.1")
)
OLDER_PYDANTIC = "2.14.2" if NEW_ABI else "2.9.2"  # a release before PYDANTIC
WHEELS = CACHE / "wheels"
SDISTS = CACHE / "sdists"
UV_CACHE = CACHE / "uv"
BIN = "Scripts" if os.name == "nt" else "bin"

UNKNOWN = "unknown"
SNAPSHOT_FILE = Path(__file__).resolve().parent / "pypi-snapshot.txt"


@functools.lru_cache(maxsize=None)
def pypi_snapshot() -> str:
    """The moment of PyPI the tests install from (RFC 3339, UTC): the file's last line."""
    return SNAPSHOT_FILE.read_text(encoding="utf-8").split()[-1]


# The environment the tests start from, taken once, on the main thread: scenarios are built in
# worker threads, and pytest sets and deletes PYTEST_CURRENT_TEST in os.environ as tests run,
# which makes reading os.environ from another thread fail now and then.
_CLEAN_ENV = clean_env()


def environment(**extra: str) -> dict[str, str]:
    """``support.clean_env(**extra)``, safe to call from any thread."""
    env = dict(_CLEAN_ENV)
    env.update(extra)
    return env


class ToolError(AssertionError):
    """A build step (uv, pip) failed; the message carries its output."""


def tool_env(**extra: str) -> dict[str, str]:
    """The environment for uv and pip: this machine's pip and uv configuration left out.

    Tests must not depend on the developer's ``PIP_FIND_LINKS``, ``pip.conf`` extra
    indexes or ``uv.toml``: every build step sees PyPI and the test cache only.
    """
    env = {key: value for key, value in _CLEAN_ENV.items() if not key.startswith(("PIP_", "UV_", "VIRTUAL_ENV"))}
    env.update(
        UV_CACHE_DIR=str(UV_CACHE),
        UV_NO_CONFIG="1",
        UV_PYTHON_DOWNLOADS="never",
        UV_EXCLUDE_NEWER=pypi_snapshot(),
        # Hard links into uv's cache (its default on Linux), made explicit: three times faster to
        # install and ten times faster to delete than copies. Safe, because no step writes into an
        # installed file in place: the files pip overwrites or removes are pip's own (from wheel
        # files), and pip unlinks a file before it writes a new one.
        UV_LINK_MODE="hardlink",
        UV_NO_PROGRESS="1",
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        PIP_NO_WARN_SCRIPT_LOCATION="1",
        PIP_CACHE_DIR=str(CACHE / "pip"),
        # pip download (26.0+) from the same snapshot; older pips ignore the variable.
        PIP_UPLOADED_PRIOR_TO=pypi_snapshot(),
    )
    env.update(extra)
    return env


def pip_env(**extra: str) -> dict[str, str]:
    """:func:`tool_env` for pip, which may keep its own byte code (PYTHONDONTWRITEBYTECODE makes it slow)."""
    env = tool_env(**extra)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_tool(args: list[str], *, env: dict[str, str] | None = None, cwd: str | os.PathLike[str] | None = None) -> str:
    """Run a build step; its output goes into the failure message when it fails."""
    completed = subprocess.run(
        [os.fspath(arg) for arg in args],
        env=tool_env() if env is None else env,
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=900,
    )
    if completed.returncode != 0:
        command = " ".join(map(str, args))
        raise ToolError(f"{command} failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    return completed.stdout


@functools.lru_cache(maxsize=None)
def uv_bin() -> str:
    """uv's binary; found once (``find_uv_bin`` reads sysconfig, which PyPy does not set up thread-safely)."""
    import uv

    return uv.find_uv_bin()


def uv(*args: str, offline_first: bool = True, env: dict[str, str] | None = None) -> str:
    """``uv ARGS``; from the cache alone first, then (a cold cache) from PyPI.

    Offline first keeps a warm run free of network round trips; an unpinned request
    (the "newest" scenario) passes ``offline_first=False`` so that it sees the newest releases
    up to the snapshot (``pypi_snapshot``), not an older list of them that the cache still holds.
    """
    command = [uv_bin(), *args]
    if offline_first:
        try:
            return run_tool([*command, "--offline"], env=env)
        except ToolError:
            pass
    return run_tool(command, env=env)


@dataclass
class Venv:
    """A virtual environment and the environment variables its interpreter runs with."""

    root: Path
    env: dict[str, str] = field(default_factory=environment)
    # The interpreter, when it is not the environment's own ``bin/python`` (a base interpreter).
    interpreter: Path | None = None
    # What a scenario wants its checks to know (the project folder of an editable install, ...).
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def python(self) -> Path:
        if self.interpreter is not None:
            return self.interpreter
        return self.root / BIN / ("python.exe" if os.name == "nt" else "python")

    def install(
        self,
        *requirements: str,
        no_deps: bool = False,
        target: Path | None = None,
        args: tuple[str, ...] = (),
        offline_first: bool = True,
    ) -> None:
        """``uv pip install`` into this environment (or into *target*, with its interpreter's tags).

        Wheels only (the resolver picks versions that have one for this interpreter: PyPy
        lacks some), except for an editable install, whose project is built.
        """
        command = ["pip", "install", "--python", str(self.python)]
        if "--editable" not in requirements:
            command.append("--no-build")
        if no_deps:
            command.append("--no-deps")
        if target is not None:
            command += ["--target", str(target)]
        uv(*command, *args, *requirements, offline_first=offline_first)

    def pip(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Real pip, run by this environment's interpreter on this environment (``pip --python``).

        One pip, kept in the cache with its byte code, serves every environment: a pip
        seeded into each fresh environment would compile itself on every run.
        """
        return run_tool([str(tool_python()), "-m", "pip", "--python", str(self.python), *args], env=env or pip_env())

    def pip_from_cache(
        self, *requirements: str, user: bool = False, flags: tuple[str, ...] = (), env: dict[str, str] | None = None
    ) -> None:
        """``pip install`` pinned wheels, without their dependencies, from the test cache only."""
        wheels = [str(fetch_wheel(requirement)) for requirement in requirements]
        extra = ["--user", *flags] if user else list(flags)
        self.pip("install", "--no-deps", "--no-index", *extra, *wheels, env=env)

    def query(self, code: str) -> Any:
        """Evaluate a JSON-printing snippet in this environment's interpreter."""
        out = run_tool([str(self.python), "-c", code], env=self.env, cwd=self.root)
        return json.loads(out)

    @property
    def purelib(self) -> Path:
        return Path(self.query("import json, sysconfig; print(json.dumps(sysconfig.get_paths()['purelib']))"))


def imported_version(venv: Venv, module: str) -> str:
    """``module.__version__`` as a real import in *venv* gives it."""
    code = f"import {module}; print({module}.__version__)"
    return run_tool([str(venv.python), "-c", code], env=venv.env, cwd=venv.root).strip()


def externally_managed(python: str | os.PathLike[str]) -> bool:
    """Whether the interpreter's standard library is marked EXTERNALLY-MANAGED (PEP 668; Debian's PyPy is)."""
    code = "import sysconfig; print(sysconfig.get_path('stdlib'))"
    stdlib = run_tool([os.fspath(python), "-c", code], env=environment()).strip()
    return os.path.exists(os.path.join(stdlib, "EXTERNALLY-MANAGED"))


def create_venv(root: Path, *, seed: bool = False, system_site_packages: bool = False) -> Venv:
    """A fresh virtual environment of the interpreter running the tests (nox runs them once per interpreter)."""
    args = ["venv", "--quiet", "--python", sys.executable, str(root)]
    if seed:
        args.append("--seed")
    if system_site_packages:
        args.append("--system-site-packages")
    try:
        run_tool([uv_bin(), *args, "--offline"])
    except ToolError:  # the seed packages are not cached yet; start again from nothing
        shutil.rmtree(root, ignore_errors=True)
        run_tool([uv_bin(), *args])
    return Venv(root)


def base_interpreter() -> str:
    """The interpreter the test session's virtual environment was made from (its ``python`` links to it)."""
    resolved = os.path.realpath(sys.executable)
    check = subprocess.run(
        [resolved, "-c", "import sys; print(sys.prefix == sys.base_prefix, sys.version)"],
        capture_output=True,
        text=True,
        env=environment(),
    )
    assert check.stdout.split(" ", 1) == ["True", sys.version + "\n"], (resolved, check.stdout, check.stderr)
    return resolved


# Wheels and sdists that scenarios need as files (pip steps, zip archives, editable projects).


def _split_pin(requirement: str) -> tuple[str, str]:
    name, _, version = requirement.partition("==")
    assert version, f"pin an exact version: {requirement}"
    return name, version


# Scenarios are built in threads: one at a time may add to the cache (a wheel, the pip venv).
_CACHE_LOCK = threading.RLock()


def download(requirement: str, dest: Path, *, sdist: bool = False) -> None:
    """``pip download`` into a fresh folder, then moved into *dest*: no one sees a half-written file."""
    kind = ["--no-binary", ":all:"] if sdist else ["--only-binary", ":all:"]
    dest.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".download-", dir=dest))
    try:
        command = ["-m", "pip", "download", "--quiet", "--no-deps", *kind, "--dest", str(staging), requirement]
        run_tool([str(tool_python()), *command], env=pip_env())
        for path in staging.iterdir():
            os.replace(path, dest / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def tool_python() -> Path:
    """A virtual environment with pip, kept in the cache (the test session's own environment has no pip)."""
    root = CACHE / "tools" / f"pip-{sys.implementation.cache_tag}"
    python = root / BIN / ("python.exe" if os.name == "nt" else "python")
    with _CACHE_LOCK:
        if python.exists():
            check = subprocess.run([str(python), "-m", "pip", "--version"], capture_output=True, env=pip_env())
            if check.returncode == 0:
                return python
        shutil.rmtree(root, ignore_errors=True)
        create_venv(root)
        # The newest pip for this interpreter, resolved against PyPI: a seed from the cache takes
        # whichever pip another interpreter left there, and 25.0.1 (the last for 3.8) fails on 3.15.
        uv("pip", "install", "--python", str(python), "pip", offline_first=False)
    return python


def fetch_wheel(requirement: str) -> Path:
    """The wheel file of a pinned, pure-Python requirement, from the cache or else from PyPI."""
    name, version = _split_pin(requirement)
    pattern = f"{canonicalize_name(name).replace('-', '_')}-{version}-*.whl"
    with _CACHE_LOCK:
        if not list(WHEELS.glob(pattern)):
            download(requirement, WHEELS, sdist=False)
    found = sorted(WHEELS.glob(pattern))
    assert found, f"no wheel for {requirement}"
    return found[0]


def fetch_sdist(requirement: str) -> Path:
    """The sdist of a pinned requirement, from the cache or else from PyPI."""
    name, version = _split_pin(requirement)
    spellings = {name, name.lower(), canonicalize_name(name), canonicalize_name(name).replace("-", "_")}

    def found() -> list[str]:
        return sorted(hit for spelling in spellings for hit in glob.glob(str(SDISTS / f"{spelling}-{version}.*")))

    with _CACHE_LOCK:
        if not found():
            download(requirement, SDISTS, sdist=True)
    hits = found()
    assert hits, f"no sdist for {requirement}"
    return Path(hits[0])


def unpack_sdist(requirement: str, into: Path) -> Path:
    """The project folder of a real sdist, unpacked under *into*."""
    archive = fetch_sdist(requirement)
    if archive.name.endswith(".zip"):
        shutil.unpack_archive(str(archive), str(into))
    else:
        import tarfile

        with tarfile.open(archive) as tar:
            # The "data" filter (refuse links out of the folder, ...) where this Python has it.
            if hasattr(tarfile, "data_filter"):
                tar.extractall(into, filter="data")
            else:
                tar.extractall(into)
    (project,) = [path for path in into.iterdir() if path.is_dir()]
    return project


# The oracle.

_IMPORT_SCRIPT = r"""
import json, sys
if sys.path and sys.path[0] == "":
    del sys.path[0]  # -c put the current folder first; the probe leaves its own out likewise
path = list(sys.path)
report = {}
for name in sys.argv[1:]:
    info = {"importable": False, "file": None, "declared": None, "error": None}
    try:
        __import__(name)
        module = sys.modules[name]  # the submodule itself for dotted names (google.protobuf)
    except Exception as error:
        missing = getattr(error, "name", None) or ""
        if isinstance(error, ImportError) and (name + ".").startswith(missing + ".") and name not in sys.modules:
            report[name] = info
            continue
        # Found, but running it failed (a missing dependency): import did load this file.
        import importlib.util
        spec = importlib.util.find_spec(name)
        info.update(importable=True, error=repr(error))
        info["file"] = spec.origin if spec is not None and spec.has_location else None
        report[name] = info
        continue
    info["importable"] = True
    info["file"] = getattr(module, "__file__", None)
    declared = getattr(module, "__version__", None)
    if declared is None and name == "pydantic":
        declared = getattr(module, "VERSION", None)
        if declared is None:
            declared = getattr(getattr(module, "version", None), "VERSION", None)
    info["declared"] = str(declared) if isinstance(declared, str) else None
    report[name] = info
print(json.dumps({"path": path, "modules": report}))
"""


@dataclass
class Truth:
    """What the oracle found for one module."""

    module: str
    importable: bool
    file: str | None
    owner: str | None  # canonical name of the distribution that installed the file
    owners: list[str]  # every distribution that lists the file
    value: str | None  # what the block must say
    error: str | None


def normalized(version: str | None) -> str:
    """PEP 440 public version as ``packaging`` gives it, or ``"unknown"``."""
    if version is None:
        return UNKNOWN
    try:
        public = Version(version).public
    except InvalidVersion:
        return UNKNOWN
    return public if len(public) <= 64 else UNKNOWN


@functools.lru_cache(maxsize=None)
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder)


def _key(path: str) -> str:
    """A file path with its folder's symbolic links resolved, for comparing two spellings of one file."""
    folder, name = os.path.split(os.path.normpath(path))
    return os.path.join(_real_folder(folder), name)


Claim = Tuple[Any, Any]  # (importlib_metadata distribution, its PackagePath for the file)


def _claims(path: list[str]) -> dict[str, list[Claim]]:
    """Every file installed by a distribution on *path*, with the distributions (and RECORD rows) listing it."""
    index: dict[str, list[Claim]] = {}
    for dist in importlib_metadata.distributions(path=path):
        for entry in dist.files or ():
            index.setdefault(_key(str(dist.locate_file(entry))), []).append((dist, entry))
    return index


def _matching_hash(claims: list[Claim]) -> list[Claim]:
    """Of several claims on one file, those whose RECORD hash is the hash of the file on disk."""
    matching = []
    for dist, entry in claims:
        if entry.hash is None or entry.hash.mode != "sha256":
            continue
        if record_hash(dist.locate_file(entry).read_bytes()) == f"sha256={entry.hash.value}":
            matching.append((dist, entry))
    return matching


def oracle(venv: Venv, modules: list[str]) -> dict[str, Truth]:
    """The truth for each module in *venv*, taken from a real import and from importlib_metadata."""
    with _empty_cwd() as cwd:
        out = run_tool([str(venv.python), "-c", _IMPORT_SCRIPT, *modules], env=venv.env, cwd=cwd)
    found = json.loads(out.strip().splitlines()[-1])
    path = found["path"]
    index = _claims(path)
    truths = {}
    for module in modules:
        info = found["modules"][module]
        if not info["importable"]:
            truths[module] = Truth(module, False, None, None, [], None, info["error"])
            continue
        file = info["file"]
        claims = index.get(_key(file), []) if file else []
        names = sorted(str(canonicalize_name(dist.metadata["Name"])) for dist, _ in claims)
        if len(claims) > 1:
            claims = _matching_hash(claims)
            versions = {normalized(dist.version) for dist, _ in claims}
            assert len(versions) == 1, f"oracle: {file} claimed by {names}, and the hashes do not decide"
        if claims:
            dist = claims[0][0]
            value = normalized(dist.version)
            owner: str | None = canonicalize_name(dist.metadata["Name"])
        else:
            value = normalized(info["declared"])
            owner = None
        truths[module] = Truth(module, True, file, owner, names, value, info["error"])
    return truths


class _empty_cwd:
    """A fresh empty folder to run the oracle's import from, so the current folder holds nothing."""

    def __enter__(self) -> str:
        self.path = tempfile.mkdtemp(prefix="probe-oracle-")
        return self.path

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def key_for(distribution: str) -> str:
    """The block key for a distribution named on the command line (README: PEP 503 name, ``-`` as ``_``)."""
    return canonicalize_name(distribution).replace("-", "_") + "_version"
