"""probe.versions held against ``packaging`` on generated strings (PEP 440, PEP 503, PEP 508).

The probe parses versions and names by hand (``re`` and ``packaging`` cost too much on its
hot path); ``packaging`` is the oracle. Inputs are built from the grammar's own pieces,
then mutated, so that near-misses ("1.0a.", "1.0-", "1..0") are as common as valid ones.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from packaging.utils import InvalidName, canonicalize_name
from packaging.version import InvalidVersion, Version
from version_strategies import VERSIONS

from probe.versions import (
    MAX_VERSION_LENGTH,
    UNKNOWN,
    canonical_name,
    is_valid_project_name,
    public_version,
    safe_version,
)

SAFE_CHARACTERS = frozenset(string.ascii_letters + string.digits + ".!_-")


def packaging_public(raw: str) -> str | None:
    try:
        return Version(raw).public
    except InvalidVersion:
        return None


@settings(max_examples=400, deadline=None)
@given(VERSIONS)
@example("1.0a.")  # a separator after a label with no number: valid, 1.0a0 (was refused)
@example("1.0.dev-")
@example("1.0a_")
@example("1.0a.-1")
@example("1.0+acme.host123")
@example("1.0.poſt1")
@example("١.٠")
def test_public_version_agrees_with_packaging(raw: str) -> None:
    expected = packaging_public(raw)
    if not raw.strip().isascii():
        # Stricter than packaging by design: only ASCII is read (no look-alike letters or digits).
        assert public_version(raw) is None or public_version(raw) == expected
        return
    if len(raw.strip()) > 256:
        assert public_version(raw) is None
        return
    assert public_version(raw) == expected, raw


@settings(max_examples=400, deadline=None)
@given(VERSIONS | st.text(max_size=80) | st.binary(max_size=40).map(lambda data: data.decode("latin-1")))
@example("9" * 70)
@example("1." * 40 + "0")
@example("/home/someone/project")
@example("1.0+" + "x" * 100)
def test_safe_version_is_short_safe_and_normalized(raw: str) -> None:
    """Only ``[A-Za-z0-9.!_-]``, at most 64 characters; either ``unknown`` or packaging's public form."""
    value = safe_version(raw)
    assert 0 < len(value) <= MAX_VERSION_LENGTH
    assert set(value) <= SAFE_CHARACTERS, value
    if value != UNKNOWN:
        assert value == packaging_public(raw)
        assert str(Version(value)) == value  # already normalized, and no local label left
    elif raw.strip().isascii() and len(raw.strip()) <= 256:
        public = packaging_public(raw)
        assert public is None or len(public) > MAX_VERSION_LENGTH


def test_safe_version_of_nothing_is_unknown() -> None:
    assert safe_version(None) == UNKNOWN


NAME_ALPHABET = string.ascii_letters + string.digits + "-_." + " +/\\@é\n"
NAMES = (
    st.text(NAME_ALPHABET, max_size=20)
    | st.text(max_size=10)
    | st.from_regex(r"\A[A-Za-z0-9]([A-Za-z0-9._-]{0,18}[A-Za-z0-9])?\Z")
)


@settings(max_examples=300, deadline=None)
@given(NAMES)
@example("Foo__Bar..baz")
@example("-leading")
@example("ſ")
def test_canonical_name_agrees_with_packaging(name: str) -> None:
    assert canonical_name(name) == canonicalize_name(name)


def packaging_accepts_name(name: str) -> bool:
    try:
        canonicalize_name(name, validate=True)
    except InvalidName:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(NAMES)
@example("a")
@example("a-")
@example("zope.interface")
@example("K")  # the Kelvin sign: some packaging versions accept it under re.IGNORECASE
def test_is_valid_project_name_agrees_with_packaging(name: str) -> None:
    if name.isascii():
        assert is_valid_project_name(name) == packaging_accepts_name(name), name
    else:
        assert not is_valid_project_name(name)  # ASCII only, stricter than a case-folding regex


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.0a.", "1.0a0"),
        ("1.0.post.", "1.0.post0"),
        ("1.0a.post1", "1.0a0.post1"),
        ("1.0a--1", "1.0a0.post1"),
    ],
)
def test_separator_after_a_label_with_no_number(raw: str, expected: str) -> None:
    """PEP 440's regex makes the separator and the number after a label each optional."""
    assert packaging_public(raw) == expected
    assert public_version(raw) == expected
