// Runs one generated TypeScript format check over every string of a few small alphabets:
//   node format-sweep.mjs <compiled module exporting the format checks> <check name>
// stdin: [{"alphabet": "...", "maxLength": n}, ...]; stdout: the strings the check accepts, in
// enumeration order (every length from 0 to maxLength, each in lexicographic alphabet order).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [modulePath, checkName] = process.argv.slice(2);
if (!modulePath || !checkName) {
  console.error("usage: node format-sweep.mjs <module.js> <check name>");
  process.exit(2);
}
const check = (await import(pathToFileURL(modulePath).href))[checkName];
if (typeof check !== "function") {
  throw new Error(`${modulePath} exports no function ${checkName}`);
}
const accepted = [];
for (const { alphabet, maxLength } of JSON.parse(readFileSync(0, "utf8"))) {
  const chars = [...alphabet];
  for (let length = 0; length <= maxLength; length++) {
    const digits = new Array(length).fill(0);
    for (;;) {
      const s = digits.map((d) => chars[d]).join("");
      if (check(s)) {
        accepted.push(s);
      }
      let i = length - 1;
      while (i >= 0 && digits[i] === chars.length - 1) {
        digits[i] = 0;
        i--;
      }
      if (i < 0) {
        break;
      }
      digits[i]++;
    }
  }
}
process.stdout.write(JSON.stringify(accepted));
