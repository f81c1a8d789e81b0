// The cache and the watcher (src/fresh.ts, src/cache.ts, src/watch.ts) on the newest interpreter,
// in a real virtual environment whose sys.path gets a source tree through a real .pth file: a hit
// runs no process, a change runs the probe, a bad cache file is never trusted, and a watcher turns
// a burst of changes into one check. The change matrix of real installs is tests/test_fresh.py.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { entryFile, MAX_ENTRIES, parseEntry, readEntry, serializeEntry, writeEntry } from "../src/cache.js";
import { DEPENDENCY_ENVIRONMENT, frameDependencies } from "../src/dependencies.js";
import { type FreshAnswer, ProbeCache, RACY_WINDOW_NS } from "../src/fresh.js";
import { probePython } from "../src/index.js";
import { assertValidBlock, BUNDLE, cleanEnv, newestInterpreter, rawRun, temporaryDir } from "./support.js";

const { python: basePython } = newestInterpreter();

interface Environment {
  readonly python: string;
  readonly site: string;
  readonly tree: string;
  readonly root: string;
}

/** A real venv whose sys.path also holds a source tree (through a .pth file) with a `fastapi` package. */
function environmentWith(version: string): Environment {
  const root = path.join(temporaryDir(), "José Ñ 項目"); // paths beyond ASCII, escaped in the line
  fs.mkdirSync(root);
  execFileSync(basePython, ["-m", "venv", "--without-pip", path.join(root, "venv")]);
  const python = path.join(root, "venv", process.platform === "win32" ? "Scripts/python.exe" : "bin/python");
  const site = execFileSync(python, ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], {
    encoding: "utf8",
  }).trim();
  const tree = path.join(root, "tree");
  fs.mkdirSync(path.join(tree, "fastapi"), { recursive: true });
  fs.writeFileSync(path.join(tree, "fastapi", "__init__.py"), `__version__ = "${version}"\n`);
  fs.writeFileSync(path.join(site, "tree.pth"), tree + "\n");
  return { python, site, tree, root };
}

/** Waits until the racy window has passed since the last change (ctime cannot be set back). */
async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, Number(RACY_WINDOW_NS / 1_000_000n) + 50));
}

async function trusted(env: Environment, storage: string): Promise<ProbeCache> {
  void env;
  await settle();
  const cache = new ProbeCache(storage, BUNDLE, { env: cleanEnv() });
  const first = await cache.get(env.python);
  assert.equal(first.from, "probe");
  assert.equal(first.stored, true);
  return cache;
}

function assertNoPath(answer: FreshAnswer, ...places: string[]): void {
  const text = JSON.stringify(answer);
  for (const place of places) assert.ok(!text.includes(place), `${place} in ${text}`);
  assertValidBlock(answer.block);
}

describe("the dependency line", () => {
  test("comes right after the block with --paths, names the environment's variables, and never otherwise", async () => {
    const env = environmentWith("1.0.0");
    const plain = await rawRun(env.python, [], cleanEnv());
    assert.ok(!plain.stdout.includes("probe_dependencies_version"));
    assert.ok(!plain.stdout.includes(env.root));
    const run = await rawRun(env.python, ["--paths"], cleanEnv());
    assert.equal(run.code, 0);
    const framed = frameDependencies(run.stdout);
    assert.ok(framed !== undefined, run.stdout);
    const line = run.stdout.trimEnd().split("\n").at(-1);
    const validate = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true }).compile(
      JSON.parse(fs.readFileSync(path.join(BUNDLE, "probe", "dependencies.schema.json"), "utf8")),
    );
    assert.ok(validate(JSON.parse(line ?? "")), JSON.stringify(validate.errors));
    assert.deepEqual(Object.keys(framed.dependencies.environment), [...DEPENDENCY_ENVIRONMENT]);
    const paths = framed.dependencies.paths.map((dependency) => dependency.path);
    for (const needed of [env.python, env.site, path.join(env.site, "tree.pth"), env.tree]) {
      assert.ok(paths.includes(needed), `${needed} not in ${paths.join(", ")}`);
    }
    assert.ok(paths.includes(path.join(env.tree, "fastapi", "__init__.py")), "the source read for the version");
    // The block itself is the same with and without --paths.
    const lines = run.stdout.trimEnd().split("\n");
    assert.equal(lines.at(-2), plain.stdout.trimEnd().split("\n").at(-1));
  });
});

