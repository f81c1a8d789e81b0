"""A module reached through a link its distribution recorded (``flit install --symlink``), in-process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from filetree import build

from probe.lookup import FOUND_EDITABLE, FOUND_SOURCE, Target, explain

counter = iter(range(10**6))


@pytest.fixture
def name() -> str:
    return f"linkdemo{next(counter)}"  # a module name nothing in this process imports


def linked_install(tmp_path: Path, name: str, init: str, record: str) -> Path:
    """A checkout, and a site-packages holding a link to its package folder and a dist-info whose RECORD is *record*."""
    checkout = build({name: {"__init__.py": init}}, tmp_path / "checkout")
    stem = f"{name}-0.9.0.dist-info"
    site = build(
        {stem: {"METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.9.0\n\n", "RECORD": record}},
        tmp_path / "site",
    )
    os.symlink(checkout / name, site / name, target_is_directory=True)
    return site


def test_a_recorded_link_owns_the_module_and_its_metadata_answers(tmp_path: Path, name: str) -> None:
    site = linked_install(tmp_path, name, "import importlib.metadata\n", f"{name},,\n{name}-0.9.0.dist-info/RECORD,,\n")
    finding = explain(Target(f"{name}_version", name, (name,)), [str(site)])
    assert (finding.value, finding.how) == ("0.9.0", FOUND_EDITABLE)
    assert finding.owner is not None and finding.owner.entry == str(site)


def test_the_checkout_s_literal_wins_over_the_recorded_link_s_metadata(tmp_path: Path, name: str) -> None:
    site = linked_install(tmp_path, name, '__version__ = "0.9.1.dev0"\n', f"{name},,\n")
    finding = explain(Target(f"{name}_version", name, (name,)), [str(site)])
    assert (finding.value, finding.how) == ("0.9.1.dev0", FOUND_EDITABLE)


def test_an_unrecorded_link_is_not_owned(tmp_path: Path, name: str) -> None:
    site = linked_install(tmp_path, name, "import importlib.metadata\n", "other.py,,\n")
    finding = explain(Target(f"{name}_version", name, (name,)), [str(site)])
    assert (finding.value, finding.how, finding.owner) == ("unknown", FOUND_SOURCE, None)


def test_a_recorded_folder_that_is_no_link_is_not_owned_through_it(tmp_path: Path, name: str) -> None:
    record = f"{name},,\n"  # names the folder, yet the folder is real: its files were not recorded
    stem = f"{name}-0.9.0.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.9.0\n\n"
    site = build({name: {"__init__.py": ""}, stem: {"METADATA": metadata, "RECORD": record}}, tmp_path / "site")
    finding = explain(Target(f"{name}_version", name, (name,)), [str(site)])
    assert (finding.value, finding.how) == ("unknown", FOUND_SOURCE)
