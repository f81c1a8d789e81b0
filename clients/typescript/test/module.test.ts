// The module's own behaviour, on the newest interpreter: what it does when the run does not go
// as planned (a non-zero exit, no block, a block of another schema version, no interpreter, a
// flood of output), and what it does to the child's environment and stdin. When a run settles
// (a process held after its block, a hook's hung process or one holding the pipes, the timeout)
// has its own file, test/settle.test.ts.

import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { probePython } from "../src/index.js";
import { frameBlock } from "../src/probe.js";
import { probeEnvironment, runProbeSettled } from "../src/run.js";
import {
  assertValidBlock,
  BUNDLE,
  cleanEnv,
  newestInterpreter,
  rawRun,
  temporaryDir,
  withStartupHook,
  standInBundle,
  VALID_LINE,
} from "./support.js";

const { python, major, minor } = newestInterpreter();

describe(`the module's own behaviour (${python}, ${major}.${minor})`, { concurrency: true }, () => {
  test("a non-zero exit is no answer, even with a block-like line printed first", async () => {
    const env = withStartupHook(
      `import os, sys\nsys.stdout.write(${JSON.stringify(VALID_LINE)} + "\\n")\nsys.stdout.flush()\nos._exit(3)\n`,
    );
    const raw = await rawRun(python, [], env);
    assert.equal(raw.code, 3);
    assert.ok(frameBlock(raw.stdout) !== undefined, "the hook's line frames as a block: the test proves nothing");
    assert.equal(await probePython(python, BUNDLE, { env }), undefined);
    assert.deepEqual(await runProbeSettled(python, BUNDLE, [], { env }), { stdout: undefined, settledBy: "failure" });
  });

  test("exit 0 with no block on stdout is no answer", async () => {
    const bundle = standInBundle(
      "print('hello')\nprint(' {\"probe_schema_version\":1}')\nprint('{\"probe_schema\":1}')\n",
    );
    const raw = await rawRun(python, [], cleanEnv(), bundle);
    assert.equal(raw.code, 0);
    assert.equal(await probePython(python, bundle, { env: cleanEnv() }), undefined);
  });

  test("a block of another schema version is no block; the same line with version 1 is", async () => {
    const line = (version: number): string =>
      `{"probe_schema_version":${version},"probe_version":"9.0.0","probe_status":"ok","python_version":"3.12.1",` +
      `"python_implementation":"cpython","python_platform":"linux","python_arch":"x64","fastapi_version":null}`;
    const other = standInBundle(`print(${JSON.stringify(line(2))})\n`);
    assert.equal(await probePython(python, other, { env: cleanEnv() }), undefined);
    const same = standInBundle(`print(${JSON.stringify(line(1))})\n`);
    assert.deepEqual(await probePython(python, same, { env: cleanEnv() }), JSON.parse(line(1)));
  });

  test("an interpreter that is not there: no answer, and no timeout waited for", async () => {
    for (const missing of [path.join(temporaryDir(), "python3"), ""]) {
      assert.equal(await probePython(missing, BUNDLE), undefined);
      const run = await runProbeSettled(missing, BUNDLE, []);
      assert.deepEqual(run, { stdout: undefined, settledBy: "not-started" }, JSON.stringify(missing));
    }
  });

  test("a start-up hook that floods stdout past the module's limit: no answer, and not called a timeout", async () => {
    const env = withStartupHook("import sys\nsys.stdout.write('x' * (2 << 20))\n");
    assert.deepEqual(await runProbeSettled(python, BUNDLE, [], { env }), { stdout: undefined, settledBy: "failure" });
  });

  test("no stdin: a start-up hook that reads it gets end-of-file, and the probe answers", async () => {
    const env = withStartupHook("import sys\nsys.stdin.read()\n");
    const raw = await rawRun(python, [], env, BUNDLE, 1500);
    assert.notEqual(raw.code, 0, "with stdin left open the hook should wait: the test proves nothing");
    const run = await runProbeSettled(python, BUNDLE, [], { env });
    assert.equal(run.settledBy, "exit", "the hook waited for stdin until the timeout");
    assertValidBlock(frameBlock(run.stdout ?? ""));
  });

  test("PYTHONSAFEPATH is taken out of the child's environment, in any spelling", async (t) => {
    assert.deepEqual(probeEnvironment({ PATH: "/bin", PYTHONSAFEPATH: "1", PythonSafePath: "1" }), { PATH: "/bin" });
    if (major * 100 + minor < 311) return t.skip("PYTHONSAFEPATH is new in 3.11");
    const env = cleanEnv({ PYTHONSAFEPATH: "1" });
    const raw = await rawRun(python, [], env);
    assert.notEqual(raw.code, 0, "the probe ran with PYTHONSAFEPATH set: the test proves nothing");
    assert.match(raw.stderr, /No module named probe/);
    assertValidBlock(await probePython(python, BUNDLE, { env }));
  });
});

test("the framing rule picks the last line that starts with the prefix", () => {
  const block = VALID_LINE;
  assert.deepEqual(
    frameBlock(`noise\r\n{"probe_schema_version":1,"x":1}\r\n{"a":1}\r\nno newline\n${block}\n`),
    JSON.parse(block),
  );
  assert.equal(
    frameBlock(`${block}\n{"probe_schema_version":1,"cut`),
    undefined,
    "a last frame that does not parse is no block",
  );
  assert.equal(frameBlock(' {"probe_schema_version":1}'), undefined, "the prefix starts the line");
  assert.equal(frameBlock('{"probe_schema_version":"1"}'), undefined);
  assert.equal(frameBlock('{"probe_schema_version":1}'), undefined, "a block has every required key");
  assert.equal(frameBlock(""), undefined);
});
