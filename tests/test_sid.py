"""Which mirror tests/sid.py fetches Debian sid from: the one this machine's apt already uses."""

from __future__ import annotations

import pytest
from sid import parse_mirrors

BOOKWORM_DEB822 = """\
Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BOOKWORM_DEB822, ["http://deb.debian.org/debian"]),
        ("deb http://ftp.fr.debian.org/debian/ bookworm main\n", ["http://ftp.fr.debian.org/debian"]),
        (
            "deb [arch=amd64 signed-by=/k.gpg] https://mirror.example/debian trixie main\n",
            ["https://mirror.example/debian"],
        ),
        ("# deb http://deb.debian.org/debian sid main\n", []),  # commented out
        ("deb-src http://deb.debian.org/debian bookworm main\n", []),  # sources, not packages
        ("deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main\n", []),  # not Debian's archive
        ("Types: deb\nURIs: http://archive.ubuntu.com/ubuntu/\nSuites: noble\n", []),  # another distribution
    ],
)
def test_the_debian_archive_among_the_sources(text: str, expected: list[str]) -> None:
    assert parse_mirrors(text) == expected
