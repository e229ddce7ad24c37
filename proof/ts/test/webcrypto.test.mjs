// Without WebCrypto (a page served over plain http from another host has no `crypto.subtle`) a
// genuine proof is not verified, and the verdict says why rather than blaming the proof.

import assert from "node:assert/strict";
import { test } from "node:test";

import { deviceIdentitySha256Base64url, verifyProofBase64, WEBCRYPTO_UNAVAILABLE_MESSAGE } from "../dist/verify.js";
import { connectionPayload, newSigner, signedText } from "./sign.mjs";

/** Runs `body` with `globalThis.crypto` as an insecure context has it: `getRandomValues`, no `subtle`. */
async function withoutSubtle(body) {
  const original = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  const secure = globalThis.crypto;
  const insecure = { getRandomValues: (array) => secure.getRandomValues(array) };
  Object.defineProperty(globalThis, "crypto", { value: insecure, configurable: true, writable: true });
  try {
    assert.equal(globalThis.crypto.subtle, undefined);
    return await body();
  } finally {
    Object.defineProperty(globalThis, "crypto", original);
  }
}

test("a genuine proof without crypto.subtle is webCryptoUnavailable, naming secure contexts", async () => {
  const signer = await newSigner();
  const proof = await signer.sign(signedText(connectionPayload(1_700_000_000)));
  const genuine = await verifyProofBase64(proof, { now: 1_699_999_990 });
  assert.equal(genuine.ok, true, genuine.message);

  const result = await withoutSubtle(() => verifyProofBase64(proof, { now: 1_699_999_990 }));
  assert.equal(result.ok ? result.verdict : result.kind, "webCryptoUnavailable");
  assert.equal(result.message, WEBCRYPTO_UNAVAILABLE_MESSAGE);
  assert.match(result.message, /secure contexts \(a page served over https, or from localhost/);
  assert.match(result.message, /Node from version 20/);

  const key = { keyId: "dk_swk_WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo", publicKeySpkiDerBase64: proof.publicKeySpkiDerBase64, algorithm: "ecdsa_p256_sha256", protectionClass: "software" };
  await withoutSubtle(() => assert.rejects(deviceIdentitySha256Base64url(key), { message: WEBCRYPTO_UNAVAILABLE_MESSAGE }));
  // And with no crypto at all.
  const original = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  delete globalThis.crypto;
  try {
    assert.equal(globalThis.crypto, undefined);
    const none = await verifyProofBase64(proof, { now: 1_699_999_990 });
    assert.equal(none.ok ? none.verdict : none.kind, "webCryptoUnavailable");
  } finally {
    Object.defineProperty(globalThis, "crypto", original);
  }
  const again = await verifyProofBase64(proof, { now: 1_699_999_990 });
  assert.equal(again.ok, true, "crypto is back");
});
