"""``python -m probe --report``: its readers on this machine against the standard library, then the
whole report on real virtual environments built from real wheels, held against an oracle.

The pure parsers, with the system's answers injected, are in tests/unit/test_report_parsers.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import envs
import pytest
from support import (
    PRODUCT_MODULES,
    assert_no_paths,
    clean_env,
    parse_report,
    require_interpreter,
    run_probe,
)

from probe.interpreter import node_arch
from probe.report import architecture, findings, operating_system, python_build

# The standard library's os-release reader (3.10+), run by whichever interpreter has it.
_OS_RELEASE = "import json, platform; print(json.dumps(platform.freedesktop_os_release()))"


def os_release() -> dict[str, str]:
    """``platform.freedesktop_os_release()``: in-process on 3.10+, else from a 3.10 interpreter."""
    import platform

    if hasattr(platform, "freedesktop_os_release"):
        return dict(platform.freedesktop_os_release())
    python = require_interpreter("3.10")
    out = subprocess.run([python, "-c", _OS_RELEASE], capture_output=True, text=True, env=clean_env(), check=True)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_linux_name_of_this_machine_agrees_with_platform() -> None:
    """Held against the standard library's own os-release reader (from a 3.10 interpreter before 3.10)."""
    if sys.platform != "linux":
        pytest.skip("the oracle reads os-release: Linux only")
    fields = os_release()
    text = next(Path(path).read_text() for path in operating_system.OS_RELEASE_FILES if Path(path).exists())
    expected = fields["NAME"] + (" " + fields["VERSION_ID"] if "VERSION_ID" in fields else "")
    assert operating_system.linux_name(text, os.uname().release).startswith(expected + " (Linux ")
    assert operating_system.os_name() == operating_system.linux_name(text, os.uname().release)


def test_machine_arch_of_this_machine() -> None:
    import platform

    assert architecture.machine_arch() == node_arch(platform.machine(), 64)


def test_os_name_of_this_machine() -> None:
    """The system's own answer, from ``platform`` (which the probe avoids: WMI, subprocesses)."""
    import platform

    name = operating_system.os_name()
    if sys.platform == "darwin":
        assert name.startswith(("macOS ", "Mac OS X ")) and platform.mac_ver()[0].split(".")[0] in name
    elif sys.platform == "win32":
        build = sys.getwindowsversion().build  # type: ignore[attr-defined,unused-ignore]
        assert name.startswith("Windows ") and name.endswith(f"(build {build})")
    else:
        assert name.endswith(f"(Linux {os.uname().release.lower()})")


def test_python_summary_of_this_interpreter() -> None:
    import sysconfig

    summary = python_build.python_summary()
    assert summary.startswith(sys.version.split()[0].split("+")[0])
    assert ("free-threaded" in summary) == bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    assert python_build.free_threaded_build() == bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    assert ("PyPy" in summary) == (sys.implementation.name == "pypy")


# ---- the whole report, on real environments ----------------------------------------------------

ROW = re.compile(r"^\| (\S+) \| ([^|]+) \| ([^|]*) \| ([^|]*) \|(?: ([^|]*) \|)?$")


def rows(text: str) -> dict[str, tuple[str, ...]]:
    """The products table: module -> (version, distribution, found by[, location])."""
    found = {}
    for line in text.splitlines():
        match = ROW.match(line)
        if match and match.group(1) not in ("package", "---"):
            found[match.group(1)] = tuple(cell.strip() for cell in match.groups()[1:] if cell is not None)
    return found


def noticed(text: str) -> list[str]:
    section = text.split("**Noticed**", 1)[1]
    return [line[2:] for line in section.splitlines() if line.startswith("- ")]


def run_report(venv: envs.Venv, *args: str, env: dict[str, str] | None = None) -> str:
    run = run_probe(venv.python, "--report", *args, env=env or venv.env)
    assert (run.returncode, run.stderr) == (0, ""), run.stderr
    return run.stdout


def run_report_json(venv: envs.Venv, *args: str, env: dict[str, str] | None = None) -> tuple[dict[str, Any], str]:
    """``--report --json``: the object, validated against the shipped schema, and the text it came as."""
    run = run_probe(venv.python, "--report", "--json", *args, env=env or venv.env)
    assert (run.returncode, run.stderr) == (0, ""), run.stderr
    return parse_report(run.stdout), run.stdout


def make_venv(root: Path, python: str, *requirements: str) -> envs.Venv:
    envs.uv("venv", "--quiet", "--python", python, str(root))
    venv = envs.Venv(root)
    if requirements:
        venv.install(*requirements)
    return venv


