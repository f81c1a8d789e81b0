// The integration recipe as code. The three interfaces stand for the parts of the `vscode` API,
// of the Python extension's API and of the extension's telemetry client this needs.
import { issueFormUrl, type ProbeBlock, probePython, probeReport } from "../src/index.js";

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

const blocks = new Map<string, Promise<ProbeBlock | undefined>>(); // one run per interpreter

/** From activate(), not awaited: the block follows the active interpreter, and telemetry's consent. */
export function followInterpreter(
  vscode: TelemetryEvents,
  environments: PythonEnvironments,
  telemetry: Telemetry,
  bundleDir: string,
): void {
  let wanted: string | undefined;
  const update = async (): Promise<void> => {
    if (!telemetry.isEnabled()) return;
    const active = await environments.resolveEnvironment(environments.getActiveEnvironmentPath().path);
    const python = active?.executable.uri?.fsPath;
    wanted = python;
    if (python === undefined) return telemetry.setVersions({});
    if (!blocks.has(python)) blocks.set(python, probePython(python, bundleDir));
    const block = await blocks.get(python);
    if (wanted === python) telemetry.setVersions(block ?? {}); // a later switch wins
  };
  void update();
  environments.onDidChangeActiveEnvironmentPath(() => void update());
  // Telemetry turned on later: VS Code's own setting, or the extension's.
  vscode.env.onDidChangeTelemetryEnabled(() => void update());
  vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration("fastapi.telemetry.enabled")) void update();
  });
}

/** The "Report Issue…" command opens this: the bug form, prefilled when the report answers. */
export async function reportIssueUrl(python: string, bundleDir: string): Promise<string> {
  const report = await probeReport(python, bundleDir);
  return issueFormUrl(report ?? {}, "https://github.com/fastapi/fastapi-vscode/issues/new");
}
