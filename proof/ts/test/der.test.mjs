// DER → IEEE P1363 conversion, and signatures made by WebCrypto itself verified through the DER
// path.

import assert from "node:assert/strict";
import { test } from "node:test";

import { canonicalJson, derSignatureToP1363, SIGN_PAYLOAD_DOMAIN, verifyProof } from "../dist/verify.js";
import { p1363ToDer } from "./sign.mjs";

const N = Buffer.from("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", "hex");

function integer(bytes) {
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

function der(r, s) {
  const body = Buffer.concat([integer(r), integer(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

test("integers are left-padded and a sign byte is dropped", () => {
  const r = Buffer.alloc(32, 0x80); // needs the 0x00 sign byte in DER
  const s = Buffer.from([0x01, 0x02]); // short
  const raw = derSignatureToP1363(der(Buffer.concat([Buffer.from([0]), r]), s));
  assert.deepEqual(Buffer.from(raw.subarray(0, 32)), r);
  assert.deepEqual(Buffer.from(raw.subarray(32)), Buffer.concat([Buffer.alloc(30), s]));
});

test("anything but strict DER with scalars in 1..n-1 is refused", () => {
  const one = Buffer.from([1]);
  const cases = {
    "non-minimal leading zero": der(Buffer.from([0, 1]), one),
    "negative integer": der(Buffer.from([0x80]), one),
    "zero r": der(Buffer.from([0]), one),
    "s equal to n": der(one, Buffer.concat([Buffer.from([0]), N])),
    "33-byte scalar": der(Buffer.concat([Buffer.from([1]), Buffer.alloc(32)]), one),
    "empty integer": der(Buffer.alloc(0), one),
    "trailing byte": Buffer.concat([der(one, one), Buffer.from([0])]),
    "wrong sequence length": Buffer.from([0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]),
    "long-form length": Buffer.from([0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]),
    "not a sequence": Buffer.from([0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]),
    "missing s": Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]),
    "empty": Buffer.alloc(0),
  };
  for (const [name, bytes] of Object.entries(cases)) {
    assert.equal(derSignatureToP1363(bytes), undefined, name);
  }
  assert.notEqual(derSignatureToP1363(der(one, one)), undefined);
});

test("WebCrypto's own signatures verify through the DER path", async () => {
  const { subtle } = globalThis.crypto;
  const pair = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const spki = new Uint8Array(await subtle.exportKey("spki", pair.publicKey));
  const now = 1_700_000_000;
  for (let round = 0; round < 16; round++) {
    const nonce = Buffer.alloc(32, round).toString("base64url");
    const payload = {
      type: "remoteControlClientEnrollment",
      nonce,
      audience: "remote_control_client_enrollment",
      challengeId: `rch_${round}`,
      targetOrigin: "http://[::1]:8080",
      targetPath: "/api/codex/remote/control/client/enroll",
      accountUserId: "account-user-1",
      clientId: "cli_123",
      deviceIdentitySha256Base64url: "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
      challengeExpiresAt: now + 300,
    };
    const signedPayload = new TextEncoder().encode(canonicalJson({ domain: SIGN_PAYLOAD_DOMAIN, payload }));
    const raw = new Uint8Array(await subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, signedPayload));
    const signatureDer = p1363ToDer(raw);
    assert.deepEqual(derSignatureToP1363(signatureDer), raw);
    const result = await verifyProof({ publicKeySpkiDer: spki, signedPayload, signatureDer }, { now, origin: "http://[::1]:8080" });
    assert.equal(result.ok, true, result.message);
    assert.deepEqual(result.payload, payload);
    assert.equal(result.facts.expiresAt, now + 300);
    const tampered = Uint8Array.from(signedPayload);
    tampered[20] ^= 1;
    const refused = await verifyProof({ publicKeySpkiDer: spki, signedPayload: tampered, signatureDer }, { now });
    assert.equal(refused.ok ? "valid" : refused.kind, "badSignature");
  }
});