describe("the cache", () => {
  test("an unchanged environment answers from the cache, without a process; a change runs the probe", async () => {
    const env = environmentWith("1.0.0");
    const storage = temporaryDir();
    const cache = await trusted(env, storage);
    const hit = await cache.get(env.python);
    assert.deepEqual([hit.from, hit.reason], ["cache", "hit"]);
    assert.equal(hit.block?.fastapi_version, "1.0.0");
    assertNoPath(hit, env.root, storage);
    // A new cache object (a restart) reads the same file.
    const restarted = await new ProbeCache(storage, BUNDLE, { env: cleanEnv() }).get(env.python);
    assert.deepEqual([restarted.from, restarted.block?.fastapi_version], ["cache", "1.0.0"]);

    fs.writeFileSync(path.join(env.tree, "fastapi", "__init__.py"), `__version__ = "2.0.0"\n`);
    const changed = await cache.get(env.python);
    assert.deepEqual([changed.from, changed.reason, changed.block?.fastapi_version], ["probe", "changed", "2.0.0"]);
    assertNoPath(changed, env.root, storage);
  });

  test("a change within the racy window is checked by a new run, even with mtime set back", async () => {
    const env = environmentWith("1.0.0");
    const cache = await trusted(env, temporaryDir());
    const file = path.join(env.tree, "fastapi", "__init__.py");
    const before = fs.statSync(file);
    fs.writeFileSync(file, `__version__ = "3.0.0"\n`); // same size
    fs.utimesSync(file, before.atime, before.mtime); // touch -d back to the old time
    const answer = await cache.get(env.python);
    assert.deepEqual([answer.from, answer.block?.fastapi_version], ["probe", "3.0.0"]);
    // Just after a run whose dependencies changed a moment ago, the entry is not trusted.
    const again = await cache.get(env.python);
    assert.deepEqual([again.from, again.reason], ["probe", "racy"]);
  });

  test("another environment variable value is another entry", async () => {
    const env = environmentWith("1.0.0");
    const storage = temporaryDir();
    await trusted(env, storage);
    const other = new ProbeCache(storage, BUNDLE, { env: cleanEnv({ PYTHONPATH: temporaryDir() }) });
    const answer = await other.get(env.python);
    assert.deepEqual([answer.from, answer.reason], ["probe", "no-entry"]);
  });

  test("a corrupt, truncated, foreign, hand-edited or misplaced file is ignored and rewritten", async () => {
    const env = environmentWith("1.0.0");
    const storage = temporaryDir();
    const cache = await trusted(env, storage);
    const key = cache.keyFor(env.python);
    const file = entryFile(storage, key);
    const good = fs.readFileSync(file, "utf8");
    const entry = parseEntry(good, key);
    assert.ok(entry !== undefined);
    const edited = good.replace('"fastapi_version":"1.0.0"', '"fastapi_version":"9.9.9"');
    assert.notEqual(edited, good);
    const otherKey = serializeEntry({ ...entry, key: { ...key, python: "/elsewhere/python" } });
    const bad: Record<string, string> = {
      "not JSON": "{not json",
      truncated: good.slice(0, good.length / 2),
      empty: "",
      "another format": good.replace('"format":"fastapi-probe-cache"', '"format":"something-else"'),
      "another version": good.replace('"version":1', '"version":99'),
      "hand-edited": edited,
      "another key's entry": otherKey,
      "an array": "[]",
      "too big": " ".repeat(1024 * 1024 + 10) + good,
    };
    for (const [what, text] of Object.entries(bad)) {
      fs.writeFileSync(file, text);
      assert.equal(await readEntry(storage, key), undefined, what);
      const answer = await cache.get(env.python);
      assert.deepEqual(
        [answer.from, answer.reason, answer.block?.fastapi_version],
        ["probe", "no-entry", "1.0.0"],
        what,
      );
      assert.ok(parseEntry(fs.readFileSync(file, "utf8"), key) !== undefined, `${what}: rewritten`);
    }
  });

  test("two writers at once leave whole files; the folder keeps at most MAX_ENTRIES", async () => {
    const env = environmentWith("1.0.0");
    const storage = temporaryDir();
    const cache = await trusted(env, storage);
    const key = cache.keyFor(env.python);
    const entry = await readEntry(storage, key);
    assert.ok(entry !== undefined);
    const writes = [];
    for (let index = 0; index < MAX_ENTRIES + 20; index++) {
      const other = { ...entry, key: { ...key, python: `/python/${index}` } };
      writes.push(writeEntry(storage, other), writeEntry(storage, entry));
    }
    assert.ok((await Promise.all(writes)).every(Boolean));
    const names = fs.readdirSync(path.dirname(entryFile(storage, key)));
    assert.ok(names.length <= MAX_ENTRIES, `${names.length} files`);
    assert.ok(
      names.every((name) => name.endsWith(".json")),
      names.join(", "),
    );
    for (const name of names) {
      const text = fs.readFileSync(path.join(path.dirname(entryFile(storage, key)), name), "utf8");
      assert.doesNotThrow(() => JSON.parse(text), name);
    }
  });

  test("no block, no cache, no watching: an interpreter that is not there gives undefined, as probePython does", async () => {
    const storage = temporaryDir();
    const missing = path.join(temporaryDir(), "no-python");
    const cache = new ProbeCache(storage, BUNDLE);
    const answer = await cache.get(missing);
    assert.deepEqual([answer.block, answer.from, answer.stored], [undefined, "probe", false]);
    assert.equal(await probePython(missing, BUNDLE), undefined);
    // A watcher after it watches nothing and runs nothing (no second try of what just failed).
    const watcher = cache.watch(missing, () => assert.fail("no block to change"));
    await watcher.ready;
    assert.deepEqual([watcher.watched, watcher.checks], [[], 0]);
    watcher.dispose();
  });
});

