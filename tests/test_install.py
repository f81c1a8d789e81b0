"""``pip install .``: the probe installed as a package works from any folder and answers as the checkout does."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from envs import WHEELS, Venv, create_venv, download, run_tool
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename
from support import ROOT, clean_env, run_probe

from probe import __version__

pytestmark = pytest.mark.network

try:
    import tomllib
except ImportError:  # before 3.11
    tomllib = None  # type: ignore[assignment]


def build_requirements() -> list[str]:
    """``[build-system] requires`` of pyproject.toml."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    if tomllib is not None:
        return list(tomllib.loads(text)["build-system"]["requires"])
    # Before 3.11 there is no TOML reader in the standard library; the table is one line.
    match = re.search(r"^\[build-system\][^\[]*?^requires\s*=\s*\[(.*?)\]", text, re.M | re.S)
    assert match, "no [build-system] requires in pyproject.toml"
    return re.findall(r"\"([^\"]+)\"", match.group(1))


def ensure_wheels(requirements: list[str]) -> None:
    """Wheels satisfying *requirements* in the test cache, so that pip can build offline (``--no-index``)."""
    for text in requirements:
        requirement = Requirement(text)
        cached = [parse_wheel_filename(path.name) for path in WHEELS.glob("*.whl")] if WHEELS.is_dir() else []
        wanted = canonicalize_name(requirement.name)
        if not any(name == wanted and requirement.specifier.contains(version) for name, version, *_ in cached):
            download(text, WHEELS)


def distributions(venv: Venv) -> set[str]:
    return {path.name for path in venv.purelib.iterdir() if path.name.endswith(".dist-info")}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A fresh venv with a real package in it, then ``pip install <checkout>`` (pip's own build isolation)."""
    venv = create_venv(tmp_path_factory.mktemp("install") / "venv")
    venv.install("starlette==0.44.0", "typing-extensions")
    before = distributions(venv)
    ensure_wheels(build_requirements())
    venv.pip("install", "--no-index", "--find-links", str(WHEELS), str(ROOT))
    added = distributions(venv) - before
    assert added == {f"fastapi_probe-{__version__}.dist-info"}, "the probe installs alone, with no dependencies"
    return venv


@pytest.fixture()
def elsewhere(tmp_path: Path) -> Path:
    """A folder with no ``probe/`` in it."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def test_installed_probe_is_the_one_imported_elsewhere(installed: Venv, elsewhere: Path) -> None:
    code = "import probe, sys; sys.stdout.write(probe.__file__)"
    location = os.path.realpath(run_tool([str(installed.python), "-c", code], env=clean_env(), cwd=elsewhere))
    site = os.path.realpath(installed.purelib)
    assert os.path.commonpath([location, site]) == site, location


def test_installed_probe_answers_as_the_checkout(installed: Venv, elsewhere: Path) -> None:
    from_install = run_probe(installed.python, cwd=elsewhere)
    from_checkout = run_probe(installed.python, cwd=ROOT)
    assert from_install.returncode == 0, from_install.stderr
    assert from_install.stderr == ""
    assert from_install.block == from_checkout.block
    assert from_install.block["probe_status"] == "ok"
    assert from_install.block["starlette_version"] is not None


def test_installed_probe_reports_itself_by_name(installed: Venv, elsewhere: Path) -> None:
    block = run_probe(installed.python, "fastapi-probe", cwd=elsewhere).block
    assert block["fastapi_probe_version"] == __version__


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["--schema"], ["--pretty"]])
def test_installed_probe_options_match_the_checkout(installed: Venv, elsewhere: Path, args: list[str]) -> None:
    """Options that read the package's own files (the schema) work from the installed copy too."""
    from_install = run_probe(installed.python, *args, cwd=elsewhere)
    from_checkout = run_probe(installed.python, *args, cwd=ROOT)
    assert (from_install.returncode, from_install.stderr) == (0, "")
    assert from_install.stdout == from_checkout.stdout


def test_installed_probe_carries_its_one_packaging(installed: Venv, elsewhere: Path) -> None:
    """The wheel ships the vendored packaging with its licences and declares no dependency on packaging."""
    dist_info = installed.purelib / f"fastapi_probe-{__version__}.dist-info"
    record = (dist_info / "RECORD").read_text(encoding="utf-8")
    for name in ("requirements.py", "markers.py", "specifiers.py", "LICENSE", "LICENSE.APACHE", "LICENSE.BSD"):
        assert f"probe/_vendor/packaging/{name}," in record
    metadata = (dist_info / "METADATA").read_text(encoding="utf-8").partition("\n\n")[0]
    requires = [
        Requirement(line[len("Requires-Dist:") :])
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:")
    ]
    installed_with_it = [req for req in requires if req.marker is None or req.marker.evaluate({"extra": ""})]
    assert installed_with_it == [], "a pip install of the probe pulls nothing in (the tests' extra aside)"
    code = "import sys; from probe.report.requirements import unmet_requirements as u; u('a', '1', ['b>1'], {}.get)"
    code += "; sys.stdout.write(sys.modules['probe._vendor.packaging.requirements'].__file__)"
    location = os.path.realpath(run_tool([str(installed.python), "-c", code], env=clean_env(), cwd=elsewhere))
    assert location == os.path.realpath(installed.purelib / "probe" / "_vendor" / "packaging" / "requirements.py")


def test_installed_probe_carries_its_license(installed: Venv) -> None:
    """PEP 639: the wheel declares its licence (``License-Expression``, ``License-File``) and carries the file."""
    dist_info = installed.purelib / f"fastapi_probe-{__version__}.dist-info"
    headers = (dist_info / "METADATA").read_text(encoding="utf-8").partition("\n\n")[0].splitlines()
    assert {"License-Expression: MIT", "License-File: LICENSE"} <= set(headers)
    assert (dist_info / "licenses" / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()


def test_installed_probe_is_marked_typed(installed: Venv) -> None:
    """pyproject.toml claims ``Typing :: Typed``: PEP 561's marker is installed beside the package's modules."""
    assert '"Typing :: Typed"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert (installed.purelib / "probe" / "py.typed").is_file()
