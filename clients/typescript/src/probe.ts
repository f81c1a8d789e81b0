// The block and the report, as the probe's README defines them ("For integrators").

import { PROBE_SCHEMA_VERSION, type ProbeBlock, REQUIRED_KEYS } from "./block.js";
import { type ProbeOptions, runProbe } from "./run.js";

/** Every block starts with this, and nothing else the framing rule accepts does. */
export const FRAME_PREFIX = '{"probe_schema_version":';

/** Options of {@link probePython}. */
export interface ProbePythonOptions extends ProbeOptions {
  /**
   * Distributions to report instead of the six products (`python -m probe NAME ...`): each comes
   * back under its PEP 503 name with `-` as `_`, plus `_version`. A name the probe refuses (not a
   * distribution name, or one that would report under a key of the block's own) gives no block.
   */
  readonly distributions?: readonly string[];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The framing rule: the block is the last line of *stdout* that starts with
 * `{"probe_schema_version":`. Whatever start-up hooks printed comes before it. A block of another
 * `probe_schema_version` than {@link PROBE_SCHEMA_VERSION}, or without the keys every block has, is
 * no block.
 */
export function frameBlock(stdout: string): ProbeBlock | undefined {
  const line = stdout
    .split(/\r?\n/)
    .reverse()
    .find((candidate) => candidate.startsWith(FRAME_PREFIX));
  const parsed = line === undefined ? undefined : parseJson(line);
  if (!isObject(parsed) || parsed["probe_schema_version"] !== PROBE_SCHEMA_VERSION) return undefined;
  return REQUIRED_KEYS.every((key) => key in parsed) ? (parsed as unknown as ProbeBlock) : undefined;
}

/**
 * Runs the bundled probe with the user's interpreter *python* (`<python> -m probe`, with
 * *bundleDir*, the folder that holds `probe/`, as the working directory) and resolves to its block,
 * or to undefined when there is no answer to use: the run did not exit 0, was killed by the
 * timeout or outlived the guard timer, the interpreter could not be started, or stdout held no
 * block of this schema version. Never rejects.
 */
export async function probePython(
  python: string,
  bundleDir: string,
  options: ProbePythonOptions = {},
): Promise<ProbeBlock | undefined> {
  // `--` ends the options: a name that starts with `-` is refused as a name, not run as an option.
  const args = options.distributions === undefined ? [] : ["--", ...options.distributions];
  const stdout = await runProbe(python, bundleDir, args, options);
  return stdout === undefined ? undefined : frameBlock(stdout);
}

/** The `report_schema_version` this module reads; a report with another is no report. */
export const REPORT_SCHEMA_VERSION = 1;

/** The object `python -m probe --report --json` prints; {@link issueFormUrl} reads `issue_form`. */
export interface ProbeReport {
  readonly report_schema_version?: number;
  /** The bug report form's fields by their ids in the extension's `bug_report.yml`. */
  readonly issue_form?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** Where a report starts: a line that opens an object whose first key is `report_schema_version`. */
const REPORT_START = /^\{\s*"report_schema_version"\s*:/gm;

/**
 * The report's framing rule, the block's for an indented object: the report runs from the last line
 * that starts with `{` and the key `"report_schema_version"` (first, on that line or the next) to the
 * end of *stdout*, and is an object of this {@link REPORT_SCHEMA_VERSION}. Start-up hooks print
 * before it; the probe writes a newline first, so a line they left without one cannot join it.
 */
export function frameReport(stdout: string): ProbeReport | undefined {
  const start = [...stdout.matchAll(REPORT_START)].pop()?.index;
  const parsed = start === undefined ? undefined : parseJson(stdout.slice(start));
  return isObject(parsed) && parsed["report_schema_version"] === REPORT_SCHEMA_VERSION ? parsed : undefined;
}

/**
 * Runs `<python> -m probe --report --json` (for the "Report Issue" command, never for telemetry)
 * and resolves to the report's object, or to undefined as {@link probePython} does. The report
 * never holds a path: `--paths` is not passed.
 */
export async function probeReport(
  python: string,
  bundleDir: string,
  options: ProbeOptions = {},
): Promise<ProbeReport | undefined> {
  const stdout = await runProbe(python, bundleDir, ["--report", "--json"], options);
  return stdout === undefined ? undefined : frameReport(stdout);
}
