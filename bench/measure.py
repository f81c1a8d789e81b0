"""Measuring: run each command of an environment in turns, and what the kernel says it cost.

Every command of an environment is measured in the same run, with the same interpreter,
from the same folder, in turns: each round runs every command once, starting one further
along the list each time, so that drift (frequency, caches, other load) hits all alike.
Warm-up rounds come first and are not counted: they also write the byte code caches, as
they are on users' machines (this machine sets PYTHONDONTWRITEBYTECODE; the children do
not get it).

Each command is started by ``spawn`` (bench/spawn.c, compiled on first use), which reports
the wall time from start to the last exit, and the CPU time (user + system, every thread)
and peak RSS (``ru_maxrss``) that the kernel's wait4() gives for each child. See spawn.c for
why the RSS cannot be taken from Python's own wait4(), and why psutil (which samples a
running process) cannot see the peak of a process that lives 15 ms. The extension's own view
(``extension_view``) runs in Node: bench/extension.mjs.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import environments
import pythons
from environments import BENCH, ROOT
from results import METRICS, ExtensionView, Facts, Machine, Opened, Sample, Summary, SyscallCounts
from schema_keys import PRODUCT_MODULES

HERE = Path(__file__).resolve().parent
STAGE = BENCH / "stage"  # the folder the extension would run from: probe/ and an empty package
# The same, where byte code is never cached: a read-only folder, or PYTHONDONTWRITEBYTECODE.
NOCACHE_STAGE = BENCH / "stage-nocache"
# The bundle as tools/bundle.py builds it, with its byte code, run where nothing can be written.
SHIPPED = BENCH / "shipped"
SHIPPED_STAGE = SHIPPED / "bundle"
SPAWN = BENCH / "spawn"
RUSAGE = BENCH / "rusage"
FRAME_PREFIX = '{"probe_schema_version":'

# The six products (the block's keys, from probe/schema.json): the modules the extension imports
# and, with "-" for "_", the distributions importlib.metadata is asked for.
PRODUCTS = tuple(PRODUCT_MODULES.values())
PRODUCT_DISTRIBUTIONS = tuple(module.replace("_", "-") for module in PRODUCTS)
METADATA_SCRIPT = "from importlib.metadata import version\nfor name in %r:\n    print(version(name))" % (
    PRODUCT_DISTRIBUTIONS,
)
# What importlib.metadata says, for checking the probe's answers (not timed): None when not installed.
ORACLE_SCRIPT = """\
import json
from importlib.metadata import PackageNotFoundError, version
def found(name):
    try:
        return version(name)
    except PackageNotFoundError:
        return None
print(json.dumps({name: found(name) for name in %r}))
""" % (PRODUCT_DISTRIBUTIONS,)


@dataclass(frozen=True)
class Command:
    label: str
    argvs: tuple[tuple[str, ...], ...]  # started together, after the environment's interpreter
    stage: Path = STAGE
    no_bytecode_writing: bool = False  # PYTHONDONTWRITEBYTECODE=1, as in a folder nobody can write


COMMANDS = {
    "pass": Command("python -c pass", (("-c", "pass"),)),
    "empty": Command("python -m empty", (("-m", "empty"),)),
    "probe": Command("python -m probe", (("-m", "probe"),)),
    "shipped": Command("python -m probe, shipped byte code, read-only folder", (("-m", "probe"),), SHIPPED_STAGE, True),
    "nocache": Command("python -m probe, no byte code cache", (("-m", "probe"),), NOCACHE_STAGE, True),
    "six": Command(
        "6 × python -c 'import X; print(X.__version__)'",
        tuple(("-c", "import %s; print(%s.__version__)" % (name, name)) for name in PRODUCTS),
    ),
    "metadata": Command("python -c 'importlib.metadata.version() × 6'", (("-c", METADATA_SCRIPT),)),
    "pip": Command("python -m pip list --format=json", (("-m", "pip", "list", "--format=json"),)),
}
FULL = ("pass", "empty", "probe", "shipped", "nocache", "six", "metadata", "pip")
FIRST_RUN = ("pass", "empty", "probe", "shipped", "nocache")  # PyPy: what start-up costs, without the products
SLOW = ("six", "pip")
# The quick commands run this many times a round: more samples for little time, steadier medians.
QUICK_REPEAT = 3
SCALING_COMMANDS = ("pass", "empty", "probe", "metadata")


@dataclass
class Env:
    """An environment to measure in: a venv, the extra PYTHONPATH, the commands."""

    name: str
    folder: Path
    commands: tuple[str, ...]
    pythonpath: list[str] = field(default_factory=list)
    extension: bool = False  # also measure the extension's view from Node

    @property
    def python(self) -> str:
        return str(environments.env_python(self.folder))

    def child_env(self, command: str = "") -> dict[str, str]:
        """A user's environment, minus what this machine sets that users do not have."""
        keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
        env = {key: os.environ[key] for key in keep if key in os.environ}
        if command and COMMANDS[command].no_bytecode_writing:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        # pip checks PyPI for a newer pip at most once a week; keep the network out of the timing.
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        if self.pythonpath:
            env["PYTHONPATH"] = os.pathsep.join(self.pythonpath)
        return env

    def argvs(self, command: str) -> list[list[str]]:
        return [[self.python, *args] for args in COMMANDS[command].argvs]


