"""``user_search_path`` and ``locate``: the folder ``-m`` put first goes, whatever else is on the path."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from filetree import build, dist_info

from probe import lookup as locate_module
from probe.lookup import locate, user_search_path
from probe.metadata import distributions_on

PLAIN = SimpleNamespace(safe_path=False, isolated=False)


@pytest.mark.parametrize(
    ("path", "flags", "expected"),
    [
        (["/app", "/site"], PLAIN, ["/site"]),
        (["", "/site"], PLAIN, ["/site"]),
        (["/elsewhere", "/site"], PLAIN, ["/elsewhere", "/site"]),
        (["/app", "/site"], SimpleNamespace(safe_path=True, isolated=False), ["/app", "/site"]),
        (["/app", "/site"], SimpleNamespace(safe_path=False, isolated=True), ["/app", "/site"]),
        (["/app", "/site"], object(), ["/site"]),  # flags from before 3.11 have no safe_path
        ([], PLAIN, []),
        ([b"/app", "/site"], PLAIN, [b"/app", "/site"]),
        ([None, 42, "/site"], PLAIN, [None, 42, "/site"]),
    ],
)
def test_user_search_path(path: list[object], flags: object, expected: list[object]) -> None:
    assert user_search_path(path, flags, cwd="/app") == expected  # type: ignore[arg-type]


def test_the_probe_s_folder_goes_in_every_mode() -> None:
    """``python <folder>/probe/__main__.py`` puts that folder first itself, also where -I, -P or a ._pth keep
    the current folder off: the user's code does not have it, so the probe does not look there."""
    home = os.path.dirname(os.path.dirname(locate_module.__file__))
    for flags in (
        PLAIN,
        SimpleNamespace(safe_path=True, isolated=False),
        SimpleNamespace(safe_path=False, isolated=True),
    ):
        assert user_search_path([home, "/site"], flags, cwd="/elsewhere") == ["/site"]
        assert user_search_path(["/site", home], flags, cwd="/elsewhere") == ["/site", home]


def test_a_broken_getcwd_falls_back_to_the_probe_s_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> str:
        raise RuntimeError("a start-up hook broke it")

    monkeypatch.setattr(os, "getcwd", broken)
    home = os.path.dirname(os.path.dirname(locate_module.__file__))
    assert user_search_path([home, "/site"], PLAIN) == ["/site"]
    assert user_search_path(["/other", "/site"], PLAIN) == ["/other", "/site"]


def test_location_of_a_package_and_a_module(tmp_path: Path) -> None:
    site = build({"unitpkg": {"__init__.py": ""}, "unitmod.py": ""}, tmp_path / "site")
    package = locate("unitpkg", [str(site)])
    assert package is not None and package.is_package and not package.in_archive
    assert (package.entry, package.relative) == (str(site), "unitpkg/__init__.py")
    module = locate("unitmod", [str(site)])
    assert module is not None and not module.is_package
    assert (module.entry, module.relative) == (str(site), "unitmod.py")
    assert locate("unitabsent", [str(site)]) is None


def test_a_module_already_imported_is_where_it_was_loaded_from() -> None:
    import filetree

    found = locate("filetree", [])  # not on that path, but in sys.modules: import would not search
    assert found is not None and found.origin == filetree.__file__


def test_the_entries_read_are_the_ones_the_path_finder_searches(tmp_path: Path) -> None:
    """Held against the standard ``PathFinder``: an entry it does not search through, the readers skip.

    A ``Path`` object, bytes (skipped on 3.10+, a ``TypeError`` on 3.8 and 3.9), an int, None.
    """
    import importlib.machinery

    folder = build({"oddentrymod.py": "X = 1\n", **dist_info("oddentrymod", "1.0", {})}, tmp_path / "odd")
    names = frozenset(("oddentrymod",))
    finder = importlib.machinery.PathFinder
    assert finder.find_spec("oddentrymod", [str(folder)]) is not None
    assert [dist.version for dist in distributions_on([str(folder)], names)] == ["1.0"]
    for odd in (folder, os.fsencode(folder), 42, None):
        try:
            found = finder.find_spec("oddentrymod", [odd])  # type: ignore[list-item]
        except TypeError:
            found = None
        assert found is None, odd
        assert list(distributions_on([odd], names)) == [], odd
