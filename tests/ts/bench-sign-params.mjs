// Per-type throughput for `DeviceKeySignParams`: the generated `isDeviceKeySignParams` against ajv
// compiled with the reference formats of `reference-formats.mjs`, side by side in one process over
// the same valid instances (medians of alternating rounds and of the per-round ratios); then, for
// context, `JSON.parse` + `isDeviceKeySignParams` against `JSON.parse` alone. Every instance must be
// valid on both sides. Driven by `tests/benches/sign_params.rs`:
//   node bench-sign-params.mjs <generated/ts/dist/index.js> <instances.json (an array)>
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { formatChecks } from "./reference-formats.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const generated = await import(pathToFileURL(process.argv[2]).href);
const instances = JSON.parse(readFileSync(process.argv[3], "utf8"));
const texts = instances.map((v) => JSON.stringify(v));
const require = createRequire(join(repo, "generated", "ts", "package.json"));
const Ajv = require("ajv").default;

const ajv = new Ajv({ allErrors: false, strict: false });
for (const [name, check] of Object.entries(formatChecks)) {
  ajv.addFormat(name, { type: name === "int64" ? "number" : "string", validate: check });
}
for (const name of readdirSync(join(repo, "schema"))) {
  if (name.endsWith(".json") && name !== "methods.json") {
    const schema = JSON.parse(readFileSync(join(repo, "schema", name), "utf8"));
    ajv.addSchema({ ...schema, $id: name, $schema: undefined });
  }
}
const reference = ajv.getSchema("DeviceKeySignParams.json");
const isDeviceKeySignParams = generated.isDeviceKeySignParams;

for (const v of instances) {
  if (!isDeviceKeySignParams(v)) throw new Error(`the generated validator rejects ${JSON.stringify(v)}`);
  if (!reference(v)) throw new Error(`ajv rejects ${JSON.stringify(v)}: ${ajv.errorsText(reference.errors)}`);
}

const ROUNDS = 7;
const ROUND_MS = 300;
function rate(pass) {
  const start = performance.now();
  let passes = 0;
  let sink = 0;
  while (performance.now() - start < ROUND_MS) {
    sink += pass();
    passes++;
  }
  globalThis.__sink = sink;
  return passes / ((performance.now() - start) / 1000);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function compare(label, theirsName, n, ours, theirs) {
  const a = [], b = [], r = [];
  for (let i = 0; i < ROUNDS; i++) {
    const x = rate(ours);
    const y = rate(theirs);
    a.push(x); b.push(y); r.push(x / y);
  }
  const ra = median(a) * n, rb = median(b) * n;
  console.log(`${label}: generated ${ra.toFixed(0).padStart(10)}/s (${(1e9 / ra).toFixed(0).padStart(6)} ns each), ${theirsName} ${rb.toFixed(0).padStart(10)}/s (${(1e9 / rb).toFixed(0).padStart(6)} ns each), ratio ${median(r).toFixed(2)}x`);
}

const n = instances.length;
console.log(`TypeScript (node ${process.version}): the same ${n} instances`);
compare("(b) TS isDeviceKeySignParams vs ajv               ", "ajv       ", n,
  () => { let k = 0; for (const v of instances) if (isDeviceKeySignParams(v)) k++; return k; },
  () => { let k = 0; for (const v of instances) if (reference(v)) k++; return k; });
compare("    TS JSON.parse+isDeviceKeySignParams vs parse  ", "JSON.parse", n,
  () => { let k = 0; for (const t of texts) if (isDeviceKeySignParams(JSON.parse(t))) k++; return k; },
  () => { let k = 0; for (const t of texts) if (JSON.parse(t) !== null) k++; return k; });
