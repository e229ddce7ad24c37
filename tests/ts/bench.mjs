// Generated TypeScript validators against compiled ajv validators, side by side in one run, over
// the conformance vectors. Prints rates and ratios (median of alternating rounds).
//   node bench.mjs <generated/ts/dist/index.js>
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { formatChecks } from "./reference-formats.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const generated = await import(pathToFileURL(process.argv[2]).href);
const require = createRequire(join(repo, "generated", "ts", "package.json"));
const Ajv = require("ajv").default;

const schemas = {};
for (const name of readdirSync(join(repo, "schema"))) {
  if (name.endsWith(".json") && name !== "methods.json") {
    schemas[name] = JSON.parse(readFileSync(join(repo, "schema", name), "utf8"));
  }
}
function makeAjv(allErrors) {
  const ajv = new Ajv({ allErrors, strict: false });
  for (const [name, check] of Object.entries(formatChecks)) {
    ajv.addFormat(name, { type: name === "int64" ? "number" : "string", validate: check });
  }
  for (const [name, schema] of Object.entries(schemas)) {
    ajv.addSchema({ ...schema, $id: name, $schema: undefined });
  }
  return ajv;
}
const ajvFirst = makeAjv(false);
const ajvAll = makeAjv(true);

const vectors = [];
for (const name of readdirSync(join(repo, "tests", "vectors")).sort()) {
  const file = JSON.parse(readFileSync(join(repo, "tests", "vectors", name), "utf8"));
  for (const v of file.vectors) {
    vectors.push({
      type: file.type,
      instance: v.instance,
      valid: v.valid,
      first: ajvFirst.getSchema(`${file.type}.json`),
      all: ajvAll.getSchema(`${file.type}.json`),
    });
  }
}
const isValid = generated.isValid;
const validate = generated.validate;

let disagreements = 0;
for (const v of vectors) {
  if (v.first(v.instance) !== v.valid || isValid(v.type, v.instance) !== v.valid) disagreements++;
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
function compare(label, items, ours, theirs) {
  const a = [], b = [], r = [];
  for (let i = 0; i < ROUNDS; i++) {
    const x = rate(() => ours(items));
    const y = rate(() => theirs(items));
    a.push(x); b.push(y); r.push(x / y);
  }
  const n = items.length;
  console.log(`${label}: generated ${(median(a) * n).toFixed(0).padStart(12)} validations/s, ajv ${(median(b) * n).toFixed(0).padStart(12)} validations/s, ratio ${median(r).toFixed(2)}x`);
}

console.log(`TypeScript (node ${process.version}): ${vectors.length} conformance vectors per pass, ${ROUNDS} alternating rounds of ${ROUND_MS} ms per side, medians; verdict disagreements with ajv: ${disagreements}`);
compare("TS yes/no (isValid)          ", vectors,
  (items) => { let k = 0; for (const v of items) if (isValid(v.type, v.instance)) k++; return k; },
  (items) => { let k = 0; for (const v of items) if (v.first(v.instance)) k++; return k; });
compare("TS every violation           ", vectors,
  (items) => { let k = 0; for (const v of items) k += validate(v.type, v.instance).length; return k; },
  (items) => { let k = 0; for (const v of items) { if (!v.all(v.instance)) k += v.all.errors.length; } return k; });
const valid = vectors.filter((v) => v.valid);
compare("TS valid instances only      ", valid,
  (items) => { let k = 0; for (const v of items) if (isValid(v.type, v.instance)) k++; return k; },
  (items) => { let k = 0; for (const v of items) if (v.first(v.instance)) k++; return k; });
