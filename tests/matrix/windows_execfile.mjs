// node windows_execfile.mjs PYTHON_EXE BUNDLE MAIN: run the probe as the extension does, with wine in
// front: MAIN is BUNDLE\probe\__main__.py in Windows spelling, run as a file (what the client runs).
// Prints the block the framing rule picks (exit 0), or the reason there is none (exit 1).
import { execFile } from "node:child_process";

const [python, bundle, main] = process.argv.slice(2);
const FRAME_PREFIX = '{"probe_schema_version":';
const env = { ...process.env };
delete env.PYTHONSAFEPATH;

execFile("wine", [python, main], { cwd: bundle, timeout: 60000, windowsHide: true, env }, (error, stdout) => {
  if (error) {
    console.error(`no answer: ${error.message}`);
    process.exit(1);
  }
  const line = stdout
    .split(/\r?\n/)
    .reverse()
    .find((candidate) => candidate.startsWith(FRAME_PREFIX));
  if (line === undefined) {
    console.error(`no block in ${JSON.stringify(stdout)}`);
    process.exit(1);
  }
  process.stdout.write(JSON.stringify(JSON.parse(line)));
});
