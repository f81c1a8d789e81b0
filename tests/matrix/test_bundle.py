"""The bundle the extension copies into its VSIX: what is in it, that it is the same bytes every
time, that it is small, and that ``python -m probe`` from it works in every interpreter here.
(That its byte code is what those interpreters load, from a read-only folder: test_bytecode.py.)"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import envs
import pytest
from bundles import SOURCE_ONLY, build_bundle, bundle_tool, cache_tag
from pythons import SUPPORTED, UNSUPPORTED, find_interpreter
from support import (
    FIXED_KEYS,
    PRODUCT_KEYS,
    ROOT,
    SCHEMA_FILE,
    clean_env,
    copy_probe,
    parse_report,
    require_interpreter,
    run_probe,
    unavailable,
)

from probe import __version__

# The folder of the bundle must stay small: it ships inside every copy of the extension. The probe's
# own code has its budget; packaging, vendored for --report only (probe/_vendor/), has its own.
MAX_BYTES = 180_000  # 150_000 until the report gained its deadline and signal handling (issue 19: about 10 kB),
# 165_000 until --paths gained its recorder and the schema of its line (issue 16: about 12 kB)
MAX_VENDORED_BYTES = 160_000
# Each interpreter's byte code, of the block's modules only, is 0.27-0.45x the size of all the sources
# (3.8's to 3.15's, in December 2026): a bound that grows with them.
MAX_BYTECODE_RATIO = 0.6
# The whole folder, with byte code for every interpreter CI has (ten: CPython 3.8-3.15, PyPy 3.9 and 3.11);
# legacy.py, run only by the interpreters that get none, ships without byte code (issue 17's budget).
MAX_BUNDLE_BYTES = 1_500_000


# Windows keeps no permission bits beyond read-only.
FILE_MODE = 0o644 if os.name == "posix" else 0o666


def cache_tags() -> dict[str, str]:
    """The byte code tag of every supported interpreter here: "3.12" -> "cpython-312"."""
    return {version: cache_tag(python) for version in SUPPORTED if (python := find_interpreter(version))}


def tree(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under *folder*: relative path -> (content, permission bits)."""
    return {
        path.relative_to(folder).as_posix(): (path.read_bytes(), path.stat().st_mode & 0o777)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Where an extension lives: a path with a space and non-ASCII letters (a user's home).
    out = tmp_path_factory.mktemp("bundle") / "Extensions dir é ü"
    folder, _ = build_bundle(out)
    return folder


def test_bundle_holds_the_package_and_nothing_else(bundle: Path) -> None:
    package = ROOT / "probe"
    sources = {
        path.relative_to(ROOT).as_posix()
        for path in package.rglob("*")
        if (path.suffix in (".py", ".json") or path.name.startswith("LICENSE")) and "__pycache__" not in path.parts
    }
    assert {"probe/schema.json", "probe/report/schema.json", "probe/_vendor/packaging/LICENSE"} <= sources
    tags = sorted(set(cache_tags().values()))
    assert tags, "no interpreter here to compile the byte code"
    compiled = {
        f"{name.rpartition('/')[0]}/__pycache__/{name.rpartition('/')[2][:-3]}.{tag}.pyc"
        for name in sources
        if name.endswith(".py") and not name.startswith(SOURCE_ONLY)
        for tag in tags
    }
    files = tree(bundle)
    assert set(files) == sources | compiled | {"README.txt", "LICENSE"}
    assert files["LICENSE"][0] == (ROOT / "LICENSE").read_bytes().replace(b"\r\n", b"\n")
    for name, (data, mode) in files.items():
        assert mode == FILE_MODE, name
        if name in sources:
            assert b"\r\n" not in data, name
            assert data == (ROOT / name).read_bytes().replace(b"\r\n", b"\n")
        elif name in compiled:
            # PEP 552: flags 0b11, hash-based and checked, so an edited source is compiled again.
            assert int.from_bytes(data[4:8], "little") == 0b11, name
    readme = files["README.txt"][0].decode("ascii")
    assert __version__ in readme
    assert "MIT license: see LICENSE." in readme
    for tag in tags:
        assert tag in readme


def test_unzip_lists_the_license(tmp_path: Path) -> None:
    """The zip, as ``unzip -l`` shows it to whoever receives it: the probe's MIT licence at its root."""
    unzip = shutil.which("unzip")
    if unzip is None:
        unavailable("unzip is not installed (apt-get install unzip)")
    _, archive = build_bundle(tmp_path / "out", ROOT, "--no-bytecode")
    listing = subprocess.run([unzip, "-l", str(archive)], capture_output=True, text=True, check=True).stdout
    names = {line.split()[-1] for line in listing.splitlines() if line.strip().endswith(("LICENSE", "README.txt"))}
    assert {"LICENSE", "README.txt", "probe/_vendor/packaging/LICENSE"} <= names, listing
    with zipfile.ZipFile(archive) as opened:
        assert opened.read("LICENSE").startswith(b"MIT License\n\nCopyright (c) 2026 The probe developers\n")


def test_byte_code_is_checked_against_the_source_hash(bundle: Path) -> None:
    """This interpreter's own files hold the hash of the source it would load (``importlib.util.source_hash``)."""
    tag = sys.implementation.cache_tag
    for source in sorted((bundle / "probe").rglob("*.py")):
        if source.relative_to(bundle).as_posix().startswith(SOURCE_ONLY):
            continue
        data = Path(importlib.util.cache_from_source(str(source))).read_bytes()
        assert data[:4] == importlib.util.MAGIC_NUMBER, source
        assert data[8:16] == importlib.util.source_hash(source.read_bytes()), f"{source} ({tag})"


def test_bundle_is_small(tmp_path: Path) -> None:
    folder, archive = build_bundle(tmp_path / "out")
    files = tree(folder)
    sources = sum(len(data) for name, (data, _) in files.items() if not name.endswith(".pyc"))
    vendored = sum(
        len(data) for name, (data, _) in files.items() if name.startswith("probe/_vendor/") and ".pyc" not in name
    )
    assert sources - vendored < MAX_BYTES, f"the probe's sources grew to {sources - vendored} bytes"
    assert vendored < MAX_VENDORED_BYTES, f"the vendored sources grew to {vendored} bytes"
    for tag in set(cache_tags().values()):
        compiled = sum(len(data) for name, (data, _) in files.items() if name.endswith(f".{tag}.pyc"))
        assert compiled < MAX_BYTECODE_RATIO * sources, f"{tag}'s byte code is {compiled} bytes"
    total = sum(len(data) for data, _ in files.values())
    assert total < MAX_BUNDLE_BYTES, f"the bundle is {total} bytes"
    assert archive.stat().st_size < 1.05 * sum(len(data) for data, _ in files.values()) + 10_000


def test_same_sources_give_the_same_bytes(tmp_path: Path) -> None:
    """A second checkout: other mtimes, a stale __pycache__, stray files, CRLF line endings, another umask,
    another hash seed in the builder's environment (set constants follow it in byte code before 3.11)."""
    first_folder, first_zip = build_bundle(tmp_path / "one", SOURCE_DATE_EPOCH="1700000000", PYTHONHASHSEED="1")

    checkout = copy_probe(tmp_path / "checkout")
    shutil.copyfile(ROOT / "LICENSE", checkout / "LICENSE")
    for path in [path for path in (checkout / "probe").rglob("*") if path.is_file()]:
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))  # what git's autocrlf does on Windows
        os.utime(path, (2_000_000_000, 2_000_000_000))
    (checkout / "probe" / "__pycache__").mkdir()
    (checkout / "probe" / "__pycache__" / "cli.cpython-312.pyc").write_bytes(b"stale")
    (checkout / "probe" / "notes.txt").write_text("not part of the bundle")
    old_umask = os.umask(0o077)
    try:
        second_folder, second_zip = build_bundle(
            tmp_path / "two", root=checkout, SOURCE_DATE_EPOCH="1700000000", PYTHONHASHSEED="random"
        )
    finally:
        os.umask(old_umask)

    assert tree(first_folder) == tree(second_folder)
    assert first_zip.read_bytes() == second_zip.read_bytes()
    with zipfile.ZipFile(first_zip) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {info.date_time for info in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}
        assert {name for name in names if not name.endswith("/")} == set(tree(first_folder))
        for name in tree(first_folder):
            assert archive.read(name) == (first_folder / name).read_bytes()


