// The extension's telemetry client, reduced to what the probe touches: consent, the context spread
// into every event, and where events go. Nothing is sent anywhere: each event is appended as one
// JSON line to the file FASTAPI_PROBE_EVENTS names (the tests read it), or dropped.

import { appendFileSync } from "node:fs";
import * as vscode from "vscode";

export type Properties = Readonly<Record<string, unknown>>;

/** Consent: VS Code's `telemetry.telemetryLevel` and the extension's `fastapi.telemetry.enabled` both allow it. */
export function isTelemetryEnabled(): boolean {
  return (
    vscode.env.isTelemetryEnabled &&
    vscode.workspace.getConfiguration("fastapi.telemetry").get<boolean>("enabled", true)
  );
}

/** Where an event goes: one JSON line appended to *file*, or nowhere. */
export function fileSink(file: string | undefined): (line: string) => void {
  if (file === undefined || file === "") return () => {};
  return (line) => appendFileSync(file, line + "\n", "utf8");
}

export class Telemetry {
  constructor(
    private readonly sink: (line: string) => void,
    private readonly common: Properties,
  ) {}

  /** Sends *name* with the common properties, the probe's *block* and *properties*; nothing without consent. */
  track(name: string, block: Properties, properties: Properties = {}): void {
    if (!isTelemetryEnabled()) return;
    this.sink(JSON.stringify({ event: name, properties: { ...this.common, ...block, ...properties } }));
  }
}