@pytest.fixture(scope="module")
def cpython() -> str:
    """The interpreter running the tests, or CPython 3.12 under PyPy: the newest fastapi[standard]
    has compiled dependencies (uvloop, httptools) without PyPy wheels. Every interpreter also
    runs the report bare, from the bundle, in test_bundle.py."""
    if sys.implementation.name == "cpython":
        return sys.executable
    return require_interpreter("3.12")


@pytest.fixture(scope="module")
def standard(tmp_path_factory: pytest.TempPathFactory, cpython: str) -> envs.Venv:
    """The newest fastapi[standard] and fastapi-cloud-cli, plus psutil: what users have."""
    root = tmp_path_factory.mktemp("report") / "standard"
    return make_venv(root, cpython, "fastapi[standard]", "fastapi-cloud-cli", "psutil")


def test_report_on_fastapi_standard_matches_a_real_import(standard: envs.Venv) -> None:
    text = run_report(standard)
    table = rows(text)
    modules = [target.module for target in findings.REPORTED]
    truth = envs.oracle(standard, [module for module in modules if module])
    assert list(table) == modules
    assert truth["fastapi"].value is not None and truth["pydantic"].value is not None
    for module, (version, distribution, how) in table.items():
        if truth[module].importable:
            assert (version, distribution, how) == (truth[module].value, f"{truth[module].owner} {version}", "metadata")
        else:  # what the newest fastapi[standard] pulls in differs between Python versions
            assert (version, distribution, how) == ("not installed", "", "")
    assert noticed(text) == ["nothing unusual"]


def test_report_describes_interpreter_os_environment_and_hardware(standard: envs.Venv) -> None:
    text = run_report(standard)
    facts = standard.query(
        "import json, platform, sys, psutil;"
        "print(json.dumps([platform.python_version(), psutil.__version__, psutil.cpu_count(),"
        " sys.base_prefix, platform.machine()]))"
    )
    python, psutil_version, cpus, base_prefix, machine = facts
    uv_version = envs.uv("--version").split()[1]
    assert f"- **Python**: {python} (CPython, 64-bit)\n" in text
    assert f"- **OS**: {operating_system.os_name()}\n" in text
    assert f"- **Environment**: virtual environment (created by uv {uv_version}); interpreter from " in text
    if "/.pyenv/" in base_prefix:
        assert "interpreter from pyenv" in text
    assert re.search(
        rf"- \*\*Hardware\*\*: {cpus} CPUs.*, \d+\.\d GiB memory \(psutil {re.escape(psutil_version)}\)", text
    )
    assert f"- **Architecture**: {node_arch(machine, 64)} (interpreter and machine)\n" in text
    assert_no_paths(text, standard.root, base_prefix)


def test_json_report_says_what_the_markdown_says(standard: envs.Venv) -> None:
    """The JSON report's facts against the environment's own answers, and against the Markdown of the same run."""
    facts, text = run_report_json(standard)
    markdown = run_report(standard)
    modules = [target.module for target in findings.REPORTED if target.module]
    truth = envs.oracle(standard, modules)
    assert [product["module"] for product in facts["products"]] == modules
    for product in facts["products"]:
        known = truth[product["module"]]
        if known.importable:
            assert product == {
                "module": product["module"],
                "version": known.value,
                "distribution": {"name": known.owner, "version": known.value},
                "found_by": "metadata",
            }
        else:
            assert product == {
                "module": product["module"],
                "version": None,
                "distribution": None,
                "found_by": "missing",
            }
    python, cpus, psutil_version, machine = standard.query(
        "import json, platform, psutil; print(json.dumps([platform.python_version(), psutil.cpu_count(),"
        " psutil.__version__, platform.machine()]))"
    )
    assert facts["python"]["version"] == python and facts["python"]["bits"] == 64
    assert (facts["hardware"]["logical_cpus"], facts["hardware"]["psutil_version"]) == (cpus, psutil_version)
    assert facts["architecture"]["interpreter"] == facts["architecture"]["machine"] == node_arch(machine, 64)
    assert facts["environment"]["kind"] == "virtual environment"
    assert facts["environment"]["created_by"] == "uv " + envs.uv("--version").split()[1]
    for label, section in [
        ("Python", "python"),
        ("OS", "os"),
        ("Architecture", "architecture"),
        ("Hardware", "hardware"),
    ]:
        assert f"- **{label}**: {facts[section]['summary']}\n" in markdown
    assert f"- **Environment**: {facts['environment']['summary']}\n" in markdown
    assert (facts["notices"], facts["unmet_requirements"]) == ([], [])
    assert facts["issue_form"] == {
        "python-version": python,
        "fastapi-version": truth["fastapi"].value,
        "os": facts["os"]["name"],
    }
    assert_no_paths(text, standard.root)