def test_two_builds_of_one_commit_are_identical(tmp_path: Path) -> None:
    """Without SOURCE_DATE_EPOCH the zip's one timestamp is the commit's, so rebuilding changes nothing."""
    checkout = copy_probe(tmp_path / "checkout")
    shutil.copyfile(ROOT / "LICENSE", checkout / "LICENSE")
    committed_at = "2024-06-01T12:00:00+00:00"
    git = ["git", "-C", str(checkout), "-c", "user.name=probe", "-c", "user.email=probe@invalid"]
    env = clean_env(GIT_AUTHOR_DATE=committed_at, GIT_COMMITTER_DATE=committed_at)
    for command in (["init", "-q"], ["add", "probe", "LICENSE"], ["commit", "-q", "-m", "snapshot"]):
        subprocess.run([*git, *command], env=env, check=True, capture_output=True)

    _, first = build_bundle(tmp_path / "one", root=checkout)
    time.sleep(2.1)  # a zip holds times to two seconds: a clock-dependent build would differ now
    _, second = build_bundle(tmp_path / "two", root=checkout)
    assert hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()
    with zipfile.ZipFile(first) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2024, 6, 1, 12, 0, 0)}


# PyPy's nursery: its collector runs after this much allocation (PyPy's default is half the
# L2 cache). The sizes move every collection to another point of the compile.
NURSERIES = ("64KB", "1MB", "8MB")


