"""The benchmark's shortcuts give the answers of the plain reading they replace (issue 4).

Each shortcut in probe/ that makes a run cheaper (a name filter over the joined directory
listing, finding a RECORD row with ``str.find``, reading METADATA's header alone) is held
here against the straightforward rule it stands for, on generated input that includes the
awkward cases: names beyond ASCII, quoted and ``\\``-separated RECORD rows, CRLF line
ends, blank lines made of spaces, undecodable bytes where a read is cut.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from probe.files import HEAD_LIMIT, read_text
from probe.metadata import (
    HEADER_GUESS,
    Distribution,
    distributions_in,
    header_values,
    name_from_dirname,
    record_lists,
    record_path,
)

# Project-name pieces chosen to collide: shared first words, case, every separator, non-ASCII.
_WORDS = ["fastapi", "FastAPI", "fastapi_cli", "fastapi.cli", "fastapi--cli", "pydantic", "typer", "İ", "ß", "é", "x"]
_SEPS = ["-", "_", ".", "--", "._"]
_SUFFIXES = [".dist-info", ".DIST-INFO", ".egg-info", "", ".pth", ".py"]


# A project name of one to three words joined by separators, a version and a suffix; one flat
# strategy rather than a composite of lists: the same names, drawn in about half the time.
dirnames = st.builds(
    lambda first, rest, version, suffix: first + "".join(sep + word for sep, word in rest) + version + suffix,
    st.sampled_from(_WORDS),
    st.lists(st.tuples(st.sampled_from(_SEPS), st.sampled_from(_WORDS)), max_size=2),
    st.sampled_from(["-1.0", "-0.1.dev1", "", "-2!3.0-py3.8"]),
    st.sampled_from(_SUFFIXES),
)


names_asked = st.frozensets(
    st.sampled_from(["fastapi", "fastapi-cli", "fastapi-slim", "pydantic", "typer", "i̇", "ß", "é", "x", "x-x"]),
    min_size=1,
    max_size=3,
)


def plain_distributions(entry: str, listing: list[str], names: frozenset[str]) -> list[str]:
    """The rule: every metadata directory whose canonical project name is asked for."""
    found = [
        name
        for name in listing
        if name.lower().endswith((".dist-info", ".egg-info")) and name_from_dirname(name) in names
    ]
    return sorted(found)


@settings(max_examples=400, deadline=None)
@given(st.lists(dirnames, unique=True, max_size=12), names_asked)
def test_name_filter_finds_what_checking_every_name_finds(listing: list[str], names: frozenset[str]) -> None:
    found = distributions_in("/nowhere", names, listing=listing)
    assert [dist.dirname for dist in found] == plain_distributions("/nowhere", listing, names)
    # The finder's own listing is a set, and is joined once and remembered: same answer twice.
    as_set = set(listing)
    for _ in range(2):
        found = distributions_in("/nowhere", names, listing=as_set)  # type: ignore[arg-type]
        assert [dist.dirname for dist in found] == plain_distributions("/nowhere", listing, names)


def test_name_filter_on_a_real_site_packages(tmp_path: Path) -> None:
    """A directory the path finder has listed: its cached set is what the filter searches."""
    import importlib.machinery
    import sys

    for name in ["fastapi-0.1.dist-info", "FastAPI_Slim-0.2.dist-info", "fastapi", "fastapi_users-1.dist-info"]:
        (tmp_path / name).mkdir()
    finder = importlib.machinery.FileFinder.path_hook(
        (importlib.machinery.SourceFileLoader, importlib.machinery.SOURCE_SUFFIXES)
    )(str(tmp_path))
    finder.find_spec("fastapi")  # fills its cache, as an import would
    sys.path_importer_cache[str(tmp_path)] = finder
    try:
        found = distributions_in(str(tmp_path), frozenset({"fastapi", "fastapi-slim"}))
    finally:
        del sys.path_importer_cache[str(tmp_path)]
    assert [dist.dirname for dist in found] == ["FastAPI_Slim-0.2.dist-info", "fastapi-0.1.dist-info"]


_PATHS = ["fastapi/__init__.py", "fastapi/../fastapi/__init__.py", "./fastapi/__init__.py", "fastapi\\__init__.py"]
_PATHS += ["fastapi/__init__.py,x", "fastapi/__init__.pyc", "other/__init__.py", "fastapi/__init__.py "]


@st.composite
def record_rows(draw: st.DrawFn) -> str:
    path = draw(st.sampled_from(_PATHS))
    if draw(st.booleans()):  # CSV quoting, as a writer must use for a comma and may use anyway
        path = '"' + path.replace('"', '""') + '"'
    tail = draw(st.sampled_from([",sha256=abc,12", ",,", "", ",sha256=abc", " ,sha256=x,1"]))
    return path + tail


@settings(max_examples=500, deadline=None)
@given(
    st.lists(record_rows(), max_size=6),
    st.sampled_from(["\n", "\r\n", "\r", "\n\n  \n"]),
    st.sampled_from(["", "\n", "\r\n"]),
    st.sampled_from(_PATHS),
)
def test_record_row_lookup_agrees_with_reading_every_row(
    rows: list[str], newline: str, end: str, relative: str
) -> None:
    text = newline.join(rows) + end
    expected = relative in [record_path(line) for line in text.splitlines() if line.strip()]
    assert record_lists(text, relative) is expected


def plain_header_field(text: str, field: str) -> str | None:
    """The rule: the first matching line of the header, which ends at the first blank line."""
    for line in text.splitlines():
        if not line.strip():
            break
        key, colon, value = line.partition(":")
        if colon and key.strip().lower() == field:
            return value.strip()
    return None


header_lines = st.sampled_from(
    ["Metadata-Version: 2.1", "Name: x", "Version: 1.0", "version:2.0", "Version : 3", "", "   ", "\t", "Summary: a"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(header_lines, max_size=8), st.sampled_from(["\n", "\r\n", "\r", "\x0c", "\n\n"]))
def test_header_cut_at_the_blank_line_agrees_with_reading_every_line(lines: list[str], newline: str) -> None:
    text = newline.join(lines) + "\n\nVersion: 9.9\n"
    assert (header_values(text, "version") or [None])[0] == plain_header_field(text, "version")


@settings(max_examples=60, deadline=None)
@given(
    header_size=st.sampled_from([10, HEADER_GUESS - 3, HEADER_GUESS - 1, HEADER_GUESS, HEADER_GUESS + 5, 40_000]),
    filler=st.sampled_from(["a", "é", "€", "\U0001f600"]),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_metadata_header_read_alone_gives_the_version_a_full_read_gives(
    tmp_path_factory: object, header_size: int, filler: str, newline: str
) -> None:
    folder = Path(str(tmp_path_factory.mktemp("dist")))  # type: ignore[attr-defined]
    info = folder / "demo-0.1.dist-info"
    info.mkdir()
    # A long header line of multi-byte characters, so that the first read can cut one in half.
    summary = "Summary: " + filler * max(0, header_size // len(filler.encode()))
    header = newline.join(["Metadata-Version: 2.1", "Name: demo", summary, "Version: 1.2.3"])
    body = newline + newline + "Version: 6.6.6" + newline + "x" * 100_000
    (info / "METADATA").write_bytes((header + body).encode())
    full = read_text(os.path.join(info, "METADATA"), HEAD_LIMIT)
    assert full is not None
    expected = plain_header_field(full, "version") or "0.1"
    assert Distribution(str(folder), info.name, "demo").version == expected
