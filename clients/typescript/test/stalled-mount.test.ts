// The real case of "take the answer when stdout ends, not when the process exits": fastapi on a
// network file system that stopped answering, whose daemon ignores interrupts (sshfs, rclone).
// The probe answers by its deadline (status "timeout") and closes its output, but the thread it
// abandoned holds the process, even against SIGKILL, until the mount answers; a caller that
// waited for the exit (execFile) would get nothing. The mount is real (FUSE, served by
// test/deaf_mount.py): Linux, as root, with /dev/fuse; the project's CI has all three.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { type TestContext, test } from "node:test";
import { REPORT_PREFIX, framedObject } from "../src/frame.js";
import { frameBlock } from "../src/probe.js";
import { runProbeSettled } from "../src/run.js";
import { assertValidBlock, BUNDLE, CLIENT_DIR, cleanEnv, newestInterpreter, reportSchemaErrors } from "./support.js";

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

/** Runs *use* with the path of a new deaf mount listing fastapi, then releases and unmounts it. */
async function withDeafMount(t: TestContext, use: (mountpoint: string) => Promise<void>): Promise<void> {
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
    await use(mountpoint);
    const held = [...children()].filter(([pid]) => pid !== server.pid);
    // The control: the probe's process is still there, one of its threads waiting on the mount.
    assert.equal(held.length, 1, `the stalled mount should still hold the probe's process: ${JSON.stringify(held)}`);
    assert.ok(held[0]![1].includes("D"), `no thread waits in the kernel: ${JSON.stringify(held)}`);
  } finally {
    const gone = new Promise((resolve) => server.once("close", resolve));
    server.stdin.end(); // releases the stall and unmounts: the held process ends
    await gone;
  }
}

// A timeout long enough that only the held process's stdout can have settled the run first.
// (One mount per test: the held process's lookup keeps the mount's folder locked, and the next
// interpreter to start with it on sys.path would wait at start-up, before the probe runs.)
const TIMEOUT_MS = 30000;

test("a process held by a deaf mount: its block when stdout ends, with status timeout", (t) =>
  withDeafMount(t, async (mountpoint) => {
    const env = cleanEnv({ PYTHONPATH: mountpoint });
    const run = await runProbeSettled(python, BUNDLE, [], { env, timeoutMs: TIMEOUT_MS });
    assert.equal(run.settledBy, "stdout-end");
    const block = frameBlock(run.stdout ?? "");
    assertValidBlock(block);
    assert.equal(block.probe_status, "timeout");
    assert.ok(!("fastapi_version" in block), "the stalled product has a value");
  }));

test("the report, held likewise: what it reached by its deadline, fastapi not checked", (t) =>
  withDeafMount(t, async (mountpoint) => {
    const env = cleanEnv({ PYTHONPATH: mountpoint });
    const args = ["--report", "--json", "--timeout", "1"];
    const run = await runProbeSettled(python, BUNDLE, args, { env, timeoutMs: TIMEOUT_MS }, REPORT_PREFIX);
    assert.equal(run.settledBy, "stdout-end");
    const report = framedObject(run.stdout ?? "", REPORT_PREFIX);
    assert.deepEqual(reportSchemaErrors(report), []);
    assert.deepEqual(report!["deadline"], {
      seconds: 1,
      passed: true,
      not_checked: ["hardware", "products", "notices", "unmet_requirements"],
    });
    const products = report!["products"] as { module: string; found_by: string }[];
    assert.equal(products.find((product) => product.module === "fastapi")?.found_by, "not checked");
  }));
