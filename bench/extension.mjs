// The extension's own view of the probe: from one Node process, what the extension does today
// (six parallel execFile calls, each `python -c "import X; print(X.__version__)"`, awaited with
// Promise.allSettled) against what it would do (one `python -m probe` from the bundle folder).
//
//     node bench/extension.mjs CONFIG.json      # prints one JSON object (see bench/results.py, ExtensionView)
//
// CONFIG: {"python", "bundle", "rusage", "modules", "rounds", "warmup"}. The children inherit this
// process's environment; bench/measure.py sets it as for every other command.
//
// A round runs four variants, starting one further along each round (drift falls on all alike):
// the six and the probe as the extension would call them (their wall time: from the call to the
// settled promise, performance.now()), and the same two with each child started through
// bench/rusage (its CPU time: user + system from wait4(), the only honest source, since Node's
// process.cpuUsage() and process.resourceUsage() are its own and a child's /proc entry is gone
// when execFile calls back). The wrapped rounds' wall time is kept too, to show what the wrapper
// adds.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));

/** Runs one child like the extension: resolves to {ok, stderr}, never rejects. */
function run(file, args, options) {
  return new Promise((resolve) => {
    execFile(file, args, options, (error, stdout, stderr) => resolve({ ok: !error, stderr }));
  });
}

/** The CPU time in ms that bench/rusage reported at the end of a child's stderr. */
function childCpu(stderr) {
  const line = stderr.split("\n").findLast((candidate) => candidate.startsWith("\0rusage "));
  if (line === undefined) throw new Error(`no rusage line in ${JSON.stringify(stderr.slice(-300))}`);
  const [, , utime, stime] = line.split(" ");
  return (Number(utime) + Number(stime)) / 1000;
}

/** The extension's six processes; with `wrapped`, each started through bench/rusage. */
async function six(wrapped) {
  const calls = config.modules.map((name) => {
    const args = ["-c", `import ${name}; print(${name}.__version__)`];
    return wrapped
      ? run(config.rusage, [config.python, ...args], { timeout: 5000 })
      : run(config.python, args, { timeout: 5000 });
  });
  return Promise.allSettled(calls).then((settled) => settled.map((outcome) => outcome.value));
}

/** The probe, as README's "Calling it" says; with `wrapped`, through bench/rusage. */
async function probe(wrapped) {
  const options = { cwd: config.bundle, timeout: 5000, windowsHide: true };
  const args = ["-m", "probe"];
  const done = wrapped
    ? await run(config.rusage, [config.python, ...args], options)
    : await run(config.python, args, options);
  return [done];
}

const variants = [
  ["six", () => six(false)],
  ["probe", () => probe(false)],
  ["six_wrapped", () => six(true)],
  ["probe_wrapped", () => probe(true)],
];
const out = {
  six_wall: [],
  probe_wall: [],
  six_cpu: [],
  probe_cpu: [],
  six_wrapped_wall: [],
  probe_wrapped_wall: [],
  six_failed: 0,
  probe_failed: 0,
  node: process.version,
  rounds: config.rounds,
  warmup: config.warmup,
};

for (let round = 0; round < config.warmup + config.rounds; round++) {
  const shift = round % variants.length;
  for (const [name, start] of [...variants.slice(shift), ...variants.slice(0, shift)]) {
    const begin = performance.now();
    const children = await start();
    const wall = performance.now() - begin;
    if (round < config.warmup) continue;
    out[`${name}_wall`].push(Math.round(wall * 1000) / 1000);
    const kind = name.split("_")[0];
    if (name.endsWith("_wrapped")) {
      const cpu = children.reduce((sum, child) => sum + childCpu(child.stderr), 0);
      out[`${kind}_cpu`].push(Math.round(cpu * 1000) / 1000);
    } else {
      out[`${kind}_failed`] += children.filter((child) => !child.ok).length;
    }
  }
}
process.stdout.write(JSON.stringify(out) + "\n");
