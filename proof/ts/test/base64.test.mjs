// Strict standard base64, as the wire fields use it.

import assert from "node:assert/strict";
import { test } from "node:test";

import { decodeBase64, encodeBase64, verifyProofBase64 } from "../dist/verify.js";

test("round trips match Node's encoder at every length", () => {
  for (let length = 0; length < 40; length++) {
    const bytes = Uint8Array.from({ length }, (_, index) => (index * 37 + length) & 0xff);
    const text = Buffer.from(bytes).toString("base64");
    assert.equal(encodeBase64(bytes), text);
    assert.deepEqual(decodeBase64(text), bytes);
  }
});

test("non-canonical base64 is refused", () => {
  for (const text of ["AQI", "AQJ=", "AQ==A", "AQ=", "-_8=", "AQI=\n", " AQI=", "A===", "===="]) {
    assert.equal(decodeBase64(text), undefined, JSON.stringify(text));
  }
});

test("a proof whose fields are not base64 is refused as such", async () => {
  const result = await verifyProofBase64({ publicKeySpkiDerBase64: "x", signedPayloadBase64: "", signatureDerBase64: "" });
  assert.equal(result.ok ? "valid" : result.kind, "malformedBase64");
});
