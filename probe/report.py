"""``python -m probe --report``: a Markdown report to paste into a bug report.

Off the hot path, so it may import more of the standard library, always through
:func:`probe.stdlib.import_stdlib` (a ``plistlib.py`` planted on ``sys.path`` is never run),
and psutil when it is installed. Versions come from the probe's own resolution
(:func:`probe.products.explain`): the report and the block cannot disagree. No path is
printed unless ``--paths`` is given; the OS is named from files and calls that answer at
once (``/etc/os-release``, ``SystemVersion.plist``, ``sys.getwindowsversion()``), never
from ``platform``, ``uname`` subprocesses or WMI.
"""

import os
import sys

from probe import __version__
from probe.distributions import Distribution, distributions_in, header_values
from probe.files import read_bytes, read_text
from probe.interpreter import node_arch, python_arch, python_implementation, python_version, safe_token
from probe.locate import user_search_path
from probe.products import (
    FOUND_EDITABLE,
    FOUND_METADATA,
    FOUND_MISSING,
    FOUND_NO_FILE,
    FOUND_SOURCE,
    PRODUCTS,
    Finding,
    Target,
    claims,
    explain,
)
from probe.stdlib import import_stdlib, is_stdlib_entry
from probe.versions import canonical_name, safe_version

TYPE_CHECKING = False  # typing is not imported at run time; type checkers treat this as True
if TYPE_CHECKING:
    from typing import Callable, Mapping

# pydantic pins the pydantic-core it was built against; a mismatch breaks ``import pydantic``.
PYDANTIC_CORE = Target("pydantic_core_version", "pydantic_core", ("pydantic-core",))
REPORTED = (*PRODUCTS, PYDANTIC_CORE)

HOW = {
    FOUND_METADATA: "metadata",
    FOUND_EDITABLE: "editable install (PEP 610)",
    FOUND_SOURCE: "source (no metadata)",
    FOUND_NO_FILE: "namespace package (no version)",
    FOUND_MISSING: "",
}

