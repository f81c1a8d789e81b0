"""The report's check of unmet requirements, in-process: the installed versions injected, the
markers this interpreter's (held against packaging's). The vendored packaging and real broken
environments are tests/test_report_requirements.py's."""

from __future__ import annotations

from pathlib import Path

import pytest

from probe.report.requirements import unmet_requirements

# "" is what installed_version gives for a distribution whose metadata has no readable version.
INSTALLED = {"starlette": "0.46.2", "pydantic": "2.10.6", "anyio": "4.9.0rc1", "odd": "not a version", "blank": ""}

FASTAPI_0_115_6 = [
    "starlette<0.42.0,>=0.40.0",
    "pydantic!=1.8,!=1.8.1,!=2.0.0,!=2.0.1,!=2.1.0,<3.0.0,>=1.7.4",
    "typing-extensions>=4.8.0",
    'fastapi-cli[standard]>=0.0.5; extra == "standard"',
    'uvicorn[standard]>=0.12.0; extra == "all"',
]


def messages(requires: list[str], environment: dict[str, str] | None = None) -> list[str]:
    found = unmet_requirements("fastapi", "0.115.6", requires, INSTALLED.get, environment)
    return [requirement.message() for requirement in found]


def test_a_partial_upgrade_and_a_missing_requirement() -> None:
    assert messages(FASTAPI_0_115_6) == [
        "fastapi 0.115.6 requires starlette<0.42.0,>=0.40.0; 0.46.2 is installed",
        "fastapi 0.115.6 requires typing-extensions>=4.8.0; typing-extensions is not installed",
    ]


@pytest.mark.parametrize(
    ("requirement", "expected"),
    [
        ("Starlette (>=0.40)", []),  # the old parenthesized form; the name as PEP 503 folds it
        ("anyio>=4.0", []),  # a pre-release satisfies, as pip check has it
        (
            "anyio<4.9",
            ["fastapi 0.115.6 requires anyio<4.9; 4.9.0rc1 is installed"],
        ),  # PEP 440: <V excludes V's pre-releases
        ("pydantic[email]==2.10.6", []),  # the extras of the dependency are its own business
        ('missing; python_version < "3.8"', []),  # a marker that holds on no supported interpreter
        ('missing; python_version >= "3.8"', ["fastapi 0.115.6 requires missing; missing is not installed"]),
        ('missing; extra == "email"', []),  # an extra nobody asked for
        ('missing; extra != "email"', ["fastapi 0.115.6 requires missing; missing is not installed"]),
        ("odd>=1", []),  # an installed version packaging cannot read: nothing true to say
        ("blank>=1", ["fastapi 0.115.6 requires blank>=1; blank is installed but has no readable version"]),
        ("not a requirement ;;", []),
        ("starlette @ https://example.invalid/s.whl", []),
        (
            "gone @ file:///home/someone/gone",
            ["fastapi 0.115.6 requires gone (a direct reference); gone is not installed"],
        ),
        ("Missing_Thing[a,b]>1", ["fastapi 0.115.6 requires Missing_Thing[a,b]>1; Missing_Thing is not installed"]),
    ],
)
def test_each_kind_of_entry(requirement: str, expected: list[str]) -> None:
    assert messages([requirement]) == expected


def test_a_distribution_without_a_version_is_installed_all_the_same(tmp_path: Path) -> None:
    """METADATA with no Version, a folder name without one (damage, not an installer): installed all the same."""
    from probe.report.requirements import installed_version

    folder = tmp_path / "site" / "blank.dist-info"
    folder.mkdir(parents=True)
    (folder / "METADATA").write_text("Metadata-Version: 2.1\nName: blank\n\n", encoding="utf-8")
    assert installed_version("blank", [str(tmp_path / "site")]) == ""
    assert installed_version("absent", [str(tmp_path / "site")]) is None


def test_the_environment_the_markers_see() -> None:
    """Markers are this interpreter's (held against packaging's default_environment), and *environment* overrides."""
    from packaging.markers import default_environment

    old = {"python_version": "3.7", "python_full_version": "3.7.9"}
    requires = ['missing; python_version < "3.8"', f'other; sys_platform == "{default_environment()["sys_platform"]}"']
    assert messages(requires) == ["fastapi 0.115.6 requires other; other is not installed"]
    assert len(messages(requires, old)) == 2
    assert messages(['missing; extra == "standard"'], {"extra": "standard"}) == []  # extra stays empty
