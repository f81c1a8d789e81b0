"""RECORD hashes (PEP 376, PEP 427): ``sha256=`` and the URL-safe base64 digest without padding."""

from probe.distributions import Distribution, _split_record_line
from probe.stdlib import import_stdlib


def record_hash(data: bytes) -> str:
    hashlib = import_stdlib("hashlib")
    base64 = import_stdlib("base64")
    digest: bytes = hashlib.sha256(data).digest()
    encoded: bytes = base64.urlsafe_b64encode(digest)
    return "sha256=" + encoded.decode("ascii").rstrip("=")


def recorded_hash(dist: Distribution, relative: str) -> "str | None":
    """The hash RECORD gives for *relative*, as ``algorithm=digest``."""
    text = dist.read("RECORD", 8 * 1024 * 1024) if not dist.is_egg_info else None
    for line in (text or "").splitlines():
        path, _, rest = _split_record_line(line)
        if path.replace("\\", "/") == relative:
            return rest.rpartition(",")[0].strip() or None
    return None
