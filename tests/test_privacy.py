"""Privacy: nothing about the user, the machine or the project reaches the block.

A distinctive user name, home folder, project folder and host names are planted in the
environment and in every path the probe looks at: the venv's path, PYTHONPATH entries,
the probe's own folder, local version labels (``1.0+acme.host123``), versions that are
paths, and distribution names. None may appear in the output; no value contains ``/`` or
``\\``; every value is one of the safe shapes.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path

import pytest
from hostile import EveryPath, assert_safe_block, build_wheel, fresh_venv, install_wheels
from support import clean_env, copy_probe, require_interpreter, run_probe

USER = "zqxuser7"
HOST = "hostq7z"
DOMAIN = "acme-intra"
PROJECT = "secretproj9"
SECRETS = [USER, HOST, DOMAIN, PROJECT, "10.77.7.7", "s3cr3t-token", "zqxüser"]


class World:
    def __init__(self, root: Path) -> None:
        self.home = root / f"home-{USER}"
        project = self.home / "work" / f"{PROJECT}-{HOST}.{DOMAIN}.example"
        project.mkdir(parents=True)
        self.app = copy_probe(self.home / ".vscode" / "extensions" / f"{USER}.fastapi-0.1")
        self.venv = fresh_venv(project / ".venv")
        local = f"+{DOMAIN.replace('-', '.')}.{HOST}.{USER}"
        self.products = EveryPath(self.venv, project / "build", local=local)
        wheels = project / "wheels"
        install_wheels(
            self.venv,
            build_wheel(wheels, f"{USER}-secret", f"1.0+{HOST}", {f"{USER}_secret/__init__.py": ""}),
            build_wheel(wheels, "typer-slim", "0.1", {"typer_slim_marker.py": f"# {USER}\n"}),
        )
        source = self.home / f"src-{HOST}"
        (source / "fastapi_cloud_cli").mkdir(parents=True)
        (source / "fastapi_cloud_cli" / "__init__.py").write_text(f'__version__ = "/home/{USER}/{PROJECT}"\n')
        pythonpath = os.pathsep.join([str(source), self.products.pythonpath_text, str(self.home / "zqxüser")])
        self.env = clean_env(
            PYTHONPATH=pythonpath,
            HOME=str(self.home),
            USER=USER,
            LOGNAME=USER,
            USERNAME=USER,
            USERPROFILE=str(self.home),
            USERDOMAIN=DOMAIN,
            HOSTNAME=f"{HOST}.{DOMAIN}.example",
            COMPUTERNAME=HOST.upper(),
            VIRTUAL_ENV=str(self.venv.root),
            PWD=str(project),
            SSH_CONNECTION=f"10.77.7.7 52022 10.77.7.8 22 {USER}",
            http_proxy=f"http://{USER}:s3cr3t-token@proxy.{DOMAIN}.example:3128",
            GIT_AUTHOR_NAME="zqxüser",
        )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return World(tmp_path_factory.mktemp("privacy"))


def assert_private(text: str) -> None:
    lowered = text.lower()
    for secret in [*SECRETS, *(part for part in platform.node().lower().split(".") if len(part) >= 4)]:
        assert secret.lower() not in lowered, secret


@pytest.mark.parametrize("args", [[], ["--pretty"], ["--timeout", "3", "typer-slim", "fastapi", "pydantic"]])
def test_nothing_private_reaches_the_block(world: World, args: list[str]) -> None:
    run = run_probe(world.venv.python, *args, env=world.env, cwd=world.app)
    assert run.returncode == 0, run.stderr
    assert_private(run.stdout)
    assert_private(run.stderr)
    block = json.loads(run.stdout) if "--pretty" in args else run.block
    for key, value in block.items():
        assert "/" not in str(value) and "\\" not in str(value), (key, value)
    if not args:
        assert_safe_block(block)
        expected = dict(world.products.expected, fastapi_cloud_cli_version="unknown")  # a path is no version
        assert {key: block[key] for key in expected} == expected  # local labels dropped


@pytest.mark.matrix
@pytest.mark.parametrize("version", ["2.7", "3.7"])
def test_nothing_private_from_old_interpreters(world: World, version: str) -> None:
    run = run_probe(require_interpreter(version), env=world.env, cwd=world.app)
    assert run.returncode == 0
    assert_private(run.stdout + run.stderr)


def test_secrets_are_where_the_probe_looks(world: World) -> None:
    """The control: the planted strings really are in the probe's view (sys.path, metadata, environment)."""
    code = "import os, sys; print(sys.path, sys.prefix, dict(os.environ))"
    done = subprocess.run(
        [str(world.venv.python), "-c", code], env=world.env, cwd=world.app, capture_output=True, text=True
    )
    seen = done.stdout.lower()
    for secret in SECRETS:
        assert secret.lower() in seen or secret == "zqxüser", secret
    assert any(USER in path.name for path in world.venv.purelib.iterdir())


def test_paths_go_only_into_the_line_after_the_block(world: World) -> None:
    """``--paths`` (for the client's local cache): the block is the same, and every path is in the one line after it."""
    plain = run_probe(world.venv.python, env=world.env, cwd=world.app)
    run = run_probe(world.venv.python, "--paths", env=world.env, cwd=world.app)
    assert run.returncode == 0, run.stderr
    *before, block_line, dependency_line = run.stdout.rstrip("\n").split("\n")
    assert block_line == plain.stdout.rstrip("\n").split("\n")[-1]
    assert_private("\n".join([*before, block_line]) + run.stderr)
    assert dependency_line.startswith('{"probe_dependencies_version":1,')
    assert USER in dependency_line  # the control: the line does hold the paths, for the local cache
    assert "probe_dependencies_version" not in plain.stdout
