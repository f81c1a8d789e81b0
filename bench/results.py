"""The benchmark's results, typed: what ``measure`` produces and ``render`` reads.

JSON-shaped on purpose (TypedDicts of numbers, strings and lists), so that a run with
``--only`` can load the previous results, replace its own environments and render the whole
document again. Two files: bench/results.json, every raw sample, stays on the machine that
measured (git ignores it: 450 kB that every run rewrote); bench/summary.json, what the
tables and the plot are drawn from (:func:`summary`), is committed beside BENCHMARKS.md.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Dict, Literal, TypedDict, cast

Metric = Literal["wall", "cpu", "rss", "rss_sum"]
METRICS: tuple[Metric, ...] = ("wall", "cpu", "rss", "rss_sum")


class Sample(TypedDict):
    """One run of one command (all its processes): milliseconds and MiB."""

    wall: float  # from the first spawn to the last exit
    cpu: float  # user + system time of the children, summed
    rss: float  # the largest child's peak RSS
    rss_sum: float  # the children's peaks, summed
    status: int  # the worst exit status


class Stats(TypedDict):
    median: float
    min: float
    max: float


# metric ("wall", "cpu", "rss", "rss_sum") -> its statistics over the samples
Summary = Dict[str, Stats]
# command ("empty", "probe") -> system call name (or "total") -> count
SyscallCounts = Dict[str, Dict[str, int]]


class _FactsRequired(TypedDict):
    probe_status: str | None
    probe_versions: dict[str, object]
    metadata_versions: dict[str, str | None]
    distributions: int
    python: str


class Facts(_FactsRequired, total=False):
    """What the environment is and what each command answered (checked, not timed)."""

    six_outputs: list[str]
    load_average: list[float]  # 1-minute load average before and after the environment's rounds


class Opened(TypedDict):
    """What the probe opened, from an audit hook."""

    opened: int
    metadata_files: int
    metadata_of: list[str]


class ExtensionView(TypedDict):
    """The extension's own view, from one Node process (bench/extension.mjs): per round, ms."""

    six_wall: list[float]  # six execFile calls until Promise.allSettled resolves
    probe_wall: list[float]  # one execFile of the probe until it resolves
    six_cpu: list[float]  # the six children's CPU time, summed (wrapped rounds, see extension.mjs)
    probe_cpu: list[float]
    six_wrapped_wall: list[float]  # the wrapped rounds' wall time, to show what the wrapper costs
    probe_wrapped_wall: list[float]
    six_failed: int  # execFile calls that rejected (a product not installed, a module without __version__)
    probe_failed: int
    node: str  # process.version
    rounds: int
    warmup: int


class _EnvResultRequired(TypedDict):
    facts: Facts
    pythonpath: list[str]
    summary: dict[str, Summary]  # command -> metric -> statistics
    opened: Opened
    syscalls: SyscallCounts | None


class EnvResult(_EnvResultRequired, total=False):
    samples: dict[str, list[Sample]]  # command -> every sample; results.json only, not the summary
    extension: ExtensionView


class Machine(TypedDict, total=False):
    nproc: int | None
    kernel: str
    system: str
    cpu: str
    memory_gib: float
    cpu_mhz: int | None
    physical_cores: int | None
    uv: str
    date: str


class Results(TypedDict):
    machine: Machine
    rounds: int
    warmup: int
    command: str
    envs: dict[str, EnvResult]


def median_ratio(result: EnvResult, top: str, bottom: str, metric: Metric) -> float:
    """The median of *top*'s *metric* over *bottom*'s, in one environment."""
    return result["summary"][top][metric]["median"] / result["summary"][bottom][metric]["median"]


def summary(results: Results) -> Results:
    """*results* as committed: without the raw samples, and each PYTHONPATH entry by its folder's name
    (the tables count them; where the machine that measured kept them is its own business)."""
    envs: dict[str, EnvResult] = {}
    for name, result in results["envs"].items():
        kept = cast(EnvResult, {key: value for key, value in result.items() if key != "samples"})
        kept["pythonpath"] = [os.path.basename(entry) for entry in result["pythonpath"]]
        envs[name] = kept
    return {**results, "envs": envs}


def load(path: Path) -> Results:
    return cast(Results, json.loads(path.read_text()))


def save(results: Results, path: Path) -> None:
    path.write_text(json.dumps(results) + "\n")
