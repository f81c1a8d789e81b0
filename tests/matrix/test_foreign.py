"""The probe on 32-bit (i386) and ARM64 Linux CPython: Debian's 3.11, the arm64 one under qemu.

Runs only in the ``tests-foreign`` nox session (``PROBE_FOREIGN=1``). The products are
real pure-Python wheels installed for that platform into a folder on PYTHONPATH, held
against a real ``import`` in that interpreter and ``importlib_metadata`` (installed the
same way, appended to ``sys.path`` only after the imports).
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

import pytest
from foreign import ARCHES, TOOLS, VERSION, Arch, run
from support import PRODUCT_MODULES, parse_block
from target_oracle import ORACLE_SCRIPT, install, oracle_tools, read_oracle, require_tools

from probe.interpreter import node_arch

if not os.environ.get("PROBE_FOREIGN"):
    pytest.skip("the i386 and arm64 tests run in the tests-foreign session", allow_module_level=True)
pytestmark = pytest.mark.network

# Pure-Python products (pydantic needs pydantic-core, compiled): starlette and typer, with their dependencies.
# fastapi-cli-slim without its dependencies (uvicorn[standard] is compiled); importing it needs none.
PRODUCTS = ("starlette==0.44.0", "typer==0.20.1")
CLI = "fastapi-cli-slim==0.0.20"


@pytest.fixture(scope="module", params=sorted(ARCHES))
def arch(request: pytest.FixtureRequest) -> Arch:
    require_tools(TOOLS)
    return ARCHES[request.param]


@pytest.fixture(scope="module")
def products(arch: Arch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp(f"site-{arch.debian}")
    install(VERSION, folder, *PRODUCTS, platform=arch.platform)
    install(VERSION, folder, CLI, no_deps=True, platform=arch.platform)
    assert not list(folder.rglob("*.so")), "pure-Python wheels only"
    return folder


def test_block_names_the_architecture(arch: Arch) -> None:
    completed = run(arch, "-m", "probe")
    assert completed.returncode == 0 and completed.stderr == "", completed.stderr
    block = parse_block(completed.stdout)
    assert (block["python_platform"], block["python_arch"]) == ("linux", arch.node)
    assert block["python_version"].startswith(VERSION + ".")


def test_products_on_pythonpath_match_a_real_import(arch: Arch, products: Path, tmp_path: Path) -> None:
    completed = run(arch, "-m", "probe", "--timeout", "30", PYTHONPATH=str(products))
    assert completed.returncode == 0, completed.stderr
    block = parse_block(completed.stdout)
    oracle = run(
        arch,
        "-c",
        ORACLE_SCRIPT,
        str(oracle_tools(VERSION, arch.platform)),
        *PRODUCT_MODULES.values(),
        cwd=tmp_path,
        PYTHONPATH=str(products),
    )
    assert oracle.returncode == 0, oracle.stderr
    truth = read_oracle(oracle.stdout)
    for module, info in truth.items():
        assert info["error"] is None, (module, info["error"])
    assert {key: block[key] for key in PRODUCT_MODULES} == {
        key: truth[module]["value"] for key, module in PRODUCT_MODULES.items()
    }
    assert all(block[key] is not None for key in ("starlette_version", "typer_version", "fastapi_cli_version"))
    assert truth["fastapi_cli"]["owner"] == "fastapi-cli-slim"


def host_machine() -> str:
    """This machine's architecture in Node's words (the probe's table), which a 32-bit interpreter runs on."""
    return node_arch(platform.machine(), 64)


def test_report_architecture_line(arch: Arch) -> None:
    completed = run(arch, "-m", "probe", "--report")
    assert completed.returncode == 0, completed.stderr
    if arch.node == "ia32":
        expected = (
            f"**Architecture**: ia32 interpreter on an {host_machine()} machine"
            " (a 32-bit interpreter on a 64-bit system)"
        )
    else:  # qemu-user answers uname with the machine it emulates
        expected = "**Architecture**: arm64 (interpreter and machine)"
    assert expected in completed.stdout
    assert f"**Python**: {VERSION}" in completed.stdout
