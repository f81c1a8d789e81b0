// ProbeBlock and probe/schema.json cannot drift: the committed type is what the generator makes of
// the schema today, and values the schema accepts or refuses are accepted or refused by both.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { blockTypeSource, templateForPattern, type SchemaNode } from "../scripts/generate-block-type.js";
import type { ProbeBlock } from "../src/index.js";
import { CLIENT_DIR, ROOT, schemaErrors, SCHEMA_TEXT } from "./support.js";

const SOURCE_SCHEMA = fs.readFileSync(path.join(ROOT, "probe", "schema.json"), "utf8");

test("src/block.ts is what the generator makes of probe/schema.json (npm run generate)", () => {
  const committed = fs.readFileSync(path.join(CLIENT_DIR, "src", "block.ts"), "utf8");
  assert.equal(committed, blockTypeSource(JSON.parse(SOURCE_SCHEMA) as SchemaNode));
});

test("the bundle ships that schema", () => {
  assert.equal(SCHEMA_TEXT, SOURCE_SCHEMA);
});

test("the generator refuses what it cannot express instead of dropping it", () => {
  const schema = JSON.parse(SOURCE_SCHEMA) as Record<string, unknown>;
  const withArray = { ...schema, properties: { ...(schema["properties"] as object), tags: { type: "array" } } };
  assert.throws(() => blockTypeSource(withArray as SchemaNode), /type array is not supported/);
  const withFormat = {
    ...schema,
    properties: { ...(schema["properties"] as object), when: { type: "string", format: "date" } },
  };
  assert.throws(() => blockTypeSource(withFormat as SchemaNode), /keyword format is not supported/);
  assert.throws(() => blockTypeSource({ ...schema, additionalProperties: true } as SchemaNode), /not a closed object/);
});

test("patternProperties become the template literal type their keys fit", () => {
  assert.equal(
    templateForPattern("^(?!(probe_schema|probe|python)_version$)[a-z0-9]+(_[a-z0-9]+)*_version$"),
    "`${string}_version`",
  );
  assert.equal(templateForPattern("^[a-z]+$"), "string");
});

// Compile-time half: these assignments are type-checked by tsc, the run-time half by ajv.
const okBlock: ProbeBlock = {
  probe_schema_version: 1,
  probe_version: "0.1.0",
  probe_status: "ok",
  python_version: "3.13.0",
  python_implementation: "cpython",
  python_platform: "linux",
  python_arch: "x64",
  fastapi_version: "0.115.0",
  pydantic_version: null,
  starlette_version: "unknown",
  jinja2_version: "3.1.4",
};
const unsupportedBlock: ProbeBlock = {
  probe_schema_version: 1,
  probe_version: "0.1.0",
  probe_status: "unsupported_python",
  python_version: "2.7.18",
  python_implementation: "cpython",
  python_platform: "win32",
  python_arch: "ia32",
};

test("blocks the type accepts, the schema accepts", () => {
  assert.deepEqual(schemaErrors(okBlock), []);
  assert.deepEqual(schemaErrors(unsupportedBlock), []);
});

test("blocks the type refuses, the schema refuses", () => {
  // @ts-expect-error: probe_schema_version is the constant 1
  const otherVersion: ProbeBlock = { ...okBlock, probe_schema_version: 2 };
  // @ts-expect-error: probe_status is one of four words
  const otherStatus: ProbeBlock = { ...okBlock, probe_status: "fine" };
  // @ts-expect-error: python_version is required
  const noPython: ProbeBlock = { ...unsupportedBlock, python_version: undefined };
  // @ts-expect-error: a product is a version, "unknown" or null
  const numberProduct: ProbeBlock = { ...okBlock, fastapi_version: 115 };
  for (const block of [otherVersion, otherStatus, noPython, numberProduct]) {
    assert.notDeepEqual(schemaErrors(JSON.parse(JSON.stringify(block))), [], JSON.stringify(block));
  }
});

test("what only the schema can say: the schema refuses", () => {
  // Patterns, lengths and conditions are beyond a type; ajv holds the line.
  for (const block of [
    { ...okBlock, fastapi_version: "/home/alice/fastapi" },
    { ...okBlock, fastapi_version: "0.115.0+acme" },
    { ...okBlock, python_platform: "Linux" },
    { ...unsupportedBlock, fastapi_version: null },
    { ...okBlock, user: "alice" },
  ]) {
    assert.notDeepEqual(schemaErrors(block), [], JSON.stringify(block));
  }
  const {
    fastapi_version: _f,
    pydantic_version: _p,
    starlette_version: _s,
    jinja2_version: _j,
    ...noProduct
  } = okBlock;
  assert.notDeepEqual(schemaErrors(noProduct), [], "ok with no product key");
});
