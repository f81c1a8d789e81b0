"""The reference extension (clients/vscode) as a VSIX in a real VS Code extension host.

code-server runs the extension host, headless Chromium opens the workbench (tests/vscode_host.py).
Beside the extension: a stand-in for the Python extension (id ms-python.python, the environments
API's active environment, resolve and change event) and a driver that runs the tests' requests in
the host (configuration updates, commands). Interpreters are real: pyenv's CPython in venvs with
real wheels from PyPI. Each is handed to the host as a wrapper script that logs every start and
then execs it, so a launch is counted whoever started it; ``python`` and ``python3`` on the host's
PATH are wrapped the same way.

Run by ``nox -s vscode``, which builds the extension first; set-up and per-host times are written
to .nox/vscode-timings.json.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import time
import urllib.parse
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import vscode_host
from envs import uv
from support import ROOT, assert_no_paths, require_interpreter, run_probe
from vscode_host import EXTENSION, EXTENSION_ID, Host

pytestmark = pytest.mark.network

BUNDLE = ROOT / "build" / "bundle"
BLOCK_PREFIX = "probe_"  # every block has probe_schema_version, probe_version, probe_status
TIMINGS: dict[str, Any] = {}


def block_of(event: dict[str, Any]) -> dict[str, Any]:
    """The block's keys in an event's properties (the schema's keys: the probe's and python_*/*_version)."""
    keys = json.loads((BUNDLE / "probe" / "schema.json").read_text())["properties"]
    return {key: value for key, value in event["properties"].items() if key in keys}


@dataclass
class Python:
    """A real interpreter as the host sees it: a wrapper that logs each start, then execs *real*."""

    name: str
    real: Path
    wrapper: Path
    block: dict[str, Any]  # python -m probe, run by hand from the bundle


class Launches:
    """Wrapper interpreters that append ``<pid> <name> <args>`` to one log before they exec the real one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.log = folder / "launches.log"
        self.path_dir = folder / "path"
        self.path_dir.mkdir(parents=True)
        for name in ("python", "python3"):  # anything started by name from the host's PATH
            real = shutil.which(name)
            if real is not None:
                self._wrap(self.path_dir / name, name, Path(real))

    def _wrap(self, wrapper: Path, name: str, real: Path, *flags: str) -> Path:
        wrapper.parent.mkdir(parents=True, exist_ok=True)
        command = " ".join([f'"{real}"', *flags, '"$@"'])
        wrapper.write_text(f'#!/bin/sh\necho "$$ {name} $*" >> "{self.log}"\nexec {command}\n')
        wrapper.chmod(0o755)
        return wrapper

    def wrap(self, name: str, real: Path, *flags: str) -> Path:
        return self._wrap(self.folder / name / "bin" / "python", name, real, *flags)

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def count(self, name: str | None = None) -> int:
        return sum(1 for line in self.lines() if name is None or line.split()[1] == name)

    def pids(self, name: str) -> list[int]:
        return [int(line.split()[0]) for line in self.lines() if line.split()[1] == name]


def _venv(root: Path, version: str, *requirements: str) -> Path:
    python = require_interpreter(version)
    uv("venv", "--quiet", "--python", python, str(root))
    if requirements:
        uv("pip", "install", "--quiet", "--python", str(root / "bin" / "python"), *requirements)
    return root / "bin" / "python"


@pytest.fixture(scope="session")
def vsix(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Node, code-server and vsce ready; the three extensions packaged (the reference one into build/)."""
    started = time.monotonic()
    vscode_host.setup()
    TIMINGS["setup_s"] = round(time.monotonic() - started, 2)
    assert (EXTENSION / "dist" / "extension.js").exists(), "build the extension first: nox -s vscode"
    version = json.loads((EXTENSION / "package.json").read_text())["version"]
    out = tmp_path_factory.mktemp("vsix")
    packaged = {
        "reference": vscode_host.package(EXTENSION, ROOT / "build" / f"fastapi-probe-reference-{version}.vsix"),
        # The test extensions are not shipped: no licence file.
        "python": vscode_host.package(EXTENSION / "test" / "python-standin", out / "standin.vsix", "--skip-license"),
        "driver": vscode_host.package(EXTENSION / "test" / "driver", out / "driver.vsix", "--skip-license"),
    }
    TIMINGS["vsix_bytes"] = packaged["reference"].stat().st_size
    return packaged


@pytest.fixture(scope="session")
def pythons(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real venvs: two fastapi versions on two Pythons, and one whose start-up hangs (a .pth sleeps 30 s)."""
    root = tmp_path_factory.mktemp("venvs")
    made = {
        "a": _venv(root / "a", "3.12", "fastapi==0.115.0"),
        "b": _venv(root / "b", "3.13", "fastapi==0.110.0"),
        "hang": _venv(root / "hang", "3.12"),
    }
    site = next((root / "hang" / "lib").glob("python3.*/site-packages"))
    (site / "hang.pth").write_text("import time; time.sleep(30)\n")
    return made


@pytest.fixture(scope="session", autouse=True)
def write_timings() -> Iterator[None]:
    yield
    out = ROOT / ".nox" / "vscode-timings.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(TIMINGS, indent=2) + "\n")


@pytest.fixture
def launches(tmp_path: Path) -> Iterator[Launches]:
    """The test's wrapper interpreters; afterwards, none of the Pythons they started is still running."""
    wrappers = Launches(tmp_path / "pythons")
    yield wrappers
    pids = [int(line.split()[0]) for line in wrappers.lines()]
    assert [pid for pid in pids if _running(pid)] == [], "a Python the extension started outlived the host"


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat_file:
            return stat_file.read().rpartition(")")[2].split()[0] != "Z"  # a zombie has ended
    except OSError:
        return False


@pytest.fixture
def wrapped(pythons: dict[str, Path], launches: Launches) -> dict[str, Python]:
    answers = {}
    for name, real in pythons.items():
        block = run_probe(real, cwd=BUNDLE, timeout=5).block if name != "hang" else {}
        answers[name] = Python(name, real, launches.wrap(name, real), block)
    return answers


def make_host(
    tmp_path: Path,
    vsix: dict[str, Path],
    launches: Launches,
    active: dict[str, Path],
    *,
    folders: list[Path] | None = None,
    extensions_dir: Path | None = None,
    **kwargs: Any,
) -> Host:
    """A host with the three extensions installed; *active* maps folder paths (or "default") to interpreters."""
    if folders is None:
        folders = [tmp_path / "project"]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    env = kwargs.pop("env", {})
    env["PROBE_STANDIN_PYTHONS"] = json.dumps({key: str(value) for key, value in active.items()})
    env["PATH"] = os.pathsep.join([str(launches.path_dir), os.environ["PATH"]])
    host = Host(tmp_path / "host", folders, env=env, extensions_dir=extensions_dir, **kwargs)
    host.install(vsix["python"], vsix["driver"], vsix["reference"])
    return host


def track(host: Host, name: str = "test.event", resource: Path | None = None) -> dict[str, Any] | None:
    """Sends an event through the extension; the event it wrote, or None when it sent none."""
    before = len(host.events())
    host.command("fastapi-probe.track", name, *([str(resource)] if resource else []))
    events = host.events()
    assert len(events) <= before + 1
    return events[-1] if len(events) == before + 1 else None


def wait_for_block(host: Host, block: dict[str, Any], resource: Path | None = None, timeout: float = 30) -> float:
    """Sends events until one carries *block* (the probe answers in the background); seconds waited."""
    started = time.monotonic()
    while True:
        event = track(host, resource=resource)
        assert event is not None, "telemetry is on, yet no event"
        if block_of(event) == block:
            return time.monotonic() - started
        assert block_of(event) == {}, f"an event with another block: {block_of(event)}"
        assert time.monotonic() - started < timeout, "no event carried the block"
        time.sleep(0.1)


def start(host: Host, timeout: float = 30) -> None:
    """Starts the host and waits until the reference extension has activated (onStartupFinished)."""
    host.start()
    deadline = time.monotonic() + timeout
    while not host.request(active=EXTENSION_ID):
        assert time.monotonic() < deadline, "the extension did not activate"
        time.sleep(0.05)
    host.timings.activated = time.monotonic() - host.started


def record(name: str, host: Host, **extra: Any) -> None:
    activated = [event for event in host.events() if event["event"] == "extension.activated"]
    TIMINGS[name] = {
        "server_ready_s": round(host.timings.server, 2),
        "host_ready_s": round(host.timings.driver, 2),
        "activated_s": round(host.timings.activated, 2),
        "activation_ms": activated[0]["properties"]["activation_ms"] if activated else None,
        **extra,
    }


def test_vsix_holds_the_extension_and_the_bundle(vsix: dict[str, Path]) -> None:
    """``vsce ls``: the manifest, the licence, dist/extension.js and the probe bundle (byte code, schema.json)."""
    listed = set(vscode_host.vsce("ls", *vscode_host.VSCE_FLAGS, cwd=EXTENSION).split())
    bundle = {"probe-bundle/" + path.relative_to(BUNDLE).as_posix() for path in BUNDLE.rglob("*") if path.is_file()}
    assert listed == {"package.json", "README.md", "LICENSE", "dist/extension.js", *bundle}
    with zipfile.ZipFile(vsix["reference"]) as archive:  # and the file itself holds just that
        names = set(archive.namelist())
    renamed = {"README.md": "readme.md", "LICENSE": "LICENSE.txt"}  # as vsce names them in the archive
    assert names == {"[Content_Types].xml", "extension.vsixmanifest"} | {
        "extension/" + renamed.get(path, path) for path in listed
    }
    assert "probe-bundle/probe/schema.json" in listed
    assert any(re.match(r"probe-bundle/probe/__pycache__/cli\.cpython-312\.pyc$", path) for path in listed)


def test_vsix_is_reproducible(vsix: dict[str, Path], tmp_path: Path) -> None:
    """Packaged again from the same tree: the same bytes (vsce's own timestamps are normalized away)."""
    time.sleep(1)  # a second later: vsce's timestamps would differ
    again = vscode_host.package(EXTENSION, tmp_path / "again.vsix")
    assert hashlib.sha256(again.read_bytes()).digest() == hashlib.sha256(vsix["reference"].read_bytes()).digest()


def test_telemetry_on_switch_and_report_issue(
    tmp_path: Path, vsix: dict[str, Path], launches: Launches, wrapped: dict[str, Python]
) -> None:
    """One host: the active interpreter's block on every event, one run per interpreter, switching
    back reuses the first, and "Report Issue" opens the form with the interpreter's versions."""
    a, b = wrapped["a"], wrapped["b"]
    with make_host(tmp_path, vsix, launches, {"default": a.wrapper}) as host:
        start(host)
        waited = wait_for_block(host, a.block)
        activated = host.events()[0]
        assert activated["event"] == "extension.activated"
        assert block_of(activated) == {}, "activate() returned before the probe answered"
        assert launches.count() == 1 and launches.count("a") == 1
        for _ in range(3):
            assert block_of(track(host) or {}) == a.block
        assert launches.count() == 1

        host.command("probe-standin.setActiveEnvironment", str(b.wrapper))
        wait_for_block(host, b.block)
        assert launches.count("b") == 1 and launches.count() == 2
        host.command("probe-standin.setActiveEnvironment", str(a.wrapper))
        wait_for_block(host, a.block)
        assert launches.count() == 2, "switching back ran the probe again"

        url = host.command("fastapi-probe.reportIssue")
        assert launches.count("a") == 2, "the report is one more run, of the active interpreter"
        assert "__main__.py --report --json" in launches.lines()[-1]
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        assert query["python-version"] == [a.block["python_version"]]
        assert query["fastapi-version"] == ["0.115.0"]
        assert sorted(query) == ["fastapi-version", "os", "python-version", "template"]
        assert_no_paths(urllib.parse.unquote_plus(url), tmp_path, a.real, ROOT)
        deadline = time.monotonic() + 15
        opened: list[str] = []
        while not opened:  # the workbench opens the URL in a new page, as a browser opens a link
            assert time.monotonic() < deadline, f"the form was not opened: {host.opened_pages()}"
            time.sleep(0.1)
            opened = [page for page in host.opened_pages() if page.startswith("https://github.com/")]
        # VS Code re-encodes the URI (Uri.parse, then toString: "GNU%2FLinux" opens as "GNU/Linux"):
        # the form must still get the same fields.
        (page,) = opened
        assert page.split("?")[0] == url.split("?")[0]
        assert urllib.parse.parse_qs(urllib.parse.urlsplit(page).query) == query
        record("telemetry_on", host, first_block_s=round(waited, 2), launches=launches.count())


def test_a_pip_install_shows_in_the_next_events_without_a_reload(
    tmp_path: Path, vsix: dict[str, Path], launches: Launches
) -> None:
    """The block follows the environment while the window is open (issue 16): after a ``uv pip
    install`` into the active interpreter's venv, the next events carry the new version, without a
    reload, through the cache's watcher; a restart of the host with nothing changed answers from the
    cache in the extension's storage folder, with no Python process."""
    real = _venv(tmp_path / "venv", "3.12", "fastapi==0.115.0")
    wrapper = launches.wrap("changing", real)
    before = run_probe(real, cwd=BUNDLE, timeout=5).block
    time.sleep(2.2)  # past the cache's racy window since the venv was built: its first entry is trusted
    with make_host(tmp_path, vsix, launches, {"default": wrapper}) as host:
        start(host)
        wait_for_block(host, before)
        assert launches.count() == 1
        uv("pip", "install", "--quiet", "--python", str(real), "fastapi==0.110.0")
        after = run_probe(real, cwd=BUNDLE, timeout=5).block
        assert (before["fastapi_version"], after["fastapi_version"]) == ("0.115.0", "0.110.0")
        started = time.monotonic()
        halfway = 0  # events with a block of a state during the install (allowed, counted)
        while True:
            event = track(host)
            assert event is not None
            if block_of(event) == after:
                break
            halfway += block_of(event) != before
            assert time.monotonic() - started < 30, "no event carried the new version"
            time.sleep(0.1)
        followed_after = time.monotonic() - started
        for _ in range(3):
            assert block_of(track(host) or {}) == after, "an event after the new block carried another"
        # The run that followed the install came within the cache's racy window of it; the watcher
        # checks again once that window has passed (one more run if the entry was racy), so that
        # the next start finds an entry it trusts.
        time.sleep(3)
        reprobes = launches.count() - 1
        assert 1 <= reprobes <= 2, launches.lines()
        host.stop()
        start(host)  # the same profile: the cache in its storage folder is there
        wait_for_block(host, after)
        assert launches.count() == 1 + reprobes, "a restart with nothing changed started Python"
        record(
            "pip_install_followed", host, followed_after_s=round(followed_after, 2), reprobes=reprobes, halfway=halfway
        )


@pytest.mark.parametrize(
    ("setting", "consent"),
    [
        (("telemetry", "telemetryLevel", "off"), "all"),
        (("fastapi.telemetry", "enabled", False), True),
    ],
    ids=["telemetryLevel-off", "fastapi-telemetry-off"],
)
def test_without_consent_no_python_starts(
    tmp_path: Path,
    vsix: dict[str, Path],
    launches: Launches,
    wrapped: dict[str, Python],
    setting: tuple[str, str, Any],
    consent: Any,
) -> None:
    """Telemetry off: no Python process, no event. Consent given live: the probe runs then, once."""
    section, key, off = setting
    a = wrapped["a"]
    with make_host(tmp_path, vsix, launches, {"default": a.wrapper}, settings={f"{section}.{key}": off}) as host:
        start(host)
        assert track(host) is None
        time.sleep(1)  # activation is over: nothing is pending that could still start one
        assert launches.lines() == [], "a Python process started without consent"
        assert host.events() == []
        host.configure(section, key, consent)
        wait_for_block(host, a.block)
        assert launches.count() == 1
        record(f"consent_{key}", host, launches=launches.count())


def test_multi_root_each_folder_its_interpreter(
    tmp_path: Path, vsix: dict[str, Path], launches: Launches, wrapped: dict[str, Python]
) -> None:
    """Two folders on two interpreters: an event about a folder carries its interpreter's block; an
    event about nothing in particular, the first folder's (no editor is open). Each probed once."""
    a, b = wrapped["a"], wrapped["b"]
    one, two = tmp_path / "one", tmp_path / "two"
    active = {str(one): a.wrapper, str(two): b.wrapper}
    with make_host(tmp_path, vsix, launches, active, folders=[one, two]) as host:
        start(host)
        wait_for_block(host, a.block, resource=one / "main.py")
        wait_for_block(host, b.block, resource=two / "main.py")
        assert block_of(track(host) or {}) == a.block
        assert launches.count("a") == 1 and launches.count("b") == 1 and launches.count() == 2
        record("multi_root", host, launches=launches.count())


def test_hung_interpreter_does_not_hold_activation(
    tmp_path: Path, vsix: dict[str, Path], launches: Launches, wrapped: dict[str, Python]
) -> None:
    """A start-up that hangs (a .pth sleeps 30 s): activation completes while it hangs, events go
    out without the block, the process is killed after the client's timeout, and not run again."""
    hang = wrapped["hang"]
    with make_host(tmp_path, vsix, launches, {"default": hang.wrapper}) as host:
        start(host)
        deadline = time.monotonic() + 30
        while not launches.pids("hang"):
            assert time.monotonic() < deadline, "the probe was not started"
            time.sleep(0.05)
        (pid,) = launches.pids("hang")
        activated = host.events()[0]
        assert activated["event"] == "extension.activated" and block_of(activated) == {}
        assert _running(pid), "activation finished only once the hung start-up was gone"
        event = track(host)
        assert event is not None and block_of(event) == {}
        started = time.monotonic()
        while _running(pid):
            assert time.monotonic() - started < 25, "the hung interpreter was not killed"
            time.sleep(0.1)
        killed_after = time.monotonic() - started
        event = track(host)
        assert event is not None and block_of(event) == {}
        assert launches.count() == 1, "a hung interpreter is not run again"
        record("hung", host, killed_after_s=round(killed_after, 2))


def _snapshot(folder: Path) -> dict[str, tuple[int, int, int]]:
    return {
        str(path.relative_to(folder)): (path.stat().st_mode, path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
    }


def test_read_only_extensions_folder_with_space_and_accents(
    tmp_path: Path, vsix: dict[str, Path], launches: Launches, wrapped: dict[str, Python]
) -> None:
    """Installed under a path with a space and non-ASCII letters, made read-only before the host
    starts: the same block, and nothing written into the extension's folder (root could write)."""
    a = wrapped["a"]
    extensions = tmp_path / "Extensões de código"
    with make_host(tmp_path, vsix, launches, {"default": a.wrapper}, extensions_dir=extensions) as host:
        (installed,) = extensions.glob(EXTENSION_ID + "-*")
        for path in [installed, *installed.rglob("*")]:
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        before = _snapshot(installed)
        try:
            start(host)
            wait_for_block(host, a.block)
            assert launches.count() == 1
            host.stop()
            assert _snapshot(installed) == before
        finally:
            for path in [installed, *installed.rglob("*")]:
                path.chmod(path.stat().st_mode | stat.S_IWUSR)
        record("read_only", host)


def test_pythonsafepath_and_an_isolated_interpreter(
    tmp_path: Path, vsix: dict[str, Path], launches: Launches, wrapped: dict[str, Python]
) -> None:
    """PYTHONSAFEPATH=1 in the extension host's environment: still a block. Then an interpreter that
    runs isolated (``-I``, where ``-m probe`` finds no probe): its block too, the same as without."""
    a, b = wrapped["a"], wrapped["b"]
    isolated = launches.wrap("isolated", b.real, "-I")
    with make_host(tmp_path, vsix, launches, {"default": a.wrapper}, env={"PYTHONSAFEPATH": "1"}) as host:
        start(host)
        assert host.request(env="PYTHONSAFEPATH") == "1"
        wait_for_block(host, a.block)
        assert launches.count() == 1
        host.command("probe-standin.setActiveEnvironment", str(isolated))
        wait_for_block(host, b.block)
        assert launches.count("isolated") == 1 and launches.count() == 2
        record("pythonsafepath_isolated", host)
