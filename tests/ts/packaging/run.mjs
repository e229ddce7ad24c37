// The packaging test, run by `cargo xtask test-packages` (and `cargo xtask test`):
//
//   node tests/ts/packaging/run.mjs     with DEVICEKEY_BIN naming the built `devicekey` binary
//
// 1. packs @devicekey/protocol, @devicekey/verify and @devicekey/client (`npm pack`, which builds
//    each from a clean `dist/`), and checks each tarball: license, README, no private flag,
//    dependencies by name and version, `types` first in `exports`, every source map and
//    declaration map pointing at shipped files;
// 2. publint (strict, every level) and @arethetypeswrong/cli (strict profile) on each tarball;
// 3. installs the tarballs into a scratch project outside the repository, without the registry;
// 4. type-checks `consumer.ts` under strict tsc (no skipLibCheck) with nodenext (ES module and
//    CommonJS), node10 and bundler resolution, and `types.ts` the same way with TypeScript 5.0;
// 5. runs the consumer against the real binary as an ES module, as CommonJS (twice: nodenext and
//    node10 builds) and bundled by esbuild;
// 6. compiles and runs every `ts` and `cjs` example of the three READMEs, comparing what each
//    prints with the `text` block that follows it, and the client's example once more with a
//    wrong binary path (a clean error, not a crash).
//
// Every command has a time limit; a failure says what failed, with its output. The scratch project
// is removed when everything passes and kept (its path printed) when something fails.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../../..");
const tools = resolve(here, "../node_modules");
const TSC = { "5.9": join(tools, "typescript/bin/tsc"), "5.0": join(tools, "typescript-5.0/bin/tsc") };
const PUBLINT = join(tools, "publint/src/cli.js");
const ATTW = join(tools, "@arethetypeswrong/cli/dist/index.js");
const TYPE_ROOTS = join(tools, "@types");

/** The packages, in dependency order: name, folder, entry module (without extension). */
const PACKAGES = [
  { name: "@devicekey/protocol", dir: "generated/ts", entry: "index" },
  { name: "@devicekey/verify", dir: "proof/ts", entry: "verify" },
  { name: "@devicekey/client", dir: "server/ts", entry: "client" },
];

class Failure extends Error {}

function fail(message) {
  throw new Failure(message);
}

function heading(text) {
  console.log(`==> ${text}`);
}

/** Runs a command to completion within `timeoutSeconds`; fails with its output unless it exits 0 (or `allowFailure`). */
function run(command, args, { cwd = repo, env = {}, timeoutSeconds = 120, allowFailure = false } = {}) {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", npm_config_update_notifier: "false", ...env },
    encoding: "utf8",
    timeout: timeoutSeconds * 1000,
    killSignal: "SIGKILL",
    maxBuffer: 64 * 1024 * 1024,
  });
  const shown = `${[command, ...args].map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(" ")} (in ${cwd})`;
  if (result.error?.code === "ETIMEDOUT" || (result.signal === "SIGKILL" && result.status === null)) {
    fail(`${shown} did not finish within ${timeoutSeconds} s\n${result.stdout ?? ""}${result.stderr ?? ""}`);
  }
  if (result.error) {
    fail(`${shown} could not start: ${result.error.message}`);
  }
  if (result.status !== 0 && !allowFailure) {
    fail(`${shown} failed with exit code ${result.status}\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`);
  }
  return result;
}

function readJson(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}

function writeJson(path, value) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Every file under `dir`, as paths relative to it with `/` separators. */
function listFiles(dir, prefix = "") {
  const out = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      out.push(...listFiles(dir, path));
    } else {
      out.push(path);
    }
  }
  return out.sort();
}

// ---------------------------------------------------------------------------------------------
// 1. Pack, and check what the tarballs hold.

function pack(scratch) {
  heading("npm pack (each package built from a clean dist/ by its prepack script)");
  const destination = join(scratch, "tarballs");
  mkdirSync(destination, { recursive: true });
  const args = ["pack", "--json", "--pack-destination", destination, ...PACKAGES.flatMap((p) => ["--workspace", p.dir])];
  const result = run("npm", args, { timeoutSeconds: 300 });
  const start = result.stdout.indexOf("[");
  const packed = JSON.parse(result.stdout.slice(start));
  return PACKAGES.map((pkg) => {
    const entry = packed.find((p) => p.name === pkg.name);
    if (entry === undefined) {
      fail(`npm pack did not pack ${pkg.name}: ${result.stdout}`);
    }
    const tarball = join(destination, entry.filename);
    const extracted = join(scratch, "extracted", pkg.dir.replaceAll("/", "-"));
    mkdirSync(extracted, { recursive: true });
    run("tar", ["-xzf", tarball, "-C", extracted]);
    const root = join(extracted, "package");
    console.log(`${entry.filename}: ${entry.entryCount} files, ${entry.size} bytes packed, ${entry.unpackedSize} unpacked`);
    return { ...pkg, tarball, root, version: entry.version };
  });
}

