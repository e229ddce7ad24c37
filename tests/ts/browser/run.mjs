// The browser test, run by `cargo xtask test-browser` (and `cargo xtask test`):
//
//   node tests/ts/browser/run.mjs    with DEVICEKEY_BIN (the built binary), CHROMIUM (default
//                                    `chromium`) and DEVICEKEY_ARTIFACTS (where the screenshot goes)
//
// 1. asks the real binary (through @devicekey/client) for a fresh proof, and sends it sign params
//    it refuses, keeping the violations the server (the Rust validators) reported; and asks
//    `devicekey identity` for the key's device identity;
// 2. type-checks `page.ts` and bundles it for the browser with esbuild: the verifier and the
//    generated validators, nothing Node-specific (esbuild refuses Node built-ins for the browser);
// 3. serves the page, the bundle and the fixture from 127.0.0.1;
// 4. drives headless Chromium over the DevTools protocol (`--remote-debugging-pipe`): opens the
//    page, reads back `window.devicekeyResult`, and asserts that the proof verified (with a
//    backend's expectations, the expiry window at the browser's current time), the tampered copy
//    was refused as `badSignature`, the page's device identity is the binary's, and the page's
//    violations for the bad params are the server's (and are on the page);
// 5. saves a screenshot of the page.
//
// Every step has a time limit, and a failure says which check failed and what the page said.

import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

import { DeviceKeyClient, DeviceKeyRpcError } from "@devicekey/client";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../../..");
const TSC = join(here, "../node_modules/typescript/bin/tsc");
const ACCOUNT = "account-user-browser";
const CLIENT = "cli_browser";
const EXPECT_AUDIENCE = "remote_control_client_websocket";
const EXPECT_ORIGIN = "https://chatgpt.com";

class Failure extends Error {}

function fail(message) {
  throw new Failure(message);
}

function heading(text) {
  console.log(`==> ${text}`);
}

/** Rejects after `seconds` with `what` unless `promise` settles first. */
function within(seconds, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Failure(`${what} did not finish within ${seconds} s`)), seconds * 1000);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------
// 1. The fixture, from the binary.

