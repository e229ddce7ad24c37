// deviceIdentitySha256Base64url against the vectors of proof/tests/fixtures/device-identity.json,
// which proof/tests/fixtures/device_identity.py computed with Python's hashlib and json, and the
// keyId expectation against the shared proof fixture that names its key.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { deviceIdentityJson, deviceIdentitySha256Base64url, protectionClassOfKeyId, verifyProofBase64 } from "../dist/verify.js";

const read = (name) => JSON.parse(readFileSync(new URL(`../../tests/fixtures/${name}`, import.meta.url), "utf8"));
const { vectors } = read("device-identity.json");
const proofs = read("proofs.json");

test("the vector file covers every class, and a / to escape", () => {
  assert.ok(vectors.length >= 5, `${vectors.length} vectors`);
  const classes = new Set(vectors.map((v) => v.key.protectionClass));
  assert.deepEqual([...classes].sort(), ["hardware_secure_enclave", "hardware_tpm", "os_protected_nonextractable", "software"]);
  assert.ok(vectors.some((v) => v.notThisSlashEscapedSha256Base64url !== undefined));
});

for (const vector of vectors) {
  test(`device identity: ${vector.description}`, async () => {
    assert.equal(deviceIdentityJson(vector.key), vector.json);
    const digest = await deviceIdentitySha256Base64url(vector.key);
    assert.equal(digest, vector.deviceIdentitySha256Base64url);
    if (vector.notThisSlashEscapedSha256Base64url !== undefined) {
      assert.notEqual(digest, vector.notThisSlashEscapedSha256Base64url);
    }
    // The fields in another order (the vectors are in device/key/create's order), and with a
    // field the identity does not cover: the same digest.
    const { keyId, publicKeySpkiDerBase64, algorithm, protectionClass } = vector.key;
    const reordered = { protectionClass, algorithm, publicKeySpkiDerBase64, keyId, extra: "ignored" };
    assert.equal(await deviceIdentitySha256Base64url(reordered), digest);
    assert.equal(protectionClassOfKeyId(keyId), protectionClass);
  });
}

test("a digest from the vectors names its key in the shared enrollment fixture", async () => {
  const vector = vectors.find((v) => v.description === "the key of the shared proof fixtures");
  const fixture = proofs.cases.find((c) => c.name === "enrollment naming the expected key");
  assert.equal(fixture.publicKeySpkiDerBase64, vector.key.publicKeySpkiDerBase64);
  const result = await verifyProofBase64(fixture, { skipExpiry: true, keyId: vector.key.keyId });
  assert.equal(result.ok, true, result.message);
  assert.equal(result.payload.deviceIdentitySha256Base64url, vector.deviceIdentitySha256Base64url);
});

test("what is not a key's public info is refused with the field that is wrong", async () => {
  const key = vectors[0].key;
  const cases = {
    "/algorithm": { ...key, algorithm: "ecdsa_p384_sha384" },
    "/keyId": { ...key, keyId: "dk_xyz_3DlGu7vQkP6urfERD15FlxEBjZcsxFxWSFD0aVS3LQc" },
    "/protectionClass": { ...key, protectionClass: "hardware" },
    "/publicKeySpkiDerBase64": { ...key, publicKeySpkiDerBase64: "MFkw EwYH" },
  };
  for (const [field, info] of Object.entries(cases)) {
    assert.throws(() => deviceIdentityJson(info), (error) => error instanceof TypeError && error.message.includes(field), field);
    await assert.rejects(deviceIdentitySha256Base64url(info), TypeError, field);
  }
  const { keyId: _, ...withoutKeyId } = key;
  assert.throws(() => deviceIdentityJson(withoutKeyId), /keyId/);
  assert.throws(() => deviceIdentityJson(null), TypeError);
  assert.equal(protectionClassOfKeyId("dk_swk_short"), undefined);
});
