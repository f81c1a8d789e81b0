"""The probe's cost beside the interpreter's own start-up, and beside what it replaces (issue 4).

    python3 noxfile.py -s bench                      # everything: environments, runs, tables, plot
    python bench/run.py --rounds 25 --only base-3.12 # one environment (inside the bench session)

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
running process) cannot see the peak of a process that lives 15 ms.

Results go to bench/results.json, the tables between the markers in BENCHMARKS.md, and
bench/scaling.png.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import environments
from environments import BENCH, ROOT

HERE = Path(__file__).resolve().parent
STAGE = BENCH / "stage"  # the folder the extension would run from: probe/ and an empty module
# The same, where byte code is never cached: a read-only folder, or PYTHONDONTWRITEBYTECODE.
NOCACHE_STAGE = BENCH / "stage-nocache"
SPAWN = BENCH / "spawn"
RESULTS = HERE / "results.json"
PLOT = HERE / "scaling.png"
DOC = ROOT / "BENCHMARKS.md"
BEGIN, END = "<!-- bench:tables:begin -->", "<!-- bench:tables:end -->"

PRODUCT_MODULES = ("fastapi", "fastapi_cli", "fastapi_cloud_cli", "typer", "starlette", "pydantic")
PRODUCT_DISTRIBUTIONS = ("fastapi", "fastapi-cli", "fastapi-cloud-cli", "pydantic", "starlette", "typer")
METADATA_SCRIPT = "from importlib.metadata import version\nfor name in %r:\n    print(version(name))" % (
    PRODUCT_DISTRIBUTIONS,
)

# name -> (label, argument vectors started together; "{python}" is the environment's interpreter)
COMMANDS = {
    "pass": ("python -c pass", [["-c", "pass"]]),
    "empty": ("python -m empty", [["-m", "empty"]]),
    "probe": ("python -m probe", [["-m", "probe"]]),
    "nocache": ("python -m probe, no byte code cache", [["-m", "probe"]]),
    "six": (
        "6 × python -c 'import X; print(X.__version__)'",
        [["-c", "import %s; print(%s.__version__)" % (name, name)] for name in PRODUCT_MODULES],
    ),
    "metadata": ("python -c 'importlib.metadata.version() × 6'", [["-c", METADATA_SCRIPT]]),
    "pip": ("python -m pip list --format=json", [["-m", "pip", "list", "--format=json"]]),
}
FULL = ("pass", "empty", "probe", "nocache", "six", "metadata", "pip")
SLOW = ("six", "pip")
# The quick commands run this many times a round: more samples for little time, steadier medians.
QUICK_REPEAT = 3
SCALING_COMMANDS = ("pass", "empty", "probe", "metadata")
PATHS_SERIES = (0, 50, 200)  # extra PYTHONPATH entries, in the base-3.12 venv


class Env:
    """An environment to measure in: a venv, the extra PYTHONPATH, the commands."""

    def __init__(self, name: str, folder: Path, commands: tuple[str, ...], pythonpath: list[str] | None = None):
        self.name = name
        self.folder = folder
        self.python = str(environments.env_python(folder))
        self.commands = commands
        self.pythonpath = pythonpath or []

    def child_env(self, command: str = "") -> dict[str, str]:
        """A user's environment, minus what this machine sets that users do not have."""
        env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if key in os.environ}
        if command == "nocache":
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        # pip checks PyPI for a newer pip at most once a week; keep the network out of the timing.
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        if self.pythonpath:
            env["PYTHONPATH"] = os.pathsep.join(self.pythonpath)
        return env

    def argvs(self, command: str) -> list[list[str]]:
        return [[self.python, *args] for args in COMMANDS[command][1]]


def build_spawn() -> Path:
    source = HERE / "spawn.c"
    if SPAWN.exists() and SPAWN.stat().st_mtime >= source.stat().st_mtime:
        return SPAWN
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler is None:
        raise SystemExit("bench: needs a C compiler (cc) for bench/spawn.c; see BENCHMARKS.md")
    SPAWN.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([compiler, "-O2", "-o", str(SPAWN), str(source)], check=True)
    return SPAWN


