// Writes src/block.ts, the `ProbeBlock` type, from the block's JSON Schema (probe/schema.json),
// so that the schema the probe ships and the type the extension compiles against cannot drift:
//
//   npm run generate            # rewrite src/block.ts (compiles only scripts/, so a src/ that no
//                               # longer type-checks against the old block.ts is no obstacle)
//
// test/block-type.test.ts regenerates the text and fails when it differs from the committed file.
// Only the keywords the schema uses are understood; any other one stops the generator, so a
// schema change it cannot express is noticed instead of being dropped from the type.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The subset of a JSON Schema (draft 2020-12) node this generator reads. */
export interface SchemaNode {
  readonly $schema?: string;
  readonly title?: string;
  readonly description?: string;
  readonly $ref?: string;
  readonly $defs?: Readonly<Record<string, SchemaNode>>;
  readonly type?: string;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly SchemaNode[];
  readonly pattern?: string;
  readonly maxLength?: number;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly patternProperties?: Readonly<Record<string, SchemaNode>>;
  readonly additionalProperties?: boolean;
  readonly allOf?: readonly unknown[];
}

// Validation-only keywords: they narrow values, and a TypeScript type cannot say more than the
// base type for them (ajv checks them in the tests).
const VALIDATION_ONLY = new Set(["$schema", "title", "description", "pattern", "maxLength", "allOf"]);
const TYPE_KEYWORDS = new Set(["$ref", "type", "const", "enum", "anyOf"]);
const OBJECT_KEYWORDS = new Set(["$defs", "required", "properties", "patternProperties", "additionalProperties"]);
const SCALAR_TYPES: Readonly<Record<string, string>> = {
  string: "string",
  integer: "number",
  number: "number",
  boolean: "boolean",
  null: "null",
};
const HEADER = [
  "// Generated from probe/schema.json by scripts/generate-block-type.ts (`npm run generate`): do not edit.",
  "// test/block-type.test.ts fails when this file and the schema disagree.",
];

function unsupported(where: string, what: string): never {
  throw new Error(`generate-block-type: ${where}: ${what} is not supported; extend the generator`);
}

function checkKeywords(node: SchemaNode, where: string, allowed: ReadonlySet<string>): void {
  for (const keyword of Object.keys(node)) {
    if (!VALIDATION_ONLY.has(keyword) && !allowed.has(keyword)) unsupported(where, `keyword ${keyword}`);
  }
}

/** `public_version` -> `PublicVersion`: the alias a `$defs` entry becomes. */
export function aliasName(defName: string): string {
  return defName
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");
}

/** The TypeScript type expression of a value schema. */
function typeExpression(node: SchemaNode, where: string): string {
  checkKeywords(node, where, TYPE_KEYWORDS);
  if (node.$ref !== undefined) {
    const local = /^#\/\$defs\/([^/]+)$/.exec(node.$ref);
    if (local === null) unsupported(where, `$ref ${node.$ref}`);
    return aliasName(local[1]!);
  }
  if ("const" in node) return JSON.stringify(node.const);
  if (node.enum !== undefined) return node.enum.map((value) => JSON.stringify(value)).join(" | ");
  if (node.anyOf !== undefined) {
    const members = node.anyOf.map((member, index) => typeExpression(member, `${where}.anyOf[${index}]`));
    return [...new Set(members)].join(" | ");
  }
  if (node.type !== undefined) {
    const scalar = SCALAR_TYPES[node.type];
    if (scalar === undefined) unsupported(where, `type ${node.type}`);
    return scalar;
  }
  return unsupported(where, "a schema without a type");
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.replace(/\*\//g, "*\\/").split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function docComment(text: string | undefined, indent: string): string[] {
  if (!text) return [];
  const lines = wrap(text, 96 - indent.length);
  if (lines.length === 1) return [`${indent}/** ${lines[0]} */`];
  return [`${indent}/**`, ...lines.map((line) => `${indent} * ${line}`), `${indent} */`];
}

/**
 * The template literal type that holds every key a `patternProperties` pattern can match:
 * `${string}_version` for a pattern that ends in `_version$`, `string` when it has no literal end.
 */
export function templateForPattern(pattern: string): string {
  // The word characters right before the closing `$` can only match themselves: a superset
  // of the keys, which is all a type needs to be.
  const literal = /([A-Za-z0-9_]+)\$$/.exec(pattern)?.[1];
  return literal === undefined ? "string" : `\`\${string}${literal}\``;
}

/** The text of src/block.ts for *schema*. */
export function blockTypeSource(schema: SchemaNode): string {
  checkKeywords(schema, "schema", new Set([...OBJECT_KEYWORDS, "type"]));
  if (schema.type !== "object" || schema.additionalProperties !== false) {
    unsupported("schema", "a block that is not a closed object");
  }
  const out: string[] = [...HEADER, ""];
  for (const [name, node] of Object.entries(schema.$defs ?? {})) {
    out.push(...docComment(node.description, ""));
    out.push(`export type ${aliasName(name)} = ${typeExpression(node, `$defs.${name}`)};`, "");
  }
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  for (const name of required) if (!(name in properties)) unsupported("schema", `required ${name} without a property`);
  const version = properties["probe_schema_version"]?.const;
  if (typeof version !== "number") unsupported("schema", "probe_schema_version without a numeric const");
  out.push("/** The `probe_schema_version` this module reads; a block with another is no block. */");
  out.push(`export const PROBE_SCHEMA_VERSION = ${version};`, "");
  out.push("/** The keys every block has. */");
  out.push(
    `export const REQUIRED_KEYS = [${[...required].map((key) => JSON.stringify(key)).join(", ")}] as const;`,
    "",
  );

  out.push(...docComment(`${schema.title ?? "The block"}. ${schema.description ?? ""}`, ""));
  // A type alias, not an interface: it is then assignable to Record<string, unknown>, the type
  // of the event properties the block is spread into.
  out.push("export type ProbeBlock = {");
  const declared: Array<[string, string]> = [];
  for (const [name, node] of Object.entries(properties)) {
    const type = typeExpression(node, `properties.${name}`);
    declared.push([name, type]);
    out.push(...docComment(node.description, "  "));
    out.push(`  readonly ${name}${required.has(name) ? "" : "?"}: ${type};`);
  }
  for (const [pattern, node] of Object.entries(schema.patternProperties ?? {})) {
    const template = templateForPattern(pattern);
    const suffix = template === "string" ? "" : template.slice("`${string}".length, -1);
    // TypeScript wants every declared key that fits the template to fit the index type too.
    const types = [typeExpression(node, `patternProperties.${pattern}`)];
    for (const [name, type] of declared) if (name.endsWith(suffix)) types.push(type);
    out.push(...docComment(node.description, "  "));
    out.push(`  readonly [key: ${template}]: ${[...new Set(types)].join(" | ")};`);
  }
  out.push("};", "");
  return out.join("\n");
}

function main(): void {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const clientDir = path.resolve(here, "..", "..");
  const schemaPath = path.resolve(clientDir, "..", "..", "probe", "schema.json");
  const target = path.join(clientDir, "src", "block.ts");
  const schema = JSON.parse(fs.readFileSync(schemaPath, "utf8")) as SchemaNode;
  fs.writeFileSync(target, blockTypeSource(schema));
  console.log(`wrote ${path.relative(process.cwd(), target)} from ${path.relative(process.cwd(), schemaPath)}`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
