// The guard timer, for the one state no run on a test machine can produce by itself: a process
// that SIGKILL does not end, as when a thread sleeps uninterruptibly in a stalled FUSE file system
// (README, "Take the block when stdout ends"). execFile calls back only once the process is gone,
// so without the guard the promise would wait as long as the file system does.
//
// The fault: execFile is wrapped so that killing the process it starts has no effect. The process
// is real (the real bundle, a real interpreter, a start-up hook that hangs), and so are execFile,
// its timeout and its callback; this file runs in a process of its own, so nothing else sees it.

import assert from "node:assert/strict";
import childProcess, { type ChildProcess } from "node:child_process";
import { syncBuiltinESMExports } from "node:module";
import { after, test } from "node:test";
import { probePython } from "../src/index.js";
import { assertValidBlock, BUNDLE, newestInterpreter, timed, withStartupHook } from "./support.js";

const { python } = newestInterpreter();
const realExecFile = childProcess.execFile;
const started: ChildProcess[] = [];
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
  started.push(child);
  child.kill = () => true; // the signal is sent, and nothing happens
  return child;
}

childProcess.execFile = unkillableExecFile as unknown as typeof childProcess.execFile;
syncBuiltinESMExports(); // the module's own `import { execFile }` now sees the wrapper

after(() => {
  childProcess.execFile = realExecFile;
  syncBuiltinESMExports();
  for (const child of started) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null)
      process.kill(child.pid, "SIGKILL");
  }
});

test("the guard: a process that outlives its kill gives no answer when the guard fires", async () => {
  const env = withStartupHook("import time\ntime.sleep(30)\n");
  const { value, ms } = await timed(probePython(python, BUNDLE, { env, timeoutMs: 500, guardMs: 1500 }));
  assert.equal(value, undefined);
  assert.ok(ms >= 1400 && ms < 3000, `took ${ms} ms`);
  const child = started.at(-1);
  assert.ok(
    child?.pid !== undefined && child.exitCode === null && child.signalCode === null,
    "the process was gone: the guard was not needed",
  );
  assert.equal(callbacks, 0, "execFile called back: the guard was not needed");
  // When the process does go at last, the late callback changes nothing.
  const gone = new Promise((resolve) => child.once("close", resolve));
  process.kill(child.pid, "SIGKILL");
  await gone;
  assert.equal(callbacks, 1);
});

test("the guard does not cut short a run that answers, even one near the guard", async () => {
  // The interpreter sleeps 1 s before the probe runs; the guard is 1 s after the timeout.
  const env = withStartupHook("import time\ntime.sleep(1)\n");
  const { value, ms } = await timed(probePython(python, BUNDLE, { env, timeoutMs: 3000, guardMs: 4000 }));
  assertValidBlock(value);
  assert.ok(ms >= 1000, `took ${ms} ms: the hook did not run`);
});

test("the default guard is the timeout plus a second", async () => {
  const hung = withStartupHook("import time\ntime.sleep(30)\n");
  const { value: none, ms } = await timed(probePython(python, BUNDLE, { env: hung, timeoutMs: 300 }));
  assert.equal(none, undefined);
  assert.ok(ms >= 1250 && ms < 2500, `took ${ms} ms`);
});