describe("the watcher", () => {
  test("a burst of changes is one check; the listener hears the new block; dispose closes everything", async () => {
    const env = environmentWith("1.0.0");
    const cache = await trusted(env, temporaryDir());
    const heard: (string | null | undefined)[] = [];
    const watcher = cache.watch(env.python, (block) => heard.push(block?.fastapi_version), { debounceMs: 300 });
    await watcher.ready;
    assert.ok(watcher.watched.includes(env.site), watcher.watched.join(", "));
    const checks = watcher.checks;
    for (let index = 0; index < 50; index++) fs.writeFileSync(path.join(env.tree, `noise${index}.txt`), "x");
    fs.writeFileSync(path.join(env.tree, "fastapi", "__init__.py"), `__version__ = "4.0.0"\n`);
    const deadline = Date.now() + 10_000;
    while (heard.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(heard, ["4.0.0"]);
    assert.equal(watcher.checks - checks, 1, "one check for the burst");
    watcher.dispose();
    assert.deepEqual(watcher.watched, []);
    fs.writeFileSync(path.join(env.tree, "fastapi", "__init__.py"), `__version__ = "5.0.0"\n`);
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.deepEqual(heard, ["4.0.0"], "nothing after dispose");
  });

  test("events that never pause still get a check, and the listener hears the change", async () => {
    const env = environmentWith("1.0.0");
    const cache = await trusted(env, temporaryDir());
    const heard: (string | null | undefined)[] = [];
    const watcher = cache.watch(env.python, (block) => heard.push(block?.fastapi_version), { debounceMs: 300 });
    await watcher.ready;
    const noise = setInterval(() => fs.writeFileSync(path.join(env.tree, "log.txt"), String(Date.now())), 100);
    try {
      fs.writeFileSync(path.join(env.tree, "fastapi", "__init__.py"), `__version__ = "6.0.0"\n`);
      const deadline = Date.now() + 20_000;
      while (heard.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(heard, ["6.0.0"]);
    } finally {
      clearInterval(noise);
      watcher.dispose();
    }
  });
});
