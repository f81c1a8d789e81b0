"""The probe on the official Windows CPython, under wine: real environments and the contract.

Runs only in the ``tests-windows-3.X`` nox sessions, which name the interpreter in
``PROBE_WINDOWS_PYTHON`` (the host's Python runs pytest; every probe run and every oracle
run happens in the Windows interpreter). Environments are built from real ``win_amd64``
wheels (``windows.install``) and, where pip's own behaviour is the point (an overwrite, an
uninstall), by real pip running on Windows.

The oracle is a real ``import`` in that interpreter, then ``importlib_metadata`` (a
Windows pure-Python install, appended to ``sys.path`` only after the imports) naming the
distribution that lists the file. Where the import cannot finish (pydantic-core's DLL
does not load under wine 8), the spec the import system found names the file.

Every scenario runs on 3.13 and 3.8; 3.9-3.12 run the core subset (``CORE``) and the contract.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import jsonschema
import pytest
from envs import ToolError, fetch_wheel
from hostile import SLEEPY_FINDER
from support import IN_CI, PRODUCT_MODULES, ROOT, SCHEMA_FILE, assert_no_paths, copy_probe, parse_block, parse_report
from target_oracle import require_tools, run_captured
from windows import (
    WINE_TOOLS,
    copy_base,
    drive_c,
    install,
    make_venv,
    run_windows,
    shipped_pth,
    site_packages,
    start_wine,
    stop_wine,
    windows_oracle,
    windows_path,
    windows_pip,
)

VERSION = os.environ.get("PROBE_WINDOWS_PYTHON", "")
if not VERSION:
    pytest.skip("the Windows tests run in the tests-windows-3.X sessions", allow_module_level=True)
pytestmark = pytest.mark.network
MINOR = int(VERSION.split(".")[1])
PROBE_ARGS = ("--timeout", "30")  # right answers, not speed: wine on a busy machine is slow

# The newest set that installs on 3.8 (the resolver picks versions 3.8 cannot import otherwise).
SET_38 = [
    "fastapi==0.124.4",
    "pydantic==2.10.6",
    "starlette==0.44.0",
    "typer==0.20.1",
    "fastapi-cli==0.0.18",
    "fastapi-cloud-cli==0.7.0",
]
CORE = {"newest", "venv-isolated", "venv-system-site", "pythonpath"}


@pytest.fixture(scope="session", autouse=True)
def wine() -> Iterator[None]:
    require_tools(WINE_TOOLS)
    start_wine()
    yield
    stop_wine()


@dataclass
class Case:
    """A Windows interpreter in an environment, and what its run needs."""

    python: Path
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = ROOT
    notes: dict[str, Any] = field(default_factory=dict)

    def probe(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_windows(self.python, "-m", "probe", *args, env=self.env, cwd=self.cwd)

    def block(self) -> dict[str, Any]:
        run = self.probe(*PROBE_ARGS)
        assert run.returncode == 0, run.stderr
        assert run.stderr == ""
        return parse_block(run.stdout)

    def truth(self) -> dict[str, dict[str, Any]]:
        return windows_oracle(self.python, VERSION, list(PRODUCT_MODULES.values()), env=self.env)


def assert_matches_oracle(case: Case) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    block, truth = case.block(), case.truth()
    assert block["probe_status"] == "ok"
    assert (block["python_platform"], block["python_arch"]) == ("win32", "x64")
    for module, info in truth.items():
        # The one failure the oracle accepts: a compiled dependency wine 8 cannot load.
        assert info["error"] is None or "DLL load failed" in info["error"], (module, info["error"])
    expected = {key: truth[module]["value"] for key, module in PRODUCT_MODULES.items()}
    assert {key: block[key] for key in PRODUCT_MODULES} == expected
    return block, truth


def fresh_base(tmp: Path) -> Path:
    return copy_base(VERSION, tmp / "base")


# The scenarios: each builds an environment, and checks the fact it exists for.

Scenario = Callable[[Path], Case]
SCENARIOS: dict[str, Scenario] = {}


def scenario(build: Scenario) -> Scenario:
    SCENARIOS[build.__name__.replace("_", "-")] = build
    return build


@scenario
def newest(tmp: Path) -> Case:
    """The newest fastapi, fastapi-cli, fastapi-cloud-cli and typer (pydantic, starlette through them); on 3.8
    the newest that install there."""
    python = fresh_base(tmp)
    if MINOR >= 9:
        install(VERSION, site_packages(python), "fastapi[standard]", "fastapi-cloud-cli", "typer")
    else:
        install(VERSION, site_packages(python), "fastapi[standard]==0.124.4", *SET_38[1:])
    return Case(python, notes={"all": True})


@scenario
def slim(tmp: Path) -> Case:
    """fastapi-slim and typer-slim carrying the packages (before they became metapackages)."""
    python = fresh_base(tmp)
    fastapi_slim = "fastapi-slim==0.128.7" if MINOR >= 9 else "fastapi-slim==0.124.4"
    install(VERSION, site_packages(python), fastapi_slim, "typer-slim==0.20.1")
    return Case(python, notes={"owners": {"fastapi": "fastapi-slim", "typer": "typer-slim"}})


@scenario
def venv_isolated(tmp: Path) -> Case:
    """A Windows-style venv; the base install's starlette must not count (no include-system-site-packages)."""
    base = fresh_base(tmp)
    install(VERSION, site_packages(base), "starlette==0.44.0")
    venv, env = make_venv(base, tmp / "venv")
    install(VERSION, tmp / "venv" / "Lib" / "site-packages", "typer-slim==0.20.1")
    return Case(venv, env=env, notes={"null": ["starlette_version"], "set": ["typer_version"]})


