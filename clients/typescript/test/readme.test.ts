// The client's README (clients/typescript/README.md) is this module's documentation: its example is
// examples/extension.ts (which tsc compiles against the module), its API list names everything
// src/index.ts exports, and the probe's README points integrators at it.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { CLIENT_DIR, ROOT } from "./support.js";

const README = fs.readFileSync(path.join(CLIENT_DIR, "README.md"), "utf8");
const PROBE_README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const EXAMPLE = fs.readFileSync(path.join(CLIENT_DIR, "examples", "extension.ts"), "utf8");

/** The text of a `## ` section, from its heading up to the next `## ` heading. */
function section(text: string, heading: string): string {
  const start = text.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `no "## ${heading}" section`);
  const end = text.indexOf("\n## ", start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

test("the client's README carries examples/extension.ts, as it is, in its integration recipe", () => {
  assert.ok(
    section(README, "Integration recipe").includes("```ts\n" + EXAMPLE + "```\n"),
    "clients/typescript/README.md and examples/extension.ts differ: copy the file into its Integration recipe",
  );
});

test("the probe's README links to the client's README and its recipe, and holds no second copy", () => {
  for (const link of ["(clients/typescript/README.md)", "(clients/typescript/README.md#integration-recipe)"])
    assert.ok(PROBE_README.includes(link), `README.md does not link to ${link}`);
  assert.ok(!PROBE_README.includes(EXAMPLE.split("\n")[0]!), "README.md holds a copy of the example");
});

test("the client's README's API list names every export of src/index.ts", () => {
  const index = fs.readFileSync(path.join(CLIENT_DIR, "src", "index.ts"), "utf8");
  const names = [...index.matchAll(/^export (?:type )?\{([^}]*)\}/gm), ...index.matchAll(/^export type (\w+)/gm)]
    .flatMap((match) => match[1]!.split(","))
    .map((name) => name.replace(/^\s*type\s+/, "").trim())
    .filter(Boolean);
  assert.ok(names.length >= 10, `found only ${names}`);
  const api = section(README, "API");
  for (const name of names)
    assert.ok(new RegExp(`\\b${name}\\b`).test(api), `${name} is not in the client's README's API list`);
});