def make_stage() -> None:
    """Fresh copies of probe/ beside an empty module, with no byte code yet."""
    for stage in (STAGE, NOCACHE_STAGE):
        if stage.exists():
            shutil.rmtree(stage)
        (stage / "probe").mkdir(parents=True)
        for source in sorted((ROOT / "probe").glob("*.py")):
            shutil.copy2(source, stage / "probe" / source.name)
        for data in sorted((ROOT / "probe").glob("*.json")):
            shutil.copy2(data, stage / "probe" / data.name)
        (stage / "empty.py").write_text("")


def measure_once(env: Env, command: str) -> dict[str, object]:
    argvs = env.argvs(command)
    line: list[str] = []
    for argv in argvs:
        line += [*argv, "---"]
    out = subprocess.run(
        [str(SPAWN), *line[:-1]],
        cwd=NOCACHE_STAGE if command == "nocache" else STAGE,
        env=env.child_env(command),
        capture_output=True,
        text=True,
        check=True,
    )
    fields = out.stdout.split()
    wall_ns, per_child = int(fields[0]), fields[1:]
    children = [per_child[i : i + 4] for i in range(0, len(per_child), 4)]
    statuses = [int(child[0]) for child in children]
    cpu = [(int(child[1]) + int(child[2])) / 1000.0 for child in children]
    rss = [int(child[3]) / 1024.0 for child in children]
    return {
        "wall": round(wall_ns / 1e6, 3),
        "cpu": round(sum(cpu), 3),
        "rss": round(max(rss), 3),
        "rss_sum": round(sum(rss), 3),
        "status": max(statuses),
        "stderr": out.stderr[-400:],
    }


def check(env: Env) -> dict[str, object]:
    """Run each command once, output kept, to show what each one answers (not timed)."""
    facts: dict[str, object] = {}
    run = lambda argv: subprocess.run(argv, cwd=STAGE, env=env.child_env(), capture_output=True, text=True)  # noqa: E731
    probe = run(env.argvs("probe")[0])
    lines = [line for line in probe.stdout.splitlines() if line.startswith('{"probe_schema_version":')]
    block = json.loads(lines[-1]) if lines else {}
    facts["probe_status"] = block.get("probe_status")
    facts["probe_versions"] = {key: value for key, value in block.items() if key.endswith("_version")}
    metadata = run(env.argvs("metadata")[0])
    facts["metadata_versions"] = dict(zip(PRODUCT_DISTRIBUTIONS, metadata.stdout.split()))
    if "six" in env.commands:
        six = [run(argv) for argv in env.argvs("six")]
        facts["six_outputs"] = [done.stdout.strip() or "exit %d" % done.returncode for done in six]
    expected = {name.replace("-", "_") + "_version": version for name, version in facts["metadata_versions"].items()}
    mismatched = {key: value for key, value in expected.items() if facts["probe_versions"].get(key) != value}
    if block.get("probe_status") != "ok" or mismatched:
        raise SystemExit("bench: %s: the probe answered %r; importlib.metadata says %r" % (env.name, block, expected))
    facts["distributions"] = environments.count_distributions(env.folder)
    facts["python"] = subprocess.run(
        [env.python, "-c", "import platform; print(platform.python_version())"], capture_output=True, text=True
    ).stdout.strip()
    return facts


def measure(env: Env, rounds: int, warmup: int) -> dict[str, list[dict[str, object]]]:
    """*rounds* rounds after *warmup*; each runs every command once, and the quick ones QUICK_REPEAT times."""
    samples: dict[str, list[dict[str, object]]] = {command: [] for command in env.commands}
    order = list(env.commands)
    for number in range(warmup + rounds):
        shift = number % len(order)
        rotated = order[shift:] + order[:shift]
        quick = [command for command in rotated if command not in SLOW]
        for command in rotated + quick * (QUICK_REPEAT - 1):
            sample = measure_once(env, command)
            if sample["status"] != 0 and command != "six":
                raise SystemExit("bench: %s: %s failed: %s" % (env.name, command, sample["stderr"]))
            if number >= warmup:
                samples[command].append(sample)
        print("bench: %s: round %d/%d" % (env.name, number + 1, warmup + rounds), end="\r", flush=True)
    print()
    cached = list((STAGE / "probe" / "__pycache__").glob("cli.*.pyc"))
    if not cached:
        raise SystemExit("bench: no byte code was written for probe/: is PYTHONDONTWRITEBYTECODE still set?")
    if (NOCACHE_STAGE / "probe" / "__pycache__").exists():
        raise SystemExit("bench: byte code was written where none should be")
    return samples


