"""Two answers settled on real installs: a module reached through a recorded link, and a product present but broken.

- ``flit install --symlink`` (how flit projects such as older typer set up contributors) makes
  ``site-packages/<module>`` a link to the checkout's package folder and records only that link
  in RECORD (``typer,,``). ``import`` loads the checkout: its literal ``__version__`` when it
  declares one, else (``importlib.metadata.version(...)``) the dist-info's version.
  ``uv pip install --link-mode=symlink`` links every file instead, and each stays listed.
- A lock file that lost a transitive pin (``--no-deps`` without pydantic-core): the products'
  files and metadata are intact while ``import pydantic`` fails. The block reports the installed
  code's version, not ``null``; ``--report`` names the missing requirement.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from envs import OLDER_PYDANTIC, Venv, create_venv, imported_version, oracle, run_tool
from support import PRODUCT_MODULES, run_probe

pytestmark = pytest.mark.network

PROBE_ARGS = ("--timeout", "30")  # what is right, not how fast (see test_real_environments)

FLIT = "flit==3.9.0"
FLIT_PYPROJECT = (
    '[build-system]\nrequires = ["flit_core >=3.2,<4"]\nbuild-backend = "flit_core.buildapi"\n\n'
    '[project]\nname = "typer"\nversion = "0.9.0"\ndescription = "a checkout installed as links"\n'
)
FROM_METADATA = 'import importlib.metadata\n\n__version__ = importlib.metadata.version("typer")\n'


def block_of(venv: Venv, *args: str) -> dict[str, object]:
    run = run_probe(venv.python, *PROBE_ARGS, *args, env=venv.env)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    return run.block


def flit_symlink_install(tmp_path: Path, init: str) -> tuple[Venv, Path]:
    """A real ``flit install --symlink`` of a checkout named typer whose ``__init__.py`` is *init*."""
    venv = create_venv(tmp_path / "venv")
    venv.install(FLIT)
    project = tmp_path / "checkout"
    (project / "typer").mkdir(parents=True)
    (project / "pyproject.toml").write_text(FLIT_PYPROJECT, encoding="utf-8")
    (project / "typer" / "__init__.py").write_text(init, encoding="utf-8")
    flit = venv.root / ("Scripts" if os.name == "nt" else "bin") / "flit"
    # As root flit refuses to link into a system folder unless told; no network: no dependencies to fetch.
    env = dict(venv.env, FLIT_ROOT_INSTALL="1", FLIT_NO_NETWORK="1")
    run_tool([str(flit), "install", "--symlink", "--python", str(venv.python)], env=env, cwd=project)
    link = venv.purelib / "typer"
    assert link.is_symlink() and os.path.realpath(link) == os.path.realpath(project / "typer")
    (record,) = venv.purelib.glob("typer-0.9.0.dist-info/RECORD")
    rows = record.read_text(encoding="utf-8").splitlines()
    assert "typer,," in rows and not any(row.startswith("typer/") for row in rows), rows  # the link alone
    return venv, project


def test_a_symlinked_install_whose_version_comes_from_its_metadata(tmp_path: Path) -> None:
    venv, _ = flit_symlink_install(tmp_path, FROM_METADATA)
    assert imported_version(venv, "typer") == "0.9.0"  # importlib.metadata reads the dist-info
    assert block_of(venv)["typer_version"] == "0.9.0"  # was "unknown": the link was not seen as installed
    report = run_probe(venv.python, "--report", *PROBE_ARGS, env=venv.env)
    assert report.returncode == 0, report.stderr
    assert "has no metadata" not in report.stdout
    assert "| typer | 0.9.0 | typer 0.9.0 |" in report.stdout


def test_a_symlinked_install_whose_checkout_declares_its_version(tmp_path: Path) -> None:
    venv, project = flit_symlink_install(tmp_path, '__version__ = "0.9.1.dev0"\n')
    assert imported_version(venv, "typer") == "0.9.1.dev0"
    assert block_of(venv)["typer_version"] == "0.9.1.dev0"
    # The checkout is the code: an edit shows at once, as it does to import.
    (project / "typer" / "__init__.py").write_text('__version__ = "0.9.2.dev0"\n', encoding="utf-8")
    assert imported_version(venv, "typer") == "0.9.2.dev0" == block_of(venv)["typer_version"]


PINNED = ("fastapi==0.115.0", f"pydantic=={OLDER_PYDANTIC}", "starlette==0.38.6", "typer==0.12.5")
# typing-extensions 4.12 reads typing.no_type_check_decorator at import, which 3.15 removed; 4.14
# (3.9+) does not.
TYPING_EXTENSIONS = "typing-extensions==4.14.1" if sys.version_info >= (3, 15) else "typing-extensions==4.12.2"


def test_uv_symlink_link_mode_answers_as_a_copy(tmp_path: Path) -> None:
    """uv's ``--link-mode=symlink`` links each file from its cache and lists each in RECORD."""
    venv = create_venv(tmp_path / "venv")
    venv.install(*PINNED, args=("--link-mode=symlink",))
    assert (venv.purelib / "fastapi" / "__init__.py").is_symlink()
    truth = oracle(venv, list(PRODUCT_MODULES.values()))
    block = block_of(venv)
    assert {key: block[key] for key in PRODUCT_MODULES} == {
        key: truth[module].value for key, module in PRODUCT_MODULES.items()
    }
    assert (block["fastapi_version"], block["typer_version"]) == ("0.115.0", "0.12.5")


def test_a_product_whose_dependency_is_missing_is_still_reported(tmp_path: Path) -> None:
    """Installed without pydantic-core: import fails, the block still names the installed code's versions."""
    venv = create_venv(tmp_path / "venv")
    venv.install("fastapi==0.115.0", "pydantic==2.9.2", "starlette==0.38.6", no_deps=True)
    venv.install(TYPING_EXTENSIONS, "annotated-types==0.7.0", no_deps=True)  # all but pydantic-core
    # pydantic imports its core lazily: its models fail, fastapi fails at import.
    for code in ("import fastapi", "from pydantic import BaseModel"):
        failed = venv.query(
            f"import json\ntry:\n    {code}\n    print(json.dumps(None))\n"
            "except ImportError as error:\n    print(json.dumps(error.name))"
        )
        assert failed == "pydantic_core", code  # the state this test is about: present, yet broken
    block = block_of(venv)
    assert block["probe_status"] == "ok"
    assert (block["fastapi_version"], block["pydantic_version"], block["starlette_version"]) == (
        "0.115.0",
        "2.9.2",
        "0.38.6",
    )
    assert block["typer_version"] is None  # not installed at all: that is what null means
    report = run_probe(venv.python, "--report", *PROBE_ARGS, env=venv.env)
    assert report.returncode == 0, report.stderr
    assert "pydantic-core" in report.stdout or "pydantic_core" in report.stdout, report.stdout
