// When a run settles (src/run.ts): the answer is taken when the probe is done with stdout, not
// when the process is gone. Each case is a real process in the state it names: one that closed
// stdout after its block but is still there (as a thread in a stalled FUSE mount holds the probe;
// the real mount is test/stalled-mount.test.ts), one that exited while a process a start-up hook
// left behind holds stdout, a hook that prints a block-like line and hangs, and one whose kill
// does nothing.
//
// The module's timers run on node:test's mock clock, moved by hand; the processes keep the real
// one. The test waits for the process's own events (stdout's end, its exit: spawn is wrapped only
// to hand the test the ChildProcess), then moves the clock, so each case says which rule settled
// the run, and when, to the millisecond, without timing anything.

import assert from "node:assert/strict";
import childProcess, { type ChildProcess } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import path from "node:path";
import { after, type TestContext, test } from "node:test";
import { BLOCK_PREFIX } from "../src/frame.js";
import { frameBlock } from "../src/probe.js";
import { EXIT_GRACE_MS, type ProbeOptions, type ProbeRun, runProbeSettled } from "../src/run.js";
import {
  assertValidBlock,
  BUNDLE,
  cleanEnv,
  newestInterpreter,
  temporaryDir,
  withStartupHook,
  standInBundle,
  VALID_LINE,
} from "./support.js";

const { python } = newestInterpreter();
const realSpawn = childProcess.spawn;

interface Started {
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout so far, read beside the module. */
  stdout: string;
}

const started: Started[] = [];
let unkillable = false;

function watchedSpawn(this: unknown, ...args: unknown[]): ChildProcess {
  const child = (realSpawn as (...all: unknown[]) => ChildProcess).apply(this, args);
  const entry: Started = { child, stdout: "" };
  child.stdout?.on("data", (chunk: Buffer | string) => (entry.stdout += chunk.toString()));
  if (unkillable) child.kill = () => true; // the signal is "sent", and nothing happens
  started.push(entry);
  return child;
}

childProcess.spawn = watchedSpawn as unknown as typeof childProcess.spawn;
syncBuiltinESMExports(); // the module's own `import { spawn }` now sees the wrapper

after(() => {
  childProcess.spawn = realSpawn;
  syncBuiltinESMExports();
  for (const { child } of started) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null)
      process.kill(child.pid, "SIGKILL");
  }
});

/** A stand-in that writes a block, closes its stdout as the probe does, then *after* (Python). */
function closesThen(after: string): string {
  return standInBundle(
    `import os, time\nos.write(1, b"\\n" + ${JSON.stringify(VALID_LINE)}.encode() + b"\\n")\nos.close(1)\n${after}\n`,
  );
}

/** The run's value if it has settled by the next turn of the event loop, else "pending". */
function settled(run: Promise<ProbeRun>): Promise<ProbeRun | "pending"> {
  return Promise.race([run, new Promise<"pending">((resolve) => setImmediate(() => resolve("pending")))]);
}

/** A run on the mock clock, and the process it started. */
function start(t: TestContext, bundle: string, options: ProbeOptions): { run: Promise<ProbeRun>; proc: Started } {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const run = runProbeSettled(python, bundle, [], options);
  return { run, proc: started.at(-1)! };
}

/** Resolves once the process's stdout (as the test reads it) holds a line that frames. */
async function framedOnStdout(proc: Started): Promise<void> {
  while (!proc.stdout.split(/\r?\n/).some((line) => line.startsWith(BLOCK_PREFIX))) {
    await once(proc.child.stdout!, "data");
  }
}

/** How the process ended: its exit code, or the signal that ended it. */
async function ending(child: ChildProcess): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode;
  child.ref(); // the module unrefs the process it has settled with: the test waits for it on purpose
  const [code, signal] = (await once(child, "exit")) as [number | null, string | null];
  return code ?? signal;
}

test("stdout ended with a block, the process still there: the block after the grace, then the process killed", async (t) => {
  const { run, proc } = start(t, closesThen("time.sleep(30)"), { env: cleanEnv(), timeoutMs: 60000 });
  await once(proc.child.stdout!, "end"); // the module's listener came first: the grace has begun
  t.mock.timers.tick(EXIT_GRACE_MS - 1);
  assert.equal(await settled(run), "pending", "taken before the grace ran out");
  assert.equal(proc.child.exitCode, null, "the process exited: the case is not the one this tests");
  t.mock.timers.tick(1);
  const result = await settled(run);
  assert.ok(result !== "pending", "not taken when the grace ran out");
  assert.equal(result.settledBy, "stdout-end");
  assert.deepEqual(frameBlock(result.stdout ?? ""), JSON.parse(VALID_LINE));
  assert.equal(await ending(proc.child), "SIGKILL", "what was left was not killed");
});

