// The integration recipe as code. The three interfaces stand for the parts of the `vscode` API,
// of the Python extension's API and of the extension's telemetry client this needs.
import { type BlockWatcher, issueFormUrl, ProbeCache, probeReport } from "../src/index.js";

/** The `vscode` events that can turn telemetry on; `vscode` itself is one. */
export interface TelemetryEvents {
  readonly env: { onDidChangeTelemetryEnabled(listener: () => void): unknown };
  readonly workspace: {
    onDidChangeConfiguration(listener: (event: { affectsConfiguration(section: string): boolean }) => void): unknown;
  };
}

/** What resolveEnvironment() answers, as far as this needs it. */
type ResolvedEnvironment = { readonly executable: { readonly uri?: { readonly fsPath: string } } };

export interface PythonEnvironments {
  getActiveEnvironmentPath(): { readonly path: string };
  resolveEnvironment(path: string): Promise<ResolvedEnvironment | undefined>;
  onDidChangeActiveEnvironmentPath(listener: () => void): unknown;
}

export interface Telemetry {
  isEnabled(): boolean; // telemetry.telemetryLevel and fastapi.telemetry.enabled both allow it
  setVersions(context: Readonly<Record<string, unknown>>): void; // spread into every event
}

/**
 * From activate(), not awaited: the block follows the active interpreter, its environment (a
 * `pip install` shows in the next events, no reload) and telemetry's consent. *storageDir* is
 * `context.globalStorageUri.fsPath`: the cache there spares a Python process per window while
 * nothing the block depends on changed.
 */
export function followInterpreter(
  vscode: TelemetryEvents,
  environments: PythonEnvironments,
  telemetry: Telemetry,
  bundleDir: string,
  storageDir: string,
): { dispose(): void } {
  const cache = new ProbeCache(storageDir, bundleDir);
  let wanted: string | undefined;
  let watcher: BlockWatcher | undefined;
  const stopWatching = (): void => {
    watcher?.dispose();
    watcher = undefined;
  };
  const update = async (): Promise<void> => {
    if (!telemetry.isEnabled()) return stopWatching(); // consent first: no process, no watcher
    const active = await environments.resolveEnvironment(environments.getActiveEnvironmentPath().path);
    const python = active?.executable.uri?.fsPath;
    wanted = python;
    stopWatching();
    if (python === undefined) return telemetry.setVersions({});
    const { block } = await cache.get(python); // no process while nothing it depends on changed
    if (wanted !== python || !telemetry.isEnabled()) return; // a later switch wins
    telemetry.setVersions(block ?? {});
    stopWatching(); // a concurrent update may have started one
    watcher = cache.watch(python, (changed) => {
      if (wanted === python && telemetry.isEnabled()) telemetry.setVersions(changed ?? {});
    });
  };
  void update();
  environments.onDidChangeActiveEnvironmentPath(() => void update());
  // Telemetry turned on (or off) later: VS Code's own setting, or the extension's.
  vscode.env.onDidChangeTelemetryEnabled(() => void update());
  vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration("fastapi.telemetry.enabled")) void update();
  });
  return { dispose: stopWatching }; // push it to context.subscriptions
}

/** The "Report Issue…" command opens this: the bug form, prefilled when the report answers. */
export async function reportIssueUrl(python: string, bundleDir: string): Promise<string> {
  const report = await probeReport(python, bundleDir);
  return issueFormUrl(report ?? {}, "https://github.com/fastapi/fastapi-vscode/issues/new");
}
