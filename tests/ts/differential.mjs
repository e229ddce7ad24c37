// Runs generated TypeScript validators, both entry points, over instances read as JSON from stdin:
//   node differential.mjs <compiled module exporting validate(typeName, value) and isValid(typeName, value)>
// stdin: [{"type": "...", "instance": ...}, ...];
// stdout: [{"violations": [...], "valid": true|false}, ...], one per instance: `validate`'s
// violation list and `isValid`'s verdict (its own check, which stops at the first violation).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const modulePath = process.argv[2];
if (!modulePath) {
  console.error("usage: node differential.mjs <module.js>");
  process.exit(2);
}
const { validate, isValid } = await import(pathToFileURL(modulePath).href);
if (typeof validate !== "function" || typeof isValid !== "function") {
  throw new Error(`${modulePath} does not export validate and isValid`);
}
const cases = JSON.parse(readFileSync(0, "utf8"));
const results = cases.map(({ type, instance }) => {
  const violations = validate(type, instance);
  if (violations === undefined) {
    throw new Error(`no validator for ${type}`);
  }
  const valid = isValid(type, instance);
  if (typeof valid !== "boolean") {
    throw new Error(`isValid gave ${valid} for ${type}`);
  }
  return { violations, valid };
});
process.stdout.write(JSON.stringify(results));
