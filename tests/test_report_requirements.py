"""Unmet requirements in ``--report``: the vendored packaging the checker uses, and the whole report
on real environments forced into a broken state (``uv pip install --no-deps``), held against an
oracle built from importlib_metadata and the tests' own packaging. The pure checker, with the
installed versions injected, is tests/unit/test_report_requirements.py's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import envs
import importlib_metadata
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from support import ROOT, clean_env, parse_report, run_probe

from probe._vendor import PACKAGING_VERSION
from probe.report.findings import REPORTED

# ---- the vendored packaging ----------------------------------------------------------------------

VENDORED = ROOT / "probe" / "_vendor" / "packaging"


def test_vendored_packaging_is_the_pinned_wheel(tmp_path: Path) -> None:
    """tools/vendor.py re-creates probe/_vendor/packaging/ byte for byte from the wheel whose sha256 it pins."""
    wheel = envs.fetch_wheel(f"packaging=={PACKAGING_VERSION}")
    vendor = [sys.executable, str(ROOT / "tools" / "vendor.py"), "--wheel", str(wheel), "--check"]
    done = subprocess.run(vendor, capture_output=True, text=True, env=clean_env())
    assert done.returncode == 0, done.stderr
    assert (VENDORED / "__init__.py").read_text().count(f'__version__ = "{PACKAGING_VERSION}"') == 1
    assert {path.name for path in VENDORED.glob("LICENSE*")} == {"LICENSE", "LICENSE.APACHE", "LICENSE.BSD"}
    forged = tmp_path / wheel.name
    forged.write_bytes(wheel.read_bytes() + b"\0")
    done = subprocess.run([*vendor[:3], str(forged), "--check"], capture_output=True, text=True, env=clean_env())
    assert done.returncode != 0 and "sha256" in done.stderr


def test_every_vendored_module_imports_without_the_ones_left_out() -> None:
    names = sorted(path.stem for path in VENDORED.glob("*.py") if path.stem != "__init__")
    code = "import importlib, sys; [importlib.import_module('probe._vendor.packaging.' + n) for n in sys.argv[1:]]"
    done = subprocess.run([sys.executable, "-c", code, *names], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "requirements" in names and "metadata" not in names


# ---- real environments -------------------------------------------------------------------------

# The marker environment of PEP 508, as the environment's own interpreter sees it.
_MARKER_ENVIRONMENT = r"""
import json, os, platform, sys
info = sys.implementation.version
version = "%d.%d.%d" % (info.major, info.minor, info.micro)
if info.releaselevel != "final":
    version += info.releaselevel[0] + str(info.serial)
