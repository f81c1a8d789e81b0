// The cache's files: one JSON file per interpreter (and environment), in a folder the extension owns
// (its globalStorageUri), read back only when every check passes. It holds paths, so it stays on the
// user's machine: nothing here is ever sent.

import { createHash, randomBytes } from "node:crypto";
import type { BigIntStats } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { ProbeBlock } from "./block.js";
import type { DependencyKind } from "./dependencies.js";
import { frameBlock } from "./probe.js";

/** What a file of this cache says it is; a file that says anything else is not read. */
export const CACHE_FORMAT = "fastapi-probe-cache";
/** Raised whenever the file's shape changes: a file of another version is ignored and rewritten. */
export const CACHE_VERSION = 1;
/** The most files the folder keeps (one per interpreter and environment); the least recently used go first. */
export const MAX_ENTRIES = 64;
/** A bigger file is not read, and an entry that would be bigger is not written (the probe then runs every time). */
export const MAX_ENTRY_BYTES = 1024 * 1024;
/**
 * A change whose timestamps are this close to the probe's start (or later) is not trusted to show
 * in them: a second change within the same tick of the file system's clock (2 s on FAT, 1 s on HFS+,
 * milliseconds elsewhere) leaves mtime and ctime as they were. Such an entry is checked by a new run.
 */
export const RACY_WINDOW_NS = 2_000_000_000n;
/** The subfolder of the caller's folder that holds the files. */
export const CACHE_FOLDER = "probe-cache";

/** What a cached block is for: the same interpreter, bundle, names asked for and environment. */
export interface CacheKey {
  readonly python: string;
  readonly bundleDir: string;
  readonly distributions: readonly string[];
  /** The values of the variables that shape `sys.path` (DEPENDENCY_ENVIRONMENT), null when unset. */
  readonly environment: Readonly<Record<string, string | null>>;
}

/** One dependency as Node's stat saw it; the numbers are bigints written as decimal strings. */
export interface Signature {
  readonly path: string;
  readonly kind: DependencyKind;
  readonly mtimeNs?: string;
  readonly ctimeNs?: string;
  readonly size?: string;
  readonly ino?: string;
  readonly dev?: string;
}

export interface CacheEntry {
  readonly key: CacheKey;
  /** The wall clock (ns since the epoch) just before the probe that produced the block started. */
  readonly recordedNs: string;
  readonly block: ProbeBlock;
  readonly paths: readonly Signature[];
}

/** The folder of the cache files inside the caller's *storageDir*. */
export function cacheFolder(storageDir: string): string {
  return path.join(storageDir, CACHE_FOLDER);
}

/** The file that holds *key*'s entry: a hash of the key, so that no path appears in a file name. */
export function entryFile(storageDir: string, key: CacheKey): string {
  const digest = createHash("sha256").update(JSON.stringify(key)).digest("hex");
  return path.join(cacheFolder(storageDir), `${digest.slice(0, 40)}.json`);
}

function checksum(body: unknown): string {
  return createHash("sha256").update(JSON.stringify(body)).digest("hex");
}

function kindOf(stats: BigIntStats): DependencyKind {
  if (stats.isDirectory()) return "directory";
  return stats.isFile() ? "file" : "other";
}

/** *file* as Node's stat (following links) sees it now; any failure is "absent". Never rejects. */
export async function signature(file: string): Promise<Signature> {
  try {
    const stats = await fs.stat(file, { bigint: true });
    return {
      path: file,
      kind: kindOf(stats),
      mtimeNs: stats.mtimeNs.toString(),
      ctimeNs: stats.ctimeNs.toString(),
      size: stats.size.toString(),
      ino: stats.ino.toString(),
      dev: stats.dev.toString(),
    };
  } catch {
    return { path: file, kind: "absent" };
  }
}