def _compiler() -> str:
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler is None:
        raise SystemExit("bench: needs a C compiler (cc) for bench/spawn.c; see BENCHMARKS.md")
    return compiler


def build_tools() -> None:
    """Compile bench/spawn.c and bench/rusage.c, when their sources are newer than the programs."""
    for source, program in ((HERE / "spawn.c", SPAWN), (HERE / "rusage.c", RUSAGE)):
        if program.exists() and program.stat().st_mtime >= source.stat().st_mtime:
            continue
        program.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([_compiler(), "-O2", "-o", str(program), str(source)], check=True)


def _empty_package(stage: Path) -> None:
    """The floor: ``python -m empty`` runs an empty package's empty ``__main__``, as ``-m probe`` runs probe's."""
    (stage / "empty").mkdir(parents=True, exist_ok=True)
    (stage / "empty" / "__init__.py").write_text("")
    (stage / "empty" / "__main__.py").write_text("")


def make_stages() -> None:
    """Fresh copies of probe/ beside an empty package, with no byte code yet; and the bundle, with its own."""
    for stage in (STAGE, NOCACHE_STAGE):
        if stage.exists():
            shutil.rmtree(stage)
        shutil.copytree(ROOT / "probe", stage / "probe", ignore=shutil.ignore_patterns("__pycache__"))
        _empty_package(stage)
    if SHIPPED_STAGE.exists():
        _writable(SHIPPED_STAGE)
    # Every interpreter it finds compiles the byte code, as for a release.
    subprocess.run([sys.executable, str(ROOT / "tools" / "bundle.py"), "--out", str(SHIPPED)], check=True)
    for path in [SHIPPED_STAGE, *SHIPPED_STAGE.rglob("*")]:
        path.chmod(path.stat().st_mode & 0o555)  # read-only (root ignores it: the children get PYTHONDONTWRITEBYTECODE)


def _writable(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)


def shipped_tags() -> set[str]:
    return {path.name.split(".")[1] for path in (SHIPPED_STAGE / "probe" / "__pycache__").glob("cli.*.pyc")}


def measure_once(env: Env, command: str) -> tuple[Sample, str]:
    """One run of *command*, through ``spawn``; its sample and the end of its stderr."""
    line: list[str] = []
    for argv in env.argvs(command):
        line += [*argv, "---"]
    out = subprocess.run(
        [str(SPAWN), *line[:-1]],
        cwd=COMMANDS[command].stage,
        env=env.child_env(command),
        capture_output=True,
        text=True,
        check=True,
    )
    fields = out.stdout.split()
    wall_ns, per_child = int(fields[0]), fields[1:]
    children = [per_child[i : i + 4] for i in range(0, len(per_child), 4)]
    cpu = [(int(child[1]) + int(child[2])) / 1000.0 for child in children]
    rss = [int(child[3]) / 1024.0 for child in children]
    sample: Sample = {
        "wall": round(wall_ns / 1e6, 3),
        "cpu": round(sum(cpu), 3),
        "rss": round(max(rss), 3),
        "rss_sum": round(sum(rss), 3),
        "status": max(int(child[0]) for child in children),
    }
    return sample, out.stderr[-400:]


