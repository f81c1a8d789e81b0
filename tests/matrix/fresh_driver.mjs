// The change matrix's view of the TypeScript client (tests/test_fresh.py): one Node process that
// answers requests as the extension makes them, a JSON line each way. A request is
// {"python", "storage", "bundle", "env"} and gets the client's FreshAnswer; {"watch": true, ...}
// starts a watcher on that interpreter (the blocks it hears are returned by {"heard": true}).
import readline from "node:readline";
import { ProbeCache } from "../../clients/typescript/build/src/fresh.js";

const heard = [];
const watchers = [];
const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  const request = JSON.parse(line);
  let answer;
  if (request.heard) {
    answer = heard.splice(0);
  } else if (request.watch) {
    const cache = new ProbeCache(request.storage, request.bundle, { env: request.env, timeoutMs: 30000 });
    const watcher = cache.watch(request.python, (block) => heard.push(block ?? null), { debounceMs: 500 });
    await watcher.ready;
    watchers.push(watcher);
    answer = { watched: watcher.watched.length };
  } else if (request.dispose) {
    for (const watcher of watchers.splice(0)) watcher.dispose();
    answer = {};
  } else {
    const cache = new ProbeCache(request.storage, request.bundle, { env: request.env, timeoutMs: 30000 });
    answer = await cache.get(request.python);
  }
  process.stdout.write(JSON.stringify(answer ?? null) + "\n");
}