async function fixtureFromBinary(binary) {
  heading(`a proof and a refusal from ${binary}`);
  const stateDir = mkdtempSync(join(tmpdir(), "devicekey-browser-"));
  const server = spawn(binary, ["serve", "--provider", "software", "--state-dir", stateDir], { stdio: ["pipe", "pipe", "inherit"] });
  await new Promise((resolveSpawn, reject) => {
    server.once("spawn", resolveSpawn);
    server.once("error", (error) => reject(new Failure(`cannot start ${binary}: ${error.message}`)));
  });
  const exited = new Promise((resolveExit) => server.once("exit", (code) => resolveExit(code)));
  const client = new DeviceKeyClient(server.stdout, server.stdin);
  try {
    await client.initialize({ name: "browser_test", version: "1.0.0" });
    const key = await client.request("device/key/create", { accountUserId: ACCOUNT, clientId: CLIENT, protectionPolicy: "allow_software" });
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      type: "remoteControlClientConnection",
      nonce: randomBytes(32).toString("base64url"),
      audience: EXPECT_AUDIENCE,
      sessionId: "wssess_browser",
      targetOrigin: EXPECT_ORIGIN,
      targetPath: "/api/codex/remote/control/client",
      accountUserId: ACCOUNT,
      clientId: CLIENT,
      tokenSha256Base64url: "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
      tokenExpiresAt: now + 600,
      scopes: ["remote_control_controller_websocket"],
    };
    const signed = await client.request("device/key/sign", { keyId: key.keyId, payload });
    const badParams = {
      keyId: key.keyId,
      payload: { ...payload, nonce: "too-short", sessionId: "", targetOrigin: "https://chatgpt.com/", scopes: [], extra: true },
    };
    let serverViolations;
    try {
      await client.request("device/key/sign", badParams);
    } catch (error) {
      if (!(error instanceof DeviceKeyRpcError) || error.kind !== "invalidParams") {
        throw error;
      }
      serverViolations = error.data.violations;
    }
    if (serverViolations === undefined || serverViolations.length === 0) {
      fail("the server accepted the bad sign params, or refused them without violations");
    }
    const identity = spawnSync(binary, ["identity", "--key-id", key.keyId, "--public-key-spki-base64", key.publicKeySpkiDerBase64], { encoding: "utf8", timeout: 20_000 });
    if (identity.status !== 0) {
      fail(`devicekey identity failed (exit ${identity.status}):\n${identity.stdout}${identity.stderr}`);
    }
    console.log(`proof for ${key.keyId} (${signed.signedPayloadBase64.length} base64 characters signed); the server refused the bad params with ${serverViolations.length} violations; devicekey identity: ${identity.stdout.trim()}`);
    return {
      fixture: {
        proof: { publicKeySpkiDerBase64: key.publicKeySpkiDerBase64, signedPayloadBase64: signed.signedPayloadBase64, signatureDerBase64: signed.signatureDerBase64 },
        key: { keyId: key.keyId, publicKeySpkiDerBase64: key.publicKeySpkiDerBase64, algorithm: key.algorithm, protectionClass: key.protectionClass },
        // A backend's expectations; no `now`: the expiry window at the browser's current time.
        expect: { audience: EXPECT_AUDIENCE, origin: EXPECT_ORIGIN, nonce: payload.nonce, sessionId: payload.sessionId, accountUserId: ACCOUNT, clientId: CLIENT },
        badParams,
      },
      nonce: payload.nonce,
      identity: identity.stdout.trim(),
      serverViolations,
    };
  } finally {
    client.close();
    const code = await within(20, "the devicekey server's exit", exited);
    rmSync(stateDir, { recursive: true, force: true });
    if (code !== 0) {
      fail(`the devicekey server exited with ${code}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Type-check and bundle the page.

async function bundlePage(artifacts) {
  heading("tsc (strict, no skipLibCheck, bundler resolution, DOM) on page.ts");
  const tsc = spawnSync("node", [TSC, "-p", here, "--pretty", "false"], { encoding: "utf8", timeout: 120_000 });
  if (tsc.status !== 0) {
    fail(`page.ts does not type-check:\n${tsc.stdout}${tsc.stderr}`);
  }
  heading("esbuild: page.ts for the browser (the verifier and the validators)");
  const sizes = {};
  const bundles = [
    { name: "page", entry: { entryPoints: [join(here, "page.ts")] } },
    // The verifier alone, as an application that only verifies would bundle it.
    { name: "verifier", entry: { stdin: { contents: 'export { verifyProofBase64 } from "@devicekey/verify";', resolveDir: here, loader: "js" } } },
  ];
  for (const { name, entry } of bundles) {
    const result = await build({
      ...entry,
      bundle: true,
      format: "esm",
      platform: "browser",
      target: ["chrome110", "firefox110", "safari16"],
      minify: true,
      write: false,
      metafile: true,
      logLevel: "silent",
    }).catch((error) => fail(`esbuild cannot bundle the ${name} for the browser (something Node-specific?):\n${error.message}`));
    const code = result.outputFiles[0].contents;
    const inputs = Object.keys(result.metafile.inputs);
    const foreign = inputs.filter((input) => !/(generated|proof)\/ts\/dist\/|browser\/page\.ts|<stdin>/.test(input));
    if (foreign.length > 0) {
      fail(`the ${name} bundle pulls in more than the verifier and the validators: ${foreign.join(", ")}`);
    }
    writeFileSync(join(artifacts, `${name}.js`), code);
    sizes[name] = { bytes: code.length, gzipped: gzipSync(code, { level: 9 }).length, modules: inputs.length };
    console.log(`${name}.js: ${sizes[name].bytes} bytes, ${sizes[name].gzipped} bytes gzipped, ${inputs.length} modules`);
  }
  return { page: readFileSync(join(artifacts, "page.js")), sizes };
}

// ---------------------------------------------------------------------------------------------
// 3. The server.

const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>devicekey: the verifier in the browser</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 24px; color: #1d1d1f; }
  h1 { font-size: 20px; }
  h2 { font-size: 16px; margin: 20px 0 6px; }
  .verdict { font-weight: 600; padding: 6px 10px; border-radius: 6px; display: inline-block; margin: 0; }
  .good { background: #e3f6e8; color: #0a6b2d; }
  .bad { background: #fde8e8; color: #9b1c1c; }
  pre { background: #f4f4f6; padding: 8px; font-size: 12px; max-height: 260px; overflow: hidden; }
  table { border-collapse: collapse; margin-top: 8px; font-size: 12px; }
  td, th { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
</style>
</head>
<body>
<h1>@devicekey/verify and @devicekey/protocol in headless Chromium</h1>
<script type="module" src="/page.js"></script>
</body>
</html>
`;

function serve(page, fixture) {
  const served = new Set();
  const server = createServer((request, response) => {
    const routes = {
      "/": ["text/html; charset=utf-8", PAGE_HTML],
      "/page.js": ["text/javascript; charset=utf-8", page],
      "/fixture.json": ["application/json", JSON.stringify(fixture)],
    };
    const route = request.method === "GET" ? routes[request.url ?? ""] : undefined;
    if (route === undefined) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    served.add(request.url);
    response.writeHead(200, { "content-type": route[0], "cache-control": "no-store" }).end(route[1]);
  });
  return new Promise((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolveListen({ server, served, url: `http://127.0.0.1:${server.address().port}/` }));
  });
}

// ---------------------------------------------------------------------------------------------
// 4. Chromium over the DevTools protocol: JSON messages ending in NUL on file descriptors 3 (in)
//    and 4 (out).

class DevTools {
  #next = 1;
  #pending = new Map();
  #listeners = [];
  #buffer = Buffer.alloc(0);

  constructor(input, output) {
    this.input = input;
    output.on("data", (chunk) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      let end = this.#buffer.indexOf(0);
      while (end >= 0) {
        const message = JSON.parse(this.#buffer.subarray(0, end).toString("utf8"));
        this.#buffer = this.#buffer.subarray(end + 1);
        this.#dispatch(message);
        end = this.#buffer.indexOf(0);
      }
    });
  }

  #dispatch(message) {
    if (message.id !== undefined) {
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.error) {
        pending?.reject(new Failure(`DevTools ${pending.method}: ${message.error.message}`));
      } else {
        pending?.resolve(message.result);
      }
      return;
    }
    for (const listener of this.#listeners) {
      listener(message);
    }
  }

  send(method, params = {}, sessionId = undefined) {
    const id = this.#next++;
    const promise = new Promise((resolveSend, reject) => this.#pending.set(id, { method, resolve: resolveSend, reject }));
    this.input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    return within(30, `DevTools ${method}`, promise);
  }

  on(listener) {
    this.#listeners.push(listener);
  }
}

async function inChromium(chromium, url, screenshotPath) {
  const profile = mkdtempSync(join(tmpdir(), "devicekey-chromium-"));
  const args = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-background-networking",
    "--remote-debugging-pipe",
    `--user-data-dir=${profile}`,
    "about:blank",
  ];
  heading(`${chromium} ${args.join(" ")}`);
  const browser = spawn(chromium, args, { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
  let stderr = "";
  browser.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-8000);
  });
  const exited = new Promise((resolveExit) => browser.once("exit", (code, signal) => resolveExit({ code, signal })));
  const started = new Promise((resolveSpawn, reject) => {
    browser.once("spawn", resolveSpawn);
    browser.once("error", (error) => reject(new Failure(`cannot start ${chromium}: ${error.message} (\`cargo xtask setup\` installs Debian's chromium; CHROMIUM names another)`)));
  });
  const problems = [];
  try {
    await started;
    const devtools = new DevTools(browser.stdio[3], browser.stdio[4]);
    const { product } = await devtools.send("Browser.getVersion").catch((error) => fail(`${error.message}\n${stderr}`));
    console.log(`connected to ${product} over the DevTools pipe`);
    const { targetId } = await devtools.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await devtools.send("Target.attachToTarget", { targetId, flatten: true });
    const page = (method, params) => devtools.send(method, params, sessionId);
    let loaded;
    const loadFired = new Promise((resolveLoad) => {
      loaded = resolveLoad;
    });
    devtools.on((message) => {
      if (message.sessionId !== sessionId) {
        return;
      }
      if (message.method === "Page.loadEventFired") {
        loaded();
      } else if (message.method === "Runtime.exceptionThrown") {
        problems.push(`uncaught: ${message.params.exceptionDetails.exception?.description ?? message.params.exceptionDetails.text}`);
      } else if (message.method === "Runtime.consoleAPICalled" && (message.params.type === "error" || message.params.type === "warning")) {
        problems.push(`console.${message.params.type}: ${message.params.args.map((a) => a.value ?? a.description).join(" ")}`);
      } else if (message.method === "Log.entryAdded" && message.params.entry.level === "error") {
        problems.push(`${message.params.entry.source}: ${message.params.entry.text} ${message.params.entry.url ?? ""}`.trim());
      }
    });
    await page("Page.enable");
    await page("Runtime.enable");
    await page("Log.enable");
    await page("Emulation.setDeviceMetricsOverride", { width: 1100, height: 1000, deviceScaleFactor: 1, mobile: false });
    heading(`open ${url}`);
    await page("Page.navigate", { url });
    await within(30, "the page's load event", loadFired);
    const evaluated = await page("Runtime.evaluate", { expression: "window.devicekeyResult", awaitPromise: true, returnByValue: true });
    if (evaluated.exceptionDetails) {
      fail(`reading window.devicekeyResult threw: ${evaluated.exceptionDetails.exception?.description ?? evaluated.exceptionDetails.text}`);
    }
    const result = evaluated.result.value;
    if (result === undefined || result === null) {
      fail(`the page left no window.devicekeyResult (did /page.js load?); problems: ${problems.join("; ") || "none reported"}`);
    }
    const { data } = await page("Page.captureScreenshot", { format: "png", captureBeyondViewport: true });
    writeFileSync(screenshotPath, Buffer.from(data, "base64"));
    await devtools.send("Browser.close").catch(() => undefined);
    const exit = await within(20, "Chromium's exit", exited);
    if (exit.code !== 0 && exit.signal === null) {
      problems.push(`Chromium exited with ${exit.code}`);
    }
    return { result, problems };
  } finally {
    browser.kill("SIGKILL");
    rmSync(profile, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// 5. The checks.

function checkResult(result, problems, expected) {
  const failures = [];
  if (result.error !== undefined) {
    failures.push(`the page failed: ${result.error}`);
  }
  if (!result.verified.ok || result.verified.nonce !== expected.nonce) {
    failures.push(`the proof from the binary did not verify in the browser: ${JSON.stringify(result.verified)}`);
  } else if (!(Math.abs((result.verified.expiryCheckedAt ?? 0) - Date.now() / 1000) < 120)) {
    failures.push(`the browser did not check the expiry window at its current time: ${JSON.stringify(result.verified)}`);
  }
  if (result.identity !== expected.identity) {
    failures.push(`the browser's device identity ${JSON.stringify(result.identity)} is not devicekey identity's ${JSON.stringify(expected.identity)}`);
  }
  if (result.tampered.ok || result.tampered.kind !== "badSignature") {
    failures.push(`the tampered proof was not refused as badSignature: ${JSON.stringify(result.tampered)}`);
  }
  // The same violations as the server's Rust validators, in the same order: both languages print
  // one check plan (codegen/src/plan.rs), so the lists are compared as they are.
  const fields = (v) => JSON.stringify({ instancePath: v.instancePath, schemaPath: v.schemaPath, keyword: v.keyword, message: v.message });
  const inBrowser = result.violations.map(fields);
  const fromServer = expected.serverViolations.map(fields);
  if (JSON.stringify(inBrowser) !== JSON.stringify(fromServer)) {
    failures.push(`the browser's violations differ from the server's (Rust) ones, or come in another order:\n  browser: ${inBrowser.join(", ")}\n  server:  ${fromServer.join(", ")}`);
  }
  if (result.rendered.violationRows !== result.violations.length || result.violations.length === 0) {
    failures.push(`the page shows ${result.rendered.violationRows} violation rows for ${result.violations.length} violations`);
  }
  if (!(result.rendered.verdicts[0] ?? "").startsWith("verified: remoteControlClientConnection") || !(result.rendered.verdicts[1] ?? "").startsWith("refused: badSignature")) {
    failures.push(`the page shows the verdicts ${JSON.stringify(result.rendered.verdicts)}`);
  }
  for (const problem of problems) {
    failures.push(`the browser reported ${problem}`);
  }
  if (failures.length > 0) {
    fail(failures.join("\n"));
  }
}

async function main() {
  const binary = process.env.DEVICEKEY_BIN;
  if (!binary) {
    fail("DEVICEKEY_BIN must name the built devicekey binary: `cargo xtask test-browser` builds it and sets it");
  }
  const chromium = process.env.CHROMIUM || "chromium";
  const artifacts = resolve(process.env.DEVICEKEY_ARTIFACTS || join(repo, "target", "test-artifacts"), "browser");
  mkdirSync(artifacts, { recursive: true });

  const expected = await within(60, "getting a proof from the binary", fixtureFromBinary(resolve(binary)));
  const { page, sizes } = await bundlePage(artifacts);
  const { server, served, url } = await serve(page, expected.fixture);
  try {
    const screenshot = join(artifacts, "verifier.png");
    const { result, problems } = await within(90, "the Chromium session", inChromium(chromium, url, screenshot));
    writeFileSync(join(artifacts, "result.json"), `${JSON.stringify(result, null, 2)}\n`);
    for (const path of ["/", "/page.js", "/fixture.json"]) {
      if (!served.has(path)) {
        problems.push(`never requested ${path}`);
      }
    }
    checkResult(result, problems, expected);
    const png = readFileSync(screenshot);
    if (png.length < 1000 || !png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
      fail(`the screenshot ${screenshot} is not a PNG image`);
    }
    console.log(`browser: ${result.userAgent}`);
    console.log(`verified: ${result.rendered.verdicts[0]}`);
    console.log(`tampered: ${result.rendered.verdicts[1]}`);
    console.log(`device identity: ${result.identity}, the same as devicekey identity's`);
    console.log(`bad DeviceKeySignParams: ${result.violations.length} violations, the same as the server's:`);
    for (const violation of result.violations) {
      console.log(`  ${violation.instancePath || "(the params)"} ${violation.message} (${violation.keyword})`);
    }
    console.log(`browser test: every check passed; bundles: page ${sizes.page.bytes} bytes (${sizes.page.gzipped} gzipped), verifyProofBase64 alone ${sizes.verifier.bytes} bytes (${sizes.verifier.gzipped} gzipped)`);
    console.log(`screenshot: ${screenshot} (${png.length} bytes); the page's result: ${join(artifacts, "result.json")}`);
  } finally {
    server.close();
  }
}

main().catch((error) => {
  console.error(`browser test failed: ${error instanceof Failure ? error.message : error?.stack ?? error}`);
  process.exit(1);
});
