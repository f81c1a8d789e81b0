"""Rendering: the results as BENCHMARKS.md's tables (between its markers) and bench/scaling.png."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any, Callable

from environments import ROOT
from measure import COMMANDS, QUICK_REPEAT
from results import EnvResult, ExtensionView, Metric, Results, Stats, SyscallCounts, median_ratio

DOC = ROOT / "BENCHMARKS.md"
PLOT = Path(__file__).resolve().parent / "scaling.png"
BEGIN, END = "<!-- bench:tables:begin -->", "<!-- bench:tables:end -->"
FIRST_RUN_TARGET = 1.10
WARM_TARGET = 1.2
LARGE_TARGET = 1.3  # the large environment's, warm or not
STAT_CALLS = ("newfstatat", "stat", "fstat", "lstat", "statx")


def cell(stats: Stats, digits: int = 1) -> str:
    return "%.*f (%.*f–%.*f)" % (digits, stats["median"], digits, stats["min"], digits, stats["max"])


def mark(value: float, ok: bool) -> str:
    return "%.2f %s" % (value, "✅" if ok else "❌")


def describe(name: str, result: EnvResult, pythonpath_words: str = "PYTHONPATH entries") -> str:
    """``base-3.12 (Python 3.12.1, 60 distributions)``, without the name."""
    facts = result["facts"]
    extra = ", %d %s" % (len(result["pythonpath"]), pythonpath_words) if result["pythonpath"] else ""
    return "Python %s, %d distributions%s" % (facts["python"], facts["distributions"], extra)


def heading(results: Results) -> list[str]:
    info = results["machine"]
    return [
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
        ),
    ]


def targets_table(results: Results) -> list[str]:
    out = [
        "",
        "### Targets",
        "",
        "Ratios of medians. Floor: `python -m empty` (an empty package, run by its empty `__main__`) for time, "
        "`python -c pass` for memory; targets ≤ 1.2 (≤ 1.3 in the large environment), ≤ 1.15, ≥ 20 and ≥ 30.",
        "",
        "| environment | probe wall ÷ floor | probe CPU ÷ floor | probe RSS ÷ `-c pass` "
        "| six processes ÷ probe, wall | six processes ÷ probe, CPU |",
        "|---|---|---|---|---|---|",
    ]
    for name, result in results["envs"].items():
        if "six" not in result["summary"]:
            continue
        limit = LARGE_TARGET if name.startswith("large") else WARM_TARGET
        wall, cpu = median_ratio(result, "probe", "empty", "wall"), median_ratio(result, "probe", "empty", "cpu")
        rss = median_ratio(result, "probe", "pass", "rss")
        six_wall, six_cpu = median_ratio(result, "six", "probe", "wall"), median_ratio(result, "six", "probe", "cpu")
        out.append(
            "| %s (%s) | %s | %s | %s | %s | %s |"
            % (
                name,
                describe(name, result),
                mark(wall, wall <= limit),
                mark(cpu, cpu <= limit),
                mark(rss, rss <= 1.15),
                mark(six_wall, six_wall >= 20),
                mark(six_cpu, six_cpu >= 30),
            )
        )
    return out


def first_run_table(results: Results) -> list[str]:
    """The first run, or any run from a folder nobody can write: with the bundle's byte code, and without."""
    rows = [(name, result) for name, result in results["envs"].items() if "shipped" in result["summary"]]
    if not rows:
        return []
    out = [
        "",
        "### First run, or a read-only folder",
        "",
        "CPU time, ratios of medians to the floor (`python -m empty`, warm). *Shipped byte code*: the bundle "
        "as tools/bundle.py builds it, read-only, run with `PYTHONDONTWRITEBYTECODE=1` (nothing can be written, "
        "as in a read-only folder; nothing was). *No byte code*: the sources alone, likewise: what every run "
        "costs where the bundle has no byte code for the interpreter. *Warm*: byte code the interpreter "
        "wrote itself on an earlier run. Target for the shipped byte code: ≤ %.2f on CPython (≤ %.1f in the "
        "large environment, whose warm runs have that target; *shipped ÷ warm* is what the first run costs "
        "beyond them)." % (FIRST_RUN_TARGET, LARGE_TARGET),
        "",
        "| environment | shipped byte code, CPU ÷ floor | no byte code, CPU ÷ floor | warm, CPU ÷ floor "
        "| shipped ÷ warm, CPU | shipped byte code, CPU ms | floor, CPU ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, result in rows:
        shipped = median_ratio(result, "shipped", "empty", "cpu")
        limit = LARGE_TARGET if name.startswith("large") else FIRST_RUN_TARGET
        out.append(
            "| %s (%s) | %s | %.2f | %.2f | %.2f | %s | %s |"
            % (
                name,
                describe(name, result),
                # The targets are CPython's; PyPy's start-up is another story (its figure is given as it is).
                "%.2f" % shipped if "pypy" in name else mark(shipped, shipped <= limit),
                median_ratio(result, "nocache", "empty", "cpu"),
                median_ratio(result, "probe", "empty", "cpu"),
                median_ratio(result, "shipped", "probe", "cpu"),
                cell(result["summary"]["shipped"]["cpu"]),
                cell(result["summary"]["empty"]["cpu"]),
            )
        )
    return out


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _spread(values: list[float]) -> str:
    return "%.1f (%.1f–%.1f)" % (_median(values), min(values), max(values)) if values else "–"


def extension_table(results: Results) -> list[str]:
    """The extension's view, from Node: the six execFile calls against the probe's one."""
    rows: list[tuple[str, EnvResult, ExtensionView]] = [
        (name, result, result["extension"]) for name, result in results["envs"].items() if "extension" in result
    ]
    if not rows:
        return []
    out = [
        "",
        "### The extension's view, from Node",
        "",
        "One Node process (bench/extension.mjs), %d rounds after %d warm-up rounds, interleaved. *Wall*: from the "
        'call to the settled promise (`Promise.allSettled` of six `execFile(python, ["-c", "import X; '
        'print(X.__version__)"], {timeout: 5000})`, against one `execFile(python, ["-m", "probe"], {cwd: bundle, '
        "timeout: 5000, windowsHide: true})` from the shipped bundle). *CPU*: the children's user + system time "
        "from `wait4()`, measured in separate rounds where each child is started through bench/rusage (its wall "
        "time there, in the last columns, shows what that wrapper adds). Median (min–max), ms; targets ≥ 20 and ≥ 30."
        % (rows[0][2]["rounds"], rows[0][2]["warmup"]),
        "",
        "| environment | six, wall | probe, wall | six, CPU | probe, CPU | wall ÷ | CPU ÷ "
        "| failed six calls | six / probe wall, wrapped |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, result, view in rows:
        wall = _median(view["six_wall"]) / _median(view["probe_wall"])
        cpu = _median(view["six_cpu"]) / _median(view["probe_cpu"])
        out.append(
            "| %s (%s) | %s | %s | %s | %s | %s | %s | %d of %d | %.1f / %.1f |"
            % (
                name,
                describe(name, result),
                _spread(view["six_wall"]),
                _spread(view["probe_wall"]),
                _spread(view["six_cpu"]),
                _spread(view["probe_cpu"]),
                mark(wall, wall >= 20),
                mark(cpu, cpu >= 30),
                view["six_failed"],
                6 * len(view["six_wall"]),
                _median(view["six_wrapped_wall"]),
                _median(view["probe_wrapped_wall"]),
            )
        )
    return out


def environment_table(name: str, result: EnvResult) -> list[str]:
    facts = result["facts"]
    load = facts.get("load_average", [float("nan"), float("nan")])
    out = [
        "",
        "### %s: %s" % (name, describe(name, result, "extra PYTHONPATH entries")),
        "",
        "Median (min–max). Six processes: wall until the last exits, CPU summed, RSS the largest one. "
        "Load average (1 min) before and after: %.2f, %.2f." % (load[0], load[1]),
        "",
        "| command | wall ms | CPU ms | peak RSS MiB | wall ÷ floor | CPU ÷ floor |",
        "|---|---|---|---|---|---|",
    ]
    for command, stats in result["summary"].items():
        out.append(
            "| `%s` | %s | %s | %s | %.2f | %.2f |"
            % (
                COMMANDS[command].label,
                cell(stats["wall"]),
                cell(stats["cpu"]),
                cell(stats["rss"], 2),
                median_ratio(result, command, "empty", "wall"),
                median_ratio(result, command, "empty", "cpu"),
            )
        )
    six = result["summary"].get("six")
    if six:
        out += [
            "",
            "The six processes hold up to %.1f MiB at once (sum of their peaks, median)." % six["rss_sum"]["median"],
        ]
    return out


def syscall_difference(counts: SyscallCounts, *names: str) -> int:
    """How many more of the system calls *names* the probe makes than ``python -m empty``."""
    return sum(counts["probe"].get(name, 0) - counts["empty"].get(name, 0) for name in names)


def series_table(results: Results, prefix: str, title: str, column: str, size: Callable[[EnvResult], int]) -> list[str]:
    """A table of one series of environments: the floors, the probe, and what the probe touches."""
    series = [(name, result) for name, result in results["envs"].items() if name.startswith(prefix)]
    if not series:
        return []
    out = [
        "",
        "### " + title,
        "",
        "Wall ms, median (min–max). *Extra system calls*: the probe's count minus `python -m empty`'s "
        "(strace -f -c), directory reads / opens / stats. *Metadata opened*: files opened inside "
        "`.dist-info`/`.egg-info` directories (an audit hook), and whose.",
        "",
        "| %s | `python -c pass` | `python -m empty` | `python -m probe` | importlib.metadata × 6 "
        "| probe ÷ floor | probe − floor, wall / CPU ms | extra system calls | metadata opened |" % column,
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for _, result in series:
        summaries = result["summary"]
        seen = result["opened"]
        counts = result["syscalls"]
        extra = "–"
        if counts:
            extra = "%+d / %+d / %+d" % (
                syscall_difference(counts, "getdents64"),
                syscall_difference(counts, "openat", "open"),
                syscall_difference(counts, *STAT_CALLS),
            )
        out.append(
            "| %d | %s | %s | %s | %s | %.2f | %.1f / %.1f | %s | %d (%s) |"
            % (
                size(result),
                cell(summaries["pass"]["wall"]),
                cell(summaries["empty"]["wall"]),
                cell(summaries["probe"]["wall"]),
                cell(summaries["metadata"]["wall"]),
                median_ratio(result, "probe", "empty", "wall"),
                _own_cost(result, "wall"),
                _own_cost(result, "cpu"),
                extra,
                seen["metadata_files"],
                ", ".join(dirname.split("-")[0] for dirname in seen["metadata_of"]),
            )
        )
    return out


def syscall_table(results: Results) -> list[str]:
    counted = [
        (name, counts)
        for name, result in results["envs"].items()
        if (counts := result["syscalls"]) and "six" in result["summary"]
    ]
    if not counted:
        return []
    out = [
        "",
        "### System calls (strace -f -c), `python -m probe` beside `python -m empty`",
        "",
        "| environment | command | total | openat | getdents64 | newfstatat/stat | read | mmap |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, counts in counted:
        for command in ("empty", "probe"):
            table = counts[command]
            out.append(
                "| %s | `%s` | %d | %d | %d | %d | %d | %d |"
                % (
                    name,
                    COMMANDS[command].label,
                    table["total"],
                    table.get("openat", 0) + table.get("open", 0),
                    table.get("getdents64", 0),
                    sum(table.get(key, 0) for key in STAT_CALLS),
                    table.get("read", 0),
                    table.get("mmap", 0),
                )
            )
    return out


def tables(results: Results) -> str:
    """Everything between BENCHMARKS.md's markers."""
    out = heading(results)
    out += targets_table(results)
    out += first_run_table(results)
    out += extension_table(results)
    for name, result in results["envs"].items():
        if "six" in result["summary"] or "shipped" in result["summary"]:
            out += environment_table(name, result)
    out += series_table(
        results,
        "dists-",
        "Scaling with the number of installed distributions (Python 3.12)",
        "distributions",
        lambda result: result["facts"]["distributions"],
    )
    out += series_table(
        results,
        "paths-",
        "Scaling with the number of `sys.path` entries (Python 3.12, the base venv, extra PYTHONPATH entries)",
        "PYTHONPATH entries",
        lambda result: len(result["pythonpath"]),
    )
    if any(name.startswith("dists-") for name in results["envs"]):
        out += ["", "![probe cost against installed distributions and sys.path entries](bench/scaling.png)"]
    out += syscall_table(results)
    return "\n".join(out) + "\n"


def _own_cost(result: EnvResult, metric: Metric) -> float:
    """The probe's median minus the floor's, in ms."""
    summary = result["summary"]
    return summary["probe"][metric]["median"] - summary["empty"][metric]["median"]


def plot(results: Results) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dists = [result for name, result in results["envs"].items() if name.startswith("dists-")]
    paths = [result for name, result in results["envs"].items() if name.startswith("paths-")]
    if not dists:
        return
    figure, axes = plt.subplots(1, 3 if paths else 2, figsize=(15 if paths else 10.5, 4.2))
    counts = [result["facts"]["distributions"] for result in dists]
    for command, style in (("pass", "o:"), ("empty", "s--"), ("probe", "D-"), ("metadata", "^-.")):
        stats = [result["summary"][command]["wall"] for result in dists]
        medians = [value["median"] for value in stats]
        spread = [
            [m - value["min"] for m, value in zip(medians, stats)],
            [value["max"] - m for m, value in zip(medians, stats)],
        ]
        axes[0].errorbar(counts, medians, yerr=spread, fmt=style, capsize=3, label=COMMANDS[command].label)
    axes[0].set_xscale("log")
    axes[0].set_xlabel("installed distributions")
    axes[0].set_ylabel("wall time, ms (median, min–max)")
    axes[0].set_ylim(bottom=0)
    axes[0].legend(fontsize=8)
    axes[0].set_title("Start-up, the probe and importlib.metadata")

    def own_cost(axis: Any, series: list[EnvResult], xs: list[int], label: str, log: bool) -> None:
        metrics: tuple[tuple[Metric, str, str], ...] = (("wall", "D-", "wall"), ("cpu", "o--", "CPU"))
        for metric, style, name in metrics:
            axis.plot(xs, [_own_cost(result, metric) for result in series], style, label=name)
        axis.axhline(0, color="grey", linewidth=0.5)
        if log:
            axis.set_xscale("log")
        axis.set_xlabel(label)
        axis.set_ylabel("python -m probe − python -m empty, ms")
        axis.legend(fontsize=8)

    own_cost(axes[1], dists, counts, "installed distributions", True)
    axes[1].set_title("The probe's own cost, by distributions")
    if paths:
        own_cost(axes[2], paths, [len(result["pythonpath"]) for result in paths], "extra sys.path entries", False)
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
