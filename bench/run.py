"""The probe's cost beside the interpreter's own start-up, and beside what it replaces (issues 4 and 10).

    python3 noxfile.py -s bench                         # everything: environments, runs, tables, plot
    python3 noxfile.py -s bench -- --only base-3.12     # one environment (others keep their last results)
    python3 noxfile.py -s bench -- --only base-3.8,base-pypy3.9 --no-extension --rounds 20

Orchestration only: which environments (bench/environments.py builds them), measured how
(bench/measure.py, and bench/extension.mjs for the extension's view from Node), written
where (bench/render.py: the tables between the markers in BENCHMARKS.md, and
bench/scaling.png; bench/summary.json, committed, holds what they are drawn from, and
bench/results.json, git-ignored, every sample too: both typed in bench/results.py).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# tests/pythons.py and tests/schema_keys.py (standard library only): the interpreters and the
# products the tests use, so that the benchmark runs and checks the same ones. Last, so that
# none of the tests' helper modules can stand in for an installed one.
sys.path.append(str(Path(__file__).resolve().parent.parent / "tests"))

import environments
import measure
import render
import results
from measure import FIRST_RUN, FULL, SCALING_COMMANDS, Env

RESULTS = Path(__file__).resolve().parent / "results.json"  # every sample; not committed
SUMMARY = Path(__file__).resolve().parent / "summary.json"  # what BENCHMARKS.md is drawn from; committed
PATHS_SERIES = (0, 50, 200)  # extra PYTHONPATH entries, in the base-3.12 venv
BASE_VERSIONS = ("3.8", "3.12", "3.13")
# Measured for what start-up costs only (FIRST_RUN: warm, the shipped byte code from a read-only folder, none).
NEWER_VERSIONS = ("3.14", "3.15")


def environments_to_run(only: set[str] | None) -> list[Env]:
    """The environments to measure, built (or found built) on the way; *only* picks some by name."""

    def wanted(name: str) -> bool:
        return only is None or name in only

    envs = []
    for version in BASE_VERSIONS + NEWER_VERSIONS:
        name = "base-" + version
        if wanted(name):
            interpreter = measure.find_python(version)
            if interpreter is None:
                print("bench: no Python %s here, skipping %s" % (version, name))
                continue
            full = version in BASE_VERSIONS
            folder = environments.build_env(name, interpreter)
            envs.append(Env(name, folder, FULL if full else FIRST_RUN, extension=full))
    if wanted("base-pypy3.9"):
        pypy = measure.find_python("pypy3")
        if pypy is None:
            print("bench: no PyPy here, skipping base-pypy3.9")
        else:
            folder = environments.build_env("base-pypy3.9", pypy, requirements=environments.PYPY_REQUIREMENTS)
            envs.append(Env("base-pypy3.9", folder, FIRST_RUN))
    if only is not None and not any(name.startswith(("large-", "dists-", "paths-")) for name in only):
        return envs
    python312 = measure.find_python("3.12")
    if python312 is None:
        raise SystemExit("bench: the large and scaling environments need Python 3.12")
    if wanted("large-3.12"):
        folder = environments.build_env("large-3.12", python312, extra=environments.LARGE_EXTRA)
        paths = environments.make_pythonpath_dirs(environments.LARGE_PYTHONPATH)
        envs.append(Env("large-3.12", folder, FULL, paths, extension=True))
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


def measure_env(env: Env, options: argparse.Namespace) -> results.EnvResult:
    """Everything measured in one environment: checked answers, samples, what the probe opened, system calls."""
    facts = measure.check(env)
    load_before = os.getloadavg()[0]
    samples = measure.measure(env, options.rounds, options.warmup)
    facts["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    result: results.EnvResult = {
        "facts": facts,
        "pythonpath": env.pythonpath,
        "summary": {command: measure.summarize(values) for command, values in samples.items()},
        "samples": samples,
        "opened": measure.opened(env),
        "syscalls": measure.syscalls(env),
    }
    if env.extension and not options.no_extension:
        result["extension"] = measure.extension_view(env, options.extension_rounds, options.warmup)
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=30, help="measured rounds per environment (at least 20)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--only", help="comma-separated environment names (base-3.8, base-pypy3.9, large-3.12, ...)")
    parser.add_argument("--extension-rounds", type=int, default=25, help="rounds of the extension's view in Node")
    parser.add_argument("--no-extension", action="store_true", help="skip the extension's view (no Node needed)")
    parser.add_argument("--no-write", action="store_true", help="print the tables; leave results and docs alone")
    parser.add_argument("--render-only", action="store_true", help="rewrite the tables and plot from summary.json")
    options = parser.parse_args(argv)
    if options.render_only:
        publish(results.load(SUMMARY))
        return 0
    if options.rounds < 20 and not options.no_write:
        parser.error("fewer than 20 rounds only with --no-write")
    if os.name == "nt":
        raise SystemExit("bench: POSIX only (posix_spawn, wait4)")
    measure.build_tools()
    measure.make_stages()
    only = set(options.only.split(",")) if options.only else None
    run: results.Results = {
        "machine": measure.machine(),
        "rounds": options.rounds,
        "warmup": options.warmup,
        "command": "python3 noxfile.py -s bench",
        "envs": {env.name: measure_env(env, options) for env in environments_to_run(only)},
    }
    print(render.tables(run))
    if not options.no_write:
        if only is not None:  # keep the other environments' results: with their samples where this machine has them
            previous = results.load(RESULTS if RESULTS.exists() else SUMMARY)
            previous["envs"].update(run["envs"])
            previous["machine"] = run["machine"]
            run = previous
        results.save(run, RESULTS)
        results.save(results.summary(run), SUMMARY)
        publish(run)
    return 0


def publish(run: results.Results) -> None:
    """BENCHMARKS.md's tables and bench/scaling.png from *run*."""
    render.plot(run)
    render.write_doc(render.tables(run))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
