// What the block's answer depends on: the line `python -m probe --paths` prints right after the
// block (this client's README, "Keeping it fresh"). It holds paths: it is for the local cache
// only, never for an event.

import { FRAME_PREFIX } from "./probe.js";

/** The `probe_dependencies_version` this module reads; a line with another is no line. */
export const DEPENDENCIES_VERSION = 1;

/** The line after the block starts with this. */
export const DEPENDENCIES_PREFIX = '{"probe_dependencies_version":';

/**
 * The environment variables the probe names as shaping `sys.path` (probe/dependencies.py's
 * ENVIRONMENT, in its order): the cache is keyed by their values. The tests hold the two lists equal.
 */
export const DEPENDENCY_ENVIRONMENT = [
  "PYTHONPATH",
  "PYTHONHOME",
  "PYTHONUSERBASE",
  "PYTHONNOUSERSITE",
  "PYTHONPLATLIBDIR",
  "PYTHONSAFEPATH",
  "PYTHONEXECUTABLE",
  "__PYVENV_LAUNCHER__",
  "HOME",
  "APPDATA",
] as const;

export type DependencyKind = "file" | "directory" | "other" | "absent";

/** One path as the probe saw it: absent, or its kind, mtime (ns), size and inode. */
export interface Dependency {
  readonly path: string;
  readonly kind: DependencyKind;
  readonly mtime_ns?: number;
  readonly size?: number;
  readonly inode?: number;
}

/** The whole line. */
export interface Dependencies {
  readonly probe_dependencies_version: number;
  /** The variables of {@link DEPENDENCY_ENVIRONMENT} as the probe got them (null: not set). */
  readonly environment: Readonly<Record<string, string | null>>;
  readonly paths: readonly Dependency[];
}

const KINDS: readonly string[] = ["file", "directory", "other", "absent"];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isDependency(value: unknown): value is Dependency {
  if (!isObject(value) || typeof value["path"] !== "string" || value["path"] === "") return false;
  if (typeof value["kind"] !== "string" || !KINDS.includes(value["kind"])) return false;
  if (value["kind"] === "absent") return true;
  return ["mtime_ns", "size", "inode"].every((key) => typeof value[key] === "number");
}

/**
 * The dependency line of a `--paths` run: the line right after the block's (the block's framing
 * rule picks that one), when it is of this {@link DEPENDENCIES_VERSION} and well formed. Nothing a
 * start-up hook printed can stand in for it: hooks print before the block, and the probe writes
 * nothing after this line. Numbers above 2^53 lose precision in JSON.parse, so the raw text of
 * `mtime_ns` and `inode` is read again as bigint by {@link exactNumbers}.
 */
export function frameDependencies(stdout: string): { dependencies: Dependencies; exact: ExactNumbers[] } | undefined {
  const lines = stdout.split(/\r?\n/);
  let index = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]?.startsWith(FRAME_PREFIX)) {
      index = i;
      break;
    }
  }
  const line = index === -1 ? undefined : lines[index + 1];
  if (line === undefined || !line.startsWith(DEPENDENCIES_PREFIX)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || parsed["probe_dependencies_version"] !== DEPENDENCIES_VERSION) return undefined;
  const { environment, paths } = parsed;
  if (!isObject(environment) || !Array.isArray(paths) || !paths.every(isDependency)) return undefined;
  if (!Object.values(environment).every((value) => value === null || typeof value === "string")) return undefined;
  const exact = exactNumbers(line);
  if (exact.length !== paths.length) return undefined;
  return { dependencies: parsed as unknown as Dependencies, exact };
}

/** A path's `mtime_ns`, `size` and `inode` as written, exactly (undefined for an absent path). */
export interface ExactNumbers {
  readonly mtimeNs?: bigint;
  readonly size?: bigint;
  readonly inode?: bigint;
}

// Each path object is flat and its keys are written in this order (probe/dependencies.py's
// describe()); a path's own text cannot hold `"kind":` unescaped after its closing quote.
const PATH_OBJECT = /\{"path":"(?:[^"\\]|\\.)*","kind":"[a-z]+"(?:,"mtime_ns":(-?\d+),"size":(\d+),"inode":(\d+))?\}/g;

/** The numbers of each path object in the line's text, in order, as bigints. */
function exactNumbers(line: string): ExactNumbers[] {
  return [...line.matchAll(PATH_OBJECT)].map((match) =>
    match[1] === undefined
      ? {}
      : { mtimeNs: BigInt(match[1]), size: BigInt(match[2] ?? "0"), inode: BigInt(match[3] ?? "0") },
  );
}