/** Whether two signatures describe the same state: every field equal. */
export function sameSignature(a: Signature, b: Signature): boolean {
  return (
    a.path === b.path &&
    a.kind === b.kind &&
    a.mtimeNs === b.mtimeNs &&
    a.ctimeNs === b.ctimeNs &&
    a.size === b.size &&
    a.ino === b.ino &&
    a.dev === b.dev
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const DECIMAL = /^-?[0-9]{1,40}$/;
const KINDS: readonly string[] = ["file", "directory", "other", "absent"];

function isSignature(value: unknown): value is Signature {
  if (!isObject(value) || typeof value["path"] !== "string" || typeof value["kind"] !== "string") return false;
  if (!KINDS.includes(value["kind"])) return false;
  const numbers = ["mtimeNs", "ctimeNs", "size", "ino", "dev"];
  if (value["kind"] === "absent") return numbers.every((name) => !(name in value));
  return numbers.every((name) => typeof value[name] === "string" && DECIMAL.test(value[name]));
}

/**
 * The entry for *key*, or undefined: no file, or one that cannot be trusted (not JSON, truncated,
 * another format or version, a checksum that does not match its content, another key, a block the
 * client would not accept, a malformed path). Never rejects.
 */
export async function readEntry(storageDir: string, key: CacheKey): Promise<CacheEntry | undefined> {
  let text: string;
  try {
    const handle = await fs.open(entryFile(storageDir, key), "r");
    try {
      const buffer = Buffer.alloc(MAX_ENTRY_BYTES + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      if (bytesRead > MAX_ENTRY_BYTES) return undefined;
      text = buffer.toString("utf8", 0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
  return parseEntry(text, key);
}

/** The entry a file's *text* holds for *key*, when every check of {@link readEntry} passes. */
export function parseEntry(text: string, key: CacheKey): CacheEntry | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || parsed["format"] !== CACHE_FORMAT || parsed["version"] !== CACHE_VERSION) return undefined;
  const { checksum: sum, entry } = parsed;
  if (typeof sum !== "string" || !isObject(entry) || checksum(entry) !== sum) return undefined;
  if (JSON.stringify(entry["key"]) !== JSON.stringify(key)) return undefined;
  const { recordedNs, block, paths } = entry;
  if (typeof recordedNs !== "string" || !DECIMAL.test(recordedNs)) return undefined;
  if (!Array.isArray(paths) || !paths.every(isSignature)) return undefined;
  // The block as the client would accept it from a run: the framing rule's first key, schema version, required keys.
  const accepted = frameBlock(JSON.stringify(block));
  if (accepted === undefined) return undefined;
  return { key, recordedNs, block: accepted, paths };
}

/** The text {@link writeEntry} writes for *entry*. */
export function serializeEntry(entry: CacheEntry): string {
  const body = { key: entry.key, recordedNs: entry.recordedNs, block: entry.block, paths: entry.paths };
  return JSON.stringify({ format: CACHE_FORMAT, version: CACHE_VERSION, checksum: checksum(body), entry: body });
}

/**
 * Writes *entry* to its file by atomic replacement (a temporary file in the same folder, then
 * rename): a reader sees the old file or the new one, never half of one, and two windows writing
 * at once each leave a whole file. Then keeps at most {@link MAX_ENTRIES} files. Resolves to whether
 * the entry was written; never rejects.
 */
export async function writeEntry(storageDir: string, entry: CacheEntry): Promise<boolean> {
  const text = serializeEntry(entry);
  if (Buffer.byteLength(text) > MAX_ENTRY_BYTES) return false;
  const file = entryFile(storageDir, entry.key);
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(temporary, text, { mode: 0o600 });
    await fs.rename(temporary, file);
  } catch {
    await fs.rm(temporary, { force: true }).catch(() => {});
    return false;
  }
  await prune(path.dirname(file));
  return true;
}

/** Marks *key*'s file as just used, for {@link prune}'s order. Never rejects. */
export async function touchEntry(storageDir: string, key: CacheKey): Promise<void> {
  const now = new Date();
  await fs.utimes(entryFile(storageDir, key), now, now).catch(() => {});
}

// A temporary file older than this was left by a writer that died before its rename.
const STALE_TEMPORARY_MS = 10 * 60 * 1000;

/** Deletes the least recently used files beyond {@link MAX_ENTRIES}, and abandoned temporary files. Never rejects. */
export async function prune(folder: string): Promise<void> {
  try {
    const names = await fs.readdir(folder);
    const files = await Promise.all(
      names.map(async (name) => {
        const stats = await fs.stat(path.join(folder, name)).catch(() => undefined);
        return { name, used: stats?.mtimeMs ?? 0 };
      }),
    );
    const now = Date.now();
    const stale = files.filter((file) => file.name.endsWith(".tmp") && now - file.used > STALE_TEMPORARY_MS);
    const entries = files.filter((file) => file.name.endsWith(".json")).sort((a, b) => b.used - a.used);
    for (const file of [...stale, ...entries.slice(MAX_ENTRIES)]) {
      await fs.rm(path.join(folder, file.name), { force: true }).catch(() => {});
    }
  } catch {
    // No folder, or one that cannot be listed: nothing to prune.
  }
}
