"""PEP 610 ``direct_url.json`` and ``file://`` URLs (RFC 8089), read the POSIX way and the Windows way."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from filetree import build, dist_info

from probe.files import file_url_path
from probe.metadata import distributions_in, editable_project


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("file:///home/user/project", "/home/user/project"),
        ("file://localhost/home/user/project", "/home/user/project"),
        ("file:///tmp/with%20space", "/tmp/with space"),
        ("file:///tmp/caf%C3%A9", "/tmp/café"),
        ("https://example.com/project", None),
        ("git+https://example.com/project.git", None),
    ],
)
def test_posix_file_urls(url: str, expected: str | None) -> None:
    assert file_url_path(url, windows=False) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("file:///C:/Users/me/project", "C:\\Users\\me\\project"),
        ("file:///c:/with%20space", "c:\\with space"),
        ("file://localhost/D:/src", "D:\\src"),
        ("file://server/share/project", "\\\\server\\share\\project"),
        ("file:////server/share/project", "\\\\server\\share\\project"),
        ("http://server/share", None),
    ],
)
def test_windows_file_urls(url: str, expected: str | None) -> None:
    assert file_url_path(url, windows=True) == expected


def test_the_default_follows_this_system() -> None:
    expected = file_url_path("file:///C:/x", windows=os.name == "nt")
    assert file_url_path("file:///C:/x") == expected


@pytest.mark.parametrize(
    ("content", "editable"),
    [
        ({"dir_info": {"editable": True}}, True),
        ({"dir_info": {"editable": False}}, False),
        ({"dir_info": {}}, False),
        ({"archive_info": {}}, False),
        ({"dir_info": {"editable": "yes"}}, False),
        ([], False),
        ("not json", False),
    ],
)
def test_editable_project(tmp_path: Path, content: object, editable: bool) -> None:
    project = tmp_path / "project"
    if isinstance(content, dict):
        content = {"url": project.as_uri(), **content}
    text = content if isinstance(content, str) else json.dumps(content)
    site = build(dist_info("demo", "1.0", {}, **{"direct_url.json": text}), tmp_path / "site")
    (dist,) = distributions_in(str(site), {"demo"})
    assert editable_project(dist) == (str(project) if editable else None)