def _run(env: Env, argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=STAGE, env=env.child_env(), capture_output=True, text=True)


def check(env: Env) -> Facts:
    """Run each command once, output kept, to show what each one answers (not timed)."""
    probe = _run(env, env.argvs("probe")[0])
    lines = [line for line in probe.stdout.splitlines() if line.startswith(FRAME_PREFIX)]
    block: dict[str, object] = json.loads(lines[-1]) if lines else {}
    metadata: dict[str, str | None] = json.loads(_run(env, [env.python, "-c", ORACLE_SCRIPT]).stdout)
    status = block.get("probe_status")
    facts: Facts = {
        "probe_status": status if isinstance(status, str) else None,
        "probe_versions": {key: value for key, value in block.items() if key.endswith("_version")},
        "metadata_versions": metadata,
        "distributions": environments.count_distributions(env.folder),
        "python": _run(env, [env.python, "-c", "import platform; print(platform.python_version())"]).stdout.strip(),
    }
    if "six" in env.commands:
        six = [_run(env, argv) for argv in env.argvs("six")]
        facts["six_outputs"] = [done.stdout.strip() or "exit %d" % done.returncode for done in six]
    expected = {name.replace("-", "_") + "_version": version for name, version in metadata.items()}
    mismatched = {key: value for key, value in expected.items() if facts["probe_versions"].get(key) != value}
    if status != "ok" or mismatched:
        raise SystemExit("bench: %s: the probe answered %r; importlib.metadata says %r" % (env.name, block, expected))
    return facts


def _snapshot(folder: Path) -> dict[str, int]:
    return {str(path): path.stat().st_mtime_ns for path in folder.rglob("*")}


def measure(env: Env, rounds: int, warmup: int) -> dict[str, list[Sample]]:
    """*rounds* rounds after *warmup*; each runs every command once, and the quick ones QUICK_REPEAT times."""
    if "shipped" in env.commands:
        tag = _run(env, [env.python, "-c", "import sys; print(sys.implementation.cache_tag)"]).stdout.strip()
        if tag not in shipped_tags():
            raise SystemExit("bench: %s: the bundle has no byte code for %s" % (env.name, tag))
    shipped_before = _snapshot(SHIPPED_STAGE)
    samples: dict[str, list[Sample]] = {command: [] for command in env.commands}
    order = list(env.commands)
    for number in range(warmup + rounds):
        shift = number % len(order)
        rotated = order[shift:] + order[:shift]
        quick = [command for command in rotated if command not in SLOW]
        for command in rotated + quick * (QUICK_REPEAT - 1):
            sample, stderr = measure_once(env, command)
            if sample["status"] != 0 and command != "six":
                raise SystemExit("bench: %s: %s failed: %s" % (env.name, command, stderr))
            if number >= warmup:
                samples[command].append(sample)
        print("bench: %s: round %d/%d" % (env.name, number + 1, warmup + rounds), end="\r", flush=True)
    print()
    if not list((STAGE / "probe" / "__pycache__").glob("cli.*.pyc")):
        raise SystemExit("bench: no byte code was written for probe/: is PYTHONDONTWRITEBYTECODE still set?")
    if (NOCACHE_STAGE / "probe" / "__pycache__").exists():
        raise SystemExit("bench: byte code was written where none should be")
    if _snapshot(SHIPPED_STAGE) != shipped_before:
        raise SystemExit("bench: something was written into the shipped bundle")
    return samples


def summarize(samples: list[Sample]) -> Summary:
    out: Summary = {}
    for metric in METRICS:
        values = [float(sample[metric]) for sample in samples]
        out[metric] = {"median": statistics.median(values), "min": min(values), "max": max(values)}
    return out


