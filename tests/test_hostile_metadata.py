"""Never crashes: broken, odd, huge and numerous metadata, each answered with a safe block, exit 0.

These are states no installer produces (hand-made trees on PYTHONPATH are the honest way
to get them). Each case states the answer the README's rules give; on top of that, every
value must be ``null`` exactly when a real ``import`` fails, and safe to send.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile import assert_safe_block, traced_python
from support import PRODUCT_MODULES, clean_env, run_probe

# FIFOs, symlink loops and file names that are not UTF-8, which other systems refuse or lack.
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")

MB = 1024 * 1024


def package(site: Path, module: str, init: str | bytes = "") -> None:
    (site / module).mkdir(parents=True, exist_ok=True)
    path = site / module / "__init__.py"
    path.write_bytes(init if isinstance(init, bytes) else init.encode())


def dist_info(site: Path, dirname: str, metadata: str | bytes | None = None, record: str | bytes | None = None) -> Path:
    info = site / dirname
    info.mkdir(parents=True)
    for name, content in (("METADATA", metadata), ("RECORD", record)):
        if content is not None:
            (info / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    return info


def metadata(name: str, version: str | None) -> str:
    return f"Metadata-Version: 2.1\nName: {name}\n" + (f"Version: {version}\n" if version is not None else "")


def non_utf8(site: Path) -> None:
    package(site, "fastapi")
    summary = "Summary: caf\xe9 \xff\xfe\n".encode("latin-1")
    dist_info(
        site, "fastapi-0.110.0.dist-info", metadata("fastapi", "0.110.0").encode() + summary, "fastapi/__init__.py,,\n"
    )
    package(site, "pydantic")
    dist_info(site, "pydantic-2.7.1.dist-info", b"Name: pydantic\nVersion: 2.7\xff.1\n", "pydantic/__init__.py,,\n")
    package(site, "typer", b'\xff\xfe__version__ = "0.9.0"\n')  # undecodable source, no metadata


def no_version(site: Path) -> None:
    package(site, "fastapi")
    dist_info(site, "fastapi-0.100.0.dist-info", metadata("fastapi", None), "fastapi/__init__.py,,\n")
    package(site, "pydantic")
    dist_info(site, "pydantic.dist-info", metadata("pydantic", None), "pydantic/__init__.py,,\n")
    package(site, "typer")
    dist_info(site, "typer-0.9.0.dist-info", "Name: typer\nVersion:\n", "typer/__init__.py,,\n")


def empty_files(site: Path) -> None:
    package(site, "fastapi")
    dist_info(site, "fastapi-0.110.0.dist-info", "", "")
    package(site, "typer")
    dist_info(site, "typer-0.9.0.dist-info", "", None)
    (site / "typer-0.9.0.dist-info" / "top_level.txt").write_text("")
    package(site, "pydantic")
    dist_info(site, "pydantic-2.7.1.dist-info", metadata("pydantic", "2.7.1"), "\n\n\n")
    (site / "starlette.py").write_text("")


def dist_info_is_a_file(site: Path) -> None:
    package(site, "fastapi")
    (site / "fastapi-0.110.0.dist-info").write_text(metadata("fastapi", "0.110.0"))
    package(site, "pydantic")
    dist_info(site, "pydantic-2.7.1.dist-info")
    (site / "pydantic-2.7.1.dist-info" / "METADATA").mkdir()  # METADATA that is a folder
    (site / "pydantic-2.7.1.dist-info" / "RECORD").mkdir()


def symlink_loops(site: Path) -> None:
    package(site, "fastapi")
    info = dist_info(site, "fastapi-0.110.0.dist-info")
    (info / "METADATA").symlink_to(info / "METADATA")
    (info / "RECORD").symlink_to(info / "RECORD.loop")
    (info / "RECORD.loop").symlink_to(info / "RECORD")
    (site / "typer-0.9.0.dist-info").symlink_to(site / "typer-0.9.0.dist-info")
    package(site, "typer")
    (site / "pydantic").symlink_to(site / "pydantic")  # import fails: not importable
    (site / "loop-entry").symlink_to(site / "loop-entry")
    (site / "starlette").mkdir()
    (site / "starlette" / "__init__.py").symlink_to(site / "starlette" / "__init__.py")


def odd_names(site: Path) -> None:
    package(site, "fastapi")
    dist_info(
        site, "fastapi-0.110.0+évil host.dist-info", metadata("fastapi", "0.110.0+évil host"), "fastapi/__init__.py,,\n"
    )
    os.mkdir(os.fsencode(site) + b"/fastapi-9.9\xff.dist-info")  # not UTF-8 at all
    os.mkdir(os.path.join(site, "fastapi-\n\t\x01.dist-info"))
    os.mkdir(os.path.join(site, "-.dist-info"))
    os.mkdir(os.path.join(site, ".dist-info"))
    os.mkdir(os.path.join(site, "fastapi" + "x" * 200 + "-1.0.dist-info"))
    package(site, "typer")
    dist_info(
        site,
        "Typer-0.9.0.dist-info",
        metadata("Typer", "0.9.0"),
        '"typer/__init__.py",sha256=x,0\n"we""ird,path.py",,\r\n../../outside.py,,\n\\abs\\win.py,,\n',
    )
    package(site, "pydantic")
    dist_info(site, "PYDANTIC-2.7.1.DIST-INFO", metadata("pydantic", "2.7.1"), "pydantic/__init__.py,,\n")


def local_labels_and_junk_versions(site: Path) -> None:
    package(site, "fastapi")
    dist_info(
        site,
        "fastapi-0.110.0+acme.host123.dist-info",
        metadata("fastapi", "0.110.0+acme.host123"),
        "fastapi/__init__.py,,\n",
    )
    package(site, "pydantic")
    dist_info(site, "pydantic-x.dist-info", metadata("pydantic", "/home/someone/secret"), "pydantic/__init__.py,,\n")
    package(site, "typer")
    dist_info(site, "typer-1.dist-info", metadata("typer", "1." + "0." * 40 + "0"), "typer/__init__.py,,\n")
    package(site, "starlette", '__version__ = "0.37.2+internal.build7"\n')


def deep_direct_url(site: Path) -> None:
    """A source tree on PYTHONPATH plus dist-infos elsewhere whose direct_url.json is junk."""
    package(site / "src", "fastapi", '__version__ = "0.110.0"\n')
    package(site / "src", "pydantic", '__version__ = "2.7.1"\n')
    package(site / "src", "typer", '__version__ = "0.9.0"\n')
    for name, junk in (("fastapi", "[" * 100000), ("pydantic", '{"url": 5, "dir_info": []}'), ("typer", "\xff\x00")):
        info = dist_info(site, f"{name}-1.0.dist-info", metadata(name, "1.0"), "")
        (info / "direct_url.json").write_text(junk, encoding="latin-1")


def broken_record_rows(site: Path) -> None:
    package(site, "fastapi")
    record = os.urandom(20000).replace(b"fastapi", b"") + b"\nfastapi/__init__.py,sha256=AAAA,notanumber\n"
    dist_info(site, "fastapi-0.110.0.dist-info", metadata("fastapi", "0.110.0"), record)
    package(site, "typer")
    dist_info(
        site,
        "typer-0.9.0.dist-info",
        metadata("typer", "0.9.0"),
        "typer/__init__.py,sha256=,99999999999999999999999\n\x00" * 5,
    )
    dist_info(site, "typer_slim-0.9.1.dist-info", metadata("typer-slim", "0.9.1"), "typer/__init__.py,md5=zz,-1\n")
    # Sizes that str.isdigit() accepts but int() refuses; nothing decides, the first in name order stays.
    package(site, "pydantic")
    dist_info(site, "pydantic-1.0.dist-info", metadata("pydantic", "1.0"), "pydantic/__init__.py,sha256=,\u00b2\n")
    dist_info(site, "pydantic-1.1.dist-info", metadata("pydantic", "1.1"), "pydantic/__init__.py,sha256=,\u00b3\n")


def egg_infos(site: Path) -> None:
    package(site, "typer")
    (site / "typer-0.4.0-py3.8.egg-info").write_text(metadata("typer", "0.4.0"))  # distutils: a file
    package(site, "pydantic")
    egg = site / "pydantic-1.10.0-py3.8.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text(metadata("pydantic", "1.10.0"))
    (egg / "installed-files.txt").write_text("../pydantic/__init__.py\n\x00\x01\n../../../../etc/passwd\n")
    package(site, "fastapi")
    (site / "fastapi-0.1.egg-info").mkdir()  # no PKG-INFO at all


# name -> (builder, {key: expected}); keys left out must be null (and really not importable).
CASES: dict[str, tuple[Callable[[Path], None], dict[str, str | None]]] = {
    "non-UTF-8 metadata and source": (
        non_utf8,
        {"fastapi_version": "0.110.0", "pydantic_version": "unknown", "typer_version": "unknown"},
    ),
    "metadata without Version": (
        no_version,
        {"fastapi_version": "0.100.0", "pydantic_version": "unknown", "typer_version": "0.9.0"},
    ),
    "empty files": (
        empty_files,
        # An empty RECORD lists no file, so it claims nothing: the source declares no version.
        {
            "fastapi_version": "unknown",
            "typer_version": "unknown",
            "pydantic_version": "unknown",
            "starlette_version": "unknown",
        },
    ),
    "a .dist-info that is a file, a METADATA that is a folder": (
        dist_info_is_a_file,
        {"fastapi_version": "0.110.0", "pydantic_version": "2.7.1"},
    ),
    # starlette/__init__.py loops, so starlette is a namespace package: importable, no version.
    "symlink loops": (
        symlink_loops,
        {"fastapi_version": "0.110.0", "typer_version": "0.9.0", "starlette_version": "unknown"},
    ),
    "odd characters in names and rows": (
        odd_names,
        {"fastapi_version": "unknown", "typer_version": "0.9.0", "pydantic_version": "2.7.1"},
    ),
    "local labels and junk versions": (
        local_labels_and_junk_versions,
        {
            "fastapi_version": "0.110.0",
            "pydantic_version": "unknown",
            "typer_version": "unknown",
            "starlette_version": "0.37.2",
        },
    ),
    "direct_url.json that is junk or nested too deep": (
        deep_direct_url,
        {"fastapi_version": "0.110.0", "pydantic_version": "2.7.1", "typer_version": "0.9.0"},
    ),
    "broken RECORD rows": (
        broken_record_rows,
        {"fastapi_version": "0.110.0", "typer_version": "0.9.0", "pydantic_version": "1.0"},
    ),
    "egg-info files and folders": (
        egg_infos,
        {"typer_version": "0.4.0", "pydantic_version": "1.10.0", "fastapi_version": "0.1"},
    ),
}


def importable(env: dict[str, str], modules: list[str]) -> dict[str, bool]:
    """Whether ``import`` would find each module there, asked of the import system itself."""
    code = "import importlib.util, sys\nfor m in sys.argv[1:]:\n    print(importlib.util.find_spec(m) is not None)"
    out = subprocess.run([sys.executable, "-c", code, *modules], env=env, capture_output=True, text=True, cwd="/")
    assert out.returncode == 0, out.stderr
    return dict(zip(modules, [line == "True" for line in out.stdout.split()]))


@pytest.mark.parametrize("case", CASES)
def test_hostile_metadata(case: str, tmp_path: Path) -> None:
    build, expected = CASES[case]
    site = tmp_path / "site"
    site.mkdir()
    build(site)
    env = clean_env(PYTHONPATH=os.pathsep.join([str(site), str(site / "src")]))
    run = run_probe(sys.executable, env=env)
    assert (run.returncode, run.stderr) == (0, "")
    block = run.block
    assert_safe_block(block)
    found = importable(env, list(PRODUCT_MODULES.values()))
    for key, module in PRODUCT_MODULES.items():
        assert (block[key] is None) == (not found[module]), (key, block[key])
        assert block[key] == expected.get(key), key


def test_100_mb_metadata_is_not_read_whole(tmp_path: Path) -> None:
    site = tmp_path / "site"
    package(site, "fastapi")
    package(site, "typer", '__version__ = "0.9.0"\n' + "#" * (10 * MB))  # source with no metadata
    head = metadata("fastapi", "0.110.0") + "\n"
    info = dist_info(site, "fastapi-0.110.0.dist-info", None, "fastapi/__init__.py,,\n" + "x/y.py,,\n" * (12 * MB // 9))
    with open(info / "METADATA", "w", encoding="ascii") as big:
        big.write(head)
        big.write(("long description line\n" * 4096) * (100 * MB // (22 * 4096) + 1))
    assert (info / "METADATA").stat().st_size >= 100 * MB
    log = tmp_path / "strace.log"
    python = traced_python(tmp_path, sys.executable, log, "openat,read,pread64")
    env = clean_env(PYTHONPATH=str(site))
    start = time.monotonic()
    run = run_probe(python, env=env)
    traced_elapsed = time.monotonic() - start
    assert run.returncode == 0, run.stderr
    assert run.block["fastapi_version"] == "0.110.0"
    assert run.block["typer_version"] == "0.9.0"
    read = bytes_read(log.read_text(errors="replace"))
    big_files = {
        path: count for path, count in read.items() if path.endswith(("/METADATA", "/RECORD", "typer/__init__.py"))
    }
    assert big_files, read
    for path, count in big_files.items():
        assert count <= 8 * MB + 64 * 1024, (path, count)  # RECORD up to 8 MiB; METADATA and source 64 KiB
    assert big_files[str(info / "METADATA")] <= 64 * 1024
    start = time.monotonic()
    untraced = run_probe(sys.executable, env=env).block
    elapsed = time.monotonic() - start
    assert untraced == run.block
    assert untraced["probe_status"] == "ok"  # the lookups settled it, not the deadline
    print(f"100 MB METADATA: {big_files}; {elapsed:.3f}s ({traced_elapsed:.3f}s under strace)")
    for path in big_files:
        os.unlink(path)  # not left behind in pytest's kept temporary folders


def bytes_read(log: str) -> dict[str, int]:
    """Bytes read per file from ``strace -y`` lines like ``123 read(3</x/METADATA>, ..., 65536) = 65536``."""
    totals: dict[str, int] = {}
    for match in re.finditer(r"(?:read|pread64)\(\d+<([^>]*)>.*\) = (\d+)$", log, re.MULTILINE):
        totals[match.group(1)] = totals.get(match.group(1), 0) + int(match.group(2))
    return totals


def test_ten_thousand_distributions(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    for index in range(10_000):
        info = site / f"package_{index:05d}-1.{index}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(metadata(f"package-{index:05d}", f"1.{index}"))
        if index in (42, 9999):
            (info / "RECORD").write_text(f"package_{index:05d}.py,,\n")
            (site / f"package_{index:05d}.py").write_text("")
    package(site, "fastapi")
    dist_info(site, "fastapi-0.110.0.dist-info", metadata("fastapi", "0.110.0"), "fastapi/__init__.py,,\n")
    env = clean_env(PYTHONPATH=str(site))
    run_probe(sys.executable, env=env)  # the listing in the page cache, as on a second call
    start = time.monotonic()
    run = run_probe(sys.executable, "fastapi", "package-09999", "package_00042", env=env)
    elapsed = time.monotonic() - start
    assert run.returncode == 0
    assert run.block["probe_status"] == "ok"
    assert (run.block["fastapi_version"], run.block["package_09999_version"]) == ("0.110.0", "1.9999")
    assert run.block["package_00042_version"] == "1.42"  # status ok: the lookups settled it, not the deadline
    print(f"10,000 distributions: {elapsed:.3f}s")
