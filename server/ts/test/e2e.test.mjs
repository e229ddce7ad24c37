// End to end: the real `devicekey serve` binary over stdio, driven by this client; the proof is
// checked by the TypeScript verifier (`@devicekey/verify`) and, independently, by openssl.
//
// The binary comes from $DEVICEKEY_BIN (`cargo xtask test` sets it; the tests fail when it is set
// and missing), else ../../target/debug/devicekey relative to server/ts (the tests are skipped
// when that is missing); build it first with `cargo build -p devicekey`.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

import { verifyProofBase64 } from "@devicekey/verify";

import { DeviceKeyClient, DeviceKeyRpcError } from "../dist/client.js";

const packageDir = resolve(fileURLToPath(new URL("..", import.meta.url)));
const binary = process.env.DEVICEKEY_BIN
  ? resolve(process.env.DEVICEKEY_BIN)
  : resolve(packageDir, "../../target/debug/devicekey");
if (process.env.DEVICEKEY_BIN && !existsSync(binary)) {
  throw new Error(`DEVICEKEY_BIN names ${binary}, which does not exist: build it with \`cargo build -p devicekey\``);
}
const skip = existsSync(binary)
  ? false
  : `the devicekey binary is missing at ${binary}: run \`cargo build -p devicekey\` first or set DEVICEKEY_BIN`;

const ACCOUNT = "account-user-ts";
const CLIENT = "cli_ts";

