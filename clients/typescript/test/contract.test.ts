// The contract between the probe and the extension, through the module the extension uses and the
// real bundle, on every interpreter: what comes back validates against the schema the bundle ships,
// whatever start-up hooks print, when a finder stalls or breaks, and on interpreters older than 3.8.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { probePython } from "../src/index.js";
import { runProbe } from "../src/run.js";
import {
  assertValidBlock,
  BUNDLE,
  cleanEnv,
  DEFAULT_PRODUCTS,
  FIXED_KEYS,
  HOSTILE_SITECUSTOMIZE,
  INTERPRETERS,
  NODE_ARCHES,
  SCHEMA_TEXT,
  withStartupHook,
} from "./support.js";

// A meta path finder that stalls on `fastapi` (as a finder on a dead network share would), or
// breaks on it (a spec whose origin raises): the deadline and the error status, for real.
const finderSitecustomize = (mode: "stall" | "raise"): string => `
import sys, time
class Hostile(object):
    def find_spec(self, name, path=None, target=None):
        if name != "fastapi":
            return None
        if ${JSON.stringify(mode)} == "stall":
            time.sleep(30)
        class Spec(object):
            @property
            def origin(self):
                raise RuntimeError("broken finder")
        return Spec()
sys.meta_path.insert(0, Hostile())
`;

test("the bundle and interpreters are there", () => {
  assert.ok(fs.existsSync(path.join(BUNDLE, "probe", "__main__.py")), `no bundle at ${BUNDLE}: run tools/bundle.py`);
  assert.ok(INTERPRETERS.length > 0, "no interpreter");
});

for (const { python, version, major, minor, supported } of INTERPRETERS) {
  describe(`${python} (${major}.${minor})`, { concurrency: true }, () => {
    test("one valid block, the last line of stdout, within the extension's timeout", async () => {
      const stdout = await runProbe(python, BUNDLE, [], { env: cleanEnv() });
      assert.ok(stdout !== undefined, "no answer");
      const block = await probePython(python, BUNDLE, { env: cleanEnv() });
      assertValidBlock(block);
      assert.equal(stdout.trimEnd().split(/\r?\n/).pop(), JSON.stringify(block), "the block is the last line");
      // The interpreter's own platform.python_version(), zero micro included (3.13.0, not "3.13").
      assert.equal(block.python_version, version);
      assert.equal(block.python_platform, process.platform);
      // Node's own words; not necessarily Node's own value (an x64 Python under Rosetta is "x64").
      assert.ok(NODE_ARCHES.includes(block.python_arch), block.python_arch);
      if (process.platform === "linux") assert.equal(block.python_arch, process.arch);
      if (supported) {
        assert.equal(block.probe_status, "ok");
        assert.deepEqual(Object.keys(block), [...FIXED_KEYS, ...DEFAULT_PRODUCTS]);
      } else {
        assert.equal(block.probe_status, "unsupported_python");
        assert.deepEqual(Object.keys(block), FIXED_KEYS);
      }
    });

    test("hostile start-up output does not move the frame", async () => {
      const env = withStartupHook(HOSTILE_SITECUSTOMIZE);
      const stdout = await runProbe(python, BUNDLE, [], { env });
      assert.ok(stdout !== undefined, "no answer");
      assert.ok(stdout.includes('"fastapi_version":"6.6.6"'), "the hook did not run: the test proves nothing");
      assert.ok(!stdout.includes('"after":"exit"'), "an atexit handler printed");
      const block = await probePython(python, BUNDLE, { env });
      assertValidBlock(block);
      assert.notEqual(block.fastapi_version, "6.6.6");
      assert.equal(block.probe_status, supported ? "ok" : "unsupported_python");
    });

    if (!supported) {
      test("options it cannot honour still get the unsupported block", async () => {
        for (const args of [["--schema"], ["--", "jinja2"]]) {
          const stdout = await runProbe(python, BUNDLE, args, { env: cleanEnv() });
          assert.ok(stdout !== undefined, `${args}: no answer`);
        }
        const block = await probePython(python, BUNDLE, { env: cleanEnv(), distributions: ["jinja2"] });
        assertValidBlock(block);
        assert.equal(block.probe_status, "unsupported_python");
      });
      return;
    }

    test("--schema prints the schema the bundle ships", async () => {
      assert.equal(await runProbe(python, BUNDLE, ["--schema"], { env: cleanEnv() }), SCHEMA_TEXT);
    });

    test("named distributions: one key each, under its normalized name", async () => {
      const block = await probePython(python, BUNDLE, {
        env: cleanEnv(),
        distributions: ["Zope.Interface", "no-such-dist"],
      });
      assertValidBlock(block);
      assert.equal(block.probe_status, "ok");
      assert.deepEqual(Object.keys(block), [...FIXED_KEYS, "zope_interface_version", "no_such_dist_version"]);
      assert.equal(block["no_such_dist_version"], null);
    });

    test("a name the probe refuses, or one that looks like an option: no block", async () => {
      for (const name of ["not a name", "--report", "python"]) {
        assert.equal(await probePython(python, BUNDLE, { env: cleanEnv(), distributions: [name] }), undefined, name);
      }
    });

    test("a stalled finder: status timeout within the probe's own deadline", async () => {
      const env = withStartupHook(finderSitecustomize("stall"));
      // A block at all: the probe exited 0 by its own deadline, before the module's timeout killed it.
      const block = await probePython(python, BUNDLE, { env });
      assertValidBlock(block);
      assert.equal(block.probe_status, "timeout");
      assert.ok(!("fastapi_version" in block), "a key not reached is left out");
    });

    test("a broken finder: status error, that key left out, the others answered", async () => {
      const block = await probePython(python, BUNDLE, { env: withStartupHook(finderSitecustomize("raise")) });
      assertValidBlock(block);
      assert.equal(block.probe_status, "error");
      assert.deepEqual(Object.keys(block), [
        ...FIXED_KEYS,
        ...DEFAULT_PRODUCTS.filter((key) => key !== "fastapi_version"),
      ]);
    });
  });
}
