"""``--paths``' recorder (probe/dependencies.py) in-process, on file trees from dicts: what it lists, and with what."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
from filetree import build, dist_info, installed

from probe import dependencies, files
from probe.lookup import Target, explain
from probe.output import encode_value

SCHEMA = json.loads((Path(dependencies.__file__).parent / "dependencies.schema.json").read_text())
counter = iter(range(10**6))


@pytest.fixture
def name() -> str:
    return f"depdemo{next(counter)}"


@pytest.fixture(autouse=True)
def not_recording() -> object:
    yield
    files.OBSERVED = None


def recorded(target: Target, search_path: list[str]) -> dict[str, dict[str, object]]:
    dependencies.start()
    explain(target, search_path)
    return {entry["path"]: entry for entry in dependencies.gather([target], search_path)}  # type: ignore[misc]


def test_an_installed_module_lists_its_metadata_entry_and_package(tmp_path: Path, name: str) -> None:
    site = build(
        {**installed(name, "1.2", {f"{name}/__init__.py": ""}), **dist_info(name, "1.2", {f"{name}/__init__.py": ""})},
        tmp_path / "site",
    )
    missing = tmp_path / "not-yet"
    seen = recorded(Target(f"{name}_version", name, (name,)), [str(missing), str(site)])
    metadata = site / f"{name}-1.2.dist-info" / "METADATA"
    info = metadata.stat()
    assert seen[str(metadata)] == {
        "path": str(metadata),
        "kind": "file",
        "mtime_ns": info.st_mtime_ns,
        "size": info.st_size,
        "inode": info.st_ino,
    }
    assert seen[str(site / f"{name}-1.2.dist-info" / "RECORD")]["kind"] == "file"
    assert seen[str(site)]["kind"] == "directory"
    assert seen[str(site / name)]["kind"] == "directory"  # the package's folder: its __init__ decides
    assert seen[str(missing)] == {"path": str(missing), "kind": "absent"}
    assert files.OBSERVED is None, "recording stops with gather()"


def test_a_source_tree_lists_the_files_read_for_the_version(tmp_path: Path, name: str) -> None:
    tree = build({name: {"__init__.py": "", "__about__.py": '__version__ = "3.0"\n'}}, tmp_path / "tree")
    seen = recorded(Target(f"{name}_version", name, (name,)), [str(tree)])
    assert seen[str(tree / name / "__init__.py")]["kind"] == "file"
    assert seen[str(tree / name / "__about__.py")]["kind"] == "file"
    # The files looked for and not found count too: creating one would change the answer.
    assert seen[str(tree / name / "version.py")] == {"path": str(tree / name / "version.py"), "kind": "absent"}


def test_the_interpreter_and_the_probe_itself_are_listed(tmp_path: Path, name: str) -> None:
    import sys

    seen = recorded(Target(f"{name}_version", name, (name,)), [])
    assert sys.executable in seen and seen[sys.executable]["kind"] == "file"
    assert os.path.join(os.path.dirname(dependencies.__file__), "__init__.py") in seen
    assert os.path.join(os.path.dirname(sys.executable), "pyvenv.cfg") in seen


def test_without_start_nothing_is_recorded(tmp_path: Path) -> None:
    site = build({"a.txt": "x"}, tmp_path / "site")
    files.read_text(str(site / "a.txt"))
    files.list_dir(str(site))
    assert files.OBSERVED is None


def test_the_line_matches_its_schema_and_names_the_environment(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "é ü"))
    monkeypatch.delenv("PYTHONHOME", raising=False)
    tree = build({name: {"__init__.py": '__version__ = "1.0"\n'}}, tmp_path / "é ü")
    dependencies.start()
    recorded = dependencies.record([Target(f"{name}_version", name, (name,))], [str(tree)])
    assert recorded is not None
    line = encode_value(recorded)
    assert line.startswith('{"probe_dependencies_version":1,') and line.isascii()
    parsed = json.loads(line)
    jsonschema.Draft202012Validator(SCHEMA).validate(parsed)
    assert list(parsed["environment"]) == list(dependencies.ENVIRONMENT)
    assert parsed["environment"]["PYTHONPATH"] == str(tmp_path / "é ü")
    assert parsed["environment"]["PYTHONHOME"] is None
    assert str(tree) in [entry["path"] for entry in parsed["paths"]]


def test_too_many_paths_give_no_line(tmp_path: Path, name: str) -> None:
    dependencies.start()
    entries = [str(tmp_path / f"entry{index}") for index in range(dependencies.MAX_PATHS + 1)]
    assert dependencies.record([Target(f"{name}_version", name, (name,))], entries) is None


def test_modules_start_up_imported_from_a_site_folder_are_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a ``.pth`` import line ran (an editable install's finder) can change ``sys.path`` when edited in place."""
    import site
    import sys
    import types

    folder = site.getsitepackages()[0]
    finder = types.ModuleType("__editable___demo_finder")
    finder.__file__ = os.path.join(folder, "__editable___demo_finder.py")
    monkeypatch.setitem(sys.modules, finder.__name__, finder)
    assert finder.__file__ in dependencies.startup_paths()
