"""``probe.source``: a version is a plain string literal assigned at the top level, read as text."""

from __future__ import annotations

import pytest

from probe.source import assigned_string, declared_version


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('__version__ = "1.2"', "1.2"),
        ("__version__='1.2'", "1.2"),
        ('VERSION = "2.0"  # the release', "2.0"),
        ('version = "3"', "3"),
        ('__version__: str = "1.0"', "1.0"),
        ('__version__: Final = "1.0"', "1.0"),
        ('__version__: int = "1.0"', None),
        ('__version__ = "1." + "2"', None),
        ('__version__ = "1\\x2e2"', None),
        ("__version__ = get_version()", None),
        ('__version__ == "1.0"', None),
        ('    __version__ = "1.0"', None),  # not at the top level
        ('__version_info__ = "1.0"', None),
        ('__version__ = "unterminated', None),
    ],
)
def test_assigned_string(line: str, expected: str | None) -> None:
    assert assigned_string(line) == expected


def files(contents: dict[str, str]):  # type: ignore[no-untyped-def]
    """A reader over an in-memory tree, for ``declared_version``'s injected reader."""
    return lambda path: contents.get(path.replace("\\", "/"))


def test_a_module_declares_its_version() -> None:
    read = files({"/site/mod.py": 'import os\n__version__ = "0.9"\n'})
    assert declared_version("/site/mod.py", False, read) == "0.9"
    assert declared_version("/site/mod.so", False, read) is None  # compiled: no text to read


def test_a_package_declares_it_in_one_of_its_version_files() -> None:
    read = files(
        {"/site/pkg/__init__.py": "from .version import VERSION\n", "/site/pkg/version.py": 'VERSION = "2.1"\n'}
    )
    assert declared_version("/site/pkg/__init__.py", True, read) == "2.1"
    compiled = files({"/site/pkg/_version.py": 'version = "5"\n'})
    assert declared_version("/site/pkg/__init__.cpython-312-x86_64-linux-gnu.so", True, compiled) == "5"
    assert declared_version("/site/pkg/__init__.py", True, files({})) is None
