// Runs the generated TypeScript `isOrigin` and WHATWG `URL` (Node's) over a list of strings:
//   node origin-sweep.mjs <compiled module exporting isOrigin>
// stdin: ["...", ...]; stdout: {"generated": "0110…", "url": "0100…"}, one character per string,
// `1` where it is accepted. `URL` accepts `s` when it parses as http(s) and its origin is `s`.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [modulePath] = process.argv.slice(2);
if (!modulePath) {
  console.error("usage: node origin-sweep.mjs <module.js>");
  process.exit(2);
}
const { isOrigin } = await import(pathToFileURL(modulePath).href);
if (typeof isOrigin !== "function") {
  throw new Error(`${modulePath} exports no function isOrigin`);
}
function urlAccepts(s) {
  try {
    const url = new URL(s);
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin === s;
  } catch {
    return false;
  }
}
let generated = "";
let url = "";
for (const s of JSON.parse(readFileSync(0, "utf8"))) {
  generated += isOrigin(s) ? "1" : "0";
  url += urlAccepts(s) ? "1" : "0";
}
process.stdout.write(JSON.stringify({ generated, url }));