@scenario
def venv_system_site(tmp: Path) -> Case:
    """The same venv with ``include-system-site-packages = true``: the base's starlette counts."""
    base = fresh_base(tmp)
    install(VERSION, site_packages(base), "starlette==0.44.0")
    venv, env = make_venv(base, tmp / "venv", system_site_packages=True)
    install(VERSION, tmp / "venv" / "Lib" / "site-packages", "typer-slim==0.20.1")
    return Case(venv, env=env, notes={"set": ["starlette_version", "typer_version"]})


@scenario
def user_site(tmp: Path) -> Case:
    """The user site, ``<user base>\\PythonXY\\site-packages`` (``PYTHONUSERBASE``: wine pins APPDATA)."""
    python = fresh_base(tmp)
    userbase = tmp / "userbase"
    install(VERSION, userbase / f"Python3{MINOR}" / "site-packages", "starlette==0.44.0")
    return Case(python, env={"PYTHONUSERBASE": windows_path(userbase)}, notes={"under": {"starlette": userbase}})


@scenario
def pythonpath(tmp: Path) -> Case:
    """PYTHONPATH with ``;``: a missing folder, then a newer starlette and typer than site-packages has."""
    python = fresh_base(tmp)
    install(VERSION, site_packages(python), "starlette==0.38.6", "typer-slim==0.12.5")
    shadow = tmp / "shadow"
    install(VERSION, shadow, "starlette==0.44.0", "typer-slim==0.20.1")
    entries = ";".join([windows_path(tmp / "missing"), windows_path(shadow)])
    notes = {"under": {"starlette": shadow, "typer": shadow}}
    return Case(python, env={"PYTHONPATH": entries}, notes=notes)


@scenario
def pth_folder(tmp: Path) -> Case:
    """A ``.pth`` file in site-packages naming a folder that holds starlette."""
    python = fresh_base(tmp)
    extra = tmp / "extra folder"
    install(VERSION, extra, "starlette==0.44.0")
    site = site_packages(python)
    site.mkdir(parents=True, exist_ok=True)
    (site / "extra.pth").write_text(windows_path(extra) + "\n", encoding="utf-8")
    return Case(python, notes={"under": {"starlette": extra}})


@scenario
def accented_user_folder(tmp: Path) -> Case:
    """The extension's bundle under ``C:\\Users\\José Ñ\\.vscode\\extensions\\...`` as the current folder."""
    python = fresh_base(tmp)
    install(VERSION, site_packages(python), "starlette==0.44.0", "typer-slim==0.20.1")
    bundle = drive_c() / "users" / "José Ñ" / ".vscode" / "extensions" / "fastapilabs.fastapi-vscode-0.1.0" / "bundle"
    shutil.rmtree(bundle, ignore_errors=True)
    shutil.copytree(ROOT / "probe", bundle / "probe", ignore=shutil.ignore_patterns("__pycache__"))
    return Case(python, cwd=bundle, notes={"set": ["starlette_version", "typer_version"]})


