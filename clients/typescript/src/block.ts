// Generated from probe/schema.json by scripts/generate-block-type.ts (`npm run generate`): do not edit.
// test/block-type.test.ts fails when this file and the schema disagree.

/** A normalized PEP 440 public version: no local label, no leading zeros, at most 64 characters. */
export type PublicVersion = string;

/**
 * The version of the installed code `import` would find (a missing dependency does not make it
 * null); "unknown" when the module is found but no trustworthy version was; null when no module of
 * that name is found (not installed).
 */
export type Product = PublicVersion | "unknown" | null;

/** A short lower-case word: no path separator, no space, no upper case. */
export type Token = string;

/** The `probe_schema_version` this module reads; a block with another is no block. */
export const PROBE_SCHEMA_VERSION = 1;

/** The keys every block has. */
export const REQUIRED_KEYS = ["probe_schema_version", "probe_version", "probe_status", "python_version", "python_implementation", "python_platform", "python_arch"] as const;

/**
 * probe context block. The one JSON object `python -m probe` prints as the last line of stdout
 * (framing rule: the last line that starts with {"probe_schema_version":). probe_schema_version 1.
 * No value can hold a path, a user, a host or a project name: every string is a version or a short
 * lower-case token.
 */
export type ProbeBlock = {
  /**
   * The shape of the block. Raised when a key is removed or changes meaning; new keys do not raise
   * it.
   */
  readonly probe_schema_version: 1;
  /** The probe's own version. */
  readonly probe_version: PublicVersion;
  /**
   * ok: every product key asked for is present. timeout: the deadline passed first; product keys
   * not reached are absent. error: finding a product failed unexpectedly; that key is absent.
   * unsupported_python: an interpreter older than 3.8; no product key is present.
   */
  readonly probe_status: "ok" | "timeout" | "error" | "unsupported_python";
  /**
   * The language version as platform.python_version() gives it: 3.12.1, 3.14.0rc1; PyPy's language
   * version.
   */
  readonly python_version: string;
  /** sys.implementation.name: cpython, pypy, graalpy. */
  readonly python_implementation: Token;
  /**
   * The OS the interpreter runs on, in Node's process.platform words: linux, darwin, win32,
   * freebsd.
   */
  readonly python_platform: Token;
  /**
   * The architecture of the interpreter process, in Node's process.arch words: x64, arm64, ia32,
   * arm.
   */
  readonly python_arch: Token;
  /** The version of the code `import fastapi` would load (fastapi or fastapi-slim). */
  readonly fastapi_version?: Product;
  /** Likewise for `import fastapi_cli` (fastapi-cli or fastapi-cli-slim). */
  readonly fastapi_cli_version?: Product;
  /** Likewise for `import fastapi_cloud_cli` (fastapi-cloud-cli). */
  readonly fastapi_cloud_cli_version?: Product;
  /** Likewise for `import pydantic`. */
  readonly pydantic_version?: Product;
  /** Likewise for `import starlette`. */
  readonly starlette_version?: Product;
  /** Likewise for `import typer` (typer or typer-slim). */
  readonly typer_version?: Product;
  /**
   * `python -m probe NAME ...`: the distribution's PEP 503 name with - turned into _, plus
   * _version.
   */
  readonly [key: `${string}_version`]: Product | 1 | PublicVersion | string;
};
