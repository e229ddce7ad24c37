// The packaging test's consumer program (`cargo xtask test-packages`): a project outside the
// repository that installed the three packed tarballs compiles this file under strict tsc with
// nodenext (as an ES module and as CommonJS), node10 and bundler resolution, and runs it against
// the real `devicekey` binary ($DEVICEKEY_BIN): create a key, sign, verify the proof with every
// expectation a backend has (and the expiry window at the current time), refuse a tampered one and
// a wrong nonce, compute the key's device identity as `devicekey identity` does, and read a refused
// request's violations. It prints one line starting with
// `consumer ok` when every check held; anything else throws. With $CONSUMER_PROOF_OUT set it also
// writes the proof there (for the README examples of @devicekey/verify).

import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { DeviceKeyClient, DeviceKeyRpcError, type RpcErrorKind } from "@devicekey/client";
import {
  formatViolation,
  isValid,
  parse,
  parseDeviceKeySignParams,
  validate,
  type DeviceKeySignPayload,
  type TypeName,
  type Violation,
} from "@devicekey/protocol";
import { decodeBase64, deviceIdentitySha256Base64url, encodeBase64, verifyProofBase64, type ProofBase64, type VerifyOptions } from "@devicekey/verify";

const ACCOUNT = "account-user-1";
const CLIENT = "cli_123";

function check(condition: boolean, what: string): void {
  if (!condition) {
    throw new Error(`consumer check failed: ${what}`);
  }
}

function payload(now: number): DeviceKeySignPayload {
  return {
    type: "remoteControlClientConnection",
    nonce: randomBytes(32).toString("base64url"),
    audience: "remote_control_client_websocket",
    sessionId: "wssess_consumer",
    targetOrigin: "https://chatgpt.com",
    targetPath: "/api/codex/remote/control/client",
    accountUserId: ACCOUNT,
    clientId: CLIENT,
    tokenSha256Base64url: "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
    tokenExpiresAt: now + 300,
    scopes: ["remote_control_controller_websocket"],
  };
}

