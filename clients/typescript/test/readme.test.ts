// The README's TypeScript section is this module: its example is examples/extension.ts (which
// tsc compiles against the module), and its API list names everything src/index.ts exports.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { CLIENT_DIR, ROOT } from "./support.js";

const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

test("the README's integration example is examples/extension.ts, as it is", () => {
  const example = fs.readFileSync(path.join(CLIENT_DIR, "examples", "extension.ts"), "utf8");
  assert.ok(
    README.includes("```ts\n" + example + "```\n"),
    "README.md and examples/extension.ts differ: copy the file into the README",
  );
});

test("the README's API list names every export of src/index.ts", () => {
  const index = fs.readFileSync(path.join(CLIENT_DIR, "src", "index.ts"), "utf8");
  const names = [...index.matchAll(/^export (?:type )?\{([^}]*)\}/gm), ...index.matchAll(/^export type (\w+)/gm)]
    .flatMap((match) => match[1]!.split(","))
    .map((name) => name.replace(/^\s*type\s+/, "").trim())
    .filter(Boolean);
  assert.ok(names.length >= 10, `found only ${names}`);
  const section = README.slice(README.indexOf("### In TypeScript"), README.indexOf("### Integration recipe"));
  for (const name of names)
    assert.ok(new RegExp(`\\b${name}\\b`).test(section), `${name} is not in the README's API list`);
});