def summary(samples: list[dict[str, object]]) -> dict[str, dict[str, float]]:
    out = {}
    for metric in ("wall", "cpu", "rss", "rss_sum"):
        values = [float(sample[metric]) for sample in samples]  # type: ignore[arg-type]
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


def opened(env: Env) -> dict[str, object]:
    """What the probe lists and opens, from an audit hook: metadata of its six products only."""
    out = subprocess.run(
        [env.python, "-c", OPENED_SCRIPT], cwd=STAGE, env=env.child_env(), capture_output=True, text=True
    )
    events = [line[1:].split("\t", 1) for line in out.stderr.splitlines() if line.startswith("\0")]
    metadata = sorted({path for kind, path in events if kind == "open" and re.search(r"\.(dist|egg)-info[/\\]", path)})
    owners = sorted({re.split(r"[/\\]", path)[-2] for path in metadata})
    return {
        "opened": len({path for kind, path in events if kind == "open"}),
        "metadata_files": len(metadata),
        "metadata_of": owners,
    }


def syscalls(env: Env) -> dict[str, dict[str, int]] | None:
    """System calls of the probe and of the floor, counted by strace (when it is installed)."""
    strace = shutil.which("strace")
    if strace is None:
        return None
    counts = {}
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


def machine() -> dict[str, object]:
    info: dict[str, object] = {"nproc": os.cpu_count(), "kernel": platform.release(), "system": platform.system()}
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
    uv = subprocess.run(["uv", "--version"], capture_output=True, text=True)
    info["uv"] = uv.stdout.strip()
    info["date"] = time.strftime("%Y-%m-%d")
    return info


def environments_to_run(only: set[str] | None) -> list[Env]:
    wanted = lambda name: only is None or name in only  # noqa: E731
    envs = []
    for version in ("3.8", "3.12", "3.13"):
        name = "base-" + version
        if wanted(name):
            interpreter = find_python(version)
            if interpreter is None:
                print("bench: no Python %s here, skipping %s" % (version, name))
                continue
            envs.append(Env(name, environments.build_env(name, interpreter), FULL))
    python312 = find_python("3.12")
    if python312 is None:
        raise SystemExit("bench: the large and scaling environments need Python 3.12")
    if wanted("large-3.12"):
        folder = environments.build_env("large-3.12", python312, extra=environments.LARGE_EXTRA)
        paths = environments.make_pythonpath_dirs(environments.LARGE_PYTHONPATH)
        envs.append(Env("large-3.12", folder, FULL, paths))
    for total in environments.SCALING:
        name = "dists-%d" % total
        if wanted(name):
            envs.append(Env(name, environments.build_env(name, python312, total=total), SCALING_COMMANDS))
    for count in PATHS_SERIES:
        name = "paths-%d" % count
        if wanted(name):
            folder = environments.build_env("base-3.12", python312)
            envs.append(Env(name, folder, SCALING_COMMANDS, environments.make_pythonpath_dirs(count)))
    return envs


def find_python(version: str) -> str | None:
    """Python *version* from PATH (the noxfile puts pyenv's folders there), else pyenv itself."""
    found = shutil.which("python" + version)
    if found:
        return found
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    candidates = sorted(Path(root, "versions").glob(version + ".*/bin/python"))
    return str(candidates[-1]) if candidates else None


def ratio(results: dict[str, object], env: str, top: str, bottom: str, metric: str) -> float:
    summaries = results["envs"][env]["summary"]  # type: ignore[index]
    return summaries[top][metric]["median"] / summaries[bottom][metric]["median"]  # type: ignore[no-any-return]


def cell(stats: dict[str, float], digits: int = 1) -> str:
    return "%.*f (%.*f–%.*f)" % (digits, stats["median"], digits, stats["min"], digits, stats["max"])