print(json.dumps({"implementation_name": sys.implementation.name, "implementation_version": version,
    "os_name": os.name, "platform_machine": platform.machine(), "platform_release": platform.release(),
    "platform_system": platform.system(), "platform_version": platform.version(),
    "python_full_version": platform.python_version(), "platform_python_implementation":
    platform.python_implementation(), "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform, "extra": ""}))
"""
PRODUCT_DISTRIBUTIONS = {name for target in REPORTED for name in target.distributions}


def oracle(venv: envs.Venv) -> list[str]:
    """What pip check would say about the products' own requirements, in the report's words."""
    environment = venv.query(_MARKER_ENVIRONMENT)
    installed = {
        canonicalize_name(dist.metadata["Name"]): dist
        for dist in importlib_metadata.distributions(path=[str(venv.purelib)])
    }
    expected = []
    for name in sorted(set(installed) & PRODUCT_DISTRIBUTIONS):
        for text in installed[name].requires or []:
            requirement = Requirement(text)
            if requirement.marker is not None and not requirement.marker.evaluate(environment):
                continue
            there = installed.get(canonicalize_name(requirement.name))
            head = f"{name} {Version(installed[name].version)} requires {requirement.name}{requirement.specifier}; "
            if there is None:
                expected.append(head + f"{requirement.name} is not installed")
            elif not requirement.specifier.contains(there.version, prereleases=True):
                expected.append(head + f"{Version(there.version)} is installed")
    return sorted(expected)


def report(venv: envs.Venv, env: dict[str, str] | None = None) -> list[str]:
    """The unmet requirements the Markdown report lists, which the JSON report lists too."""
    run = run_probe(venv.python, "--report", env=env or venv.env)
    assert (run.returncode, run.stderr) == (0, "")
    section = run.stdout.split("**Noticed**", 1)[1]
    assert "stopped with" not in section  # every check ran to its end
    unmet = [line[2:] for line in section.splitlines() if line.startswith("- ") and " requires " in line]
    as_json = run_probe(venv.python, "--report", "--json", env=env or venv.env)
    assert (as_json.returncode, as_json.stderr) == (0, "")
    facts = parse_report(as_json.stdout)
    assert not [notice for notice in facts["notices"] if "stopped with" in notice]
    assert [requirement["message"] for requirement in facts["unmet_requirements"]] == unmet
    for requirement in facts["unmet_requirements"]:
        installed = requirement["installed"]
        assert requirement["message"] == (
            f"{requirement['distribution']} {requirement['version']} requires {requirement['requirement']}; "
            + (
                f"{installed} is installed"
                if installed
                else f"{requirement['requires']} is "
                + ("installed but has no readable version" if installed == "" else "not installed")
            )
        )
    return unmet


# starlette 0.45 dropped Python 3.8; 0.44.0 is as much too new for fastapi 0.115.6 there.
TOO_NEW_STARLETTE = "0.46.2" if sys.version_info >= (3, 9) else "0.44.0"


def partially_upgraded(root: Path) -> envs.Venv:
    """fastapi 0.115.6 with its dependencies, then a starlette it does not allow forced in without them."""
    envs.uv("venv", "--quiet", "--python", sys.executable, str(root))
    venv = envs.Venv(root)
    venv.install("fastapi==0.115.6", f"pydantic=={envs.PYDANTIC}")
    venv.install(f"starlette=={TOO_NEW_STARLETTE}", no_deps=True)
    return venv


@pytest.fixture(scope="module")
def partial_upgrade(tmp_path_factory: pytest.TempPathFactory) -> envs.Venv:
    return partially_upgraded(tmp_path_factory.mktemp("requirements") / "venv")


def test_a_starlette_too_new_for_fastapi_is_named(partial_upgrade: envs.Venv) -> None:
    unmet = report(partial_upgrade)
    assert unmet == [f"fastapi 0.115.6 requires starlette<0.42.0,>=0.40.0; {TOO_NEW_STARLETTE} is installed"]
    assert sorted(unmet) == oracle(partial_upgrade)


# A start-up hook leaves entries import skips on sys.path: the site folder as bytes and as a
# Path, an int, None (issue 9). The report's checks read str entries only, as the path finder does.
_ODD_ENTRIES = "import os, pathlib, sys\nsys.path += [os.fsencode({site!r}), pathlib.Path({site!r}), 42, None]\n"


def test_odd_sys_path_entries_cost_the_report_nothing(partial_upgrade: envs.Venv, tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(_ODD_ENTRIES.format(site=str(partial_upgrade.purelib)))
    unmet = report(partial_upgrade, env={**partial_upgrade.env, "PYTHONPATH": str(tmp_path)})
    assert unmet == report(partial_upgrade) == oracle(partial_upgrade) != []


def test_a_missing_requirement_is_named_and_markers_that_do_not_hold_are_not(
    partial_upgrade: envs.Venv, tmp_path: Path
) -> None:
    """typing-extensions uninstalled: fastapi, pydantic and pydantic-core need it; starlette only below
    Python 3.10 (``python_version < "3.10"``); the extras' requirements (fastapi-cli, uvicorn) are never named."""
    venv = partially_upgraded(tmp_path / "venv")
    envs.uv("pip", "uninstall", "--python", str(venv.python), "typing-extensions")
    unmet = report(venv)
    assert sorted(unmet) == oracle(venv)
    assert "fastapi 0.115.6 requires typing-extensions>=4.8.0; typing-extensions is not installed" in unmet
    below_3_10 = [line for line in unmet if line.startswith("starlette ") and "typing-extensions" in line]
    assert len(below_3_10) == (1 if sys.version_info < (3, 10) else 0)
    assert not [line for line in unmet if "fastapi-cli" in line or "uvicorn" in line or "email" in line]


def test_the_block_never_imports_packaging_nor_the_report(partial_upgrade: envs.Venv) -> None:
    code = (
        "NOT_ON_THE_HOT_PATH = ('probe._vendor', 'probe.report', 'packaging');"
        "import json, sys; from probe.output import pairs; pairs([], 2.0); pairs(['starlette', 'anyio'], 2.0);"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(NOT_ON_THE_HOT_PATH))))"
    )
    done = subprocess.run(
        [str(partial_upgrade.python), "-c", code], cwd=ROOT, env=partial_upgrade.env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
    assert run_probe(partial_upgrade.python, env=partial_upgrade.env).block["starlette_version"] == TOO_NEW_STARLETTE


def test_planted_modules_never_run_in_place_of_the_ones_packaging_imports(
    partial_upgrade: envs.Venv, tmp_path: Path
) -> None:
    """The vendored packaging imports typing, dataclasses, ast, subprocess, logging, ...: planted on
    PYTHONPATH, none of them runs, and the unmet requirement is still named."""
    started = subprocess.run(
        [str(partial_upgrade.python), "-c", "import runpy, sys; print(' '.join(sys.modules))"], capture_output=True
    )
    candidates = ("typing", "dataclasses", "ast", "subprocess", "logging", "platform", "sysconfig", "struct", "enum")
    names = [name for name in candidates if name not in started.stdout.decode().split()]
    assert "dataclasses" in names and "subprocess" in names
    for name in names:
        (tmp_path / f"{name}.py").write_text(
            f"open({str(tmp_path / ('ran-' + name))!r}, 'w').close()\nraise SystemExit\n"
        )
    env = {**partial_upgrade.env, "PYTHONPATH": str(tmp_path)}
    run = run_probe(partial_upgrade.python, "--report", env=env)
    assert (run.returncode, run.stderr) == (0, "")
    assert f"fastapi 0.115.6 requires starlette<0.42.0,>=0.40.0; {TOO_NEW_STARLETTE} is installed" in run.stdout
    assert list(tmp_path.glob("ran-*")) == []
