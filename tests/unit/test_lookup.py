"""The lookup's four steps in-process, on file trees from dicts: which step decides, and what it answers."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from filetree import build, dist_info, installed

from probe.lookup import (
    FOUND_EDITABLE,
    FOUND_METADATA,
    FOUND_MISSING,
    FOUND_NO_FILE,
    FOUND_SOURCE,
    Target,
    explain,
    target_for,
)

# Module names nothing else in this process imports (locate asks sys.modules first).
counter = iter(range(10**6))


@pytest.fixture
def name() -> str:
    return f"unitdemo{next(counter)}"


def target(module: str, *distributions: str) -> Target:
    return Target(f"{module}_version", module, distributions or (module,))


def test_missing(tmp_path: Path, name: str) -> None:
    site = build({}, tmp_path / "site")
    finding = explain(target(name), [str(site)])
    assert (finding.value, finding.how, finding.location) == (None, FOUND_MISSING, None)


def test_installed_distribution_decides(tmp_path: Path, name: str) -> None:
    site = build(installed(name, "1.2", {f"{name}/__init__.py": "__version__ = '9.9'\n"}), tmp_path / "site")
    finding = explain(target(name), [str(site)])
    assert (finding.value, finding.how) == ("1.2", FOUND_METADATA)  # metadata, not the source, for an install
    assert finding.owner is not None and finding.owner.entry == str(site)
    assert finding.location is not None and finding.location.relative == f"{name}/__init__.py"


def test_the_search_path_is_what_is_searched(tmp_path: Path, name: str) -> None:
    first = build(installed(name, "1.0", {f"{name}.py": ""}), tmp_path / "first")
    second = build(installed(name, "2.0", {f"{name}.py": ""}), tmp_path / "second")
    assert explain(target(name), [str(first), str(second)]).value == "1.0"
    assert explain(target(name), [str(second), str(first)]).value == "2.0"
    assert explain(target(name), []).value is None  # sys.path is not read


def test_non_string_entries_are_skipped(tmp_path: Path, name: str) -> None:
    site = build(installed(name, "1.0", {f"{name}.py": ""}), tmp_path / "site")
    odd: list[object] = [Path(tmp_path / "nowhere"), 42, None, str(site)]
    assert explain(target(name), odd).value == "1.0"  # type: ignore[arg-type]


def test_rival_claims_are_decided_by_size_then_hash(tmp_path: Path, name: str) -> None:
    source = f"__version__ = 'x'\n{name} = 1\n"
    tree = installed(name, "1.0", {f"{name}/__init__.py": source})
    other = source.replace("1\n", "2\n")  # the same size, another hash
    tree.update(dist_info(f"{name}-slim", "2.0", {f"{name}/__init__.py": other}))
    site = build(tree, tmp_path / "site")
    finding = explain(target(name, name, f"{name}-slim"), [str(site)])
    assert (finding.value, finding.how) == ("1.0", FOUND_METADATA)
    (site / name / "__init__.py").write_text(other, encoding="utf-8")
    assert explain(target(name, name, f"{name}-slim"), [str(site)]).value == "2.0"


def test_legacy_byte_code_belongs_to_the_source_s_distribution(tmp_path: Path, name: str) -> None:
    """``compileall -b`` then the sources deleted: RECORD lists the ``.py``, import loads the ``.pyc``."""
    tree = installed(name, "3.1", {f"{name}/__init__.py": "", f"{name}/core.py": ""})
    site = build(tree, tmp_path / "site")
    for path in (site / name).iterdir():
        path.rename(path.with_suffix(".pyc"))
    finding = explain(target(name), [str(site)])
    assert finding.location is not None and finding.location.relative == f"{name}/__init__.pyc"
    assert (finding.value, finding.how) == ("3.1", FOUND_METADATA)


def test_byte_code_cache_is_not_the_module(tmp_path: Path, name: str) -> None:
    tree = installed(name, "3.1", {f"{name}/__init__.py": ""})
    site = build(tree, tmp_path / "site")
    (site / name / "__init__.py").rename(site / name / "__init__.pyc")
    (site / f"{name.replace('-', '_')}-3.1.dist-info" / "RECORD").write_text(
        f"{name}/__pycache__/__init__.cpython-312.pyc,,\n", encoding="utf-8"
    )
    assert explain(target(name), [str(site)]).how != FOUND_METADATA


def editable_tree(tmp_path: Path, name: str, declared: str | None) -> tuple[Path, Path]:
    project = tmp_path / "project"
    init = f'__version__ = "{declared}"\n' if declared else "from importlib.metadata import version\n"
    build({"pyproject.toml": "", name: {"__init__.py": init}}, project)
    url = json.dumps({"url": project.as_uri(), "dir_info": {"editable": True}})
    tree = dist_info(name, "0.1.0", {f"_{name}.pth": str(project)}, **{"direct_url.json": url})
    return build(tree, tmp_path / "site"), project


@pytest.mark.parametrize(("declared", "expected"), [("0.2.0", "0.2.0"), (None, "0.1.0")])
def test_editable_install_working_tree_wins(tmp_path: Path, name: str, declared: str | None, expected: str) -> None:
    site, project = editable_tree(tmp_path, name, declared)
    finding = explain(target(name), [str(site), str(project)])
    assert (finding.value, finding.how) == (expected, FOUND_EDITABLE)
    assert finding.owner is not None and finding.owner.entry == str(site)


def test_setup_py_develop_metadata_in_the_tree(tmp_path: Path, name: str) -> None:
    """setuptools' egg-info inside the project is the build's, not an install: the tree declares the version."""
    egg = {"PKG-INFO": f"Name: {name}\nVersion: 0.1\n", "top_level.txt": name + "\n", "SOURCES.txt": ""}
    tree = {"setup.py": "", f"{name}.egg-info": egg, name: {"__init__.py": '__version__ = "0.5"\n'}}
    project = build(tree, tmp_path / "project")
    finding = explain(target(name), [str(project)])
    assert (finding.value, finding.how) == ("0.5", FOUND_EDITABLE)
    del tree["setup.py"]  # the same egg-info where no project is: an install (Debian's, say)
    other = build(tree, tmp_path / "other")
    assert explain(target(name), [str(other)]).how == FOUND_METADATA


def test_setup_py_develop_metadata_of_a_src_layout(tmp_path: Path, name: str) -> None:
    """A src layout: the egg-info is in ``src/``, the project files one level up, as SOURCES.txt says."""
    sources = f"setup.py\nsrc/{name}/__init__.py\nsrc/{name}.egg-info/PKG-INFO\nsrc/{name}.egg-info/SOURCES.txt\n"
    egg = {"PKG-INFO": f"Name: {name}\nVersion: 0.1\n", "top_level.txt": name + "\n", "SOURCES.txt": sources}
    src = {f"{name}.egg-info": egg, name: {"__init__.py": '__version__ = "0.5"\n'}}
    project = build({"setup.py": "", "src": src}, tmp_path / "project")
    finding = explain(target(name), [str(project / "src")])
    assert (finding.value, finding.how) == ("0.5", FOUND_EDITABLE)
    # The same egg-info installed where no project is above it (Debian keeps SOURCES.txt): an install.
    other = build({"setup.py": "", "site": src}, tmp_path / "other")
    assert explain(target(name), [str(other / "site")]).how == FOUND_METADATA
    # SOURCES.txt naming a folder the entry is not in proves nothing either.
    (other / "site" / f"{name}.egg-info" / "SOURCES.txt").write_text(sources.replace("src/", "../"), encoding="utf-8")
    assert explain(target(name), [str(other / "site")]).how == FOUND_METADATA


def test_source_tree_declares(tmp_path: Path, name: str) -> None:
    site = build({name: {"__init__.py": "", "version.py": 'VERSION = "4.5"\n'}}, tmp_path / "tree")
    finding = explain(target(name), [str(site)])
    assert (finding.value, finding.how) == ("4.5", FOUND_SOURCE)


def test_leftover_namespace_package(tmp_path: Path, name: str) -> None:
    site = build({name: {"leftover.py": ""}}, tmp_path / "site")
    finding = explain(target(name), [str(site)])
    assert (finding.value, finding.how) == ("unknown", FOUND_NO_FILE)


def test_named_distribution_guesses_its_module(tmp_path: Path, name: str) -> None:
    tree = installed(f"{name}-dist", "7.0", {f"{name}/__init__.py": ""})
    tree[f"{name}_dist-7.0.dist-info"]["top_level.txt"] = name + "\n"  # type: ignore[index]
    site = build(tree, tmp_path / "site")
    finding = explain(target_for(f"{name}-dist"), [str(site)])
    assert (finding.value, finding.how) == ("7.0", FOUND_METADATA)
    assert finding.location is not None and finding.location.name == name


def test_zip_archive(tmp_path: Path, name: str) -> None:
    import zipfile

    folder = build(installed(name, "8.0", {f"{name}/__init__.py": ""}), tmp_path / "tree")
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out.write(path, "lib/" + path.relative_to(folder).as_posix())
    finding = explain(target(name), [str(archive / "lib")])
    assert finding.location is not None and finding.location.in_archive
    assert (finding.value, finding.how) == ("8.0", FOUND_METADATA)
    assert sys.modules.get(name) is None  # found, never imported