def tables(results: dict[str, object]) -> str:
    envs = results["envs"]  # type: ignore[index]
    out = []
    info = results["machine"]  # type: ignore[index]
    out.append(
        "Measured %s on %s (%s logical CPUs), Linux %s, %s GiB; %d rounds after %d warm-up rounds, each "
        "running the six processes and pip once and every other command %d times."
        % (
            info.get("date"),
            info.get("cpu"),
            info.get("nproc"),
            info.get("kernel"),
            info.get("memory_gib", "?"),
            results["rounds"],
            results["warmup"],
            QUICK_REPEAT,
        )  # type: ignore[union-attr]
    )
    out.append("")
    out.append("### Targets")
    out.append("")
    out.append(
        "Ratios of medians. Floor: `python -m empty` for time, `python -c pass` for memory; "
        "targets ≤ 1.2 (≤ 1.3 in the large environment), ≤ 1.15, ≥ 20 and ≥ 30."
    )
    out.append("")
    out.append(
        "| environment | probe wall ÷ floor | probe CPU ÷ floor | probe RSS ÷ `-c pass` "
        "| six processes ÷ probe, wall | six processes ÷ probe, CPU |"
    )
    out.append("|---|---|---|---|---|---|")
    for name, data in envs.items():
        if "six" not in data["summary"]:
            continue
        limit = 1.3 if name.startswith("large") else 1.2
        mark = lambda value, ok: "%.2f %s" % (value, "✅" if ok else "❌")  # noqa: E731
        wall, cpu = ratio(results, name, "probe", "empty", "wall"), ratio(results, name, "probe", "empty", "cpu")
        rss = ratio(results, name, "probe", "pass", "rss")
        six_wall, six_cpu = ratio(results, name, "six", "probe", "wall"), ratio(results, name, "six", "probe", "cpu")
        out.append(
            "| %s (Python %s, %d distributions%s) | %s | %s | %s | %s | %s |"
            % (
                name,
                data["facts"]["python"],
                data["facts"]["distributions"],
                ", %d PYTHONPATH entries" % len(data["pythonpath"]) if data["pythonpath"] else "",
                mark(wall, wall <= limit),
                mark(cpu, cpu <= limit),
                mark(rss, rss <= 1.15),
                mark(six_wall, six_wall >= 20),
                mark(six_cpu, six_cpu >= 30),
            )
        )
    for name, data in envs.items():
        if "six" not in data["summary"]:
            continue
        out.append("")
        out.append(
            "### %s: Python %s, %d distributions%s"
            % (
                name,
                data["facts"]["python"],
                data["facts"]["distributions"],
                ", %d extra PYTHONPATH entries" % len(data["pythonpath"]) if data["pythonpath"] else "",
            )
        )
        out.append("")
        out.append(
            "Median (min–max). Six processes: wall until the last exits, CPU summed, RSS the largest one. "
            "Load average (1 min) before and after: %.2f, %.2f." % tuple(data["facts"]["load_average"])
        )
        out.append("")
        out.append("| command | wall ms | CPU ms | peak RSS MiB | wall ÷ floor | CPU ÷ floor |")
        out.append("|---|---|---|---|---|---|")
        for command, stats in data["summary"].items():
            out.append(
                "| `%s` | %s | %s | %s | %.2f | %.2f |"
                % (
                    COMMANDS[command][0],
                    cell(stats["wall"]),
                    cell(stats["cpu"]),
                    cell(stats["rss"], 2),
                    ratio(results, name, command, "empty", "wall"),
                    ratio(results, name, command, "empty", "cpu"),
                )
            )
        six = data["summary"].get("six")
        if six:
            out.append("")
            out.append(
                "The six processes hold up to %.1f MiB at once (sum of their peaks, median)." % six["rss_sum"]["median"]
            )
    out += series_table(
        results,
        "dists-",
        "Scaling with the number of installed distributions (Python 3.12)",
        "distributions",
        lambda data: data["facts"]["distributions"],
    )
    out += series_table(
        results,
        "paths-",
        "Scaling with the number of `sys.path` entries (Python 3.12, the base venv, extra PYTHONPATH entries)",
        "PYTHONPATH entries",
        lambda data: len(data["pythonpath"]),
    )
    if any(name.startswith("dists-") for name in envs):
        out.append("")
        out.append("![probe cost against installed distributions and sys.path entries](bench/scaling.png)")
    counted = [
        (name, data["syscalls"]) for name, data in envs.items() if data.get("syscalls") and "six" in data["summary"]
    ]
    if counted:
        out.append("")
        out.append("### System calls (strace -f -c), `python -m probe` beside `python -m empty`")
        out.append("")
        out.append("| environment | command | total | openat | getdents64 | newfstatat/stat | read | mmap |")
        out.append("|---|---|---|---|---|---|---|---|")
        for name, counts in counted:
            for command in ("empty", "probe"):
                table = counts[command]
                stat_calls = sum(table.get(key, 0) for key in ("newfstatat", "stat", "fstat", "lstat", "statx"))
                out.append(
                    "| %s | `%s` | %d | %d | %d | %d | %d | %d |"
                    % (
                        name,
                        COMMANDS[command][0],
                        table["total"],
                        table.get("openat", 0) + table.get("open", 0),
                        table.get("getdents64", 0),
                        stat_calls,
                        table.get("read", 0),
                        table.get("mmap", 0),
                    )
                )
    return "\n".join(out) + "\n"


