"""The cached client against one probe run, from Node: revalidation, first request after a restart, a watcher set.

    python3 noxfile.py -s bench-fresh                       # base-3.12 and large-3.12
    python3 noxfile.py -s bench-fresh -- --only base-3.12 --rounds 20

Builds (or finds built) the benchmark's environments (bench/environments.py), builds the
TypeScript client, and runs bench/fresh.mjs: interleaved rounds of ``probePython`` (one
``python -m probe``), ``ProbeCache.get`` on an unchanged environment (stats, no process) and
``ProbeCache.get`` with nothing cached (``--paths``, stats, write); then, in fresh Node processes
taken in turn, the first request after a restart, cached and not; then one watcher set's file
descriptors, inotify watches and memory. Prints the rows of BENCHMARKS.md's section on it:
medians (min-max) in ms, and the ratios of the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.append(str(Path(__file__).resolve().parent.parent / "tests"))  # pythons.py, as bench/run.py has it

import environments
import measure

ROOT = Path(__file__).resolve().parent.parent
CLIENT = ROOT / "clients" / "typescript"
SCRIPT = Path(__file__).resolve().parent / "fresh.mjs"


def node(config: dict[str, object], *flags: str) -> Any:
    """bench/fresh.mjs with *config*: its one JSON object."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(config, file)
    try:
        out = subprocess.run(["node", *flags, str(SCRIPT), file.name], check=True, capture_output=True, text=True)
    finally:
        os.unlink(file.name)
    return json.loads(out.stdout)


def summary(samples: list[float]) -> str:
    return "%.2f (%.2f–%.2f)" % (statistics.median(samples), min(samples), max(samples))


def child_env(pythonpath: list[str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(pythonpath)
    return env


def measure_env(name: str, python: str, pythonpath: list[str], rounds: int, firsts: int) -> list[str]:
    storage = Path(tempfile.mkdtemp(prefix="bench-fresh-"))
    base = {
        "python": python,
        "bundle": str(ROOT),
        "client": str(CLIENT / "build" / "src"),
        "storage": str(storage),
        "env": child_env(pythonpath),
    }
    time.sleep(2.5)  # past the client's racy window since the environment was last changed (built)
    try:
        out = node({**base, "mode": "rounds", "rounds": rounds, "warmup": 3})
        probe, revalidate, miss = ([float(ms) for ms in out[key]] for key in ("probe", "revalidate", "miss"))
        others = sum(count for why, count in out["revalidate_from"].items() if why != "cache:hit")
        first: dict[str, list[float]] = {"probe": [], "cache": [], "cache-warm-node": []}
        for index in range(3 * firsts):  # fresh Node processes, the variants in turn
            variant = list(first)[index % 3]
            answer = node({**base, "mode": "first", "variant": variant})
            if answer["from"] == ("probe" if variant == "probe" else "cache"):
                first[variant].append(float(answer["ms"]))
            else:
                others += 1
        watch = node({**base, "mode": "watch"}, "--expose-gc")
    finally:
        shutil.rmtree(storage, ignore_errors=True)

    def ratio(slow: list[float], fast: list[float]) -> float:
        return statistics.median(slow) / statistics.median(fast)

    before, after = watch["before"], watch["after"]
    rss = (after["memory"]["rss"] - before["memory"]["rss"]) / 1024
    heap = (after["memory"]["heapUsed"] - before["memory"]["heapUsed"]) / 1024
    probed = f" ({others} cached requests ran the probe)" if others else ""
    watcher = (
        f"+{after['fds'] - before['fds']} fd, +{after['watches'] - before['watches']} inotify watches, "
        f"+{rss:.0f} KiB RSS, +{heap:.0f} KiB heap"
    )
    return [
        f"| {name} | one probe run (`probePython`) | {summary(probe)} | 1 |",
        f"| {name} | revalidate, unchanged (`ProbeCache.get`) | {summary(revalidate)} | "
        f"{ratio(probe, revalidate):.1f}x cheaper{probed} |",
        f"| {name} | nothing cached (`--paths`, stat, write) | {summary(miss)} | {ratio(miss, probe):.2f}x the probe |",
        f"| {name} | first request after a restart: probe | {summary(first['probe'])} | 1 |",
        f"| {name} | first request after a restart: cache on disk | {summary(first['cache'])} | "
        f"{ratio(first['probe'], first['cache']):.1f}x cheaper |",
        f"| {name} | the same, Node's thread pool and hashing already warm | {summary(first['cache-warm-node'])} | "
        f"{ratio(first['probe'], first['cache-warm-node']):.1f}x cheaper |",
        f"| {name} | one watcher set: {watch['folders']} folders | {watcher} | |",
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated: base-3.12, large-3.12")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--firsts", type=int, default=10, help="fresh Node processes per variant")
    options = parser.parse_args(argv)
    only = set(options.only.split(",")) if options.only else {"base-3.12", "large-3.12"}
    python312 = measure.find_python("3.12")
    if python312 is None:
        raise SystemExit("bench: the environments need Python 3.12")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=CLIENT, check=True)
    subprocess.run(["npm", "run", "--silent", "build"], cwd=CLIENT, check=True)
    rows = ["| environment | what | wall, ms: median (min–max) | ratio of medians |", "|---|---|---|---|"]
    # Copies, not hard links into uv's cache (its default on Linux): a hard-linked file's ctime
    # moves whenever another environment links the same cached file, and the client takes that for
    # a change. Built under names of their own, beside bench/run.py's hard-linked ones.
    os.environ["UV_LINK_MODE"] = "copy"
    if "base-3.12" in only:
        folder = environments.build_env("fresh-base-3.12", python312)
        rows += measure_env("base-3.12", str(environments.env_python(folder)), [], options.rounds, options.firsts)
    if "large-3.12" in only:
        folder = environments.build_env("fresh-large-3.12", python312, extra=environments.LARGE_EXTRA)
        paths = environments.make_pythonpath_dirs(environments.LARGE_PYTHONPATH)
        rows += measure_env("large-3.12", str(environments.env_python(folder)), paths, options.rounds, options.firsts)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