async function main(): Promise<void> {
  const binary = process.env["DEVICEKEY_BIN"];
  if (binary === undefined || binary === "") {
    throw new Error("DEVICEKEY_BIN must name the devicekey binary");
  }
  const stateDir = mkdtempSync(join(tmpdir(), "devicekey-consumer-"));
  const server = spawn(binary, ["serve", "--provider", "software", "--state-dir", stateDir], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    server.once("spawn", resolve);
    server.once("error", (error) => reject(new Error(`cannot start ${binary}: ${error.message}`)));
  });
  const exited = new Promise<number | null>((resolve) => server.once("exit", (code) => resolve(code)));
  const client = new DeviceKeyClient(server.stdout, server.stdin);
  let keyId = "";
  try {
    const init = await client.initialize({ name: "packaging_consumer", version: "1.0.0" });
    check(init.userAgent.startsWith("devicekey/"), `userAgent ${init.userAgent}`);

    const key = await client.request("device/key/create", {
      accountUserId: ACCOUNT,
      clientId: CLIENT,
      protectionPolicy: "allow_software",
    });
    keyId = key.keyId;
    check(key.protectionClass === "software", `protectionClass ${key.protectionClass}`);

    const now = Math.floor(Date.now() / 1000);
    const params = parseDeviceKeySignParams({ keyId: key.keyId, payload: payload(now) });
    if (!params.ok) {
      throw new Error(`own params refused: ${params.violations.map(formatViolation).join("; ")}`);
    }
    const signed = await client.request("device/key/sign", params.value);
    const proof: ProofBase64 = { publicKeySpkiDerBase64: key.publicKeySpkiDerBase64, ...signed };
    const outPath = process.env["CONSUMER_PROOF_OUT"];
    if (outPath !== undefined && outPath !== "") {
      writeFileSync(outPath, `${JSON.stringify(proof, null, 2)}\n`);
    }

    // Every expectation a backend has of a connection; the expiry window at the current time.
    const expect: VerifyOptions = {
      audience: "remote_control_client_websocket",
      origin: "https://chatgpt.com",
      nonce: params.value.payload.nonce,
      sessionId: "wssess_consumer",
      accountUserId: ACCOUNT,
      clientId: CLIENT,
    };
    const verdict = await verifyProofBase64(proof, expect);
    if (!verdict.ok) {
      throw new Error(`the proof was refused: ${verdict.kind}: ${verdict.message}`);
    }
    check(verdict.payload.nonce === params.value.payload.nonce, "the verified payload is the signed one");
    check(verdict.verdict === "valid" && verdict.canonical, "the server's bytes are canonical");
    const checkedAt = verdict.expiryCheckedAt;
    check(checkedAt !== undefined && Math.abs(checkedAt - now) <= 5, `the expiry window was checked at the current time, not ${checkedAt}`);
    const otherNonce = await verifyProofBase64(proof, { ...expect, nonce: randomBytes(32).toString("base64url") });
    check(!otherNonce.ok && otherNonce.kind === "nonceMismatch", "another nonce is refused as nonceMismatch");
    const byKey = await verifyProofBase64(proof, { keyId: key.keyId });
    check(!byKey.ok && byKey.kind === "keyIdMismatch", "a connection does not name its key: keyIdMismatch");

    // The key's device identity, here and as the binary computes it.
    const identity = await deviceIdentitySha256Base64url(key);
    const fromBinary = spawnSync(binary, ["identity", "--key-id", key.keyId, "--public-key-spki-base64", key.publicKeySpkiDerBase64], { encoding: "utf8" });
    check(fromBinary.status === 0 && fromBinary.stdout.trim() === identity, `devicekey identity printed ${JSON.stringify(fromBinary.stdout)} (${fromBinary.stderr}), not ${identity}`);

    const bytes = decodeBase64(proof.signedPayloadBase64);
    check(bytes !== undefined, "signedPayloadBase64 decodes");
    const tamperedBytes = new Uint8Array(bytes ?? []);
    const at = tamperedBytes.length - 3;
    tamperedBytes[at] = (tamperedBytes[at] ?? 0) ^ 1;
    const tampered = await verifyProofBase64({ ...proof, signedPayloadBase64: encodeBase64(tamperedBytes) });
    check(!tampered.ok && tampered.kind === "badSignature", "a tampered proof is refused as badSignature");

    // A refused request: the server's violations, typed, with the allowed values of the enum.
    let refused: Violation[] = [];
    try {
      await client.request("device/key/create", {
        accountUserId: ACCOUNT,
        clientId: CLIENT,
        // The wrong spelling, as untyped code could send it.
        protectionPolicy: JSON.parse('"allow-software"'),
      });
    } catch (error) {
      if (!(error instanceof DeviceKeyRpcError) || error.kind !== "invalidParams") {
        throw error;
      }
      const kind: RpcErrorKind = error.kind;
      check(kind === "invalidParams", "the kind narrows");
      const data = parse("InvalidParamsErrorData", error.data);
      check(data.ok, "the error data is an InvalidParamsErrorData");
      refused = data.ok ? data.value.violations : [];
    }
    const first = refused[0];
    check(first !== undefined && first.keyword === "enum", `the refusal's first violation is enum: ${JSON.stringify(refused)}`);
    check(first?.message.includes('"allow_software"') ?? false, `the enum violation lists the allowed values: ${first?.message}`);

    const name: TypeName = "DeviceKeyProtectionPolicy";
    check(validate(name, "allow-software").length === 1, "validate by name");
    const policy: unknown = "allow_software";
    check(isValid(name, policy) && policy === "allow_software", "isValid by name narrows");
  } finally {
    client.close();
    const code = await exited;
    rmSync(stateDir, { recursive: true, force: true });
    check(code === 0, `the server exited with ${code}`);
  }
  // `exports` is a CommonJS module's own variable; an ES module (bundled or not) has none.
  const system = typeof exports === "object" ? "commonjs" : "esm";
  console.log(`consumer ok (${system}): ${keyId} signed, verified with every expectation, a tampered copy and a wrong nonce refused, its identity the binary's, a bad policy refused with its allowed values`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/** Compiled, never called: what must not type-check (each line would be an unused directive if the types were `any`). */
export function mistakesThatDoNotCompile(client: DeviceKeyClient, error: DeviceKeyRpcError): void {
  // @ts-expect-error: an unknown params property
  void client.request("device/key/create", { accountUserId: ACCOUNT, clientId: CLIENT, oops: true });
  // @ts-expect-error: accountUserId is a string
  void client.request("device/key/create", { accountUserId: 1, clientId: CLIENT });
  // @ts-expect-error: not a method
  void client.request("device/key/oops", {});
  // @ts-expect-error: not a protection policy
  void client.request("device/key/create", { accountUserId: ACCOUNT, clientId: CLIENT, protectionPolicy: "allow-software" });
  // @ts-expect-error: a misspelt type name
  validate("DeviceKeySignParam", {});
  // @ts-expect-error: not an error kind
  check(error.kind === "keyNotFund", "");
}
