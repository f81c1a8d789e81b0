// The probe's block for each workspace folder's interpreter: one run per interpreter, only with
// consent, again when the Python extension's active environment changes.

import { PythonExtension } from "@vscode/python-extension";
import * as vscode from "vscode";
import { type ProbeBlock, probePython } from "../../typescript/src/index.js";

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
 * of the active editor's folder, else of the first folder. Each interpreter is probed once.
 */
export class FolderBlocks implements vscode.Disposable {
  private readonly runs = new Map<string, Promise<ProbeBlock | undefined>>(); // by interpreter path
  private readonly wanted = new Map<string, string | undefined>(); // folder -> its interpreter now
  private readonly blocks = new Map<string, FolderBlock>(); // folder -> the block of that interpreter
  private environments: Promise<Environments | undefined> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly bundleDir: string,
    private readonly allowed: () => boolean,
  ) {}

  /** Looks at every folder's interpreter again and probes those not probed yet. Never awaited. */
  refresh(): void {
    if (!this.allowed()) return; // no consent: not even the Python extension's API is asked
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
    for (const disposable of this.disposables) disposable.dispose();
  }

  private async update(folder: vscode.WorkspaceFolder | undefined): Promise<void> {
    const key = folderKey(folder);
    const python = await this.interpreter(folder?.uri);
    if (this.wanted.get(key) !== python) this.blocks.delete(key); // never the last interpreter's block
    this.wanted.set(key, python);
    if (python === undefined) return;
    let run = this.runs.get(python);
    if (run === undefined) {
      run = probePython(python, this.bundleDir); // never rejects; undefined when there is no block
      this.runs.set(python, run); // also after a timeout or an error: not run again
    }
    const block = await run;
    if (this.wanted.get(key) === python) this.blocks.set(key, block ?? {}); // a later switch wins
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