def test_each_interpreter_writes_the_same_byte_code_whatever_its_collector_did(tmp_path: Path) -> None:
    """Every interpreter here compiles the bundle's modules in fresh processes, its collector run at other
    points each time (PYPY_GC_NURSERY; CPython ignores it): the same bytes. Before the builder collected
    before marshalling, PyPy wrote a string as interned or not by whether garbage still named an equal one."""
    tool = bundle_tool()
    interpreters = tool.find_interpreters()
    assert interpreters, "no interpreter here to compile the byte code"
    checkout = copy_probe(tmp_path / "checkout")
    modules = sorted(path.relative_to(checkout).as_posix() for path in (checkout / "probe").rglob("*.py"))
    builds = []
    for nursery in NURSERIES:
        folder = tmp_path / nursery
        shutil.copytree(checkout, folder)
        for interpreter in interpreters:
            tool.compile_with(interpreter, folder, modules, PYPY_GC_NURSERY=nursery)
        builds.append({name: data for name, (data, _) in tree(folder).items() if name.endswith(".pyc")})
    assert len(builds[0]) == len(modules) * len(interpreters)
    for nursery, build in zip(NURSERIES[1:], builds[1:]):
        differ = sorted(name for name in build if build[name] != builds[0].get(name))
        assert not differ, f"PYPY_GC_NURSERY={nursery} changed {differ}"


@pytest.fixture(scope="module")
def bare_venvs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A virtual environment with nothing installed (not even pip), for each supported interpreter."""
    root = tmp_path_factory.mktemp("bare")
    made = {}
    for version in SUPPORTED:
        python = find_interpreter(version)
        if python is not None:
            envs.uv("venv", "--quiet", "--python", python, str(root / version))
            made[version] = envs.Venv(root / version).python
    return made


@pytest.mark.parametrize("version", SUPPORTED)
def test_bundle_runs_in_a_bare_interpreter(bundle: Path, bare_venvs: dict[str, Path], version: str) -> None:
    require_interpreter(version)
    python = bare_venvs[version]
    run = run_probe(python, cwd=bundle)
    assert (run.returncode, run.stderr) == (0, "")
    block = run.block
    assert list(block) == FIXED_KEYS + PRODUCT_KEYS
    assert block["probe_status"] == "ok"
    assert all(block[key] is None for key in PRODUCT_KEYS), "nothing is installed in a bare environment"

    where = subprocess.run(
        [str(python), "-c", "import probe; print(probe.__file__)"],
        cwd=bundle,
        env=clean_env(),
        capture_output=True,
        text=True,
    )
    assert Path(where.stdout.strip()).parent == bundle / "probe", "the bundle's own probe answered"

    schema = run_probe(python, "--schema", cwd=bundle)
    assert schema.stdout == SCHEMA_FILE.read_text(encoding="utf-8")

    report = run_probe(python, "--report", cwd=bundle)
    assert (report.returncode, report.stderr) == (0, "")
    assert report.stdout.startswith("### Python environment\n")
    assert "| fastapi | not installed |" in report.stdout
    assert str(bundle) not in report.stdout
    as_json = run_probe(python, "--report", "--json", cwd=bundle)
    assert (as_json.returncode, as_json.stderr) == (0, "")
    assert parse_report(as_json.stdout)["issue_form"]["fastapi-version"] == ""
    assert str(bundle) not in as_json.stdout


@pytest.mark.parametrize("version", SUPPORTED)
def test_bundle_runs_in_the_interpreter_itself(bundle: Path, version: str) -> None:
    """The interpreter as installed (pyenv, Debian's PyPy), whatever its site-packages hold."""
    run = run_probe(require_interpreter(version), cwd=bundle)
    assert run.returncode == 0
    assert run.block["probe_status"] == "ok"


@pytest.mark.parametrize("version", UNSUPPORTED)
def test_bundle_answers_old_interpreters(bundle: Path, version: str) -> None:
    run = run_probe(require_interpreter(version), cwd=bundle)
    assert (run.returncode, run.stderr) == (0, "")
    block = run.block
    assert block["probe_status"] == "unsupported_python"
    assert list(block) == FIXED_KEYS
    assert block["python_version"].startswith(version + ".")
