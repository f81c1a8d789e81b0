// A stand-in for the Python extension (id ms-python.python), which cannot be installed here: the
// environments API's active environment per folder, resolve, and the change event, typed against
// the real API's published types (@vscode/python-extension). The tests set the interpreters:
// PROBE_STANDIN_PYTHONS (JSON {"default": path, "<folder path>": path}) at start, then the command
// probe-standin.setActiveEnvironment(python, folderPath?) which fires the change event.
"use strict";
const path = require("node:path");
const vscode = require("vscode");

/** @typedef {import("@vscode/python-extension").PythonExtension} PythonExtension */
/** @typedef {Pick<PythonExtension["environments"], "getActiveEnvironmentPath" | "resolveEnvironment" | "onDidChangeActiveEnvironmentPath">} Environments */

/** @param {vscode.ExtensionContext} context @returns {Pick<PythonExtension, "ready"> & { environments: Environments }} */
function activate(context) {
  /** @type {Record<string, string>} */
  const active = JSON.parse(process.env["PROBE_STANDIN_PYTHONS"] || "{}");
  /** @type {vscode.EventEmitter<import("@vscode/python-extension").ActiveEnvironmentPathChangeEvent>} */
  const changed = new vscode.EventEmitter();

  /** @param {import("@vscode/python-extension").Resource | undefined} resource */
  const folderOf = (resource) => {
    const uri = resource === undefined ? undefined : "uri" in resource ? resource.uri : resource;
    return uri === undefined ? undefined : vscode.workspace.getWorkspaceFolder(uri);
  };
  /** @type {Environments} */
  const environments = {
    getActiveEnvironmentPath(resource) {
      const folder = folderOf(resource);
      const python = (folder && active[folder.uri.fsPath]) || active["default"] || "";
      return { id: python, path: python };
    },
    async resolveEnvironment(environment) {
      const python = typeof environment === "string" ? environment : environment.path;
      if (python === "") return undefined;
      return {
        id: python,
        path: python,
        executable: { uri: vscode.Uri.file(python), bitness: "64-bit", sysPrefix: path.dirname(path.dirname(python)) },
        environment: undefined,
        version: undefined,
        tools: [],
      };
    },
    onDidChangeActiveEnvironmentPath: changed.event,
  };
  context.subscriptions.push(
    changed,
    vscode.commands.registerCommand(
      "probe-standin.setActiveEnvironment",
      /** @param {string} python @param {string | undefined} folderPath */
      (python, folderPath) => {
        active[folderPath ?? "default"] = python;
        const folder = folderPath === undefined ? undefined : folderOf(vscode.Uri.file(folderPath));
        changed.fire({ id: python, path: python, resource: folder });
      },
    ),
  );
  return { ready: Promise.resolve(), environments };
}

module.exports = { activate };