/** Starts `devicekey serve` on stdio with the software provider on a fresh state directory. */
function startServer() {
  const stateDir = mkdtempSync(join(tmpdir(), "devicekey-e2e-"));
  const child = spawn(binary, ["serve", "--provider", "software", "--state-dir", stateDir], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise((resolveExit) => child.on("exit", (code) => resolveExit(code)));
  const client = new DeviceKeyClient(child.stdout, child.stdin, {
    attestationToken: () => "v1.ts-client-token",
  });
  const stop = async () => {
    client.close();
    const code = await exited;
    rmSync(stateDir, { recursive: true, force: true });
    return code;
  };
  return { client, stop };
}

function connectionPayload(now) {
  return {
    type: "remoteControlClientConnection",
    nonce: randomBytes(32).toString("base64url"),
    audience: "remote_control_client_websocket",
    sessionId: "wssess_ts",
    targetOrigin: "https://chatgpt.com",
    targetPath: "/api/codex/remote/control/client",
    accountUserId: ACCOUNT,
    clientId: CLIENT,
    tokenSha256Base64url: "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
    tokenExpiresAt: now + 300,
    scopes: ["remote_control_controller_websocket"],
  };
}

function opensslVerifies(publicKeySpkiDerBase64, signatureDerBase64, signedPayloadBase64) {
  const dir = mkdtempSync(join(tmpdir(), "devicekey-openssl-"));
  try {
    const file = (name, base64) => {
      const path = join(dir, name);
      writeFileSync(path, Buffer.from(base64, "base64"));
      return path;
    };
    const pubDer = file("pub.der", publicKeySpkiDerBase64);
    const sig = file("sig.der", signatureDerBase64);
    const data = file("data.bin", signedPayloadBase64);
    const pubPem = join(dir, "pub.pem");
    const convert = spawnSync("openssl", ["pkey", "-pubin", "-inform", "DER", "-in", pubDer, "-out", pubPem], { encoding: "utf8" });
    assert.equal(convert.status, 0, convert.stderr);
    const verify = spawnSync("openssl", ["dgst", "-sha256", "-verify", pubPem, "-signature", sig, data], { encoding: "utf8" });
    return { ok: verify.status === 0, output: `${verify.stdout}${verify.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("initialize → create → public → sign, verified by the TS verifier and openssl", { skip }, async () => {
  const { client, stop } = startServer();
  try {
    const init = await client.initialize({ name: "ts_e2e", title: null, version: "1.0.0" }, { requestAttestation: true });
    assert.match(init.userAgent, /^devicekey\//);
    assert.equal(typeof init.platformOs, "string");

    const created = await client.request("device/key/create", {
      protectionPolicy: "allow_software",
      accountUserId: ACCOUNT,
      clientId: CLIENT,
    });
    assert.match(created.keyId, /^dk_swk_[A-Za-z0-9_-]{43}$/);
    assert.equal(created.protectionClass, "software");
    assert.equal(created.algorithm, "ecdsa_p256_sha256");

    const publicKey = await client.request("device/key/public", { keyId: created.keyId });
    assert.deepEqual(publicKey, created);

    const now = Math.floor(Date.now() / 1000);
    const payload = connectionPayload(now);
    const signed = await client.request("device/key/sign", { keyId: created.keyId, payload });

    const result = await verifyProofBase64(
      {
        publicKeySpkiDerBase64: publicKey.publicKeySpkiDerBase64,
        signedPayloadBase64: signed.signedPayloadBase64,
        signatureDerBase64: signed.signatureDerBase64,
      },
      { audience: "remote_control_client_websocket", origin: "https://chatgpt.com", now },
    );
    assert.ok(result.ok, result.ok ? "" : `${result.kind}: ${result.message}`);
    assert.deepEqual(result.payload, payload);

    const openssl = opensslVerifies(publicKey.publicKeySpkiDerBase64, signed.signatureDerBase64, signed.signedPayloadBase64);
    assert.ok(openssl.ok, openssl.output);
    assert.match(openssl.output, /Verified OK/);
    // And openssl refuses the signature over other bytes.
    const tampered = Buffer.from(signed.signedPayloadBase64, "base64");
    tampered[tampered.length - 3] ^= 1;
    assert.ok(!opensslVerifies(publicKey.publicKeySpkiDerBase64, signed.signatureDerBase64, tampered.toString("base64")).ok);

    const listed = await client.request("device/key/list", { accountUserId: ACCOUNT });
    assert.deepEqual(listed.keys.map((key) => key.keyId), [created.keyId]);

    // The same nonce again: a structured domain error whose data conforms to DomainErrorData.
    await assert.rejects(client.request("device/key/sign", { keyId: created.keyId, payload }), (error) => {
      assert.ok(error instanceof DeviceKeyRpcError);
      assert.equal(error.code, -32012);
      assert.equal(error.kind, "replay");
      assert.deepEqual(error.dataViolations, []);
      return true;
    });
  } finally {
    assert.equal(await stop(), 0);
  }
});

test("errors arrive with their codes and schema-conforming data", { skip }, async () => {
  const { client, stop } = startServer();
  try {
    await assert.rejects(client.request("device/key/list", {}), (error) => {
      assert.equal(error.code, -32600);
      assert.equal(error.message, "Not initialized");
      assert.equal(error.kind, "notInitialized");
      assert.deepEqual(error.dataViolations, []);
      return true;
    });
    await client.initialize({ name: "ts_e2e", version: "1.0.0" });
    await assert.rejects(client.request("device/key/create", { accountUserId: "", clientId: CLIENT }), (error) => {
      assert.equal(error.code, -32602);
      assert.equal(error.kind, "invalidParams");
      assert.ok(error.data.violations.length > 0);
      assert.equal(error.data.violationCount, error.data.violations.length);
      assert.equal(error.data.truncated, false);
      assert.deepEqual(error.dataViolations, []);
      return true;
    });
    await assert.rejects(client.request("device/key/public", { keyId: `dk_swk_${"A".repeat(43)}` }), (error) => {
      assert.equal(error.code, -32001);
      assert.equal(error.kind, "keyNotFound");
      assert.deepEqual(error.dataViolations, []);
      return true;
    });
    await assert.rejects(client.request("device/key/create", { accountUserId: ACCOUNT, clientId: CLIENT }), (error) => {
      assert.equal(error.kind, "degradedProtectionNotAllowed");
      return true;
    });
  } finally {
    assert.equal(await stop(), 0);
  }
});
