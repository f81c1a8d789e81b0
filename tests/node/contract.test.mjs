// The extension's side of the contract, in the extension's language: run the bundle exactly
// as the extension does, apply the README's framing rule, and check what comes back against
// the schema the bundle ships. Built-in modules only (node:test, node:assert): no npm install.
//
//   python3 noxfile.py -s node                   # builds build/bundle/, passes every interpreter
//   node --test tests/node/contract.test.mjs     # after tools/bundle.py; finds interpreters itself
//
// PROBE_BUNDLE: the bundle folder (default build/bundle). PROBE_INTERPRETERS: interpreters
// separated by the path delimiter (default: pyenv's versions, then pypy3/python3 on PATH).

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const BUNDLE = path.resolve(process.env.PROBE_BUNDLE || path.join(ROOT, "build", "bundle"));
const FRAME_PREFIX = '{"probe_schema_version":';
// process.arch's possible values (https://nodejs.org/api/process.html#processarch).
const NODE_ARCHES = ["arm", "arm64", "ia32", "loong64", "mips", "mipsel", "ppc", "ppc64", "riscv64", "s390", "s390x", "x64"];
// Variables of the developer's shell that would change what the probe sees; the extension
// itself removes PYTHONSAFEPATH (README, "For integrators").
const LEAKY = ["PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH", "PYTHONSTARTUP", "PYTHONUSERBASE", "PYTHONNOUSERSITE"];

// ---- what the extension does --------------------------------------------------------------

/** Run `<python> -m probe ...args` the way the extension does; never rejects. */
function runProbe(python, args = [], extraEnv = {}) {
  const env = { ...process.env, ...extraEnv };
  for (const name of LEAKY) if (!(name in extraEnv)) delete env[name];
  return new Promise((resolve) => {
    const started = Date.now();
    execFile(
      python,
      ["-m", "probe", ...args],
      { cwd: BUNDLE, timeout: 5000, windowsHide: true, env },
      (error, stdout, stderr) => resolve({ error, stdout, stderr, ms: Date.now() - started }),
    );
  });
}

/** The framing rule: the block is the last line of stdout that starts with the prefix. */
function frame(stdout) {
  const lines = stdout.split(/\r?\n/);
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    if (lines[index].startsWith(FRAME_PREFIX)) return JSON.parse(lines[index]);
  }
  return undefined;
}

// ---- the schema the bundle ships, applied by a validator for the keywords it uses ----------

const SCHEMA = JSON.parse(fs.readFileSync(path.join(BUNDLE, "probe", "schema.json"), "utf8"));
// The keys a default run reports, in order: the schema names them after the required ones.
const DEFAULT_PRODUCTS = Object.keys(SCHEMA.properties).filter((key) => !SCHEMA.required.includes(key));

function resolveRef(ref) {
  assert.ok(ref.startsWith("#/"), `only local $ref: ${ref}`);
  return ref.slice(2).split("/").reduce((node, part) => node[part], SCHEMA);
}

function typeOf(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (Number.isInteger(value)) return "integer";
  return typeof value;
}