def test_issue_form_names_the_os_without_the_kernel() -> None:
    """Held against the standard library's os-release reader and uname; no path, no user name."""
    import platform

    facts = parse_report(run_probe(sys.executable, "--report", "--json").stdout)
    form = facts["issue_form"]
    if sys.platform != "linux":
        pytest.skip("the OS oracle here reads os-release: Linux only")
    release = os_release()
    assert form["os"] == release["NAME"] + (" " + release["VERSION_ID"] if "VERSION_ID" in release else "")
    assert os.uname().release.lower() not in form["os"].lower()
    assert form["python-version"] == platform.python_version()
    # The block's answer for this interpreter: "" where fastapi is not installed.
    assert form["fastapi-version"] == (run_probe(sys.executable).block["fastapi_version"] or "")
    for value in form.values():
        assert os.sep not in value.replace("GNU/Linux", "") and os.path.expanduser("~") not in value


def test_paths_only_with_paths(standard: envs.Venv) -> None:
    text = run_report(standard, "--paths")
    truth = envs.oracle(standard, ["fastapi", "pydantic"])
    assert f"- **sys.prefix**: `{standard.root}`" in text
    assert f"- **Interpreter**: `{standard.python}`" in text
    table = rows(text)
    assert table["fastapi"][3] == f"`{truth['fastapi'].file}`"
    assert table["pydantic"][3] == f"`{truth['pydantic'].file}`"
    facts, _ = run_report_json(standard, "--paths")
    assert facts["paths"] == {"interpreter": str(standard.python), "prefix": str(standard.root)}
    located = {product["module"]: product["location"] for product in facts["products"]}
    everything = envs.oracle(standard, list(located))
    assert located == {module: everything[module].file if everything[module].importable else None for module in located}
    assert located["fastapi"] == truth["fastapi"].file
    facts, _ = run_report_json(standard)
    assert "paths" not in facts and not [product for product in facts["products"] if "location" in product]


def test_without_psutil_there_is_no_hardware_line(tmp_path: Path, cpython: str) -> None:
    venv = make_venv(tmp_path / "bare", cpython)
    text = run_report(venv)
    assert "**Hardware**" not in text
    assert set(rows(text)) == {target.module for target in findings.REPORTED}
    assert all(cells[0] == "not installed" for cells in rows(text).values())
    assert "virtual environment (created by uv " in text
    facts, _ = run_report_json(venv)
    assert facts["hardware"] is None and facts["issue_form"]["fastapi-version"] == ""


def test_overwrite_mismatch_and_leftover_are_noticed(tmp_path: Path, cpython: str) -> None:
    """fastapi-slim overwritten by fastapi; a pydantic-core that is not the one pydantic pins;
    then fastapi uninstalled, leaving fastapi-slim's metadata over files that are gone."""
    venv = make_venv(tmp_path / "messy", cpython, "fastapi-slim==0.115.0")
    venv.install("fastapi==0.115.6", f"pydantic=={envs.PYDANTIC}")
    venv.install(f"pydantic-core=={envs.EARLIER_PYDANTIC_CORE}")
    requires = venv.query("import json, importlib.metadata as m; print(json.dumps(m.requires('pydantic')))")
    assert f"pydantic-core=={envs.PYDANTIC_CORE}" in requires  # the oracle for the pin
    pin, installed = f"pydantic-core=={envs.PYDANTIC_CORE}", envs.EARLIER_PYDANTIC_CORE
    mismatch_message = f"pydantic {envs.PYDANTIC} requires {pin}; {installed} is installed"
    text = run_report(venv)
    assert rows(text)["fastapi"][:2] == ("0.115.6", "fastapi 0.115.6")
    assert rows(text)["pydantic_core"][0] == envs.EARLIER_PYDANTIC_CORE
    assert noticed(text) == [
        "`fastapi/__init__.py` is claimed by fastapi 0.115.6 and fastapi-slim 0.115.0 (one was installed over "
        "the other); the probe reports fastapi 0.115.6",
        mismatch_message,
    ]
    assert_no_paths(text, venv.root)
    facts, as_text = run_report_json(venv)
    assert facts["notices"] == noticed(text)[:1]
    assert facts["unmet_requirements"] == [
        {
            "distribution": "pydantic",
            "version": envs.PYDANTIC,
            "requirement": f"pydantic-core=={envs.PYDANTIC_CORE}",
            "requires": "pydantic-core",
            "installed": envs.EARLIER_PYDANTIC_CORE,
            "message": noticed(text)[1],
        }
    ]
    assert_no_paths(as_text, venv.root)

    envs.uv("pip", "uninstall", "--python", str(venv.python), "fastapi")
    text = run_report(venv)
    assert rows(text)["fastapi"][0] == "not installed"
    (leftover, mismatch) = noticed(text)
    assert re.fullmatch(
        r"fastapi-slim 0\.115\.0 is recorded as installed but none of the \d+ files it lists for `fastapi` are there: "
        r"metadata left over by an overwrite or an uninstall",
        leftover,
    )
    assert mismatch == mismatch_message
    with_paths = run_report(venv, "--paths")
    dist_info = next((venv.purelib).glob("fastapi_slim-0.115.0.dist-info"))
    assert f"(`{dist_info}`)" in with_paths


