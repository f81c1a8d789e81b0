// The block and the report, as the probe's README defines them ("The block", "Integrate it").

import { PROBE_SCHEMA_VERSION, type ProbeBlock, REQUIRED_KEYS } from "./block.js";
import { BLOCK_PREFIX, framedObject, REPORT_PREFIX } from "./frame.js";
import { type ProbeOptions, runProbe } from "./run.js";

/** Every block starts with this, and nothing else the framing rule accepts does. */
export const FRAME_PREFIX = BLOCK_PREFIX;

/** Options of {@link probePython}. */
export interface ProbePythonOptions extends ProbeOptions {
  /**
   * Distributions to report instead of the six products (`python -m probe NAME ...`): each comes
   * back under its PEP 503 name with `-` as `_`, plus `_version`. A name the probe refuses (not a
   * distribution name, or one that would report under a key of the block's own) gives no block.
   */
  readonly distributions?: readonly string[];
}

/**
 * The framing rule (src/frame.ts) for the block: the last line of *stdout* that starts with
 * `{"probe_schema_version":`. Whatever start-up hooks printed comes before it. A block of another
 * `probe_schema_version` than {@link PROBE_SCHEMA_VERSION}, or without the keys every block has, is
 * no block.
 */
export function frameBlock(stdout: string): ProbeBlock | undefined {
  const parsed = framedObject(stdout, BLOCK_PREFIX);
  if (parsed === undefined || parsed["probe_schema_version"] !== PROBE_SCHEMA_VERSION) return undefined;
  return REQUIRED_KEYS.every((key) => key in parsed) ? (parsed as unknown as ProbeBlock) : undefined;
}

/**
 * Runs the bundled probe with the user's interpreter *python* (`<python> -m probe`, with
 * *bundleDir*, the folder that holds `probe/`, as the working directory) and resolves to its block,
 * or to undefined when there is no answer to use: the run exited with another status than 0,
 * neither closed stdout nor exited within the timeout, the interpreter could not be started, or
 * stdout held no block of this schema version. A run that closed stdout after its block but is
 * held by the kernel (a thread in a stalled network mount) gives its block. Never rejects.
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

/**
 * The report in *stdout*, by the block's framing rule (src/frame.ts) with the report's prefix:
 * the last line that starts with `{"report_schema_version":`, an object of this {@link REPORT_SCHEMA_VERSION}.
 */
function reportOf(stdout: string): ProbeReport | undefined {
  const parsed = framedObject(stdout, REPORT_PREFIX);
  return parsed?.["report_schema_version"] === REPORT_SCHEMA_VERSION ? parsed : undefined;
}

/** {@link probeReport}'s default `timeoutMs`: the probe's own deadline for the report is 3 s less. */
export const REPORT_TIMEOUT_MS = 13000;

// What the run allows the interpreter's start-up and exit around the probe's deadline.
const START_UP_MS = 3000;

/**
 * The probe's deadline (`--timeout`, in seconds) for a run that *timeoutMs* ends: {@link START_UP_MS}
 * less, and within what the probe accepts (more than 0, at most 60).
 */
export function reportDeadline(timeoutMs: number): number {
  return Math.min(60, Math.max(0.5, (timeoutMs - START_UP_MS) / 1000));
}

/**
 * Runs `<python> -m probe --report --json --timeout S` (for the "Report Issue" command, never for
 * telemetry) and resolves to the report's object, or to undefined as {@link probePython} does.
 * `timeoutMs` defaults to {@link REPORT_TIMEOUT_MS}, and the probe's deadline *S* follows it
 * ({@link reportDeadline}): what a stalled finder or mount keeps the probe from reaching by then
 * is in the report as not checked (`deadline`). The report never holds a path: `--paths` is not passed.
 */
export async function probeReport(
  python: string,
  bundleDir: string,
  options: ProbeOptions = {},
): Promise<ProbeReport | undefined> {
  const timeoutMs = options.timeoutMs ?? REPORT_TIMEOUT_MS;
  const args = ["--report", "--json", "--timeout", String(reportDeadline(timeoutMs))];
  const stdout = await runProbe(python, bundleDir, args, { ...options, timeoutMs }, REPORT_PREFIX);
  return stdout === undefined ? undefined : reportOf(stdout);
}
