"""PEP 610 ``direct_url.json``: where an editable install's project lives."""

import os

from probe.distributions import Distribution
from probe.stdlib import import_stdlib


def file_url_path(url: str, windows: "bool | None" = None) -> "str | None":
    """The local path of a ``file://`` URL (RFC 8089), or None for any other URL.

    *windows* (default: whether this is Windows) picks the Windows reading: drive letters,
    UNC hosts and ``\\`` separators.
    """
    if not url.startswith("file://"):
        return None
    if windows is None:
        windows = os.name == "nt"
    parse = import_stdlib("urllib.parse")
    quoted = url[len("file://") :]
    # On POSIX the escapes are the path's own bytes (pathlib's as_uri() quotes os.fsencode(path)):
    # decoded as file names are, they match the import system's paths whatever the locale.
    path: str = parse.unquote(quoted) if windows else os.fsdecode(parse.unquote_to_bytes(quoted))
    if path.startswith("localhost/"):
        path = path[len("localhost") :]
    if windows:
        # file:///C:/project -> C:/project; file://server/share -> \\server\share
        if path.startswith("/") and path[2:3] == ":":
            path = path[1:]
        elif not path.startswith("/"):
            path = "//" + path
        path = path.replace("/", "\\")
    return path


def editable_project(dist: Distribution) -> "str | None":
    """The project folder of a distribution installed in editable mode, else None."""
    text = dist.read("direct_url.json")
    if text is None:
        return None
    json = import_stdlib("json")
    try:
        data = json.loads(text)
        editable = data.get("dir_info", {}).get("editable", False)
        url = data.get("url")
    except (ValueError, AttributeError, RecursionError):  # not JSON, not the PEP 610 shape, nested too deep
        return None
    if editable is not True or not isinstance(url, str):
        return None
    path = file_url_path(url)
    return os.path.abspath(path) if path else None
