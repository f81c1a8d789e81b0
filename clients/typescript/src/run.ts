// Running `<python> -m probe ...` the way the probe's README asks ("Integrate it: Calling it"),
// and taking its answer when the probe is done with stdout, not when the process is gone.

import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { BLOCK_PREFIX, framedLine } from "./frame.js";

/** How to run the probe; every field has a default. */
export interface ProbeOptions {
  /**
   * Stop waiting after this many milliseconds: the run gives what the rule below allows by then,
   * and the process is killed. Default 5000.
   */
  readonly timeoutMs?: number;
  /**
   * @deprecated Not used: the run ends by `timeoutMs`, whether the process is gone or not (a
   * thread stuck in a stalled FUSE mount can hold it even after SIGKILL). Kept so that callers that
   * set it still compile.
   */
  readonly guardMs?: number;
  /** The child's environment, before PYTHONSAFEPATH is taken out of it. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

const DEFAULT_TIMEOUT_MS = 5000;

/**
 * How long one of the two ends (stdout's end, the exit) waits for the other once stdout holds a
 * framed line. The probe closes stdout and exits in the same instant: what takes longer is held
 * by something else (the kernel, for a thread in a stalled mount; a process a start-up hook left
 * behind, for stdout), and the answer is already there.
 */
export const EXIT_GRACE_MS = 500;

/** More stdout than any answer needs: a start-up hook flooding it. The run is killed, with no answer. */
export const MAX_STDOUT = 1024 * 1024;

/**
 * The environment to run the probe in: *env* without PYTHONSAFEPATH, which would keep the bundle
 * folder (the working directory) off `sys.path`, so that `-m probe` could not find the probe.
 * Windows spells variable names in any case; so does this.
 */
export function probeEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.toUpperCase() !== "PYTHONSAFEPATH") copy[name] = value;
  }
  return copy;
}

/**
 * Which path settled a run. The first three give stdout; the others say why there is none, so the
 * tests can check which rule acted rather than how long it took.
 */
export type SettledBy =
  | "exit" // stdout ended and the process exited 0
  | "stdout-end" // stdout ended with a framed line; the process had not exited EXIT_GRACE_MS later
  | "exit-stdout-open" // exited 0 with a framed line on stdout, which was still open EXIT_GRACE_MS later
  | "failure" // another exit status, a signal the module did not send, or stdout past MAX_STDOUT
  | "timeout" // timeoutMs passed before the rule allowed an answer: killed, no answer
  | "not-started"; // no process: the interpreter is not there or not executable, or Node refused the arguments

/** A settled run: stdout when the rule gives it, and the path that settled it. */
export interface ProbeRun {
  readonly stdout: string | undefined;
  readonly settledBy: SettledBy;
}

/**
 * Runs `<python> <bundleDir>/probe/__main__.py <args>` (what `-m probe` runs, found also where the
 * working directory is not on sys.path) with *bundleDir* as the working directory, and resolves to its
 * stdout when the rule of {@link runProbeSettled} gives it, or to undefined. Never rejects.
 */
export async function runProbe(
  python: string,
  bundleDir: string,
  args: readonly string[],
  options: ProbeOptions = {},
  prefix: string = BLOCK_PREFIX,
): Promise<string | undefined> {
  return (await runProbeSettled(python, bundleDir, args, options, prefix)).stdout;
}

/**
 * {@link runProbe}, with the path that settled the run. The rule, for the answer's *prefix*
 * (the block's or the report's):
 *
 * - stdout ended and the process exited 0: stdout;
 * - stdout holds a line that frames, and one of the two (stdout's end, exit 0) has come but not
 *   the other within {@link EXIT_GRACE_MS}: stdout, and what is left is killed;
 * - another exit status, a signal, or `timeoutMs` before any of this: nothing, and the process
 *   is killed. So a start-up hook that prints a block-like line and hangs gives nothing: it
 *   neither closes stdout nor exits.
 *
 * Never rejects, and never waits past `timeoutMs`.
 */
export function runProbeSettled(
  python: string,
  bundleDir: string,
  args: readonly string[],
  options: ProbeOptions = {},
  prefix: string = BLOCK_PREFIX,
): Promise<ProbeRun> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      // The file rather than `-m probe`: it puts the bundle folder on sys.path itself, for the
      // interpreters that keep the working directory off it (a Windows embeddable CPython's ._pth, -I).
      child = spawn(python, [path.join(bundleDir, "probe", "__main__.py"), ...args], {
        cwd: bundleDir,
        env: probeEnvironment(options.env ?? process.env),
        // No stdin: a start-up hook that reads it gets end-of-file at once instead of waiting.
        // stderr is for people; the answer is on stdout.
        stdio: ["ignore", "pipe", "ignore"],
        windowsHide: true,
      });
    } catch {
      // Arguments Node refuses before it spawns anything: an empty path, a NUL byte in it.
      resolve({ stdout: undefined, settledBy: "not-started" });
      return;
    }
    const out = child.stdout!;
    let stdout = "";
    let ended = false; // stdout's end: the probe closed it (or the last process holding it went)
    let exitCode: number | null | undefined; // undefined: still running; null: ended by a signal
    let done = false;
    let grace: NodeJS.Timeout | undefined;

    const settle = (settledBy: SettledBy, answer?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timeout);
      clearTimeout(grace);
      // The probe keeps nothing to clean up, and a hung start-up hook may trap SIGTERM.
      if (exitCode === undefined) child.kill("SIGKILL");
      out.destroy(); // a process the hook left behind may hold the pipe: stop reading it
      child.unref(); // a process held in the kernel does not keep the caller's event loop alive
      resolve({ stdout: answer, settledBy });
    };
    const framed = (): boolean => framedLine(stdout, prefix) !== undefined;
    // What one end alone gives: stdout, if it holds a framed line; named for the end that came.
    const oneEnd = (): SettledBy | undefined =>
      (ended || exitCode === 0) && framed() ? (ended ? "stdout-end" : "exit-stdout-open") : undefined;
    const decide = (): void => {
      if (exitCode !== undefined && exitCode !== 0) return settle("failure");
      if (ended && exitCode === 0) return settle("exit", stdout);
      if (grace === undefined && oneEnd() !== undefined) {
        grace = setTimeout(() => settle(oneEnd()!, stdout), EXIT_GRACE_MS);
      }
    };

    const timeout = setTimeout(() => {
      const settledBy = oneEnd();
      if (settledBy === undefined) settle("timeout");
      else settle(settledBy, stdout);
    }, timeoutMs);
    out.setEncoding("utf8");
    out.on("data", (chunk: string) => {
      stdout += chunk;
      if (stdout.length > MAX_STDOUT) settle("failure");
      else decide();
    });
    out.on("end", () => {
      ended = true;
      decide();
    });
    out.on("error", () => {}); // a broken pipe is no answer; the timeout ends the wait
    child.on("exit", (code) => {
      exitCode = code; // null when a signal ended it
      decide();
    });
    child.on("error", () => {
      // ENOENT, EACCES: nothing was started. (A kill that fails leaves the run to the timeout.)
      if (child.pid === undefined) settle("not-started");
    });
  });
}
