// Watching what a block depends on while the window is open: Node's fs.watch on the folders that
// hold the dependencies, a burst of events (a pip install touches hundreds of files) debounced into
// one check, and the listener told only when the block changed.

import { type FSWatcher, watch } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { ProbeBlock } from "./block.js";
import { RACY_WINDOW_NS } from "./cache.js";
import type { FreshAnswer } from "./fresh.js";

export interface WatchOptions {
  /** Quiet time after the last event before the check (vscode-python-environments uses 500 ms). Default 500. */
  readonly debounceMs?: number;
}

const DEFAULT_DEBOUNCE_MS = 500;
/** Events that never pause (a log written every 100 ms in a watched folder) still get a check this often. */
export const MAX_WAIT_MS = 5000;
/** The most folders one watcher set watches; what lies beyond is still checked by every request. */
export const MAX_WATCHED = 256;

/**
 * The folders to watch for *paths*: each folder itself, a file's folder, an absent path's nearest
 * existing ancestor; each with its inode, so that a folder deleted and created again is watched anew.
 */
export async function foldersToWatch(paths: readonly string[]): Promise<Map<string, number>> {
  const folders = new Map<string, number>();
  for (const file of paths) {
    let candidate = file;
    for (;;) {
      const stats = await fs.stat(candidate).catch(() => undefined);
      if (stats?.isDirectory() === true) {
        if (folders.size < MAX_WATCHED) folders.set(candidate, stats.ino);
        break;
      }
      // A file's changes show in its folder's events (in place, or replaced by a rename); an
      // absent path's creation in its nearest existing ancestor's.
      const parent = path.dirname(candidate);
      if (parent === candidate) break;
      candidate = parent;
    }
  }
  return folders;
}

/** One interpreter's watcher set; see ProbeCache.watch. */
export class BlockWatcher {
  readonly #check: () => Promise<{ answer: FreshAnswer; paths: readonly string[] }>;
  readonly #listener: (block: ProbeBlock | undefined) => void;
  readonly #debounceMs: number;
  readonly #watchers = new Map<string, { watcher: FSWatcher; ino: number }>();
  #timer: NodeJS.Timeout | undefined;
  #recheck: NodeJS.Timeout | undefined;
  #running = false;
  #pending = false;
  #events = 0; // file system events seen, to tell whether any came during a check
  #burst: number | undefined; // when the first event since the last reported check came (Date.now())
  #disposed = false;
  #last: string | undefined;
  /** How many checks ran, and how many of them ran the probe (for tests and the benchmark). */
  checks = 0;
  probes = 0;
  /** Settles when the first answer is known and the first watchers are set. */
  readonly ready: Promise<void>;

  constructor(
    check: () => Promise<{ answer: FreshAnswer; paths: readonly string[] }>,
    listener: (block: ProbeBlock | undefined) => void,
    options: WatchOptions,
    initial?: { answer: FreshAnswer; paths: readonly string[] },
  ) {
    this.#check = check;
    this.#listener = listener;
    this.#debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    if (initial === undefined) {
      this.ready = this.#refresh(false);
    } else if (initial.paths.length === 0) {
      // No complete answer (a timeout, no interpreter): nothing to watch, and no second run of
      // what was slow or failed a moment ago.
      this.#last = JSON.stringify(initial.answer.block);
      this.ready = Promise.resolve();
    } else {
      // The caller's last answer is the block to compare with. Once the watchers are set, one check
      // (stats, no process while nothing changed) sees what changed before they were.
      this.#last = JSON.stringify(initial.answer.block);
      this.ready = this.#arm(initial.paths).then(
        () => this.#refresh(true),
        () => this.#refresh(true),
      );
    }
  }

  /** The folders watched now. */
  get watched(): readonly string[] {
    return [...this.#watchers.keys()];
  }

  /** Stops every watcher and timer; no listener call follows. */
  dispose(): void {
    this.#disposed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#recheck);
    for (const { watcher } of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
  }

  /** A file system event: count it, and check once the burst is over. */
  #changed(): void {
    this.#events += 1;
    this.#burst ??= Date.now();
    this.#schedule();
  }

  /** Whether events have kept coming for {@link MAX_WAIT_MS}: then a check runs, and reports, anyway. */
  #overdue(): boolean {
    return this.#burst !== undefined && Date.now() - this.#burst >= MAX_WAIT_MS;
  }

  #schedule(): void {
    if (this.#disposed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#refresh(true), this.#overdue() ? 0 : this.#debounceMs);
  }

  async #refresh(notify: boolean): Promise<void> {
    if (this.#disposed) return;
    if (this.#running) {
      this.#pending = true; // events during a check: check again after it
      return;
    }
    this.#running = true;
    const events = this.#events;
    try {
      const { answer, paths } = await this.#check();
      this.checks += 1;
      if (answer.from === "probe") this.probes += 1;
      if (answer.from === "probe" && answer.stored === true) {
        // An entry stored within the racy window of a change is checked again by the next request;
        // doing it here, once the window has passed, spares that request (a restart) its process.
        clearTimeout(this.#recheck);
        this.#recheck = setTimeout(() => void this.#refresh(true), Number(RACY_WINDOW_NS / 1_000_000n) + 200);
        this.#recheck.unref();
      }
      if (this.#disposed) return;
      await this.#arm(paths);
      // Events during the check (an install still going on): its answer may be of a state halfway
      // through, so it is not reported; the check they scheduled reports the state they end in.
      if (this.#events !== events && !this.#overdue()) return;
      this.#burst = undefined;
      const text = JSON.stringify(answer.block);
      const changed = text !== this.#last;
      this.#last = text;
      if (changed && notify && !this.#disposed) this.#listener(answer.block);
    } catch {
      // A check never rejects; a listener that throws must not stop the watcher.
    } finally {
      this.#running = false;
    }
    if (this.#pending) {
      this.#pending = false;
      this.#schedule();
    }
  }

  /** Watch exactly the folders of *paths*: new ones added, ones no longer needed closed. */
  async #arm(paths: readonly string[]): Promise<void> {
    const wanted = await foldersToWatch(paths);
    if (this.#disposed) return;
    for (const [folder, { watcher, ino }] of this.#watchers) {
      if (wanted.get(folder) !== ino) {
        watcher.close();
        this.#watchers.delete(folder);
      }
    }
    for (const [folder, ino] of wanted) {
      if (this.#watchers.has(folder)) continue;
      try {
        const watcher = watch(folder, { persistent: false }, () => this.#changed());
        watcher.on("error", () => {
          // The folder went away (a venv deleted): stop watching it, and check what changed.
          watcher.close();
          if (this.#watchers.get(folder)?.watcher === watcher) this.#watchers.delete(folder);
          this.#schedule();
        });
        this.#watchers.set(folder, { watcher, ino });
      } catch {
        // Not watchable (gone since, no permission, no inotify watches left): requests still check it.
      }
    }
  }
}