def syscall_difference(counts: dict[str, dict[str, int]], *names: str) -> int:
    """How many more of the system calls *names* the probe makes than ``python -m empty``."""
    return sum(counts["probe"].get(name, 0) - counts["empty"].get(name, 0) for name in names)


def series_table(results: dict[str, object], prefix: str, heading: str, column: str, size: object) -> list[str]:
    """A table of one series of environments: the floors, the probe, and what the probe touches."""
    series = [(name, data) for name, data in results["envs"].items() if name.startswith(prefix)]  # type: ignore[union-attr]
    if not series:
        return []
    out = ["", "### " + heading, ""]
    out.append(
        "Wall ms, median (min–max). *Extra system calls*: the probe's count minus `python -m empty`'s "
        "(strace -f -c), directory reads / opens / stats. *Metadata opened*: files opened inside "
        "`.dist-info`/`.egg-info` directories (an audit hook), and whose."
    )
    out.append("")
    out.append(
        "| %s | `python -c pass` | `python -m empty` | `python -m probe` | importlib.metadata × 6 "
        "| probe ÷ floor | probe − floor, wall / CPU ms | extra system calls | metadata opened |" % column
    )
    out.append("|---|---|---|---|---|---|---|---|---|")
    for name, data in series:
        summaries = data["summary"]
        seen = data["opened"]
        counts = data.get("syscalls")
        extra = "–"
        if counts:
            extra = "%+d / %+d / %+d" % (
                syscall_difference(counts, "getdents64"),
                syscall_difference(counts, "openat", "open"),
                syscall_difference(counts, "newfstatat", "stat", "fstat", "lstat", "statx"),
            )
        out.append(
            "| %d | %s | %s | %s | %s | %.2f | %.1f / %.1f | %s | %d (%s) |"
            % (
                size(data),  # type: ignore[operator]
                cell(summaries["pass"]["wall"]),
                cell(summaries["empty"]["wall"]),
                cell(summaries["probe"]["wall"]),
                cell(summaries["metadata"]["wall"]),
                ratio(results, name, "probe", "empty", "wall"),
                summaries["probe"]["wall"]["median"] - summaries["empty"]["wall"]["median"],
                summaries["probe"]["cpu"]["median"] - summaries["empty"]["cpu"]["median"],
                extra,
                seen["metadata_files"],
                ", ".join(dirname.split("-")[0] for dirname in seen["metadata_of"]),
            )
        )
    return out