IMPLEMENTATIONS = {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalPy", "ironpython": "IronPython"}

# Windows ships as "10.0" since Windows 10; the build number tells 11 (22000+) from 10.
WINDOWS_11_BUILD = 22000
WINDOWS_SERVER_BUILDS = ((26100, "2025"), (20348, "2022"), (17763, "2019"), (14393, "2016"))
WINDOWS_OLD = {(6, 3): "8.1", (6, 2): "8", (6, 1): "7", (6, 0): "Vista"}
# IMAGE_FILE_MACHINE_* values that IsWow64Process2 reports for the native machine.
WINDOWS_MACHINES = {0x014C: "ia32", 0x8664: "x64", 0xAA64: "arm64", 0x01C4: "arm"}
# Node's name of a 32-bit architecture -> its 64-bit sibling, which runs its programs natively.
WIDER = {"ia32": "x64", "arm": "arm64", "ppc": "ppc64", "s390": "s390x", "riscv32": "riscv64", "mipsel": "mips64el"}
MACOS_PLIST = "/System/Library/CoreServices/SystemVersion.plist"
OS_RELEASE_FILES = ("/etc/os-release", "/usr/lib/os-release")
MODULE_SUFFIXES = (".py", ".pyd", ".so")

# Where interpreters come from, by a fragment of their installation folder (lower case, "/").
ORIGINS = (
    ("/.pyenv/", "pyenv"),
    ("/pyenv-win/", "pyenv-win"),
    ("/uv/python/", "uv (managed Python)"),
    ("/hostedtoolcache/", "actions/setup-python"),
    ("/cellar/", "Homebrew"),
    ("/opt/homebrew/", "Homebrew"),
    ("/.linuxbrew/", "Homebrew"),
    ("/library/frameworks/python.framework/", "python.org installer"),
    ("/library/developer/commandlinetools/", "Apple Command Line Tools"),
    ("/xcode.app/", "Xcode"),
    ("/windowsapps/", "Microsoft Store"),
    ("/appdata/local/programs/python/", "python.org installer"),
    ("/program files/python", "python.org installer"),
    ("/program files (x86)/python", "python.org installer"),
    ("/nix/store/", "Nix"),
    ("/.asdf/installs/", "asdf"),
    ("/mise/installs/", "mise"),
    ("/.rye/", "Rye"),
)
# Tools that keep their virtual environments in a folder of their own.
ENV_MANAGERS = (
    ("/pypoetry/virtualenvs/", "Poetry"),
    ("/pipx/venvs/", "pipx"),
    ("/hatch/env/", "Hatch"),
    ("/.nox/", "nox"),
    ("/.tox/", "tox"),
    ("/pipenv/", "Pipenv"),
    ("/.local/share/virtualenvs/", "Pipenv"),
)


def report(paths: bool) -> str:
    """The report, as Markdown; with *paths*, also where the interpreter and each package live."""
    sys.path[:] = user_search_path(sys.path, sys.flags)
    findings = [(target, explain_safely(target)) for target in REPORTED]
    lines = [
        "### Python environment",
        "",
        "- **Python**: %s" % safely(python_summary),
        "- **OS**: %s" % safely(os_name),
        "- **Architecture**: %s" % safely(architecture),
        "- **Environment**: %s" % safely(environment),
    ]
    hardware_line = hardware()
    if hardware_line:
        lines.append("- **Hardware**: %s" % hardware_line)
    if paths:
        lines.append("- **Interpreter**: %s" % code(sys.executable))
        lines.append("- **sys.prefix**: %s" % code(sys.prefix))
    lines += ["", products_table(findings, paths), "", "**Noticed**", ""]
    try:
        notes = notices(findings, paths)
    except Exception as error:
        notes = ["the checks for anything unusual stopped with %s" % type(error).__name__]
    lines += ["- " + note for note in notes] if notes else ["- nothing unusual"]
    lines += ["", "<sub>`python -m probe --report`, probe %s</sub>" % __version__]
    return "\n".join(lines) + "\n"


def safely(function: "Callable[[], str]") -> str:
    """*function*'s answer, or ``unknown``: one broken section must not cost the whole report."""
    try:
        return function()
    except Exception as error:
        return "unknown (%s)" % type(error).__name__


def explain_safely(target: Target) -> Finding:
    """:func:`probe.products.explain`; a failure is shown in the table, as the block's ``error`` status."""
    try:
        return explain(target)
    except Exception as error:
        return Finding(None, "failed (%s)" % type(error).__name__)


def code(text: str) -> str:
    return "`%s`" % text.replace("`", "'")


# -- Python -------------------------------------------------------------------------------------


def describe_python(
    version: str,
    implementation: str,
    pypy_version: "str | None",
    bits: int,
    free_threaded: bool,
    gil_enabled: "bool | None",
    debug: bool,
) -> str:
    """``3.12.1 (CPython, 64-bit)``; the build details that change behaviour come along."""
    details = [IMPLEMENTATIONS.get(implementation, implementation)]
    if pypy_version:
        details[0] = "PyPy %s" % pypy_version
    if free_threaded:
        details.append("free-threaded build, GIL %s" % ("enabled at run time" if gil_enabled else "disabled"))
    if debug:
        details.append("debug build")
    details.append("%d-bit" % bits)
    return "%s (%s)" % (version, ", ".join(details))


def free_threaded_build() -> bool:
    """Whether this is a free-threaded CPython (PEP 703, 3.13+): ``t`` in ``sys.abiflags``.

    Windows has no ``sys.abiflags`` before 3.14; there sysconfig is asked, with only the
    standard library on ``sys.path`` for the whole call: ``get_config_var`` imports modules
    lazily (PyPy's imports ``platform``), and a planted one must not run in their place.
    """
    version = tuple(sys.version_info[:2])  # a plain tuple: type checkers would prune by their target
    if version < (3, 13) or sys.implementation.name != "cpython":
        return False
    abiflags = getattr(sys, "abiflags", None)
    if isinstance(abiflags, str):
        return "t" in abiflags
    saved = sys.path[:]
    sys.path[:] = [entry for entry in saved if is_stdlib_entry(entry)] or saved
    try:
        return bool(import_stdlib("sysconfig").get_config_var("Py_GIL_DISABLED"))
    finally:
        sys.path[:] = saved


def python_summary() -> str:
    pypy = getattr(sys, "pypy_version_info", None)
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    return describe_python(
        python_version(),
        python_implementation(),
        python_version(pypy) if pypy is not None else None,
        64 if sys.maxsize > 2**32 else 32,
        free_threaded_build(),
        is_gil_enabled() if callable(is_gil_enabled) else None,
        hasattr(sys, "gettotalrefcount"),
    )


# -- Operating system ---------------------------------------------------------------------------


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


def linux_name(os_release: "str | None", kernel_release: str) -> str:
    """``Ubuntu 24.04 (Linux 6.8.0-45-generic)``: NAME and VERSION_ID of os-release, and the kernel."""
    fields = parse_os_release(os_release or "")
    name = fields.get("NAME") or fields.get("ID") or "Linux"
    version = fields.get("VERSION_ID")
    text = "%s %s" % (name, version) if version else name
    lowered = kernel_release.lower()
    if "microsoft" in lowered:
        text += " on WSL2" if "wsl2" in lowered or "standard" in lowered else " on WSL"
    return "%s (Linux %s)" % (text, safe_token(kernel_release, 64)) if kernel_release else text


def macos_from_darwin(darwin_release: str) -> "str | None":
    """The macOS major version of a Darwin kernel: Darwin 20-24 are macOS 11-15, Darwin 25 is macOS 26."""
    major = darwin_release.partition(".")[0]
    if not major.isdigit() or int(major) < 20:
        return None
    number = int(major)
    return str(number + 1 if number >= 25 else number - 9)


def macos_name(plist: "bytes | None", darwin_release: str) -> str:
    """``macOS 15.3`` from SystemVersion.plist.

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
        return "macOS %s (Darwin %s)" % (from_kernel, safe_token(darwin_release))
    return "%s %s" % (product, version) if version else "macOS (Darwin %s)" % safe_token(darwin_release)


def windows_name(major: int, minor: int, build: int, product_type: int = 1) -> str:
    """``Windows 11 (build 22631)`` from ``sys.getwindowsversion()``.

    Windows 11 still calls itself 10.0: a build of 22000 or later is 11. A *product_type*
    other than 1 (workstation) is a server, named by its build.
    """
    if product_type != 1:
        for first_build, name in WINDOWS_SERVER_BUILDS:
            if build >= first_build:
                return "Windows Server %s (build %d)" % (name, build)
        return "Windows Server %d.%d (build %d)" % (major, minor, build)
    if major == 10:
        return "Windows %s (build %d)" % ("11" if build >= WINDOWS_11_BUILD else "10", build)
    old = WINDOWS_OLD.get((major, minor))
    return "Windows %s (build %d)" % (old or "%d.%d" % (major, minor), build)


def uname_release() -> str:
    try:
        return os.uname().release
    except (AttributeError, OSError):
        return ""


def os_name() -> str:
    """The operating system and its version, as a person would name it."""
    platform = sys.platform  # a plain variable: type checkers would prune the other systems' branches
    if platform == "win32":
        info = getattr(sys, "getwindowsversion")()  # noqa: B009 (absent from non-Windows stubs)
        return windows_name(info.major, info.minor, info.build, getattr(info, "product_type", 1))
    if platform == "darwin":
        return macos_name(read_bytes(MACOS_PLIST), uname_release())
    if platform.startswith("linux"):
        text = None
        for path in OS_RELEASE_FILES:
            text = read_text(path)
            if text is not None:
                break
        return linux_name(text, uname_release())
    try:
        uname = os.uname()
        return "%s %s" % (safe_token(uname.sysname), safe_token(uname.release))
    except (AttributeError, OSError):
        return sys.platform


# -- Architecture -------------------------------------------------------------------------------


def windows_machine_arch(native_machine: "int | None", environ: "Mapping[str, str]") -> str:
    """The machine's architecture in Node's words, from IsWow64Process2's native machine.

    Without that call (before Windows 10 1709), ``PROCESSOR_ARCHITEW6432`` names the machine
    to a WOW64 process and ``PROCESSOR_ARCHITECTURE`` to a native one.
    """
    if native_machine in WINDOWS_MACHINES:
        return WINDOWS_MACHINES[native_machine]
    name = environ.get("PROCESSOR_ARCHITEW6432") or environ.get("PROCESSOR_ARCHITECTURE") or ""
    return node_arch(name, 64)


def windows_native_machine() -> "int | None":
    ctypes = import_stdlib("ctypes")
    kernel32 = ctypes.WinDLL("kernel32")
    function = getattr(kernel32, "IsWow64Process2", None)
    if function is None:
        return None
    kernel32.GetCurrentProcess.restype = ctypes.c_void_p
    process = ctypes.c_ushort()
    native = ctypes.c_ushort()
    function.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    if not function(kernel32.GetCurrentProcess(), ctypes.byref(process), ctypes.byref(native)):
        return None
    return int(native.value)


def darwin_translated() -> bool:
    """Whether Rosetta 2 translates this process (``sysctl.proc_translated``; absent on Intel Macs)."""
    ctypes = import_stdlib("ctypes")
    sysctlbyname = ctypes.CDLL(None).sysctlbyname
    sysctlbyname.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
    sysctlbyname.restype = ctypes.c_int
    value = ctypes.c_int(0)
    size = ctypes.c_size_t(ctypes.sizeof(value))
    found = sysctlbyname(b"sysctl.proc_translated", ctypes.byref(value), ctypes.byref(size), None, 0)
    return bool(found == 0 and value.value == 1)


def machine_arch() -> str:
    """The architecture of the machine, which an emulated or 32-bit interpreter does not share."""
    platform = sys.platform
    if platform == "win32":
        try:
            native = windows_native_machine()
        except Exception:
            native = None
        return windows_machine_arch(native, os.environ)
    try:
        machine = os.uname().machine
    except (AttributeError, OSError):
        return "unknown"
    if platform == "darwin":
        try:
            if darwin_translated():
                return "arm64"
        except Exception:  # no sysctlbyname to ask: take uname's word
            pass
    return node_arch(machine, 64)


def describe_architecture(interpreter: str, machine: str) -> str:
    """``x64`` when they agree; otherwise both, and why they can differ."""
    if interpreter == machine or machine == "unknown":
        return "%s (interpreter and machine)" % interpreter
    if WIDER.get(interpreter) == machine:
        why = "a 32-bit interpreter on a 64-bit system"
    else:
        why = "the interpreter runs under emulation"
    return "%s interpreter on an %s machine (%s)" % (interpreter, machine, why)


def architecture() -> str:
    return describe_architecture(python_arch(), machine_arch())


# -- Environment --------------------------------------------------------------------------------


def slashed(path: str) -> str:
    return path.replace("\\", "/").lower().rstrip("/") + "/"


def parse_pyvenv_cfg(text: "str | None") -> "dict[str, str]":
    """``key = value`` lines of a virtual environment's ``pyvenv.cfg`` (PEP 405)."""
    fields = {}
    for line in (text or "").splitlines():
        key, equals, value = line.partition("=")
        if equals:
            fields[key.strip().lower()] = value.strip()
    return fields


def interpreter_origin(base_prefix: str, base_is_conda: bool, externally_managed: bool) -> str:
    """Where the base interpreter came from, guessed from its installation folder."""
    if base_is_conda:
        return "conda"
    folder = slashed(base_prefix)
    for fragment, origin in ORIGINS:
        if fragment in folder:
            return origin
    if folder == "/usr/":
        return "the operating system (externally managed)" if externally_managed else "the operating system"
    if folder.startswith(("/usr/local/", "/opt/")):
        return "a local installation"
    return "unknown origin"


def describe_environment(
    prefix: str,
    base_prefix: str,
    pyvenv_cfg: "str | None",
    is_conda: bool,
    base_is_conda: bool,
    externally_managed: bool,
    legacy_virtualenv: bool = False,
) -> str:
    """``virtual environment (created by uv 0.5.11) on CPython from pyenv``, and the like."""
    origin = interpreter_origin(base_prefix, base_is_conda, externally_managed)
    folder = slashed(prefix)
    if legacy_virtualenv:
        kind = "virtual environment (virtualenv before 20)"
    elif slashed(prefix) != slashed(base_prefix):
        cfg = parse_pyvenv_cfg(pyvenv_cfg)
        creators = [("uv", "uv"), ("virtualenv", "virtualenv")]
        made_by = ["%s %s" % (name, safe_token(cfg[key])) for key, name in creators if cfg.get(key)]
        managers = [name for fragment, name in ENV_MANAGERS if fragment in folder]
        details = (["created by " + made_by[0]] if made_by else ["venv"]) + ["managed by " + name for name in managers]
        if folder.endswith("/.venv/"):
            details.append("a project's .venv")
        kind = "virtual environment (%s)" % ", ".join(details)
    elif is_conda:
        return "conda environment"
    else:
        kind = "no virtual environment"
    return "%s; interpreter from %s" % (kind, origin)


def environment() -> str:
    real_prefix = getattr(sys, "real_prefix", None)
    base_prefix = real_prefix or sys.base_prefix
    stdlib_dir = os.path.dirname(os.__file__)
    return describe_environment(
        sys.prefix,
        base_prefix,
        read_text(os.path.join(sys.prefix, "pyvenv.cfg")),
        os.path.isdir(os.path.join(sys.prefix, "conda-meta")),
        os.path.isdir(os.path.join(base_prefix, "conda-meta")),
        os.path.isfile(os.path.join(stdlib_dir, "EXTERNALLY-MANAGED")),
        legacy_virtualenv=real_prefix is not None,
    )


# -- Hardware -----------------------------------------------------------------------------------


def describe_hardware(logical: "int | None", physical: "int | None", memory: "int | None", psutil: str) -> str:
    cpus = "%s CPUs" % (logical if logical else "unknown")
    if physical and physical != logical:
        cpus += " (%d physical)" % physical
    gib = "%.1f GiB memory" % (memory / 1024**3) if memory else "unknown memory"
    return "%s, %s (psutil %s)" % (cpus, gib, safe_version(psutil))


def hardware() -> "str | None":
    """CPU count and memory, when psutil is importable; None otherwise.

    psutil is third-party code: it is imported here, in report mode only, never for the block.
    """
    try:
        psutil = __import__("psutil")
        return describe_hardware(
            psutil.cpu_count(logical=True),
            psutil.cpu_count(logical=False),
            psutil.virtual_memory().total,
            str(getattr(psutil, "__version__", "")),
        )
    except (Exception, SystemExit):  # not installed, or broken: the report is complete without it
        return None


# -- Products -----------------------------------------------------------------------------------


def dist_label(dist: Distribution) -> str:
    return "%s %s" % (dist.name, safe_version(dist.version))


def products_table(findings: "list[tuple[Target, Finding]]", paths: bool) -> str:
    head = ["package", "version", "distribution", "found by"] + (["location"] if paths else [])
    rows = ["| %s |" % " | ".join(head), "|%s" % ("---|" * len(head))]
    for target, finding in findings:
        module = target.module or target.key[: -len("_version")]
        if finding.value is not None:
            version = finding.value
        else:
            version = "not installed" if finding.how == FOUND_MISSING else "?"
        cells = [module, version, dist_label(finding.owner) if finding.owner else "", HOW.get(finding.how, finding.how)]
        if paths:
            origin = finding.location.origin if finding.location else None
            cells.append(code(origin) if origin else "")
        rows.append("| %s |" % " | ".join(cells))
    return "\n".join(rows)


def module_files(dist: Distribution, module: str) -> "list[str]":
    """The files *dist* lists for top-level *module*, bytecode caches aside."""
    listed = dist.installed_files() or []
    return [
        path
        for path in listed
        if (path.startswith(module + "/") and "/__pycache__/" not in path)
        or (path.partition(".")[0] == module and path.endswith(MODULE_SUFFIXES))
    ]


def missing_files(dist: Distribution, files: "list[str]") -> "list[str]":
    return [path for path in files if not os.path.exists(os.path.join(dist.entry, *path.split("/")))]


def same(first: "Distribution | None", second: Distribution) -> bool:
    return first is not None and first.path == second.path


def where(dist: Distribution, paths: bool) -> str:
    return " (%s)" % code(dist.path) if paths else ""


def requirement_pin(requirements: "list[str]", name: str) -> "str | None":
    """The version *name* is pinned to with ``==`` among Requires-Dist values (PEP 508), if it is."""
    for requirement in requirements:
        spec = requirement.partition(";")[0].strip()
        end = 0
        while end < len(spec) and (spec[end].isalnum() or spec[end] in "-_."):
            end += 1
        if canonical_name(spec[:end]) != name:
            continue
        rest = spec[end:].strip().strip("()").strip()
        if rest.startswith("==") and "," not in rest and not rest.startswith("==="):
            return rest[2:].strip()
    return None


def notices(findings: "list[tuple[Target, Finding]]", paths: bool) -> "list[str]":
    """Anything suspicious about the products: leftovers, rival claims, copies shadowed, pins broken."""
    found = []
    by_key = {target.key: finding for target, finding in findings}
    for target, finding in findings:
        module = target.module or ""
        location = finding.location
        for entry in sys.path:
            for dist in distributions_in(entry, target.distributions) if entry else ():
                files = module_files(dist, module)
                missing = missing_files(dist, files)
                if files and len(missing) == len(files):
                    found.append(
                        "%s is recorded as installed but none of the %d files it lists for `%s` are there: "
                        "metadata left over by an overwrite or an uninstall%s"
                        % (dist_label(dist), len(files), module, where(dist, paths))
                    )
                elif missing:
                    found.append(
                        "%s lists %d files for `%s` that are missing%s"
                        % (dist_label(dist), len(missing), module, where(dist, paths))
                    )
                elif location is not None and files and entry != location.entry and not same(finding.owner, dist):
                    found.append(
                        "%s is also installed in another `sys.path` entry, shadowed by the one `import %s` loads%s"
                        % (dist_label(dist), module, where(dist, paths))
                    )
        if location is not None and location.entry is not None and location.relative is not None:
            rivals = [dist for dist in distributions_in(location.entry, target.distributions) if claims(dist, location)]
            if len(rivals) > 1:
                found.append(
                    "`%s` is claimed by %s (one was installed over the other); the probe reports %s"
                    % (
                        location.relative,
                        " and ".join(dist_label(dist) for dist in rivals),
                        dist_label(finding.owner) if finding.owner else "neither",
                    )
                )
        if finding.how in (FOUND_SOURCE, FOUND_NO_FILE) or finding.value == "unknown":
            found.append("`%s` is importable but %s" % (module, describe_unversioned(finding)))
    pydantic = by_key["pydantic_version"]
    if pydantic.owner is not None:
        pin = requirement_pin(header_values(pydantic.owner.read("METADATA"), "requires-dist"), "pydantic-core")
        core = by_key[PYDANTIC_CORE.key].value
        if pin is not None and safe_version(pin) != core:
            found.append(
                "pydantic %s requires pydantic-core==%s, but pydantic-core %s"
                % (pydantic.value, safe_version(pin), core + " is installed" if core else "is not installed")
            )
    return found


def describe_unversioned(finding: Finding) -> str:
    if finding.how == FOUND_NO_FILE:
        return "has no file of its own (a namespace package), so no version"
    if finding.how == FOUND_SOURCE:
        if finding.value == "unknown":
            return "has no metadata and declares no version"
        return "has no metadata: the version is the one its source declares"
    return "its metadata has no valid version"
