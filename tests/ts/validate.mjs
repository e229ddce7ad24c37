// Runs generated TypeScript validators over instances read as JSON from stdin:
//   node validate.mjs <compiled module exporting validate(typeName, value)>
// stdin: [{"type": "...", "instance": ...}, ...]; stdout: one violation list per instance.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const modulePath = process.argv[2];
if (!modulePath) {
  console.error("usage: node validate.mjs <module.js>");
  process.exit(2);
}
const { validate } = await import(pathToFileURL(modulePath).href);
const cases = JSON.parse(readFileSync(0, "utf8"));
const results = cases.map(({ type, instance }) => {
  const violations = validate(type, instance);
  if (violations === undefined) {
    throw new Error(`no validator for ${type}`);
  }
  return violations;
});
process.stdout.write(JSON.stringify(results));