def test_source_tree_on_pythonpath_and_editable_install(tmp_path: Path, cpython: str) -> None:
    """A copy of typer with no metadata shadowing the installed one; starlette installed editable from its sdist."""
    venv = make_venv(tmp_path / "dev", cpython, "typer==0.15.1")
    project = envs.unpack_sdist("starlette==0.44.0", tmp_path / "src")
    venv.install("--editable", str(project))
    tree = tmp_path / "vendored"
    shutil.copytree(venv.purelib / "typer", tree / "typer")
    env = clean_env(PYTHONPATH=str(tree))
    venv.env = env
    truth = envs.oracle(venv, ["typer", "starlette"])
    text = run_report(venv, env=env)
    table = rows(text)
    assert table["typer"] == (truth["typer"].value, "", "source (no metadata)")
    assert table["starlette"] == ("0.44.0", "starlette 0.44.0", "editable install (PEP 610)")
    assert truth["starlette"].file is not None and truth["starlette"].file.startswith(str(project))
    assert noticed(text) == [
        "typer 0.15.1 is also installed in another `sys.path` entry, shadowed by the one `import typer` loads",
        "`typer` is importable but has no metadata: the version is the one its source declares",
    ]
    assert_no_paths(text, tree, project, venv.root)


def test_report_leaves_the_block_alone(standard: envs.Venv) -> None:
    """Report mode and block mode answer from the same resolution."""
    block = run_probe(standard.python, env=standard.env).block
    table = rows(run_report(standard))
    for key, module in PRODUCT_MODULES.items():
        assert table[module][0] == (block[key] or "not installed")


def test_report_is_markdown_ready_to_paste(standard: envs.Venv) -> None:
    text = run_report(standard)
    assert text.startswith("### Python environment\n\n- **Python**: ")
    lines = text.splitlines()
    table = [line for line in lines if line.startswith("|")]
    assert len({line.count("|") for line in table}) == 1
    assert table[1] == "|---|---|---|---|"
    assert text.isascii() or json.dumps(text)  # any character survives a paste; the probe writes ASCII


def test_planted_modules_never_run_and_a_broken_psutil_costs_nothing(tmp_path: Path) -> None:
    """Modules named like the standard library's on PYTHONPATH are never imported in their place;
    psutil is third-party by nature, so a broken one is imported, and only drops the hardware line."""
    planted = tmp_path / "planted"
    planted.mkdir()
    # packaging (vendored) imports typing, dataclasses, ast, subprocess, logging and more; a module
    # the interpreter's own start-up, and runpy's for -m, import (PyPy's importlib.abc imports typing)
    # is no module the probe could plant.
    started = subprocess.run(
        [sys.executable, "-c", "import runpy, sys; print(' '.join(sys.modules))"], capture_output=True
    )
    names = ("sysconfig", "plistlib", "ctypes", "psutil", "json", "platform", "typing", "dataclasses", "ast")
    for name in [name for name in (*names, "subprocess", "logging") if name not in started.stdout.decode().split()]:
        marker = planted / f"ran-{name}"
        (planted / f"{name}.py").write_text(f"open({str(marker)!r}, 'w').close()\nraise SystemExit('planted')\n")
    run = run_probe(sys.executable, "--report", env=clean_env(PYTHONPATH=str(planted), PYTHONWARNINGS="error"))
    assert (run.returncode, run.stderr) == (0, "")
    assert "- **Python**: " in run.stdout and "unknown (" not in run.stdout
    assert "**Hardware**" not in run.stdout
    assert sorted(path.name for path in planted.glob("ran-*")) == ["ran-psutil"]


def test_editable_install_through_a_symlinked_folder(tmp_path: Path, cpython: str) -> None:
    """pip records the project folder as named (a link) while hatchling's ``.pth`` names the real one
    (as macOS's /tmp -> /private/tmp does to everyone): the install is still recognized as editable."""
    venv = make_venv(tmp_path / "dev", cpython)
    project = envs.unpack_sdist("starlette==0.44.0", tmp_path / "src")
    link = tmp_path / "link"
    link.symlink_to(project, target_is_directory=True)
    venv.install("--editable", str(link))
    truth = envs.oracle(venv, ["starlette"])
    assert truth["starlette"].file is not None and truth["starlette"].file.startswith(str(project))
    assert str(link) in (next(venv.purelib.glob("starlette-*.dist-info")) / "direct_url.json").read_text()
    assert rows(run_report(venv))["starlette"] == ("0.44.0", "starlette 0.44.0", "editable install (PEP 610)")
