"""``probe.metadata``: metadata directories as text, each file read once."""

from __future__ import annotations

from pathlib import Path

import pytest
from filetree import build, dist_info, installed

from probe import metadata as distributions
from probe.metadata import Distribution, distributions_in, distributions_on, header_values


def test_record_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = build(installed("demo", "1.0", {"demo/__init__.py": "x = 1\n", "demo/core.py": ""}), tmp_path)
    reads: list[str] = []
    real = distributions.read_text

    def counting(path: str, limit: int = 0) -> str | None:
        reads.append(Path(path).name)
        return real(path, limit) if limit else real(path)

    monkeypatch.setattr(distributions, "read_text", counting)
    (dist,) = distributions_in(str(site), {"demo"})
    assert dist.lists_file("demo/__init__.py") is True
    assert dist.lists_file("demo/absent.py") is False
    assert dist.record_size("demo/__init__.py") == 6
    assert dist.record_row("demo/core.py") is not None
    assert "demo/core.py" in (dist.installed_files() or [])
    assert dist.lists_file("demo/core.py") is True
    assert dist.version == "1.0"
    assert reads.count("RECORD") == 1 and reads.count("METADATA") == 1


def test_without_record(tmp_path: Path) -> None:
    tree = dist_info("demo", "1.0", {})
    del tree["demo-1.0.dist-info"]["RECORD"]  # type: ignore[union-attr]
    (dist,) = distributions_in(str(build(tree, tmp_path)), {"demo"})
    assert (dist.installed_files(), dist.lists_file("demo.py"), dist.record_row("demo.py")) == (None, None, None)


def test_egg_info_lists_files_relative_to_itself(tmp_path: Path) -> None:
    egg = {"PKG-INFO": "Name: demo\nVersion: 2.0\n", "installed-files.txt": "../demo/__init__.py\n./PKG-INFO\n"}
    site = build({"demo-2.0-py3.12.egg-info": egg}, tmp_path)
    (dist,) = distributions_in(str(site), {"demo"})
    assert dist.version == "2.0"
    assert dist.installed_files() == ["demo/__init__.py", "demo-2.0-py3.12.egg-info/PKG-INFO"]
    assert dist.lists_file("demo/__init__.py") is True


def test_version_from_the_folder_name_when_metadata_has_none(tmp_path: Path) -> None:
    site = build({"demo-3.4.dist-info": {"METADATA": "Name: demo\n\n"}}, tmp_path)
    (dist,) = distributions_in(str(site), {"demo"})
    assert dist.version == "3.4"


def test_names_are_matched_after_pep_503_normalization(tmp_path: Path) -> None:
    tree = {**dist_info("Fast_API.cli", "1.0", {}), **dist_info("fastapi", "2.0", {}), "fastapi": {}}
    site = build(tree, tmp_path)
    assert [dist.name for dist in distributions_in(str(site), {"fast-api-cli"})] == ["fast-api-cli"]
    assert [dist.dirname for dist in distributions_in(str(site), {"fastapi"})] == ["fastapi-2.0.dist-info"]


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("Name: a\nRequires-Dist: x\nrequires-dist : y (>1)\n\nRequires-Dist: body\n", ["x", "y (>1)"]),
        ("Requires-Dist: x", ["x"]),
        ("", []),
        (None, []),
        ("\nRequires-Dist: after the blank line\n", []),
    ],
)
def test_header_values(text: str | None, values: list[str]) -> None:
    assert header_values(text, "requires-dist") == values


def test_a_distribution_is_its_folder(tmp_path: Path) -> None:
    dist = Distribution(str(tmp_path), "demo-1.0.dist-info", "demo")
    assert dist.path == str(tmp_path / "demo-1.0.dist-info") and not dist.is_egg_info
    assert dist.version == "1.0" and dist.installed_files() is None


def test_distributions_on_a_search_path_come_entry_by_entry(tmp_path: Path) -> None:
    first = build(dist_info("demo", "2.0", {}), tmp_path / "first")
    second = build({**dist_info("demo", "1.0", {}), **dist_info("other", "1.0", {})}, tmp_path / "second")
    # Entries import would not list as folders (empty, bytes, None, a Path) are skipped, not an error.
    search_path = ["", b"/bytes", None, tmp_path / "first", str(first), str(second)]
    found = [(dist.name, dist.version, dist.entry) for dist in distributions_on(search_path, {"demo"})]
    assert found == [("demo", "2.0", str(first)), ("demo", "1.0", str(second))]
    assert next(iter(distributions_on([str(second)], {"nothing"})), None) is None
