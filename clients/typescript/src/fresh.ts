// The block, kept fresh and almost free: a cache on disk that answers without starting Python while
// nothing the answer depends on changed, and runs the probe when something did.

import type { ProbeBlock } from "./block.js";
import { RACY_WINDOW_NS } from "./cache.js";
import {
  type CacheEntry,
  type CacheKey,
  readEntry,
  sameSignature,
  type Signature,
  signature,
  touchEntry,
  writeEntry,
} from "./cache.js";
import { DEPENDENCY_ENVIRONMENT, type Dependency, type ExactNumbers, frameDependencies } from "./dependencies.js";
import { frameBlock, type ProbePythonOptions } from "./probe.js";
import { probeEnvironment, runProbe } from "./run.js";
import { BlockWatcher, type WatchOptions } from "./watch.js";

export { RACY_WINDOW_NS };

/** Stat-ing the dependencies (a stalled network mount) gets this long before the probe is run instead. */
export const REVALIDATE_GUARD_MS = 2000;

/**
 * Why an answer came from where it did. From the cache: "hit" (every dependency as recorded). From
 * a run of the probe: "no-entry" (nothing cached for this interpreter and environment, or a file
 * that could not be trusted), "changed" (a dependency differs), "racy" (a dependency changed too
 * close to the last run to trust its timestamps), "slow" (stat-ing took longer than the guard).
 */
export type Reason = "hit" | "no-entry" | "changed" | "racy" | "slow";

/** A block, and whether it came from the cache or from a run of the probe. Never holds a path. */
export interface FreshAnswer {
  /** As {@link probePython} gives it: undefined when there is no answer to use. */
  readonly block: ProbeBlock | undefined;
  readonly from: "cache" | "probe";
  readonly reason: Reason;
  /** For a run: whether its answer was stored (a complete block, its dependencies unchanged during the run). */
  readonly stored?: boolean;
}

/** Options of {@link ProbeCache}: those of {@link probePython}, for every run it makes. */
export type ProbeCacheOptions = ProbePythonOptions;

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** The value of *name* in *env*, spelled in any case on Windows, as Windows spells names. */
function lookup(env: NodeJS.ProcessEnv, name: string): string | null {
  if (process.platform !== "win32") return env[name] ?? null;
  const found = Object.keys(env).find((candidate) => candidate.toUpperCase() === name);
  return found === undefined ? null : (env[found] ?? null);
}

/** Whether Node's view of a path right after a run matches the probe's during it (kind, mtime, size, inode). */
function matchesProbe(seen: Signature, recorded: Dependency, exact: ExactNumbers): boolean {
  if (seen.kind !== recorded.kind) return false;
  if (recorded.kind === "absent") return true;
  return (
    seen.mtimeNs === exact.mtimeNs?.toString() &&
    seen.size === exact.size?.toString() &&
    seen.ino === exact.inode?.toString()
  );
}

/** Whether a signature's times fall within {@link RACY_WINDOW_NS} of *recordedNs*, or after it. */
function isRacy(seen: Signature, recordedNs: bigint): boolean {
  const limit = recordedNs - RACY_WINDOW_NS;
  return [seen.mtimeNs, seen.ctimeNs].some((time) => time !== undefined && BigInt(time) >= limit);
}

/** Resolves to *promise*'s value, or to *fallback* after *ms* milliseconds. */
function withGuard<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

/** The state of a cached entry now: "hit" when every dependency is as recorded and old enough to trust. */
async function revalidate(entry: CacheEntry): Promise<Reason> {
  const now = await Promise.all(entry.paths.map((recorded) => signature(recorded.path)));
  if (!now.every((seen, index) => sameSignature(seen, entry.paths[index] as Signature))) return "changed";
  const recordedNs = BigInt(entry.recordedNs);
  return now.some((seen) => isRacy(seen, recordedNs)) ? "racy" : "hit";
}

/**
 * The block per interpreter, cached in *storageDir* (the extension's `context.globalStorageUri`
 * folder) across windows and restarts. {@link get} stats what the last answer depended on (no
 * process) and returns the cached block when all of it is unchanged; otherwise it runs
 * `<python> -m probe --paths` and caches the new block with its dependencies.
 */
export class ProbeCache {
  readonly #inFlight = new Map<string, Promise<{ answer: FreshAnswer; paths: readonly string[] }>>();
  /** The last answer per key in this process, so that a watcher started right after a request starts from it. */
  readonly #last = new Map<string, { answer: FreshAnswer; paths: readonly string[] }>();

  constructor(
    readonly storageDir: string,
    readonly bundleDir: string,
    readonly options: ProbeCacheOptions = {},
  ) {}

