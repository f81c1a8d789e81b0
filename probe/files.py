"""Bounded, non-blocking reads of files the probe did not write.

Every file is opened without blocking and read only if it is a regular file, up to a
limit: a METADATA that is a FIFO, a device, or 100 MB of junk costs nothing more than
its first bytes.
"""

import os
import stat

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)

# Enough for any METADATA header block or the RECORD of a large package.
HEAD_LIMIT = 64 * 1024
WHOLE_LIMIT = 8 * 1024 * 1024


def read_bytes(path: str, limit: int = HEAD_LIMIT) -> "bytes | None":
    """The first *limit* bytes of a regular file, or None if it is not one or cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY | _CLOEXEC)
    except (OSError, ValueError):
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        chunks = []
        remaining = limit
        # os.read() allocates the whole size asked for: ask for what the file holds (and a byte
        # more, to see its end), not a megabyte for every 10 kB RECORD.
        wanted = min(max(info.st_size + 1, 8192), 1024 * 1024)
        while remaining > 0:
            chunk = os.read(fd, min(remaining, wanted))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    except (OSError, ValueError, OverflowError):
        return None
    finally:
        os.close(fd)


def read_text(path: str, limit: int = HEAD_LIMIT) -> "str | None":
    """Like :func:`read_bytes`, decoded as UTF-8 with undecodable bytes replaced."""
    data = read_bytes(path, limit)
    return None if data is None else data.decode("utf-8", "replace")


def list_dir(path: str) -> "list[str]":
    """The names in a directory, or an empty list if it cannot be listed."""
    try:
        return os.listdir(path)
    except (OSError, ValueError):
        return []


def file_size(path: str) -> "int | None":
    try:
        return os.stat(path).st_size
    except (OSError, ValueError):
        return None