/** The errors of *value* against *schema* (draft 2020-12, the keywords schema.json uses). */
function validate(value, schema, where = "") {
  const errors = [];
  const fail = (message) => errors.push(`${where || "block"}: ${message}`);
  const known = new Set([
    "$schema", "title", "description", "$defs", "$ref", "type", "const", "enum", "pattern", "maxLength",
    "anyOf", "allOf", "if", "then", "required", "properties", "patternProperties", "additionalProperties",
    "minProperties", "propertyNames",
  ]);
  for (const keyword of Object.keys(schema)) {
    if (!known.has(keyword)) fail(`the schema uses ${keyword}, which this validator does not know`);
  }
  if (schema.$ref) errors.push(...validate(value, resolveRef(schema.$ref), where));
  if (schema.type && typeOf(value) !== schema.type && !(schema.type === "number" && typeOf(value) === "integer")) {
    fail(`${JSON.stringify(value)} is not of type ${schema.type}`);
  }
  if ("const" in schema && value !== schema.const) fail(`${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) fail(`${JSON.stringify(value)} is not one of ${schema.enum}`);
  if (typeof value === "string") {
    if (schema.pattern && !new RegExp(schema.pattern, "u").test(value)) fail(`${JSON.stringify(value)} does not match ${schema.pattern}`);
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) fail(`longer than ${schema.maxLength}`);
  }
  if (schema.anyOf && !schema.anyOf.some((option) => validate(value, option, where).length === 0)) {
    fail(`${JSON.stringify(value)} matches none of anyOf`);
  }
  for (const part of schema.allOf || []) {
    if (part.if && validate(value, part.if, where).length === 0) errors.push(...validate(value, part.then, where));
  }
  if (typeOf(value) === "object") {
    const keys = Object.keys(value);
    for (const key of schema.required || []) if (!keys.includes(key)) fail(`missing ${key}`);
    if (schema.minProperties !== undefined && keys.length < schema.minProperties) fail(`fewer than ${schema.minProperties} keys`);
    for (const key of keys) {
      if (schema.propertyNames) errors.push(...validate(key, schema.propertyNames, `${where}[key ${key}]`));
      let matched = false;
      if (schema.properties && key in schema.properties) {
        matched = true;
        errors.push(...validate(value[key], schema.properties[key], key));
      }
      for (const [pattern, sub] of Object.entries(schema.patternProperties || {})) {
        if (new RegExp(pattern, "u").test(key)) {
          matched = true;
          errors.push(...validate(value[key], sub, key));
        }
      }
      if (!matched && schema.additionalProperties === false) fail(`unexpected key ${key}`);
    }
  }
  return errors;
}

function assertValid(block) {
  assert.ok(block !== undefined, "no framed block in stdout");
  assert.deepEqual(validate(block, SCHEMA), []);
  for (const [key, value] of Object.entries(block)) {
    if (typeof value === "string") assert.ok(!/[\\/]/.test(value), `${key} holds a path-like value: ${value}`);
  }
}

// ---- interpreters -----------------------------------------------------------------------

function discoverInterpreters() {
  if (process.env.PROBE_INTERPRETERS) return process.env.PROBE_INTERPRETERS.split(path.delimiter).filter(Boolean);
  const found = [];
  const pyenv = process.env.PYENV_ROOT || path.join(os.homedir(), ".pyenv");
  const versions = path.join(pyenv, "versions");
  if (fs.existsSync(versions)) {
    for (const name of fs.readdirSync(versions).sort()) {
      const python = path.join(versions, name, "bin", "python");
      if (fs.existsSync(python)) found.push(python);
    }
  }
  for (const name of ["pypy3", "python3", "python"]) {
    for (const dir of (process.env.PATH || "").split(path.delimiter)) {
      const candidate = path.join(dir, process.platform === "win32" ? `${name}.exe` : name);
      // pyenv's shims are scripts that pick one of the versions above.
      if (dir && !dir.includes("shims") && fs.existsSync(candidate)) {
        found.push(candidate);
        break;
      }
    }
  }
  const seen = new Set();
  return found.filter((python) => {
    const real = fs.realpathSync(python);
    return !seen.has(real) && seen.add(real);
  });
}

/** The interpreter's own answer to "which version are you", asked without the probe. */
function languageVersion(python) {
  const out = execFileSync(python, ["-c", "import sys; sys.stdout.write('%d.%d' % sys.version_info[:2])"], {
    windowsHide: true,
    encoding: "utf8",
  });
  const [major, minor] = out.trim().split(".").map(Number);
  return { major, minor, supported: major > 3 || (major === 3 && minor >= 8) };
}

const INTERPRETERS = discoverInterpreters();

// Start-up hooks as hostile as a real environment gets: a line of JSON that even starts with
// the frame prefix, output without a newline, and an atexit handler that prints. Parses on 2.7.
const HOSTILE_SITECUSTOMIZE = `
import atexit, sys
sys.stdout.write('{"probe_schema_version":1,"probe_status":"ok","fastapi_version":"6.6.6"}\\n')
sys.stdout.write('{"hostile": "a JSON line"}\\n')
sys.stdout.write('no newline after this')
atexit.register(lambda: sys.stdout.write('{"probe_schema_version":1,"after":"exit"}\\n'))
`;

// A meta path finder that stalls on \`fastapi\` (as a finder on a dead network share would), or
// breaks on it (a spec whose origin raises): the deadline and the error status, for real.
const FINDER_SITECUSTOMIZE = (mode) => `
import os, sys, time
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

const temporary = [];
function hookDir(source) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-node-"));
  fs.writeFileSync(path.join(dir, "sitecustomize.py"), source);
  temporary.push(dir);
  return dir;
}

after(() => {
  for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true });
});

test("the bundle and interpreters are there", () => {
  assert.ok(fs.existsSync(path.join(BUNDLE, "probe", "__main__.py")), `no bundle at ${BUNDLE}: run tools/bundle.py`);
  assert.ok(INTERPRETERS.length > 0, "no interpreter found");
});

