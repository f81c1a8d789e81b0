// The probe's block for each workspace folder's interpreter, only with consent: from the cache in
// the extension's storage folder while nothing the block depends on changed (no Python process),
// and followed by a watcher while a folder uses it (a `pip install` shows in the next events).

import { PythonExtension } from "@vscode/python-extension";
import * as vscode from "vscode";
import { type BlockWatcher, type ProbeBlock, ProbeCache } from "../../typescript/src/index.js";

/** The part of the Python extension's environments API this needs. */
export type Environments = Pick<
  PythonExtension["environments"],
  "getActiveEnvironmentPath" | "resolveEnvironment" | "onDidChangeActiveEnvironmentPath"
>;

/** A folder's block, or nothing (no interpreter, no answer yet, no block from the probe). */
export type FolderBlock = ProbeBlock | Readonly<Record<string, never>>;

const NO_FOLDER = "";

/**
 * Which block an event carries, in a multi-root workspace too: an event about a file or folder
 * carries the block of that folder's interpreter; an event about nothing in particular, the block
 * of the active editor's folder, else of the first folder. An interpreter is probed when nothing is
 * cached for it or something its block depends on changed; one that gave no complete block (a
 * timeout, an error) is not run again.
 */
export class FolderBlocks implements vscode.Disposable {
  private readonly cache: ProbeCache;
  private readonly watchers = new Map<string, BlockWatcher>(); // by interpreter path
  private readonly incomplete = new Map<string, ProbeBlock | undefined>(); // no complete block: not run again
  private readonly wanted = new Map<string, string | undefined>(); // folder -> its interpreter now
  private readonly blocks = new Map<string, FolderBlock>(); // folder -> the block of that interpreter
  private environments: Promise<Environments | undefined> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    bundleDir: string,
    storageDir: string, // context.globalStorageUri.fsPath
    private readonly allowed: () => boolean,
  ) {
    this.cache = new ProbeCache(storageDir, bundleDir);
  }

  /** Looks at every folder's interpreter again and probes those not probed yet. Never awaited. */
  refresh(): void {
    if (!this.allowed()) return this.unwatch(() => true); // no consent: no process, no watcher, not even the API
    const folders = vscode.workspace.workspaceFolders ?? [];
    for (const folder of folders.length > 0 ? folders : [undefined]) void this.update(folder);
  }

  /** The block an event about *resource* carries (see the class). */
  blockFor(resource?: vscode.Uri): FolderBlock {
    return this.blocks.get(folderKey(eventFolder(resource))) ?? {};
  }

  /** The interpreter of *resource*'s folder as the Python extension resolves it, if any. */
  async interpreter(resource?: vscode.Uri): Promise<string | undefined> {
    const environments = await this.api();
    if (environments === undefined) return undefined;
    try {
      const active = environments.getActiveEnvironmentPath(eventFolder(resource)?.uri);
      return (await environments.resolveEnvironment(active))?.executable.uri?.fsPath;
    } catch {
      return undefined; // an API that throws is no interpreter, never a failed activation
    }
  }

  dispose(): void {
    this.unwatch(() => true);
    for (const disposable of this.disposables) disposable.dispose();
  }

  private async update(folder: vscode.WorkspaceFolder | undefined): Promise<void> {
    const key = folderKey(folder);
    const python = await this.interpreter(folder?.uri);
    if (this.wanted.get(key) !== python) this.blocks.delete(key); // never the last interpreter's block
    this.wanted.set(key, python);
    const used = new Set(this.wanted.values());
    this.unwatch((interpreter) => !used.has(interpreter));
    if (python === undefined) return;
    const answer = this.incomplete.has(python) ? { block: this.incomplete.get(python) } : await this.cache.get(python); // stats only, while nothing changed; never rejects
    if (answer.block?.probe_status !== "ok") this.incomplete.set(python, answer.block); // a timeout, an error
    if (this.wanted.get(key) !== python) return; // a later switch wins
    this.blocks.set(key, answer.block ?? {});
    if (this.allowed() && !this.watchers.has(python) && !this.incomplete.has(python)) {
      const watcher = this.cache.watch(python, (block) => {
        for (const [folder, wanted] of this.wanted) if (wanted === python) this.blocks.set(folder, block ?? {});
      });
      this.watchers.set(python, watcher);
    }
  }

  /** Disposes of the watchers of the interpreters *which* picks. */
  private unwatch(which: (python: string) => boolean): void {
    for (const [python, watcher] of this.watchers) {
      if (which(python)) {
        watcher.dispose();
        this.watchers.delete(python);
      }
    }
  }

  /** The Python extension's API, asked for once, the first time consent allows it. */
  private api(): Promise<Environments | undefined> {
    this.environments ??= PythonExtension.api().then(
      (api) => {
        this.disposables.push(api.environments.onDidChangeActiveEnvironmentPath(() => this.refresh()));
        return api.environments;
      },
      () => undefined, // not installed or disabled: events go out without the block
    );
    return this.environments;
  }
}

function folderKey(folder: vscode.WorkspaceFolder | undefined): string {
  return folder?.uri.toString() ?? NO_FOLDER;
}

function eventFolder(resource: vscode.Uri | undefined): vscode.WorkspaceFolder | undefined {
  const editor = vscode.window.activeTextEditor?.document.uri;
  const folder = (uri: vscode.Uri | undefined) =>
    uri === undefined ? undefined : vscode.workspace.getWorkspaceFolder(uri);
  return folder(resource) ?? folder(editor) ?? vscode.workspace.workspaceFolders?.[0];
}