def _wmi_blocker(tmp: Path) -> dict[str, str]:
    """pip imports ``platform``, whose WMI query kills a 3.12+ process under wine: pip runs without ``_wmi``."""
    folder = tmp / "no-wmi"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text("import sys\nsys.modules['_wmi'] = None\n", encoding="utf-8")
    return {"PYTHONPATH": windows_path(folder)}


@scenario
def overwritten_then_uninstalled(tmp: Path) -> Case:
    """Windows pip installs fastapi-slim 0.115.0, then fastapi 0.118.0 over it (one ``fastapi\\`` folder, two
    dist-infos); the test then runs ``pip uninstall fastapi``, which leaves slim's dist-info and no files."""
    python = fresh_base(tmp)
    install(VERSION, site_packages(python), "starlette==0.44.0", "pydantic==2.10.6")
    env = _wmi_blocker(tmp)
    for requirement in ("fastapi-slim==0.115.0", "fastapi==0.118.0"):
        wheel = windows_path(fetch_wheel(requirement))
        windows_pip(python, "install", "--no-deps", "--no-index", "--no-compile", wheel, env=env)
    return Case(python, notes={"pip_env": env})


def scenarios_here() -> list[str]:
    if MINOR in (8, 13):
        return list(SCENARIOS)
    return [name for name in SCENARIOS if name in CORE]


@pytest.mark.parametrize("name", scenarios_here())
def test_block_matches_a_real_import(name: str, tmp_path: Path) -> None:
    """All six product keys are what a real import in the Windows interpreter loads, as importlib_metadata says."""
    case = SCENARIOS[name](tmp_path)
    block, truth = assert_matches_oracle(case)
    notes = case.notes
    if notes.get("all"):
        assert all(block[key] is not None for key in PRODUCT_MODULES), block
        check_reports(case, block)
    for module, owner in notes.get("owners", {}).items():
        assert truth[module]["owner"] == owner, truth[module]
    for key in notes.get("null", []):
        assert block[key] is None, key
    for key in notes.get("set", []):
        assert block[key] is not None, key
    for module, folder in notes.get("under", {}).items():
        file = truth[module]["file"]
        assert file is not None and file.lower().startswith(windows_path(folder).lower() + "\\"), (module, file)
    if name == "overwritten-then-uninstalled":
        assert truth["fastapi"]["owners"] == ["fastapi", "fastapi-slim"]
        assert truth["fastapi"]["owner"] == "fastapi"
        windows_pip(case.python, "uninstall", "--yes", "fastapi", env=notes["pip_env"])
        site = site_packages(case.python)
        assert (site / "fastapi_slim-0.115.0.dist-info" / "RECORD").is_file()  # left behind
        assert not (site / "fastapi" / "__init__.py").exists()
        block, _ = assert_matches_oracle(case)
        assert block["fastapi_version"] is None