  /** The cache key of *python* with this cache's options and the current environment. */
  keyFor(python: string): CacheKey {
    const env = probeEnvironment(this.options.env ?? process.env);
    const environment: Record<string, string | null> = {};
    for (const name of DEPENDENCY_ENVIRONMENT) environment[name] = lookup(env, name);
    return { python, bundleDir: this.bundleDir, distributions: [...(this.options.distributions ?? [])], environment };
  }

  /** The block for *python*: from the cache when nothing it depends on changed, else from a new run. Never rejects. */
  async get(python: string): Promise<FreshAnswer> {
    return (await this.answer(python)).answer;
  }

  /**
   * Watches what *python*'s block depends on, and calls *listener* with the new block whenever a
   * change (a burst of them debounced into one) changes it. Started after a {@link get} of the same
   * interpreter, it starts from that answer (no second check). Call it only while telemetry is
   * enabled, and dispose of it when telemetry is turned off or the interpreter is no longer used.
   */
  watch(python: string, listener: (block: ProbeBlock | undefined) => void, options: WatchOptions = {}): BlockWatcher {
    const last = this.#last.get(JSON.stringify(this.keyFor(python)));
    return new BlockWatcher(() => this.answer(python), listener, options, last);
  }

  /** {@link get}, with the dependency paths of the answer (for the watcher; never for an event). One run at a time per key. */
  answer(python: string): Promise<{ answer: FreshAnswer; paths: readonly string[] }> {
    const key = this.keyFor(python);
    const id = JSON.stringify(key);
    const running = this.#inFlight.get(id);
    if (running !== undefined) return running;
    const promise = this.#answer(python, key)
      .then((answered) => {
        this.#last.set(id, answered);
        return answered;
      })
      .finally(() => this.#inFlight.delete(id));
    this.#inFlight.set(id, promise);
    return promise;
  }

  async #answer(python: string, key: CacheKey): Promise<{ answer: FreshAnswer; paths: readonly string[] }> {
    const check = async (): Promise<{ entry: CacheEntry | undefined; reason: Reason }> => {
      const entry = await readEntry(this.storageDir, key);
      return { entry, reason: entry === undefined ? "no-entry" : await revalidate(entry) };
    };
    const { entry, reason } = await withGuard(check(), REVALIDATE_GUARD_MS, {
      entry: undefined,
      reason: "slow" as Reason,
    });
    if (entry !== undefined && reason === "hit") {
      void touchEntry(this.storageDir, key);
      return { answer: { block: entry.block, from: "cache", reason }, paths: entry.paths.map((seen) => seen.path) };
    }
    return this.#run(python, key, reason);
  }

  async #run(
    python: string,
    key: CacheKey,
    reason: Reason,
  ): Promise<{ answer: FreshAnswer; paths: readonly string[] }> {
    const recordedNs = nowNs();
    const names = this.options.distributions;
    const args = names === undefined ? ["--paths"] : ["--paths", "--", ...names];
    const stdout = await runProbe(python, this.bundleDir, args, this.options);
    const block = stdout === undefined ? undefined : frameBlock(stdout);
    const framed = stdout === undefined ? undefined : frameDependencies(stdout);
    let stored = false;
    const paths = framed?.dependencies.paths.map((dependency) => dependency.path) ?? [];
    if (block?.probe_status === "ok" && framed !== undefined && sameEnvironment(framed.dependencies.environment, key)) {
      const seen = await Promise.all(paths.map((file) => signature(file)));
      const unchanged = seen.every((now, index) =>
        matchesProbe(now, framed.dependencies.paths[index] as Dependency, framed.exact[index] as ExactNumbers),
      );
      // A dependency that changed between the probe's read and this stat would be cached in its
      // new state beside the old answer: such an answer is returned, not stored.
      if (unchanged)
        stored = await writeEntry(this.storageDir, { key, recordedNs: recordedNs.toString(), block, paths: seen });
    }
    return { answer: { block, from: "probe", reason, stored }, paths };
  }
}

/** Whether the probe saw the variables the key was made from (a start-up hook may change them). */
function sameEnvironment(seen: Readonly<Record<string, string | null>>, key: CacheKey): boolean {
  const names = Object.keys(seen);
  return (
    names.length === DEPENDENCY_ENVIRONMENT.length &&
    DEPENDENCY_ENVIRONMENT.every((name) => name in seen && seen[name] === key.environment[name])
  );
}

/**
 * {@link probePython} with a cache in *storageDir*: the cached block when nothing it depends on
 * changed (no process), else a new run's. Never rejects.
 */
export async function probePythonCached(
  python: string,
  bundleDir: string,
  storageDir: string,
  options: ProbeCacheOptions = {},
): Promise<ProbeBlock | undefined> {
  return (await new ProbeCache(storageDir, bundleDir, options).get(python)).block;
}