test("the validator rejects what the schema forbids", () => {
  const good = {
    probe_schema_version: 1, probe_version: "0.1.0", probe_status: "ok", python_version: "3.12.1",
    python_implementation: "cpython", python_platform: "linux", python_arch: "x64", fastapi_version: "0.115.0",
  };
  assert.deepEqual(validate(good, SCHEMA), []);
  assert.notDeepEqual(validate({ ...good, fastapi_version: "/home/alice/fastapi" }, SCHEMA), []);
  assert.notDeepEqual(validate({ ...good, fastapi_version: "0.115.0+acme" }, SCHEMA), []);
  assert.notDeepEqual(validate({ ...good, user: "alice" }, SCHEMA), []);
  assert.notDeepEqual(validate({ ...good, probe_status: "unsupported_python" }, SCHEMA), []);
  const { fastapi_version: _, ...noProduct } = good;
  assert.notDeepEqual(validate(noProduct, SCHEMA), []);
});

for (const python of INTERPRETERS) {
  const version = languageVersion(python);
  describe(`${python} (${version.major}.${version.minor})`, { concurrency: true }, () => {

    test("answers with one valid block, exit 0, within the extension's timeout", async () => {
      const run = await runProbe(python);
      assert.equal(run.error, null, `${run.error}\n${run.stderr}`);
      const block = frame(run.stdout);
      assertValid(block);
      assert.equal(run.stdout.trimEnd().split(/\r?\n/).pop(), JSON.stringify(block), "the block is the last line");
      assert.equal(block.python_version.split(".").slice(0, 2).join("."), `${version.major}.${version.minor}`);
      assert.equal(block.python_platform, process.platform);
      // Node's own words; not necessarily Node's own value (an x64 Python under Rosetta is "x64").
      assert.ok(NODE_ARCHES.includes(block.python_arch), block.python_arch);
      if (process.platform === "linux") assert.equal(block.python_arch, process.arch);
      if (version.supported) {
        assert.equal(block.probe_status, "ok");
        assert.deepEqual(Object.keys(block).slice(7), DEFAULT_PRODUCTS);
      } else {
        assert.equal(block.probe_status, "unsupported_python");
        for (const key of DEFAULT_PRODUCTS) assert.ok(!(key in block), `${key} on an unsupported interpreter`);
      }
    });

    test("hostile start-up output does not move the frame", async () => {
      const run = await runProbe(python, [], { PYTHONPATH: hookDir(HOSTILE_SITECUSTOMIZE) });
      assert.equal(run.error, null, `${run.error}\n${run.stderr}`);
      assert.ok(run.stdout.includes('"fastapi_version":"6.6.6"'), "the hook did not run: the test proves nothing");
      assert.ok(!run.stdout.includes('"after":"exit"'), "an atexit handler printed");
      const block = frame(run.stdout);
      assertValid(block);
      assert.notEqual(block.fastapi_version, "6.6.6");
      assert.ok("python_arch" in block);
    });

    if (!version.supported) {
      test("options it cannot honour still get the unsupported block", async () => {
        const run = await runProbe(python, ["--schema"]);
        assert.equal(run.error, null);
        const block = frame(run.stdout);
        assertValid(block);
        assert.equal(block.probe_status, "unsupported_python");
      });
      return;
    }

    test("--schema prints the schema the bundle ships", async () => {
      const run = await runProbe(python, ["--schema"]);
      assert.equal(run.error, null);
      assert.equal(run.stdout, fs.readFileSync(path.join(BUNDLE, "probe", "schema.json"), "utf8"));
    });

    test("a stalled finder: status timeout within the probe's own deadline", async () => {
      const run = await runProbe(python, ["--timeout", "1"], { PYTHONPATH: hookDir(FINDER_SITECUSTOMIZE("stall")) });
      assert.equal(run.error, null, `${run.error}\n${run.stderr}`);
      const block = frame(run.stdout);
      assertValid(block);
      assert.equal(block.probe_status, "timeout");
      assert.ok(!("fastapi_version" in block), "a key not reached is left out");
      assert.ok(run.ms < 4000, `took ${run.ms} ms`);
    });

    test("a broken finder: status error, that key left out, the others answered", async () => {
      const run = await runProbe(python, [], { PYTHONPATH: hookDir(FINDER_SITECUSTOMIZE("raise")) });
      assert.equal(run.error, null, `${run.error}\n${run.stderr}`);
      const block = frame(run.stdout);
      assertValid(block);
      assert.equal(block.probe_status, "error");
      assert.ok(!("fastapi_version" in block));
      assert.deepEqual(Object.keys(block).slice(7), DEFAULT_PRODUCTS.slice(1));
    });
  });
}
