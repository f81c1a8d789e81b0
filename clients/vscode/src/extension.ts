// The reference extension: what the FastAPI extension does with the probe, with the real `vscode`
// API (clients/typescript/README.md, "Integration recipe"). Activation starts the probe and returns; nothing awaits it.

import * as path from "node:path";
import * as vscode from "vscode";
import { issueFormUrl, probeReport } from "../../typescript/src/index.js";
import { FolderBlocks } from "./blocks.js";
import { fileSink, isTelemetryEnabled, Telemetry } from "./telemetry.js";

const NEW_ISSUE_URL = "https://github.com/fastapi/fastapi-vscode/issues/new";
/** The folder beside dist/ that holds probe/, copied from tools/bundle.py's build/bundle/. */
const BUNDLE_FOLDER = "probe-bundle";

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const bundleDir = path.join(context.extensionPath, BUNDLE_FOLDER);
  const telemetry = new Telemetry(fileSink(process.env["FASTAPI_PROBE_EVENTS"]), {
    client: vscode.env.appName,
    os_platform: process.platform,
    cpu_arch: process.arch,
    extension_version: String(context.extension.packageJSON["version"]),
  });
  const blocks = new FolderBlocks(bundleDir, context.globalStorageUri.fsPath, isTelemetryEnabled);
  blocks.refresh(); // not awaited: events sent before it answers go out without the block's keys
  context.subscriptions.push(
    blocks,
    // Telemetry turned on later, by VS Code's setting or the extension's own: probe then.
    vscode.env.onDidChangeTelemetryEnabled(() => blocks.refresh()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("fastapi.telemetry.enabled")) blocks.refresh();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => blocks.refresh()),
    vscode.commands.registerCommand("fastapi-probe.reportIssue", async () => {
      const url = await reportIssueUrl(await blocks.interpreter(), bundleDir);
      telemetry.track("command.reportIssue", blocks.blockFor());
      void vscode.env.openExternal(vscode.Uri.parse(url)); // not awaited: it may wait for the user
      return url;
    }),
    // How the extension's features send events; the tests send theirs through it.
    vscode.commands.registerCommand("fastapi-probe.track", (name: string, resource?: string) => {
      const uri = resource === undefined ? undefined : vscode.Uri.file(resource);
      telemetry.track(name, blocks.blockFor(uri));
    }),
  );
  telemetry.track("extension.activated", blocks.blockFor(), {
    activation_ms: Math.round(performance.now() - started),
  });
}

export function deactivate(): void {}

/** The bug form, prefilled from `--report --json` of *python* when there is one; needs no consent. */
async function reportIssueUrl(python: string | undefined, bundleDir: string): Promise<string> {
  const report = python === undefined ? undefined : await probeReport(python, bundleDir);
  return issueFormUrl(report ?? {}, NEW_ISSUE_URL);
}
