// The cached client's cost, from Node as the extension calls it (bench/fresh.py runs this).
//
//     node bench/fresh.mjs CONFIG.json     # prints one JSON object
//
// CONFIG: {"python", "bundle", "client", "storage", "env", "rounds", "warmup", "mode"}.
// mode "rounds": interleaved rounds of three variants, each from the call to the settled promise
// (performance.now()): `probe` (probePython: one `python -m probe`, as the extension runs it today),
// `revalidate` (ProbeCache.get on an unchanged environment: stats, no process) and `miss` (ProbeCache.get
// with nothing cached: `python -m probe --paths`, the stats after it and the write). Each round starts one
// variant further along, so that drift falls on all alike.
// mode "first": one ProbeCache.get or one probePython in this fresh process (the first request after a
// restart, the cache on disk), by config.variant; "cache-warm-node" first does what any extension host
// has done before (file system calls of each kind the cache makes, a hash) on other files, to tell
// Node's own first-use costs (its internal modules, libuv's thread pool) from the cache's.
// mode "watch": the cost of one watcher set: file descriptors, RSS and heap before and after.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { open, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const client = await import(pathToFileURL(path.join(config.client, "index.js")).href);
const options = { env: config.env };

async function timed(call) {
  const started = performance.now();
  const value = await call();
  return { ms: performance.now() - started, value };
}

function openFds() {
  return readdirSync("/proc/self/fd").length;
}

/** The inotify watches this process holds (Linux): the `inotify wd:` lines of its descriptors' fdinfo. */
function inotifyWatches() {
  let count = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      count += readFileSync(`/proc/self/fdinfo/${fd}`, "utf8")
        .split("\n")
        .filter((line) => line.startsWith("inotify wd:")).length;
    } catch {
      // closed since the listing
    }
  }
  return count;
}

if (config.mode === "rounds") {
  const cache = new client.ProbeCache(config.storage, config.bundle, options);
  const primed = await cache.get(config.python);
  if (!primed.stored && primed.from !== "cache") throw new Error(`nothing stored: ${JSON.stringify(primed)}`);
  let miss = 0;
  const variants = [
    ["probe", () => client.probePython(config.python, config.bundle, options)],
    ["revalidate", () => cache.get(config.python)],
    [
      "miss",
      () => {
        const storage = path.join(config.storage, `miss-${miss++}`);
        return new client.ProbeCache(storage, config.bundle, options).get(config.python).finally(() => {
          rmSync(storage, { recursive: true, force: true });
        });
      },
    ],
  ];
  const out = { probe: [], revalidate: [], miss: [], revalidate_from: {}, node: process.version };
  for (let round = 0; round < config.warmup + config.rounds; round++) {
    for (let index = 0; index < variants.length; index++) {
      const [name, call] = variants[(index + round) % variants.length];
      const { ms, value } = await timed(call);
      if (round < config.warmup) continue;
      if (name === "revalidate") {
        // Only answers from the cache are revalidation; one that ran the probe (a dependency's ctime
        // moved: another environment hard-linked the same file from uv's cache) is counted apart.
        const why = `${value.from}:${value.reason}`;
        out.revalidate_from[why] = (out.revalidate_from[why] ?? 0) + 1;
        if (value.from !== "cache") continue;
      }
      out[name].push(ms);
    }
  }
  process.stdout.write(JSON.stringify(out));
} else if (config.mode === "first") {
  if (config.variant === "cache-warm-node") {
    // What an extension host has done before any extension activates: fs calls (libuv's thread
    // pool started) and a hash (OpenSSL's digests loaded). Nothing of the cache's own.
    await stat(config.bundle);
    const handle = await open(path.join(config.bundle, "probe", "__init__.py"), "r");
    await handle.read(Buffer.alloc(64), 0, 64, 0);
    await handle.close();
    await writeFile(path.join(config.storage, "warm.tmp"), "warm");
    await rename(path.join(config.storage, "warm.tmp"), path.join(config.storage, "warm.txt"));
    createHash("sha256").update("warm").digest("hex");
  }
  const call =
    config.variant === "probe"
      ? () => client.probePython(config.python, config.bundle, options)
      : () => new client.ProbeCache(config.storage, config.bundle, options).get(config.python);
  const { ms, value } = await timed(call);
  process.stdout.write(JSON.stringify({ ms, from: config.variant === "probe" ? "probe" : value.from }));
} else if (config.mode === "watch") {
  const cache = new client.ProbeCache(config.storage, config.bundle, options);
  await cache.get(config.python);
  globalThis.gc?.();
  const before = { fds: openFds(), watches: inotifyWatches(), memory: process.memoryUsage() };
  const watcher = cache.watch(config.python, () => {});
  await watcher.ready;
  globalThis.gc?.();
  const after = { fds: openFds(), watches: inotifyWatches(), memory: process.memoryUsage() };
  const folders = watcher.watched.length;
  watcher.dispose();
  globalThis.gc?.();
  const disposed = { fds: openFds(), watches: inotifyWatches(), memory: process.memoryUsage() };
  process.stdout.write(JSON.stringify({ folders, before, after, disposed }));
}
