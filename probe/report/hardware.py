"""CPU count and memory, when psutil is importable.

psutil is third-party code: it is imported here, for the report only, never for the block;
a missing or broken psutil costs the report this one line and nothing else.
"""

from probe.versions import safe_version

TYPE_CHECKING = False  # typing is not imported at run time; type checkers treat this as True
if TYPE_CHECKING:
    from typing import Dict, Union

    HardwareFacts = Dict[str, Union[int, str, None]]


def describe_hardware(logical: "int | None", physical: "int | None", memory: "int | None", psutil: str) -> str:
    """``8 CPUs (4 physical), 16.0 GiB memory (psutil 6.1.0)``."""
    cpus = f"{logical if logical else 'unknown'} CPUs"
    if physical and physical != logical:
        cpus += f" ({physical:d} physical)"
    gib = f"{memory / 1024**3:.1f} GiB memory" if memory else "unknown memory"
    return f"{cpus}, {gib} (psutil {safe_version(psutil)})"


def _count(value: object) -> "int | None":
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def hardware() -> "HardwareFacts | None":
    """CPU counts, memory in bytes and psutil's version; None without a working psutil."""
    try:
        psutil = __import__("psutil")
        logical = _count(psutil.cpu_count(logical=True))
        physical = _count(psutil.cpu_count(logical=False))
        memory = _count(psutil.virtual_memory().total)
        version = safe_version(str(getattr(psutil, "__version__", "")))
    except (Exception, SystemExit):  # not installed, or broken: the report is complete without it
        return None
    return {
        "logical_cpus": logical,
        "physical_cpus": physical,
        "memory_bytes": memory,
        "psutil_version": version,
        "summary": describe_hardware(logical, physical, memory, version),
    }
