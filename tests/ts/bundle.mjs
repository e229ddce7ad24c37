// Bundles one entry module with esbuild (minified ES module) and prints its size, raw and gzipped:
//   node tests/ts/bundle.mjs --platform=browser|node <entry> <out.mjs>
// The packaging test bundles its consumer for Node with it; the browser test bundles the page.

import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

import { build } from "esbuild";

const [platformFlag, entry, outfile] = process.argv.slice(2);
const platform = platformFlag?.replace(/^--platform=/, "");
if ((platform !== "browser" && platform !== "node") || entry === undefined || outfile === undefined) {
  console.error("usage: node bundle.mjs --platform=browser|node <entry> <out.mjs>");
  process.exit(2);
}
const result = await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: "esm",
  platform,
  target: platform === "browser" ? ["chrome110", "firefox110", "safari16"] : ["node20"],
  minify: true,
  sourcemap: false,
  metafile: true,
  logLevel: "warning",
  // The packaging consumer reads `typeof exports` to say whether it runs as CommonJS.
  logOverride: { "commonjs-variable-in-esm": "silent" },
});
const bytes = readFileSync(outfile);
const inputs = Object.keys(result.metafile.inputs).length;
console.log(`${outfile}: ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} bytes gzipped, from ${inputs} modules`);
