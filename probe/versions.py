"""Version strings and project names, normalized without ``re`` or ``packaging``.

The probe runs on the editor's start-up path, so it parses by hand what
``packaging`` would parse with regular expressions: ``import re`` alone would
cost a large share of the interpreter's own start-up. The tests hold these
functions against ``packaging`` on generated input.
"""

MAX_VERSION_LENGTH = 64
UNKNOWN = "unknown"

_SEPARATORS = "-_."
_DIGITS = "0123456789"
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
# Longest spelling first, so that "alpha" is not read as "a" followed by junk.
_PRE_SPELLINGS = (
    ("preview", "rc"),
    ("alpha", "a"),
    ("beta", "b"),
    ("pre", "rc"),
    ("rc", "rc"),
    ("a", "a"),
    ("b", "b"),
    ("c", "rc"),
)
_POST_SPELLINGS = ("post", "rev", "r")


class _Cursor:
    """A position in a lower-cased version string, for a hand-written PEP 440 parser."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def at_end(self) -> bool:
        return self.pos == len(self.text)

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def take_number(self) -> "int | None":
        start = self.pos
        while self.peek() and self.peek() in _DIGITS:
            self.pos += 1
        if self.pos == start:
            return None
        return int(self.text[start : self.pos])

    def take_word(self, word: str) -> bool:
        if self.text.startswith(word, self.pos):
            self.pos += len(word)
            return True
        return False

    def take_separator(self) -> None:
        if self.peek() and self.peek() in _SEPARATORS:
            self.pos += 1


def _take_release(cursor: _Cursor) -> "list[int] | None":
    first = cursor.take_number()
    if first is None:
        return None
    release = [first]
    while cursor.peek() == "." and cursor.peek(1) and cursor.peek(1) in _DIGITS:
        cursor.pos += 1
        number = cursor.take_number()
        assert number is not None
        release.append(number)
    return release


def _take_labelled(cursor: _Cursor, spellings: "tuple[tuple[str, str], ...]") -> "tuple[str, int] | None":
    """``[-_.]? label [-_.]? number?`` where the number defaults to 0 (PEP 440, "implicit numbers")."""
    start = cursor.pos
    cursor.take_separator()
    for spelling, canonical in spellings:
        if cursor.take_word(spelling):
            cursor.take_separator()  # PEP 440 allows it even with no number after it: "1.0a." is 1.0a0
            number = cursor.take_number()
            return canonical, 0 if number is None else number
    cursor.pos = start
    return None


def _take_post(cursor: _Cursor) -> "int | None":
    # "1.0-1" is an implicit post-release (PEP 440, "implicit post release number").
    if cursor.peek() == "-" and cursor.peek(1) and cursor.peek(1) in _DIGITS:
        cursor.pos += 1
        return cursor.take_number()
    found = _take_labelled(cursor, tuple((word, "post") for word in _POST_SPELLINGS))
    return None if found is None else found[1]


def _is_local_label(text: str) -> bool:
    """``[a-z0-9]+([-_.][a-z0-9]+)*``: the local version label of PEP 440."""
    if not text:
        return False
    for part in text.replace("-", ".").replace("_", ".").split("."):
        if not part or any(char not in _ALNUM for char in part):
            return False
    return True


def public_version(raw: str) -> "str | None":
    """Return the PEP 440 normalized public version of *raw*, or None if it is not a valid version.

    The local label (``+anything``) is dropped: it can name a company, a fork or a machine.
    """
    text = raw.strip().lower()
    if len(text) > 256:
        return None
    if text.startswith("v"):
        text = text[1:]
    text, plus, local = text.partition("+")
    if plus and not _is_local_label(local):
        return None
    cursor = _Cursor(text)

    epoch = 0
    bang = text.find("!")
    if bang != -1:
        epoch_text = text[:bang]
        if not epoch_text or any(char not in _DIGITS for char in epoch_text):
            return None
        epoch = int(epoch_text)
        cursor.pos = bang + 1

    release = _take_release(cursor)
    if release is None:
        return None
    pre = _take_labelled(cursor, _PRE_SPELLINGS)
    post = _take_post(cursor)
    dev = _take_labelled(cursor, (("dev", "dev"),))
    if not cursor.at_end():
        return None

    parts = [str(epoch) + "!"] if epoch else []
    parts.append(".".join(str(number) for number in release))
    if pre is not None:
        parts.append(pre[0] + str(pre[1]))
    if post is not None:
        parts.append(".post" + str(post))
    if dev is not None:
        parts.append(".dev" + str(dev[1]))
    return "".join(parts)


def safe_version(raw: "str | None") -> str:
    """The version as the block may carry it: PEP 440 public form, short, or ``"unknown"``."""
    if raw is None:
        return UNKNOWN
    version = public_version(raw)
    if version is None or len(version) > MAX_VERSION_LENGTH:
        return UNKNOWN
    return version


def canonical_name(name: str) -> str:
    """PEP 503 normalized project name: lower case, runs of ``-_.`` folded into one ``-``."""
    # str methods rather than a loop over characters: 5x faster, and it runs for every
    # metadata directory whose name starts like a product's.
    text = name.lower().replace("_", "-").replace(".", "-")
    while "--" in text:
        text = text.replace("--", "-")
    return text


def is_valid_project_name(name: str) -> bool:
    """PEP 508 project name: ASCII letters and digits, with ``-_.`` only between them."""
    if not name or name[0] not in _ALNUM or name[-1] not in _ALNUM:
        return False
    return all(char in _ALNUM or char in _SEPARATORS for char in name)
