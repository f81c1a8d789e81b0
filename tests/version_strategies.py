"""Hypothesis strategies for version strings: PEP 440's pieces put together, then mutated.

Near-misses ("1.0a.", "1.0-", "1..0") come out as often as valid versions; shared by the
tests of the probe's version parser and by the generated site-packages trees.
"""

from __future__ import annotations

from hypothesis import strategies as st

SEPARATORS = ["", ".", "-", "_"]
PRE_LABELS = ["a", "b", "c", "rc", "alpha", "beta", "pre", "preview"]
POST_LABELS = ["post", "rev", "r"]
# Characters a mutation may insert: the grammar's own, case variants, look-alikes, whitespace.
NOISE = "0123456789.-_+!vV aAbBcCrRdDeEpPoOsStTlLhH\t\n\x0c\xa0\u2028ſıİK١"


def cased(text: str, flips: list[bool]) -> str:
    return "".join(char.upper() if flip else char for char, flip in zip(text, flips + [False] * len(text)))


@st.composite
def grammar_versions(draw: st.DrawFn) -> str:
    """A string put together from PEP 440's pieces, each optional, with random spellings and case."""
    number = st.integers(min_value=0, max_value=10**6).map(str) | st.sampled_from(["0", "00", "007"])
    parts = []
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(["v", "V", " ", "\t", "\n"])))
    if draw(st.integers(0, 4)) == 0:
        parts.append(draw(number) + "!")
    parts.append(".".join(draw(st.lists(number, min_size=1, max_size=5))))
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(SEPARATORS)) + draw(st.sampled_from(PRE_LABELS)))
        parts.append(draw(st.sampled_from(SEPARATORS)) + draw(st.sampled_from(["", *[draw(number)]])))
    if draw(st.booleans()):
        if draw(st.booleans()):
            parts.append("-" + draw(number))
        else:
            parts.append(draw(st.sampled_from(SEPARATORS)) + draw(st.sampled_from(POST_LABELS)))
            parts.append(draw(st.sampled_from(SEPARATORS)) + draw(st.sampled_from(["", draw(number)])))
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(SEPARATORS)) + "dev" + draw(st.sampled_from(SEPARATORS)))
        parts.append(draw(st.sampled_from(["", draw(number)])))
    if draw(st.booleans()):
        label = draw(st.lists(st.text("abcxyz019", min_size=0, max_size=4), min_size=1, max_size=3))
        parts.append("+" + draw(st.sampled_from(SEPARATORS[1:])).join(label))
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from([" ", "\n", "\t", "\xa0"])))
    text = "".join(parts)
    return cased(text, draw(st.lists(st.booleans(), max_size=len(text))))


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[str]) -> str:
    """*base* with a few characters inserted, deleted or replaced."""
    text = draw(base)
    for _ in range(draw(st.integers(0, 3))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        char = draw(st.sampled_from(NOISE))
        if action == "insert":
            text = text[:position] + char + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + 1 :]
        else:
            text = text[:position] + char + text[position + 1 :]
    return text


VERSIONS = grammar_versions() | mutated(grammar_versions()) | st.text(NOISE, max_size=20) | st.text(max_size=12)
