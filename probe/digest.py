"""RECORD hashes (PEP 376, PEP 427): ``sha256=`` and the URL-safe base64 digest without padding."""

from probe.distributions import Distribution
from probe.stdlib import import_stdlib


def record_hash(data: bytes) -> str:
    hashlib = import_stdlib("hashlib")
    base64 = import_stdlib("base64")
    digest: bytes = hashlib.sha256(data).digest()
    encoded: bytes = base64.urlsafe_b64encode(digest)
    return "sha256=" + encoded.decode("ascii").rstrip("=")


def recorded_hash(dist: Distribution, relative: str) -> "str | None":
    """The hash RECORD gives for *relative*, as ``algorithm=digest``."""
    row = dist.record_row(relative)
    return row[0] or None if row is not None else None
