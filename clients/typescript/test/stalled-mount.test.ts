// The guard timer's real case: fastapi on a network file system that stopped answering, whose
// daemon ignores interrupts (sshfs, rclone). The probe answers by its deadline and closes its
// output, but the thread it abandoned holds the process, even against SIGKILL, until the mount
// answers; execFile calls back only once the process is gone. The mount is real (FUSE, served by
// test/deaf_mount.py): Linux, as root, with /dev/fuse; the project's CI has all three.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { runProbeSettled } from "../src/run.js";
import { BUNDLE, CLIENT_DIR, cleanEnv, newestInterpreter } from "./support.js";

const IN_CI = ["1", "true", "yes"].includes((process.env["PROBE_STRICT"] ?? "").toLowerCase());
const { python } = newestInterpreter();

function unavailable(): string | undefined {
  if (process.platform !== "linux") return "FUSE mounts are made here on Linux only";
  if (!fs.existsSync("/dev/fuse") || process.getuid?.() !== 0) return "a FUSE mount needs /dev/fuse and root";
  return undefined;
}

/** The states of this process's children's threads ("D": waiting in the kernel), by pid. */
function children(): Map<number, string[]> {
  const found = new Map<number, string[]>();
  const stat = (file: string): string[] => fs.readFileSync(file, "utf8").split(") ")[1]!.split(" ");
  for (const pid of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      // pid (comm) state ppid ...: comm may hold spaces, so read from its closing parenthesis.
      if (Number(stat(`/proc/${pid}/stat`)[1]) !== process.pid) continue;
      const tasks = fs.readdirSync(`/proc/${pid}/task`);
      found.set(
        Number(pid),
        tasks.map((task) => stat(`/proc/${pid}/task/${task}/stat`)[0]!),
      );
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

test("a process held by a deaf mount: no answer, when the guard fires, not when the mount answers", async (t) => {
  const reason = unavailable();
  if (reason !== undefined) {
    if (IN_CI) assert.fail(`${reason} (CI must have it)`);
    return t.skip(reason);
  }
  const server = spawn(python, [path.join(CLIENT_DIR, "test", "deaf_mount.py"), "fastapi"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: server.stdout });
  const mountpoint = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    server.once("exit", (code) => reject(new Error(`deaf_mount.py exited ${code} before mounting`)));
  });
  try {
    const env = cleanEnv({ PYTHONPATH: mountpoint });
    const run = runProbeSettled(python, BUNDLE, [], { env, timeoutMs: 3000, guardMs: 4000 });
    // Without the guard the run would wait for the mount, which answers only when this test ends.
    const hung = new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 10 * 4000).unref());
    assert.deepEqual(await Promise.race([run, hung]), { stdout: undefined, settledBy: "guard" });
    const held = [...children()].filter(([pid]) => pid !== server.pid);
    // The control: the probe's process is still there, one of its threads waiting on the mount.
    assert.equal(held.length, 1, `the stalled mount should still hold the probe's process: ${JSON.stringify(held)}`);
    assert.ok(held[0]![1].includes("D"), `no thread waits in the kernel: ${JSON.stringify(held)}`);
  } finally {
    const gone = new Promise((resolve) => server.once("close", resolve));
    server.stdin.end(); // releases the stall and unmounts: the held process ends
    await gone;
  }
});