def imported_modules(stderr: str) -> set[str]:
    """The modules ``-X importtime`` listed on stderr."""
    return {line.rsplit("|", 1)[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


def check_reports(case: Case, block: dict[str, Any]) -> None:
    """``--report`` and ``--report --json`` where products with requirements are installed: the same facts.

    Evaluating their markers reads ``platform``, whose WMI query (3.12+) kills the process
    under wine: that these runs exit 0 shows the report never makes one.
    """
    report = case.probe("--report")
    assert report.returncode == 0, report.stderr[-2000:]
    assert f"| fastapi | {block['fastapi_version']} |" in report.stdout, report.stdout
    assert_no_windows_paths(report.stdout, case.python)
    run = case.probe("--report", "--json")
    assert run.returncode == 0, run.stderr[-2000:]
    facts = parse_report(run.stdout)
    assert_no_windows_paths("\n".join(strings_in(facts)), case.python)  # JSON doubles each backslash
    form = facts["issue_form"]
    assert form["os"] == "Windows 10"
    assert (form["python-version"], form["fastapi-version"]) == (block["python_version"], block["fastapi_version"])


# How a Windows path starts: a drive (wine maps the host's / to Z:), or a user's folder.
WINDOWS_PATH_PARTS = ("C:\\", "c:\\", "Z:\\", "z:\\", "\\Users\\", "\\users\\")


def assert_no_windows_paths(text: str, python: Path) -> None:
    """No path in a report, in the host's spelling or in Windows' (the interpreter's folder among them)."""
    assert_no_paths(text, *WINDOWS_PATH_PARTS, python.parent, windows_path(python.parent))


def strings_in(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


# The contract, on the bare interpreter.


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Case:
    return Case(fresh_base(tmp_path_factory.mktemp("bare")))


def test_block_names_windows_and_x64(bare: Case) -> None:
    run = bare.probe()
    assert run.returncode == 0 and run.stderr == ""
    block = parse_block(run.stdout)
    assert (block["python_platform"], block["python_arch"]) == ("win32", "x64")
    assert block["python_version"].startswith(VERSION + ".")
    assert run.stdout.startswith("\n") and run.stdout.endswith("\n")  # one block line, a newline before it


def test_framing_rule_with_a_printing_startup_hook(tmp_path: Path, bare: Case) -> None:
    """A sitecustomize that prints a JSON line (even one with the prefix) comes before the block."""
    hook = tmp_path / "hook"
    hook.mkdir()
    fake = '{"probe_schema_version":1,"probe_status":"fake"}'
    (hook / "sitecustomize.py").write_text(f"print({fake!r}, end='')\n", encoding="utf-8")
    run = run_windows(bare.python, "-m", "probe", env={"PYTHONPATH": windows_path(hook)})
    assert run.returncode == 0
    lines = run.stdout.splitlines()
    assert lines[0] == fake
    assert parse_block(run.stdout)["probe_status"] == "ok"


def test_bad_argument(bare: Case) -> None:
    run = bare.probe("--no-such-option")
    assert (run.returncode, run.stdout) == (2, "")
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr


def test_schema_and_help(bare: Case) -> None:
    schema = bare.probe("--schema")
    assert schema.returncode == 0
    assert json.loads(schema.stdout) == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    usage = bare.probe("--help")
    assert usage.returncode == 0 and "--report" in usage.stdout


def test_report_names_windows_without_paths(bare: Case) -> None:
    run = bare.probe("--report")
    assert run.returncode == 0, run.stderr
    report = run.stdout
    assert "**OS**: Windows 10 (build 1" in report  # start_wine makes the prefix say Windows 10
    assert "**Architecture**: x64 (interpreter and machine)" in report
    assert_no_windows_paths(report, bare.python)


def sleepy_base(tmp_path: Path) -> Path:
    """A fresh Windows CPython whose site-packages has a ``.pth`` installing a finder that sleeps."""
    python = fresh_base(tmp_path)
    site = site_packages(python)
    site.mkdir(parents=True)
    (site / "sleepy_finder.py").write_text(SLEEPY_FINDER, encoding="utf-8")
    (site / "sleepy.pth").write_text("import sleepy_finder\n", encoding="utf-8")
    return python


def test_expired_deadline(tmp_path: Path) -> None:
    """A finder a ``.pth`` installs, which sleeps: the block comes at the deadline with ``timeout``."""
    python = sleepy_base(tmp_path)
    run = run_windows(python, "-m", "probe", "--timeout", "1", timeout=60)
    assert run.returncode == 0, run.stderr
    block = parse_block(run.stdout)
    assert block["probe_status"] == "timeout"
    assert "starlette_version" not in block


def test_report_within_its_deadline(tmp_path: Path) -> None:
    """The same sleeping finder: ``--report --json --timeout 1`` comes by its deadline, what it cut not checked."""
    python = sleepy_base(tmp_path)
    run = run_windows(python, "-m", "probe", "--report", "--json", "--timeout", "1", timeout=60)
    assert run.returncode == 0, run.stderr
    facts = parse_report(run.stdout)
    assert facts["deadline"]["passed"] is True
    assert "products" in facts["deadline"]["not_checked"]
    found_by = {product["module"]: product["found_by"] for product in facts["products"]}
    assert (found_by["fastapi"], found_by["starlette"]) == ("missing", "not checked")


def test_block_imports_neither_platform_nor_wmi(bare: Case) -> None:
    """``platform`` (and on 3.12+ its ``_wmi``) would kill the process under wine: ``-X importtime`` lists every
    module the block's path imports."""
    run = run_windows(bare.python, "-X", "importtime", "-m", "probe")
    assert run.returncode == 0
    imported = imported_modules(run.stderr)
    assert "probe.cli" in imported or "probe" in imported, run.stderr[:500]
    assert not {"platform", "_wmi", "subprocess"} & imported


def test_node_execfile_as_the_extension_calls_it(bare: Case) -> None:
    """Node runs ``wine python.exe <bundle>\\probe\\__main__.py`` with ``cwd`` the bundle, as the extension does."""
    block = node_execfile(bare.python, ROOT)
    assert (block["python_platform"], block["python_arch"]) == ("win32", "x64")


def test_the_embeddable_cpython_as_shipped(tmp_path: Path) -> None:
    """Its ``pythonXY._pth`` in place, as shipped: the current folder is not on ``sys.path``, so
    ``-m probe`` finds no probe. The file the extension runs puts the bundle folder there itself,
    and the probe leaves that folder out: a fastapi beside ``probe/`` is not the user's."""
    python = fresh_base(tmp_path)
    name, text = shipped_pth(VERSION)
    (python.parent / name).write_bytes(text)
    bundle = copy_probe(tmp_path)
    (bundle / "fastapi-9.9.9.dist-info").mkdir()
    (bundle / "fastapi-9.9.9.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: fastapi\nVersion: 9.9.9\n"
    )
    minus_m = run_windows(python, "-m", "probe", cwd=bundle)
    assert minus_m.returncode == 1 and "No module named probe" in minus_m.stderr
    run = run_windows(python, windows_path(bundle / "probe" / "__main__.py"), *PROBE_ARGS, cwd=bundle)
    assert (run.returncode, run.stderr) == (0, "")
    block = parse_block(run.stdout)
    assert block["python_version"].startswith(VERSION + ".") and block["probe_status"] == "ok"
    assert {block[key] for key in PRODUCT_MODULES} == {None}, "only its standard library is importable"
    assert node_execfile(python, bundle) == block


def node_execfile(python: Path, bundle: Path) -> dict[str, Any]:
    """The block Node's execFile gets from ``wine python.exe`` running the bundle's probe as the extension does."""
    node = shutil.which("node")
    if node is None:
        (pytest.fail if IN_CI else pytest.skip)("node is not installed (.ci/run installs nodejs)")
    script = Path(__file__).with_name("windows_execfile.mjs")
    from windows import wine_env

    completed = subprocess.run(
        [node, str(script), str(python), str(bundle), windows_path(bundle / "probe" / "__main__.py")],
        env=wine_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    block: dict[str, Any] = json.loads(completed.stdout)
    parse_block(json.dumps(block, separators=(",", ":")))
    return block


DEPENDENCIES_SCHEMA = ROOT / "probe" / "dependencies.schema.json"


def test_paths_line_on_windows(bare: Case) -> None:
    """``--paths``: the block unchanged, then a dependency line of Windows paths, with file ids, valid by its schema."""
    plain, run = bare.probe(), bare.probe("--paths")
    assert run.returncode == 0 and run.stderr == "", run.stderr
    *_, block_line, line = run.stdout.rstrip("\n").split("\n")
    assert block_line == plain.stdout.rstrip("\n").split("\n")[-1]
    dependencies = json.loads(line)
    jsonschema.Draft202012Validator(json.loads(DEPENDENCIES_SCHEMA.read_text(encoding="utf-8"))).validate(dependencies)
    files = [entry for entry in dependencies["paths"] if entry["kind"] == "file"]
    assert files and all(":\\" in entry["path"] for entry in files), files[:3]
    assert all(entry["inode"] > 0 for entry in files), "Windows file ids"
    assert any(entry["path"].lower().endswith("python.exe") for entry in files), "the interpreter"


def test_node_for_windows_sees_what_the_probe_recorded(bare: Case, tmp_path: Path) -> None:
    """The cache's premise on Windows: Node's ``fs.stat`` (libuv) gives the mtime, size and file id that
    Python's ``os.stat`` recorded, for every path of the line; otherwise no answer would ever be cached."""
    from windows import node_for_windows, wine_env

    try:
        node = node_for_windows()
    except ToolError as error:
        (pytest.fail if IN_CI else pytest.skip)(str(error))
    run = bare.probe("--paths")
    assert run.returncode == 0, run.stderr
    (tmp_path / "line.txt").write_text(run.stdout.replace("\r", ""), encoding="utf-8")
    compared = run_captured(
        [
            "wine",
            str(node),
            windows_path(Path(__file__).with_name("windows_stat.cjs")),
            windows_path(tmp_path / "line.txt"),
            windows_path(tmp_path / "result.json"),
        ],
        env=wine_env(),
        cwd=tmp_path,
        timeout=300,
    )
    assert compared.returncode == 0, compared.stderr[-2000:]
    result = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert result["differ"] == [] and result["same"] >= 5, result
