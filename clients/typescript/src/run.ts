// Running `<python> -m probe ...` the way the probe's README asks ("For integrators: Calling it"),
// and reading back only what a run that exited 0 printed.

import { type ExecFileException, execFile } from "node:child_process";

/** How to run the probe; every field has a default. */
export interface ProbeOptions {
  /** Kill the interpreter after this many milliseconds (execFile's `timeout`). Default 5000. */
  readonly timeoutMs?: number;
  /**
   * Stop waiting after this many milliseconds, whatever the process does: execFile calls back only
   * once the process is gone, and a thread stuck in a stalled network file system (sshfs, rclone)
   * can hold it even after SIGKILL. Default `timeoutMs` + 1000.
   */
  readonly guardMs?: number;
  /** The child's environment, before PYTHONSAFEPATH is taken out of it. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

const DEFAULT_TIMEOUT_MS = 5000;
const GUARD_GRACE_MS = 1000;

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
 * Which path settled a run. The answer needs only "exit"; the others say why there is none, so the
 * tests can check which of the module's defences acted rather than how long it took.
 */
export type SettledBy =
  | "exit" // execFile called back: the process exited 0
  | "failure" // execFile called back: another exit status, or a signal the module did not send
  | "timeout" // execFile called back after its timeout killed the process
  | "not-started" // no process: the interpreter is not there or not executable, or Node refused the arguments
  | "guard"; // the guard timer, before execFile called back

/** A settled run: stdout when it exited 0, and the path that settled it. */
export interface ProbeRun {
  readonly stdout: string | undefined;
  readonly settledBy: SettledBy;
}

// execFile reports a full stdout or stderr with this code, after killing the process itself.
const MAX_BUFFER = "ERR_CHILD_PROCESS_STDIO_MAXBUFFER";

/** What execFile's callback says about the run: its error (null when it exited 0). */
function settledByCallback(error: ExecFileException | null): SettledBy {
  if (error === null) return "exit";
  if (typeof error.code === "string" && error.code !== MAX_BUFFER) return "not-started"; // ENOENT, EACCES
  return error.killed === true && error.code !== MAX_BUFFER ? "timeout" : "failure";
}

/**
 * Runs `<python> -m probe <args>` with *bundleDir* as the working directory, and resolves to its
 * stdout when it exited 0, or to undefined: another exit status (2 is a bad argument; anything
 * else is the interpreter failing before the probe could answer), a kill by the timeout, an
 * interpreter that cannot be started, or the guard timer. Never rejects.
 */
export async function runProbe(
  python: string,
  bundleDir: string,
  args: readonly string[],
  options: ProbeOptions = {},
): Promise<string | undefined> {
  return (await runProbeSettled(python, bundleDir, args, options)).stdout;
}

/** {@link runProbe}, with the path that settled the run. Never rejects. */
export function runProbeSettled(
  python: string,
  bundleDir: string,
  args: readonly string[],
  options: ProbeOptions = {},
): Promise<ProbeRun> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const guardMs = options.guardMs ?? timeoutMs + GUARD_GRACE_MS;
  return new Promise((resolve) => {
    let guard: NodeJS.Timeout | undefined;
    const settle = (settledBy: SettledBy, stdout?: string): void => {
      clearTimeout(guard);
      resolve({ stdout, settledBy }); // a second call changes nothing
    };
    let child: ReturnType<typeof execFile>;
    try {
      child = execFile(
        python,
        ["-m", "probe", ...args],
        {
          cwd: bundleDir,
          env: probeEnvironment(options.env ?? process.env),
          // On the timeout execFile kills the process and closes the pipes (which a child that a
          // start-up hook left behind may hold), then calls back once the process is gone.
          timeout: timeoutMs,
          killSignal: "SIGKILL", // the probe keeps nothing to clean up; a hung start-up hook may trap SIGTERM
          windowsHide: true,
          encoding: "utf8",
        },
        (error, stdout) => {
          const settledBy = settledByCallback(error);
          settle(settledBy, settledBy === "exit" ? stdout : undefined);
        },
      );
    } catch {
      // Arguments Node refuses before it spawns anything: an empty path, a NUL byte in it.
      settle("not-started");
      return;
    }
    // No stdin: a start-up hook that reads it gets end-of-file at once instead of waiting.
    child.stdin?.on("error", () => {}); // EPIPE when the process is already gone
    child.stdin?.end();
    // A process that even SIGKILL does not end at once (a thread in a stalled file system) is
    // not waited for; the callback, if it ever comes, changes nothing.
    guard = setTimeout(() => settle("guard"), guardMs);
  });
}
