"""The operating system as a person names it: ``Ubuntu 24.04``, ``macOS 15.3``, ``Windows 11``.

Each answer is a pair: the name people use (what a bug form's "OS" field wants) and the
details behind it (the kernel, the build), or None. The names come from files and calls that
answer at once, ``/etc/os-release`` (os-release(5)), ``SystemVersion.plist`` and
``sys.getwindowsversion()``, never from ``platform``, ``uname`` subprocesses or WMI. The
parsers are pure; :func:`os_name` alone reads the system.
"""

import sys

from probe.files import import_stdlib, read_bytes, read_text
from probe.interpreter import node_platform, safe_token, uname_field

MACOS_PLIST = "/System/Library/CoreServices/SystemVersion.plist"
OS_RELEASE_FILES = ("/etc/os-release", "/usr/lib/os-release")

# Windows ships as "10.0" since Windows 10; the build number tells 11 (22000+) from 10.
WINDOWS_11_BUILD = 22000
WINDOWS_SERVER_BUILDS = ((26100, "2025"), (20348, "2022"), (17763, "2019"), (14393, "2016"))
WINDOWS_BEFORE_10 = {(6, 3): "8.1", (6, 2): "8", (6, 1): "7", (6, 0): "Vista"}

TYPE_CHECKING = False  # typing is not imported at run time; type checkers treat this as True
if TYPE_CHECKING:
    from typing import Tuple

    NameAndDetails = Tuple[str, "str | None"]


def parse_os_release(text: str) -> "dict[str, str]":
    """``KEY=value`` lines of os-release(5); values may be quoted, with backslash escapes."""
    fields = {}
    for line in text.splitlines():
        line = line.strip()
        key, equals, value = line.partition("=")
        if not equals or line.startswith("#") or not key.isidentifier():
            continue
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
            if line[len(key) + 1] == '"':
                value = "\\".join(part.replace("\\", "") for part in value.split("\\\\"))
        fields[key] = value
    return fields


def linux_os(os_release: "str | None", kernel_release: str) -> "NameAndDetails":
    """``("Ubuntu 24.04", "Linux 6.8.0-45-generic")``: NAME and VERSION_ID of os-release, and the kernel."""
    fields = parse_os_release(os_release or "")
    name = fields.get("NAME") or fields.get("ID") or "Linux"
    version = fields.get("VERSION_ID")
    text = f"{name} {version}" if version else name
    lowered = kernel_release.lower()
    if "microsoft" in lowered:
        text += " on WSL2" if "wsl2" in lowered or "standard" in lowered else " on WSL"
    return text, f"Linux {safe_token(kernel_release, 64)}" if kernel_release else None


def macos_from_darwin(darwin_release: str) -> "str | None":
    """The macOS major version of a Darwin kernel: Darwin 20-24 are macOS 11-15, Darwin 25 is macOS 26."""
    major = darwin_release.partition(".")[0]
    if not major.isdigit() or int(major) < 20:
        return None
    number = int(major)
    return str(number + 1 if number >= 25 else number - 9)


def macos_os(plist: "bytes | None", darwin_release: str) -> "NameAndDetails":
    """``("macOS 15.3", None)`` from SystemVersion.plist.

    A process built against an old SDK is shown ``10.16`` instead of the real version
    (Apple's compatibility shim); the Darwin kernel's version then gives the major version.
    """
    product, version = "macOS", None
    if plist:
        plistlib = import_stdlib("plistlib")
        try:
            data = plistlib.loads(plist)
            product = str(data.get("ProductName") or product)
            version = str(data.get("ProductVersion") or "") or None
        except Exception:  # a damaged plist: the kernel's version still says something
            pass
    from_kernel = macos_from_darwin(darwin_release)
    if (version is None or version.startswith("10.16")) and from_kernel:
        return f"macOS {from_kernel}", f"Darwin {safe_token(darwin_release)}"
    if version:
        return f"{product} {version}", None
    return "macOS", f"Darwin {safe_token(darwin_release)}"


def windows_os(major: int, minor: int, build: int, product_type: int = 1) -> "NameAndDetails":
    """``("Windows 11", "build 22631")`` from ``sys.getwindowsversion()``.

    Windows 11 still calls itself 10.0: a build of 22000 or later is 11. A *product_type*
    other than 1 (workstation) is a server, named by its build.
    """
    details = f"build {build:d}"
    if product_type != 1:
        for first_build, name in WINDOWS_SERVER_BUILDS:
            if build >= first_build:
                return f"Windows Server {name}", details
        return f"Windows Server {major:d}.{minor:d}", details
    if major == 10:
        return "Windows " + ("11" if build >= WINDOWS_11_BUILD else "10"), details
    return "Windows " + (WINDOWS_BEFORE_10.get((major, minor)) or f"{major:d}.{minor:d}"), details


def joined(name_and_details: "NameAndDetails") -> str:
    """``Ubuntu 24.04 (Linux 6.8.0-45-generic)``: the name, and the details in parentheses."""
    name, details = name_and_details
    return f"{name} ({details})" if details else name


def linux_name(os_release: "str | None", kernel_release: str) -> str:
    return joined(linux_os(os_release, kernel_release))


def macos_name(plist: "bytes | None", darwin_release: str) -> str:
    return joined(macos_os(plist, darwin_release))


def windows_name(major: int, minor: int, build: int, product_type: int = 1) -> str:
    return joined(windows_os(major, minor, build, product_type))


def os_release_text() -> "str | None":
    """The first os-release file there is (``/etc`` overrides ``/usr/lib``, as os-release(5) says)."""
    for path in OS_RELEASE_FILES:
        text = read_text(path)
        if text is not None:
            return text
    return None


def this_os() -> "NameAndDetails":
    """The operating system this interpreter runs on, and its details."""
    platform = sys.platform  # a plain variable: type checkers would prune the other systems' branches
    if platform == "win32":
        info = getattr(sys, "getwindowsversion")()  # noqa: B009 (absent from non-Windows stubs)
        return windows_os(info.major, info.minor, info.build, getattr(info, "product_type", 1))
    if platform == "darwin":
        return macos_os(read_bytes(MACOS_PLIST), uname_field("release"))
    if platform.startswith("linux"):
        return linux_os(os_release_text(), uname_field("release"))
    system, release = uname_field("sysname"), uname_field("release")
    if not system:
        return sys.platform, None
    return f"{safe_token(system)} {safe_token(release)}", None


def os_name() -> str:
    """The operating system and its version, as a person would name it, with the details."""
    return joined(this_os())


def os_facts() -> "dict[str, str | None]":
    """The OS as people name it, the details behind the name, and Node's word for the platform."""
    name, details = this_os()
    return {
        "name": name,
        "details": details,
        "platform": node_platform(sys.platform),
        "summary": joined((name, details)),
    }
