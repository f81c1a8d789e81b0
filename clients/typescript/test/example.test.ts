// The integration recipe (examples/extension.ts) run as the extension would run it, with stand-ins
// for the `vscode` events, the Python extension and the telemetry client, and the real bundle under
// the newest interpreter: nothing is set while telemetry is off, and the block comes once either of
// the two settings turns it on later (clients/typescript/README.md, "Integration recipe").

import assert from "node:assert/strict";
import { after, test } from "node:test";
import { followInterpreter, type PythonEnvironments, type TelemetryEvents } from "../examples/extension.js";
import { assertValidBlock, BUNDLE, newestInterpreter, temporaryDir } from "./support.js";

const { python } = newestInterpreter();
const TELEMETRY_SETTING = "fastapi.telemetry.enabled";

/** One `vscode`-style event: who listens, and a way to fire it. */
class Emitter<T> {
  readonly listeners: ((event: T) => void)[] = [];
  readonly event = (listener: (event: T) => void): void => void this.listeners.push(listener);
  fire(event: T): void {
    for (const listener of this.listeners) listener(event);
  }
}

type StandIns = ReturnType<typeof standIns>;

// What each run of the example follows with (its watcher), disposed when the file ends.
const following: { dispose(): void }[] = [];
after(() => following.forEach((each) => each.dispose()));

/** The stand-ins, telemetry off; *versions* resolves with the first context the example sets. */
function standIns() {
  const telemetryEnabled = new Emitter<boolean>();
  const configuration = new Emitter<{ affectsConfiguration(section: string): boolean }>();
  const vscode: TelemetryEvents = {
    env: { onDidChangeTelemetryEnabled: telemetryEnabled.event },
    workspace: { onDidChangeConfiguration: configuration.event },
  };
  const environments: PythonEnvironments = {
    getActiveEnvironmentPath: () => ({ path: python }),
    resolveEnvironment: async (path) => ({ executable: { uri: { fsPath: path } } }),
    onDidChangeActiveEnvironmentPath: () => undefined,
  };
  let enabled = false;
  let setVersions: (context: Readonly<Record<string, unknown>>) => void = () => {};
  const versions = new Promise<Readonly<Record<string, unknown>>>((resolve) => (setVersions = resolve));
  const calls: Readonly<Record<string, unknown>>[] = [];
  const telemetry = {
    isEnabled: () => enabled,
    setVersions: (context: Readonly<Record<string, unknown>>) => {
      calls.push(context);
      setVersions(context);
    },
  };
  following.push(followInterpreter(vscode, environments, telemetry, BUNDLE, temporaryDir()));
  const turnOn = (): void => void (enabled = true);
  return { telemetryEnabled, configuration, calls, versions, turnOn };
}

/** The first context set, or "none" once a run of the probe would long have answered. */
function firstVersions(versions: Promise<Readonly<Record<string, unknown>>>): Promise<unknown> {
  // A hang limit only: ten times the module's default timeout.
  const none = new Promise<"none">((resolve) => setTimeout(() => resolve("none"), 50_000).unref());
  return Promise.race([versions, none]);
}

/** Lets whatever the example started settle: the active interpreter resolved, a run begun. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// Each switch: the listener the example must have added, and the event that turns it on.
const SWITCHES = {
  "VS Code's telemetry": (events: StandIns) => ({
    listeners: events.telemetryEnabled.listeners.length,
    fire: () => events.telemetryEnabled.fire(true),
  }),
  [TELEMETRY_SETTING]: (events: StandIns) => ({
    listeners: events.configuration.listeners.length,
    fire: () => events.configuration.fire({ affectsConfiguration: (section) => section === TELEMETRY_SETTING }),
  }),
};

for (const [name, pick] of Object.entries(SWITCHES)) {
  test(`${name} turned on later: the block, and nothing set before`, async () => {
    const events = standIns();
    const { listeners, fire } = pick(events);
    assert.equal(listeners, 1, `the example does not follow ${name}`);
    await settle();
    assert.deepEqual(events.calls, [], "set with telemetry off");
    events.turnOn();
    fire();
    const context = await firstVersions(events.versions);
    assert.notEqual(context, "none", "nothing was set: turning it on did not run the probe");
    assertValidBlock(context);
    assert.equal(context["probe_status"], "ok");
  });
}