function checkTarball(pkg, all) {
  const problems = [];
  const files = listFiles(pkg.root);
  const manifest = readJson(join(pkg.root, "package.json"));
  const has = (path) => files.includes(path);
  for (const required of ["LICENSE", "README.md", "package.json", `dist/${pkg.entry}.js`, `dist/${pkg.entry}.d.ts`, `dist/cjs/${pkg.entry}.js`, `dist/cjs/${pkg.entry}.d.ts`, "dist/cjs/package.json"]) {
    if (!has(required)) {
      problems.push(`${required} is not in the tarball`);
    }
  }
  if (has("LICENSE") && !readFileSync(join(pkg.root, "LICENSE")).equals(readFileSync(join(repo, "LICENSE")))) {
    problems.push("LICENSE differs from the repository's LICENSE");
  }
  for (const file of files) {
    if (/^(test|node_modules)\//.test(file) || /^tsconfig.*\.json$/.test(file) || file.endsWith(".tgz")) {
      problems.push(`${file} should not be published`);
    }
  }
  if (has("dist/cjs/package.json") && readJson(join(pkg.root, "dist/cjs/package.json")).type !== "commonjs") {
    problems.push('dist/cjs/package.json does not say "type": "commonjs"');
  }
  // Source maps and declaration maps: present for every output, and pointing at shipped files.
  for (const file of files) {
    if (/\.(js|d\.ts)$/.test(file) && file.startsWith("dist/") && !has(`${file}.map`)) {
      problems.push(`${file} has no ${file.endsWith(".js") ? "source" : "declaration"} map`);
    }
    if (file.endsWith(".map")) {
      const map = readJson(join(pkg.root, file));
      for (const source of map.sources ?? []) {
        const target = relative(pkg.root, resolve(dirname(join(pkg.root, file)), map.sourceRoot ?? "", source)).split(sep).join("/");
        if (!has(target)) {
          problems.push(`${file} points at ${source}, which is not shipped`);
        }
      }
    }
  }
  // The manifest.
  if (manifest.private) {
    problems.push('package.json says "private": true');
  }
  if (manifest.license !== "Apache-2.0") {
    problems.push(`license is ${JSON.stringify(manifest.license)}, not "Apache-2.0"`);
  }
  if (typeof manifest.repository?.url !== "string" || manifest.repository?.directory !== pkg.dir) {
    problems.push(`repository must have a url and directory ${JSON.stringify(pkg.dir)}: ${JSON.stringify(manifest.repository)}`);
  }
  if (manifest.engines?.node !== ">=20") {
    problems.push(`engines.node is ${JSON.stringify(manifest.engines?.node)}; the packages are tested on Node 20 as ES modules and as CommonJS`);
  }
  for (const [name, spec] of Object.entries(manifest.dependencies ?? {})) {
    const local = all.find((p) => p.name === name);
    if (local === undefined) {
      problems.push(`depends on ${name}, which is not one of the repository's packages`);
    } else if (spec !== local.version) {
      problems.push(`depends on ${name}@${spec}, not on the version packed with it (${local.version}); a path or workspace spec does not install from a registry`);
    }
  }
  const typesFirst = (value, path) => {
    if (value === null || typeof value !== "object") {
      return;
    }
    const keys = Object.keys(value);
    if (keys.includes("types") && keys[0] !== "types") {
      problems.push(`exports${path}: "types" must be the first condition, not ${JSON.stringify(keys[0])}`);
    }
    for (const key of keys) {
      typesFirst(value[key], `${path}[${JSON.stringify(key)}]`);
    }
  };
  typesFirst(manifest.exports, "");
  if (problems.length > 0) {
    fail(`${pkg.name} (${relative(repo, pkg.tarball)}):\n  ${problems.join("\n  ")}`);
  }
  console.log(`${pkg.name}: license, README, manifest, exports order and every map check out`);
}

// ---------------------------------------------------------------------------------------------
// 2. The linters.