OPENED_SCRIPT = r"""
import os, sys
def hook(event, args):
    if event == "open" and isinstance(args[0], str):
        os.write(2, ("\0open\t%s\n" % args[0]).encode("utf-8", "replace"))
    elif event in ("os.listdir", "os.scandir") and args and isinstance(args[0], str):
        os.write(2, ("\0list\t%s\n" % args[0]).encode("utf-8", "replace"))
sys.addaudithook(hook)
sys.path[0] = os.getcwd()  # as `python -m` puts it
sys.argv = ["probe"]
import runpy
runpy.run_module("probe", run_name="__main__", alter_sys=True)
"""


def opened(env: Env) -> Opened:
    """What the probe lists and opens, from an audit hook: metadata of its six products only."""
    out = _run(env, [env.python, "-c", OPENED_SCRIPT])
    events = [line[1:].split("\t", 1) for line in out.stderr.splitlines() if line.startswith("\0")]
    metadata = sorted({path for kind, path in events if kind == "open" and re.search(r"\.(dist|egg)-info[/\\]", path)})
    return {
        "opened": len({path for kind, path in events if kind == "open"}),
        "metadata_files": len(metadata),
        "metadata_of": sorted({re.split(r"[/\\]", path)[-2] for path in metadata}),
    }


def syscalls(env: Env) -> SyscallCounts | None:
    """System calls of the probe and of the floor, counted by strace (when it is installed)."""
    strace = shutil.which("strace")
    if strace is None:
        return None
    counts: SyscallCounts = {}
    for command in ("empty", "probe"):
        log = BENCH / ("strace-%s-%s.txt" % (env.name, command))
        subprocess.run(
            [strace, "-f", "-c", "-o", str(log), *env.argvs(command)[0]],
            cwd=STAGE,
            env=env.child_env(),
            capture_output=True,
            check=True,
        )
        table: dict[str, int] = {}
        for line in log.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 5 and parts[3].isdigit() and parts[-1] not in ("total", "syscall"):
                table[parts[-1]] = int(parts[3])
        table["total"] = sum(table.values())
        counts[command] = table
    return counts


def extension_view(env: Env, rounds: int, warmup: int) -> ExtensionView:
    """The extension's six execFile calls against one for the probe, from one Node process (extension.mjs)."""
    node = shutil.which("node")
    if node is None:
        raise SystemExit("bench: the extension's view needs Node.js (node on PATH); or pass --no-extension")
    config = {
        "python": env.python,
        "bundle": str(SHIPPED_STAGE),
        "rusage": str(RUSAGE),
        "modules": list(PRODUCTS),
        "rounds": rounds,
        "warmup": warmup,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", dir=BENCH, delete=False) as file:
        json.dump(config, file)
    try:
        print("bench: %s: the extension's view, %d rounds in Node" % (env.name, warmup + rounds), flush=True)
        out = subprocess.run(
            [node, str(HERE / "extension.mjs"), file.name],
            env=env.child_env(),
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(file.name)
    view: ExtensionView = json.loads(out.stdout)
    if view["probe_failed"]:
        raise SystemExit("bench: %s: the probe failed under Node: %r" % (env.name, view))
    return view


def machine() -> Machine:
    info: Machine = {"nproc": os.cpu_count(), "kernel": platform.release(), "system": platform.system()}
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            models = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
        info["cpu"] = models[0] if models else platform.processor()
    except OSError:
        info["cpu"] = platform.processor()
    try:
        import psutil

        info["memory_gib"] = round(psutil.virtual_memory().total / 2**30, 1)
        frequency = psutil.cpu_freq()
        info["cpu_mhz"] = round(frequency.max or frequency.current) if frequency else None
        info["physical_cores"] = psutil.cpu_count(logical=False)
    except Exception:  # psutil missing, or no frequency on this machine
        pass
    info["uv"] = subprocess.run(["uv", "--version"], capture_output=True, text=True).stdout.strip()
    info["date"] = time.strftime("%Y-%m-%d")
    return info


def find_python(version: str) -> str | None:
    """Python *version* ("3.12", "pypy3"), found as the test suite finds it (tests/pythons.py)."""
    return pythons.find_interpreter(version)
