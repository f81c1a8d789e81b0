// The tests' hand inside the extension host. They write requests as NNNN.json files into the folder
// PROBE_DRIVER names; this runs each in order and writes NNNN.result.json beside it:
//   {"command": id, "args": [...]}                      -> vscode.commands.executeCommand
//   {"configure": section, "key": k, "value": v}         -> getConfiguration(section).update(k, v, Global)
//   {"active": extensionId}                              -> whether that extension has been activated
//   {"env": name}                                        -> the extension host's process.env[name]
// A configuration update fires the change events an extension sees when a user changes a setting.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vscode = require("vscode");

/** @param {Record<string, unknown>} request */
async function run(request) {
  if (typeof request["command"] === "string") {
    const args = Array.isArray(request["args"]) ? request["args"] : [];
    return vscode.commands.executeCommand(request["command"], ...args);
  }
  if (typeof request["configure"] === "string" && typeof request["key"] === "string") {
    const configuration = vscode.workspace.getConfiguration(request["configure"]);
    await configuration.update(request["key"], request["value"], vscode.ConfigurationTarget.Global);
    return configuration.get(request["key"]);
  }
  if (typeof request["active"] === "string") return vscode.extensions.getExtension(request["active"])?.isActive;
  if (typeof request["env"] === "string") return process.env[request["env"]];
  throw new Error("unknown request");
}

/** @param {vscode.ExtensionContext} context */
function activate(context) {
  const folder = process.env["PROBE_DRIVER"];
  if (folder === undefined) return;
  const done = new Set();
  let busy = false;
  const poll = async () => {
    if (busy) return;
    busy = true;
    try {
      const requests = fs
        .readdirSync(folder)
        .filter((name) => /^\d+\.json$/.test(name))
        .sort();
      for (const name of requests) {
        if (done.has(name)) continue;
        done.add(name);
        const request = JSON.parse(fs.readFileSync(path.join(folder, name), "utf8"));
        let result;
        try {
          result = { ok: true, value: (await run(request)) ?? null };
        } catch (error) {
          result = { ok: false, error: String(error) };
        }
        const out = path.join(folder, name.replace(".json", ".result.json"));
        fs.writeFileSync(out + ".tmp", JSON.stringify(result));
        fs.renameSync(out + ".tmp", out);
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void poll(), 50);
  fs.writeFileSync(path.join(folder, "ready"), String(process.pid));
  context.subscriptions.push({ dispose: () => clearInterval(timer) });
}

module.exports = { activate };
