// The guard timer, for the one state no run on a test machine can produce by itself: a process
// that SIGKILL does not end, as when a thread sleeps uninterruptibly in a stalled FUSE file system
// (README, "Take the block when stdout ends"). execFile calls back only once the process is gone,
// so without the guard the promise would wait as long as the file system does.
//
// The fault: execFile is wrapped so that killing the process it starts has no effect. The process
// is real (the real bundle, a real interpreter, a start-up hook that hangs), and so are execFile,
// its timeout and its callback; this file runs in a process of its own, so nothing else sees it.
//
// The guard's clock is node:test's mock clock, moved by hand; execFile's timeout keeps the real one
// (child_process took its setTimeout from node:timers before the mock existed). So each test says
// when the guard fires to the millisecond, and which path settled the run, without timing anything.

import assert from "node:assert/strict";
import childProcess, { type ChildProcess } from "node:child_process";
import { syncBuiltinESMExports } from "node:module";
import { after, type TestContext, test } from "node:test";
import { frameBlock } from "../src/probe.js";
import { type ProbeRun, runProbeSettled } from "../src/run.js";
import { assertValidBlock, BUNDLE, cleanEnv, newestInterpreter, withStartupHook } from "./support.js";

const { python } = newestInterpreter();
const realExecFile = childProcess.execFile;

interface Started {
  readonly child: ChildProcess;
  /** Resolves when execFile's timeout has tried to kill the process. */
  readonly killed: Promise<void>;
}

const started: Started[] = [];
let callbacks = 0;

function unkillableExecFile(this: unknown, ...args: unknown[]): ChildProcess {
  const callback = args.pop() as (...results: unknown[]) => void;
  const child = (realExecFile as (...all: unknown[]) => ChildProcess).apply(this, [
    ...args,
    (...results: unknown[]) => {
      callbacks += 1;
      callback(...results);
    },
  ]);
  started.push({
    child,
    killed: new Promise((resolve) => {
      child.kill = () => {
        resolve(); // the signal is sent, and nothing happens
        return true;
      };
    }),
  });
  return child;
}

childProcess.execFile = unkillableExecFile as unknown as typeof childProcess.execFile;
syncBuiltinESMExports(); // the module's own `import { execFile }` now sees the wrapper

after(() => {
  childProcess.execFile = realExecFile;
  syncBuiltinESMExports();
  for (const { child } of started) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null)
      process.kill(child.pid, "SIGKILL");
  }
});

/** The run's value if it has settled by the next turn of the event loop, else "pending". */
function settled(run: Promise<ProbeRun>): Promise<ProbeRun | "pending"> {
  return Promise.race([run, new Promise<"pending">((resolve) => setImmediate(() => resolve("pending")))]);
}

/** A run that execFile's (real) timeout has tried to kill, on the test's mock clock. */
async function killedRun(t: TestContext, timeoutMs: number, guardMs?: number): Promise<{ run: Promise<ProbeRun> }> {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const env = withStartupHook("import time\ntime.sleep(30)\n");
  const options = guardMs === undefined ? { env, timeoutMs } : { env, timeoutMs, guardMs };
  const run = runProbeSettled(python, BUNDLE, [], options);
  await Promise.race([started.at(-1)!.killed, run]); // without a kill, the run ends when the hook's sleep does
  assert.equal(await settled(run), "pending", "the run settled at the kill: the guard was not needed");
  return { run }; // wrapped: an async function's promise would take on the run's
}

test("the guard: a process that outlives its kill gives no answer when the guard fires", async (t) => {
  const { run } = await killedRun(t, 500, 1500);
  const { child } = started.at(-1)!;
  t.mock.timers.tick(1499);
  assert.equal(await settled(run), "pending", "the guard fired before guardMs");
  t.mock.timers.tick(1);
  assert.deepEqual(await settled(run), { stdout: undefined, settledBy: "guard" });
  assert.ok(child.exitCode === null && child.signalCode === null, "the process was gone: the guard was not needed");
  assert.equal(callbacks, 0, "execFile called back: the guard was not needed");
  // When the process does go at last, the late callback changes nothing.
  const gone = new Promise((resolve) => child.once("close", resolve));
  process.kill(child.pid!, "SIGKILL");
  await gone;
  assert.equal(callbacks, 1);
  assert.deepEqual(await run, { stdout: undefined, settledBy: "guard" });
});

test("the default guard is the timeout plus a second", async (t) => {
  const { run } = await killedRun(t, 300);
  t.mock.timers.tick(1299);
  assert.equal(await settled(run), "pending", "the guard fired before timeoutMs + 1000");
  t.mock.timers.tick(1);
  assert.deepEqual(await settled(run), { stdout: undefined, settledBy: "guard" });
});

test("the guard does not cut short a run that answers, even one that answers just before it", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const run = runProbeSettled(python, BUNDLE, [], { env: cleanEnv(), timeoutMs: 5000, guardMs: 8000 });
  t.mock.timers.tick(7999); // the guard is a millisecond away, and the interpreter has not answered yet
  const { stdout, settledBy } = await run;
  assert.equal(settledBy, "exit");
  assertValidBlock(frameBlock(stdout ?? ""));
});
