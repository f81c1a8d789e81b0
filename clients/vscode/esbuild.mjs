// Builds dist/extension.js (the extension and the TypeScript client, one CommonJS file) and copies
// the probe bundle (tools/bundle.py's build/bundle/) beside it as probe-bundle/, untouched: it is
// Python, run from disk by the user's interpreter. The repository's LICENSE goes beside them.
import { cpSync, existsSync, rmSync } from "node:fs";
import path from "node:path";
import esbuild from "esbuild";

const here = import.meta.dirname;
const bundle = path.resolve(here, "..", "..", "build", "bundle");

if (!existsSync(path.join(bundle, "probe", "__main__.py"))) {
  console.error(`no probe bundle in ${path.relative(here, bundle)}: run python3 tools/bundle.py first`);
  process.exit(1);
}
rmSync(path.join(here, "dist"), { recursive: true, force: true });
rmSync(path.join(here, "probe-bundle"), { recursive: true, force: true });
cpSync(bundle, path.join(here, "probe-bundle"), { recursive: true });
cpSync(path.resolve(here, "..", "..", "LICENSE"), path.join(here, "LICENSE")); // the repository's, for vsce

await esbuild.build({
  entryPoints: [path.join(here, "src", "extension.ts")],
  outfile: path.join(here, "dist", "extension.js"),
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  external: ["vscode"],
  minify: true,
  // No source map and no absolute paths: the same commit gives the same bytes.
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
});