test("stdout ended with a block, then the process exited 3: no answer, though the grace had not run out", async (t) => {
  const { run, proc } = start(t, closesThen("time.sleep(0.3)\nos._exit(3)"), { env: cleanEnv(), timeoutMs: 60000 });
  await once(proc.child.stdout!, "end");
  assert.equal(await ending(proc.child), 3);
  assert.deepEqual(await settled(run), { stdout: undefined, settledBy: "failure" });
});

test("stdout ended without a block, the process still there: no grace, the timeout, no answer", async (t) => {
  const bundle = standInBundle("import os, time\nos.write(1, b'hello\\n')\nos.close(1)\ntime.sleep(30)\n");
  const { run, proc } = start(t, bundle, { env: cleanEnv(), timeoutMs: 3000 });
  await once(proc.child.stdout!, "end");
  t.mock.timers.tick(2999);
  assert.equal(await settled(run), "pending", "a stdout without a block was taken as an answer");
  t.mock.timers.tick(1);
  assert.deepEqual(await settled(run), { stdout: undefined, settledBy: "timeout" });
  assert.equal(await ending(proc.child), "SIGKILL");
});

test("a start-up hook that prints a block-like line and hangs: no answer at the timeout, and killed", async (t) => {
  const hook = `import sys, time\nsys.stdout.write(${JSON.stringify(VALID_LINE)} + "\\n")\nsys.stdout.flush()\ntime.sleep(30)\n`;
  const { run, proc } = start(t, BUNDLE, { env: withStartupHook(hook) }); // the default timeout
  await framedOnStdout(proc);
  t.mock.timers.tick(4999); // the line frames, but stdout is open and the process runs: no end has come
  assert.equal(await settled(run), "pending", "the hook's line was taken, or the timeout is not 5000 ms");
  t.mock.timers.tick(1);
  assert.deepEqual(await settled(run), { stdout: undefined, settledBy: "timeout" });
  assert.equal(await ending(proc.child), "SIGKILL");
});

/**
 * A start-up hook that leaves behind a child process holding the interpreter's stdout (its pid in
 * *pidFile*), then, with *hang*, keeps the interpreter from going on.
 */
function pipeHolderHook(pidFile: string, hang: boolean): string {
  return `
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
with open(${JSON.stringify(pidFile)}, "w") as out:
    out.write(str(child.pid))
${hang ? "time.sleep(30)" : ""}
`;
}

/** Whether the child whose pid is in *pidFile* was still there; it is gone now. */
function killHolder(pidFile: string): boolean {
  try {
    process.kill(Number(fs.readFileSync(pidFile, "utf8")), "SIGKILL");
    return true;
  } catch {
    return false; // ESRCH: it had gone already
  }
}

test("the probe exited 0 while a process a hook left holds its stdout: its block after the grace", async (t) => {
  const pidFile = path.join(temporaryDir(), "pid");
  const { run, proc } = start(t, BUNDLE, { env: withStartupHook(pipeHolderHook(pidFile, false)), timeoutMs: 60000 });
  assert.equal(await ending(proc.child), 0);
  await framedOnStdout(proc); // with the exit, the module's listeners came first: the grace has begun
  t.mock.timers.tick(EXIT_GRACE_MS - 1);
  assert.equal(await settled(run), "pending");
  t.mock.timers.tick(1);
  const result = await settled(run);
  assert.ok(result !== "pending");
  assert.equal(result.settledBy, "exit-stdout-open");
  assertValidBlock(frameBlock(result.stdout ?? ""));
  assert.ok(killHolder(pidFile), "the process holding stdout was gone: the test proves nothing");
});

test("a hung start-up hook whose child holds the pipes: no answer at the timeout, without waiting for the pipes", async (t) => {
  const pidFile = path.join(temporaryDir(), "pid");
  const { run, proc } = start(t, BUNDLE, { env: withStartupHook(pipeHolderHook(pidFile, true)), timeoutMs: 1000 });
  while (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, "utf8") === "") await new Promise(setImmediate);
  t.mock.timers.tick(1000);
  assert.deepEqual(await settled(run), { stdout: undefined, settledBy: "timeout" });
  assert.equal(await ending(proc.child), "SIGKILL");
  assert.ok(killHolder(pidFile), "the child holding the pipes was gone: the test proves nothing");
});

test("a process its kill does not end: the run still settles at the timeout, and the late exit changes nothing", async (t) => {
  unkillable = true;
  try {
    const { run, proc } = start(t, BUNDLE, { env: withStartupHook("import time\ntime.sleep(30)\n"), timeoutMs: 2000 });
    t.mock.timers.tick(1999);
    assert.equal(await settled(run), "pending");
    t.mock.timers.tick(1);
    assert.deepEqual(await settled(run), { stdout: undefined, settledBy: "timeout" });
    assert.ok(proc.child.exitCode === null && proc.child.signalCode === null, "the kill worked: nothing to prove");
    process.kill(proc.child.pid!, "SIGKILL"); // the process goes at last
    assert.equal(await ending(proc.child), "SIGKILL");
    assert.deepEqual(await run, { stdout: undefined, settledBy: "timeout" });
  } finally {
    unkillable = false;
  }
});
