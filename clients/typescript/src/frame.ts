// The framing rule, one for the block and the report (the probe's README, "Calling it").

/** Every block starts with this, and nothing else the framing rule accepts as a block does. */
export const BLOCK_PREFIX = '{"probe_schema_version":';

/** Every report (`--report --json`) starts with this, as the block starts with {@link BLOCK_PREFIX}. */
export const REPORT_PREFIX = '{"report_schema_version":';

/**
 * The framing rule: the answer is the last line of *stdout* that starts with *prefix*. Whatever
 * start-up hooks printed comes before it; the probe writes a newline before it, so a hook's output
 * left without one cannot join it, and nothing after it.
 */
export function framedLine(stdout: string, prefix: string): string | undefined {
  return stdout
    .split(/\r?\n/)
    .reverse()
    .find((line) => line.startsWith(prefix));
}

/** {@link framedLine}, parsed: a JSON object, or undefined when no line frames or the last one does not parse. */
export function framedObject(stdout: string, prefix: string): Record<string, unknown> | undefined {
  const line = framedLine(stdout, prefix);
  if (line === undefined) return undefined;
  try {
    const parsed = JSON.parse(line) as unknown;
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