function lint(packages) {
  for (const pkg of packages) {
    heading(`publint --strict ${pkg.name}`);
    const publint = run("node", [PUBLINT, "run", pkg.tarball, "--strict", "--level", "suggestion"], { timeoutSeconds: 60, allowFailure: true });
    const output = `${publint.stdout}${publint.stderr}`.trim();
    console.log(output);
    if (publint.status !== 0 || !output.includes("All good!")) {
      fail(`publint found problems in ${pkg.name} (fix them in its package.json or what it ships)`);
    }
    heading(`attw --profile strict ${pkg.name}`);
    const attw = run("node", [ATTW, pkg.tarball, "--profile", "strict", "--no-definitely-typed", "--format", "table", "--no-emoji"], { timeoutSeconds: 120, allowFailure: true });
    console.log(`${attw.stdout}${attw.stderr}`.trim());
    if (attw.status !== 0) {
      fail(`@arethetypeswrong/cli found problems in ${pkg.name}'s types (exit code ${attw.status})`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 3. The scratch project.

function install(scratch, packages) {
  heading(`npm install of the three tarballs into ${scratch} (offline: nothing comes from a registry)`);
  const project = join(scratch, "project");
  writeJson(join(project, "package.json"), { name: "devicekey-packaging-consumer", private: true, type: "module" });
  run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--no-package-lock", ...packages.map((p) => p.tarball)], { cwd: project, timeoutSeconds: 180 });
  for (const pkg of packages) {
    const installed = join(project, "node_modules", pkg.name);
    if (!existsSync(installed) || realpathSync(installed).startsWith(repo + sep)) {
      fail(`${pkg.name} is not installed as a copy in ${project}/node_modules`);
    }
  }
  const esm = run("node", ["--input-type=module", "-e", `for (const p of ${JSON.stringify(packages.map((p) => p.name))}) console.log(import.meta.resolve(p))`], { cwd: project });
  const cjs = run("node", ["-e", `for (const p of ${JSON.stringify(packages.map((p) => p.name))}) console.log(require.resolve(p))`], { cwd: project });
  packages.forEach((pkg, index) => {
    const importPath = esm.stdout.split("\n")[index] ?? "";
    const requirePath = cjs.stdout.split("\n")[index] ?? "";
    if (!importPath.endsWith(`/node_modules/${pkg.name}/dist/${pkg.entry}.js`)) {
      fail(`import of ${pkg.name} resolves to ${importPath}, not its ES module build`);
    }
    if (!requirePath.endsWith(`/node_modules/${pkg.name}/dist/cjs/${pkg.entry}.js`)) {
      fail(`require of ${pkg.name} resolves to ${requirePath}, not its CommonJS build`);
    }
    console.log(`${pkg.name}: import → dist/${pkg.entry}.js, require → dist/cjs/${pkg.entry}.js`);
  });
  return project;
}

// ---------------------------------------------------------------------------------------------
// 4 and 5. Type-check and run the consumer.

const STRICT = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  noFallthroughCasesInSwitch: true,
  skipLibCheck: false,
  forceConsistentCasingInFileNames: true,
  target: "es2022",
  lib: ["es2022"],
};

/** The resolution modes: tsconfig options, the file name the source gets, the package type. */
const MODES = [
  { mode: "nodenext", system: "esm", options: { module: "nodenext", moduleResolution: "nodenext" }, extension: "ts", type: "module" },
  { mode: "nodenext", system: "commonjs", options: { module: "nodenext", moduleResolution: "nodenext" }, extension: "cts", type: "module" },
  { mode: "node10", system: "commonjs", options: { module: "commonjs", moduleResolution: "node10" }, extension: "ts", type: "commonjs" },
  { mode: "bundler", system: "esm", options: { module: "esnext", moduleResolution: "bundler" }, extension: "ts", type: "module" },
];

function tsc(version, projectDir) {
  return run("node", [TSC[version], "-p", projectDir, "--pretty", "false"], { cwd: projectDir, timeoutSeconds: 120 });
}

function typeCheckAndRun(project, binary, proofOut) {
  const outputs = [];
  for (const { mode, system, options, extension, type } of MODES) {
    const label = `${mode}, ${system === "esm" ? "ES module" : "CommonJS"}`;
    // The runnable consumer (with Node's types), with the current TypeScript.
    const dir = join(project, `consumer-${mode}-${system}`);
    mkdirSync(dir, { recursive: true });
    writeJson(join(dir, "package.json"), { private: true, type });
    copyFileSync(join(here, "consumer.ts"), join(dir, `main.${extension}`));
    const emit = mode !== "bundler";
    writeJson(join(dir, "tsconfig.json"), {
      compilerOptions: { ...STRICT, ...options, types: ["node"], typeRoots: [TYPE_ROOTS], ...(emit ? { outDir: "out" } : { noEmit: true }) },
      files: [`main.${extension}`],
    });
    heading(`tsc ${version59()} (strict, no skipLibCheck), ${label}: consumer.ts`);
    tsc("5.9", dir);
    // The declarations alone (no Node types), with TypeScript 5.0 and the current one.
    const typesDir = join(project, `types-${mode}-${system}`);
    mkdirSync(typesDir, { recursive: true });
    writeJson(join(typesDir, "package.json"), { private: true, type });
    copyFileSync(join(here, "types.ts"), join(typesDir, `types.${extension}`));
    writeJson(join(typesDir, "tsconfig.json"), { compilerOptions: { ...STRICT, ...options, types: [], noEmit: true }, files: [`types.${extension}`] });
    for (const version of ["5.0", "5.9"]) {
      heading(`tsc ${version === "5.0" ? "5.0.4" : version59()} (strict, no skipLibCheck, no Node types), ${label}: types.ts`);
      tsc(version, typesDir);
    }
    // Run it.
    let program;
    if (emit) {
      program = join(dir, "out", `main.${extension === "cts" ? "cjs" : "js"}`);
    } else {
      heading(`esbuild bundle of the bundler consumer (platform node)`);
      program = join(dir, "main.bundle.mjs");
      const bundled = run("node", [join(here, "..", "bundle.mjs"), "--platform=node", join(dir, "main.ts"), program], { cwd: dir, timeoutSeconds: 60 });
      console.log(bundled.stdout.trim());
    }
    heading(`run the ${label} consumer${emit ? "" : " (bundled)"} against ${binary}`);
    const env = { DEVICEKEY_BIN: binary, CONSUMER_PROOF_OUT: outputs.length === 0 ? proofOut : "" };
    const result = run("node", [program], { cwd: dir, env, timeoutSeconds: 60 });
    const line = result.stdout.trim();
    const expected = `consumer ok (${system === "esm" ? "esm" : "commonjs"})`;
    if (!line.startsWith(expected)) {
      fail(`the ${label} consumer printed ${JSON.stringify(line)}, not a line starting with ${JSON.stringify(expected)}\n${result.stderr}`);
    }
    console.log(line);
    outputs.push(`${label}: ${line}`);
  }
  return outputs;
}

function version59() {
  return readJson(join(tools, "typescript/package.json")).version;
}

// ---------------------------------------------------------------------------------------------
// 6. The README examples.

/** The fenced blocks of a Markdown text: `{ lang, code, expected }`, `expected` the `text` block right after a runnable one. */
function examples(markdown) {
  const blocks = [];
  const fence = /^```([\w-]*)\n([\s\S]*?)^```\s*$/gm;
  let match;
  while ((match = fence.exec(markdown)) !== null) {
    blocks.push({ lang: match[1], code: match[2], start: match.index, end: match.index + match[0].length });
  }
  const out = [];
  blocks.forEach((block, index) => {
    if (block.lang !== "ts" && block.lang !== "cjs") {
      return;
    }
    const next = blocks[index + 1];
    const between = next === undefined ? "" : markdown.slice(block.end, next.start);
    const expected = next !== undefined && next.lang === "text" && between.trim() === "" ? next.code : undefined;
    out.push({ lang: block.lang, code: block.code, expected });
  });
  return out;
}

function runReadmes(project, packages, binary, proofPath) {
  heading("the README examples (from the installed packages)");
  const dir = join(project, "readme");
  mkdirSync(dir, { recursive: true });
  writeJson(join(dir, "package.json"), { private: true, type: "module" });
  copyFileSync(proofPath, join(dir, "proof.json"));
  const cases = [];
  for (const pkg of packages) {
    const readme = readFileSync(join(project, "node_modules", pkg.name, "README.md"), "utf8");
    const found = examples(readme);
    if (found.filter((e) => e.lang === "ts").length === 0) {
      fail(`${pkg.name}'s README has no \`ts\` example`);
    }
    found.forEach((example, index) => {
      const base = `${pkg.name.split("/")[1]}-${index + 1}`;
      const file = `${base}.${example.lang === "ts" ? "ts" : "cjs"}`;
      writeFileSync(join(dir, file), example.code);
      cases.push({ pkg: pkg.name, file, run: example.lang === "ts" ? `out/${base}.js` : file, expected: example.expected });
    });
  }
  writeJson(join(dir, "tsconfig.json"), {
    compilerOptions: { ...STRICT, module: "nodenext", moduleResolution: "nodenext", types: ["node"], typeRoots: [TYPE_ROOTS], outDir: "out" },
    files: cases.filter((c) => c.file.endsWith(".ts")).map((c) => c.file),
  });
  heading(`tsc ${version59()} (strict, no skipLibCheck, nodenext) on the ${cases.filter((c) => c.file.endsWith(".ts")).length} TypeScript examples`);
  tsc("5.9", dir);
  for (const example of cases) {
    const result = run("node", [example.run], { cwd: dir, env: { DEVICEKEY_BIN: binary }, timeoutSeconds: 60 });
    const printed = result.stdout.trimEnd();
    if (example.expected !== undefined && printed !== example.expected.trimEnd()) {
      fail(`${example.pkg} README example ${example.file} printed\n${printed}\ninstead of\n${example.expected.trimEnd()}\n--- the example\n${readFileSync(join(dir, example.file), "utf8")}`);
    }
    console.log(`${example.pkg} ${example.file}: ran${example.expected === undefined ? "" : ", printed what the README says"}`);
  }
  // The client's first example with a wrong path: a clean error naming the binary, no crash.
  const clientExample = cases.find((c) => c.pkg === "@devicekey/client" && c.file.endsWith(".ts"));
  if (clientExample === undefined) {
    fail("@devicekey/client's README has no TypeScript example to run with a wrong binary path");
  }
  const wrong = "/nonexistent/devicekey";
  const result = run("node", [clientExample.run], { cwd: dir, env: { DEVICEKEY_BIN: wrong }, timeoutSeconds: 30, allowFailure: true });
  if (result.status === 0 || !result.stderr.includes(`cannot start ${wrong}: spawn ${wrong} ENOENT`) || result.stderr.includes("Unhandled 'error' event")) {
    fail(`the client README example with DEVICEKEY_BIN=${wrong} should fail with "cannot start ${wrong}: spawn ${wrong} ENOENT", not crash:\n${result.stderr}`);
  }
  console.log(`@devicekey/client ${clientExample.file} with DEVICEKEY_BIN=${wrong}: exits ${result.status} with "cannot start ${wrong}: spawn ${wrong} ENOENT"`);
  return cases.length;
}

// ---------------------------------------------------------------------------------------------

function main() {
  const binary = process.env.DEVICEKEY_BIN;
  if (binary === undefined || !existsSync(binary)) {
    fail(`DEVICEKEY_BIN must name the built devicekey binary (got ${JSON.stringify(binary)}): \`cargo xtask test-packages\` builds it and sets it`);
  }
  for (const tool of [TSC["5.9"], TSC["5.0"], PUBLINT, ATTW, join(tools, "esbuild")]) {
    if (!existsSync(tool)) {
      fail(`${tool} is missing: run \`npm ci\` at the repository root (\`cargo xtask setup\` does)`);
    }
  }
  const scratch = realpathSync(mkdtempSync(join(tmpdir(), "devicekey-packaging-")));
  if (scratch.startsWith(repo + sep)) {
    fail(`the scratch project ${scratch} must be outside the repository ${repo}`);
  }
  let passed = false;
  try {
    const packages = pack(scratch);
    for (const pkg of packages) {
      checkTarball(pkg, packages);
    }
    lint(packages);
    const project = install(scratch, packages);
    const proofPath = join(scratch, "proof.json");
    const outputs = typeCheckAndRun(project, resolve(binary), proofPath);
    const examplesRun = runReadmes(project, packages, resolve(binary), proofPath);
    const sizes = packages.map((p) => `${p.name} ${statSync(p.tarball).size} bytes (sha256 ${createHash("sha256").update(readFileSync(p.tarball)).digest("hex").slice(0, 12)})`);
    console.log("packaging test: every check passed");
    console.log(`  tarballs: ${sizes.join("; ")}`);
    for (const line of outputs) {
      console.log(`  ${line}`);
    }
    console.log(`  README examples run: ${examplesRun}`);
    passed = true;
  } finally {
    if (passed) {
      rmSync(scratch, { recursive: true, force: true });
    } else {
      console.error(`the scratch project is kept for inspection: ${scratch}`);
    }
  }
}

try {
  main();
} catch (error) {
  if (error instanceof Failure) {
    console.error(`packaging test failed: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
