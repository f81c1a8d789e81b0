// What the tests share: where the bundle and the interpreters are, the schema's validator, and
// throw-away folders for start-up hooks and stand-in bundles.
//
// PROBE_BUNDLE: the bundle folder (default <repository>/build/bundle, which tools/bundle.py
// builds). PROBE_INTERPRETERS: the interpreters to run, separated by the path delimiter; the
// `node` nox session passes every one the machine has (default: python3 on PATH).

import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after } from "node:test";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";

function repositoryRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, "noxfile.py"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("the tests run inside a checkout of the probe repository");
    dir = parent;
  }
  return dir;
}

export const ROOT = repositoryRoot();
export const CLIENT_DIR = path.join(ROOT, "clients", "typescript");
export const BUNDLE = path.resolve(process.env["PROBE_BUNDLE"] ?? path.join(ROOT, "build", "bundle"));
export const SCHEMA_PATH = path.join(BUNDLE, "probe", "schema.json");
export const SCHEMA_TEXT = fs.readFileSync(SCHEMA_PATH, "utf8");
const SCHEMA = JSON.parse(SCHEMA_TEXT) as { properties: Record<string, unknown>; required: string[] };

/** The product keys of a default run, in the order the block has them (the schema's order). */
export const DEFAULT_PRODUCTS = Object.keys(SCHEMA.properties).filter((key) => !SCHEMA.required.includes(key));
export const FIXED_KEYS = SCHEMA.required;

// strict: a keyword ajv does not know is an error, not something quietly ignored. The six
// products also match patternProperties' pattern on purpose: a product is a product either way.
const ajv = new Ajv2020({ strict: true, allowMatchingProperties: true, allErrors: true });
const validate = ajv.compile(SCHEMA);

/** The schema's errors for *value*, as text; empty when it is a valid block. */
export function schemaErrors(value: unknown): string[] {
  return validate(value)
    ? []
    : (validate.errors ?? []).map((error) => `${error.instancePath || "block"} ${error.message}`);
}

/**
 * The errors of *report* against the schema of `--report --json`, which the bundle ships beside the
 * report's code, as text; undefined when this bundle has no such schema.
 */
export function reportSchemaErrors(report: unknown): string[] | undefined {
  const file = path.join(BUNDLE, "probe", "report", "schema.json");
  if (!fs.existsSync(file)) return undefined;
  // Its fields may be of two types ("string" or "null"): allowed, and still strict otherwise.
  const check = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true }).compile(
    JSON.parse(fs.readFileSync(file, "utf8")),
  );
  return check(report) ? [] : (check.errors ?? []).map((error) => `${error.instancePath || "report"} ${error.message}`);
}

/** *block* is a valid block, and no value in it looks like a path. */
export function assertValidBlock(block: unknown): asserts block is Record<string, unknown> {
  assert.ok(block !== undefined, "no block");
  assert.deepEqual(schemaErrors(block), []);
  for (const [key, value] of Object.entries(block as Record<string, unknown>)) {
    if (typeof value === "string") assert.ok(!/[\\/]/.test(value), `${key} holds a path-like value: ${value}`);
  }
}

// process.arch's possible values (https://nodejs.org/api/process.html#processarch).
export const NODE_ARCHES = [
  "arm",
  "arm64",
  "ia32",
  "loong64",
  "mips",
  "mipsel",
  "ppc",
  "ppc64",
  "riscv64",
  "s390",
  "s390x",
  "x64",
];

// Variables of the developer's shell that would change what the probe sees.
const LEAKY = ["PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH", "PYTHONSTARTUP", "PYTHONUSERBASE", "PYTHONNOUSERSITE"];

/** The tests' environment for a run: the developer's shell without LEAKY, plus *extra*. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of LEAKY) delete env[name];
  return { ...env, ...extra };
}

export interface Interpreter {
  readonly python: string;
  /** `platform.python_version()`: 3.13.0, with its zero micro. */
  readonly version: string;
  readonly major: number;
  readonly minor: number;
  /** 3.8 or newer: the probe answers; older ones get `unsupported_python`. */
  readonly supported: boolean;
}

/** The interpreter's own answer to "which version are you", asked without the probe. */
function describeInterpreter(python: string): Interpreter {
  const out = execFileSync(python, ["-c", "import platform, sys; sys.stdout.write(platform.python_version())"], {
    encoding: "utf8",
    windowsHide: true,
  });
  const version = out.trim();
  const [major = 0, minor = 0] = version.split(".").map((part) => parseInt(part, 10));
  return { python, version, major, minor, supported: major > 3 || (major === 3 && minor >= 8) };
}

export const INTERPRETERS: readonly Interpreter[] = (process.env["PROBE_INTERPRETERS"] ?? "python3")
  .split(path.delimiter)
  .filter(Boolean)
  .map(describeInterpreter);

/** A supported interpreter for the tests of the module's own behaviour: the newest one. */
export function newestInterpreter(): Interpreter {
  const supported = INTERPRETERS.filter((interpreter) => interpreter.supported);
  assert.ok(supported.length > 0, "no interpreter 3.8 or newer");
  return supported.reduce((best, next) =>
    next.major * 100 + next.minor > best.major * 100 + best.minor ? next : best,
  );
}

const temporary: string[] = [];
after(() => {
  for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true });
});

/** A new empty folder, removed when the test file ends. */
export function temporaryDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-client-"));
  temporary.push(dir);
  return dir;
}

/** A folder holding *files* (relative path: text), removed when the test file ends. */
export function treeOf(files: Readonly<Record<string, string>>): string {
  const dir = temporaryDir();
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

// Start-up hooks as hostile as a real environment gets: a line of JSON that even starts with the
// frame prefix, output without a newline, and an atexit handler that prints. Parses on 2.7.
export const HOSTILE_SITECUSTOMIZE = `
import atexit, sys
sys.stdout.write('{"probe_schema_version":1,"probe_status":"ok","fastapi_version":"6.6.6"}\\n')
sys.stdout.write('{"hostile": "a JSON line"}\\n')
sys.stdout.write('no newline after this')
atexit.register(lambda: sys.stdout.write('{"probe_schema_version":1,"after":"exit"}\\n'))
`;

/** The environment that runs *source* as `sitecustomize` at interpreter start-up. */
export function withStartupHook(source: string): NodeJS.ProcessEnv {
  return cleanEnv({ PYTHONPATH: treeOf({ "sitecustomize.py": source }) });
}

/** A line that frames as a valid block, for stand-ins and start-up hooks to print. */
export const VALID_LINE = JSON.stringify({
  probe_schema_version: 1,
  probe_version: "0.1.0",
  probe_status: "ok",
  python_version: "3.12.1",
  python_implementation: "cpython",
  python_platform: "linux",
  python_arch: "x64",
});

/** A stand-in bundle whose `python -m probe` runs *main* instead of the probe. */
export function standInBundle(main: string): string {
  return treeOf({ "probe/__init__.py": "", "probe/__main__.py": main });
}

export interface RawRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** `<python> -m probe ...args` in *cwd* straight through execFile, for what the module hides. */
export function rawRun(
  python: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd = BUNDLE,
  timeout = 5000,
): Promise<RawRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(python, ["-m", "probe", ...args], { cwd, env, timeout, encoding: "utf8" }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Milliseconds *promise* takes, with its value. */
export async function timed<T>(promise: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await promise;
  return { value, ms: Date.now() - started };
}