def plot(results: dict[str, object]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    everything = results["envs"]  # type: ignore[index]
    dists = [data for name, data in everything.items() if name.startswith("dists-")]
    paths = [data for name, data in everything.items() if name.startswith("paths-")]
    if not dists:
        return
    figure, axes = plt.subplots(1, 3 if paths else 2, figsize=(15 if paths else 10.5, 4.2))
    counts = [data["facts"]["distributions"] for data in dists]
    for command, style in (("pass", "o:"), ("empty", "s--"), ("probe", "D-"), ("metadata", "^-.")):
        stats = [data["summary"][command]["wall"] for data in dists]
        medians = [value["median"] for value in stats]
        spread = [
            [m - value["min"] for m, value in zip(medians, stats)],
            [value["max"] - m for m, value in zip(medians, stats)],
        ]
        axes[0].errorbar(counts, medians, yerr=spread, fmt=style, capsize=3, label=COMMANDS[command][0])
    axes[0].set_xscale("log")
    axes[0].set_xlabel("installed distributions")
    axes[0].set_ylabel("wall time, ms (median, min–max)")
    axes[0].set_ylim(bottom=0)
    axes[0].legend(fontsize=8)
    axes[0].set_title("Start-up, the probe and importlib.metadata")

    def own_cost(axis: object, series: list[dict[str, object]], xs: list[int], label: str, log: bool) -> None:
        for metric, style in (("wall", "D-"), ("cpu", "o--")):
            values = [
                data["summary"]["probe"][metric]["median"] - data["summary"]["empty"][metric]["median"]
                for data in series
            ]  # type: ignore[index]
            axis.plot(xs, values, style, label=metric if metric == "wall" else "CPU")  # type: ignore[attr-defined]
        axis.axhline(0, color="grey", linewidth=0.5)  # type: ignore[attr-defined]
        if log:
            axis.set_xscale("log")  # type: ignore[attr-defined]
        axis.set_xlabel(label)  # type: ignore[attr-defined]
        axis.set_ylabel("python -m probe − python -m empty, ms")  # type: ignore[attr-defined]
        axis.legend(fontsize=8)  # type: ignore[attr-defined]

    own_cost(axes[1], dists, counts, "installed distributions", True)
    axes[1].set_title("The probe's own cost, by distributions")
    if paths:
        own_cost(axes[2], paths, [len(data["pythonpath"]) for data in paths], "extra sys.path entries", False)
        axes[2].set_title("The probe's own cost, by sys.path entries")
    figure.tight_layout()
    figure.savefig(PLOT, dpi=100)


def write_doc(text: str) -> None:
    if not DOC.exists():
        print(text)
        return
    document = DOC.read_text()
    if BEGIN not in document or END not in document:
        raise SystemExit("bench: BENCHMARKS.md lacks the %s / %s markers" % (BEGIN, END))
    head, rest = document.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    DOC.write_text(head + BEGIN + "\n" + text + END + tail)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=30, help="measured rounds per environment (at least 20)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--only", help="comma-separated environment names (base-3.8, large-3.12, dists-1000, ...)")
    parser.add_argument("--no-write", action="store_true", help="print the tables; leave results and docs alone")
    options = parser.parse_args(argv)
    if options.rounds < 20 and not options.no_write:
        parser.error("fewer than 20 rounds only with --no-write")
    if os.name == "nt":
        raise SystemExit("bench: POSIX only (posix_spawn, wait4)")
    build_spawn()
    make_stage()
    only = set(options.only.split(",")) if options.only else None
    envs = environments_to_run(only)
    results: dict[str, object] = {
        "machine": machine(),
        "rounds": options.rounds,
        "warmup": options.warmup,
        "command": "python3 noxfile.py -s bench",
        "envs": {},
    }
    for env in envs:
        facts = check(env)
        load_before = os.getloadavg()[0]
        samples = measure(env, options.rounds, options.warmup)
        facts["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        results["envs"][env.name] = {  # type: ignore[index]
            "facts": facts,
            "pythonpath": env.pythonpath,
            "summary": {command: summary(values) for command, values in samples.items()},
            "samples": {
                command: [{k: v for k, v in sample.items() if k != "stderr"} for sample in values]
                for command, values in samples.items()
            },
            "opened": opened(env),
            "syscalls": syscalls(env),
        }
    text = tables(results)
    print(text)
    if not options.no_write:
        if only is not None and RESULTS.exists():  # keep the other environments' results
            previous = json.loads(RESULTS.read_text())
            previous["envs"].update(results["envs"])
            previous["machine"] = results["machine"]
            results = previous
            text = tables(results)
        RESULTS.write_text(json.dumps(results, default=str) + "\n")
        plot(results)
        write_doc(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
