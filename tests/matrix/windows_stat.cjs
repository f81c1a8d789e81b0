// Node for Windows, under wine, stats every path of a `--paths` dependency line the Windows CPython
// wrote (argv[2]) and prints how many match what the probe recorded (kind, mtime_ns, size, inode),
// as the TypeScript client's check after a run does (clients/typescript/src/fresh.ts, matchesProbe):
// if Python and Node disagreed on Windows, no answer would ever be cached there.
const fs = require("node:fs");

const line = fs.readFileSync(process.argv[2], "utf8").trim().split("\n").pop();
const paths = /\{"path":"((?:[^"\\]|\\.)*)","kind":"([a-z]+)"(?:,"mtime_ns":(-?\d+),"size":(\d+),"inode":(\d+))?\}/g;
const result = { same: 0, differ: [] };
for (const [, raw, kind, mtimeNs, size, inode] of line.matchAll(paths)) {
  const file = JSON.parse(`"${raw}"`);
  let stats;
  try {
    stats = fs.statSync(file, { bigint: true });
  } catch {
    stats = undefined;
  }
  const seen = stats === undefined ? "absent" : stats.isDirectory() ? "directory" : stats.isFile() ? "file" : "other";
  const numbers = stats === undefined ? [] : [stats.mtimeNs, stats.size, stats.ino].map(String);
  const same = seen === kind && (kind === "absent" || numbers.join() === [mtimeNs, size, inode].join());
  if (same) result.same += 1;
  else result.differ.push({ file, kind, recorded: [mtimeNs, size, inode], seen, numbers });
}
fs.writeFileSync(process.argv[3], JSON.stringify(result));
