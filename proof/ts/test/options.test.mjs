// The verify options: the expiry window at the current time unless told otherwise, skipping it
// only by name, the lenient spelling mode and its result, and options that are not options.

import assert from "node:assert/strict";
import { test } from "node:test";

import { verifyProofBase64 } from "../dist/verify.js";
import { connectionPayload, newSigner, signedText } from "./sign.mjs";

const signer = await newSigner();

test("without now the expiry window is checked at the current time", async () => {
  const now = Math.floor(Date.now() / 1000);
  const fresh = await signer.sign(signedText(connectionPayload(now + 300)));
  const result = await verifyProofBase64(fresh);
  assert.equal(result.ok, true, result.message);
  assert.ok(Math.abs(result.expiryCheckedAt - now) <= 2, `checked at ${result.expiryCheckedAt}, now ${now}`);

  const old = await signer.sign(signedText(connectionPayload(now - 1)));
  const refused = await verifyProofBase64(old);
  assert.equal(refused.ok ? refused.verdict : refused.kind, "tokenExpired");
  const farAhead = await signer.sign(signedText(connectionPayload(now + 3600)));
  const tooFar = await verifyProofBase64(farAhead, {});
  assert.equal(tooFar.ok ? tooFar.verdict : tooFar.kind, "tokenExpiresTooFarInFuture");
});

test("now: undefined is the current time too, and skipping the check must be asked for by name", async () => {
  const old = await signer.sign(signedText(connectionPayload(1_700_000_000)));
  const atNow = await verifyProofBase64(old, { now: undefined });
  assert.equal(atNow.ok ? atNow.verdict : atNow.kind, "tokenExpired");
  const skipFalse = await verifyProofBase64(old, { skipExpiry: false });
  assert.equal(skipFalse.ok ? skipFalse.verdict : skipFalse.kind, "tokenExpired");
  const skipped = await verifyProofBase64(old, { skipExpiry: true });
  assert.equal(skipped.ok, true, skipped.message);
  assert.equal("expiryCheckedAt" in skipped, false);
  const at = await verifyProofBase64(old, { now: 1_699_999_990 });
  assert.equal(at.ok && at.expiryCheckedAt, 1_699_999_990);
});

test("options that are not options are a TypeError that says what to change", async () => {
  const proof = await signer.sign(signedText(connectionPayload(1_700_000_000)));
  const cases = [
    [{ now: 1_699_999_990, skipExpiry: true }, /not both/],
    [{ now: Date.now() / 1000 + 0.5 }, /whole Unix seconds, such as Math\.floor\(Date\.now\(\) \/ 1000\)/],
    [{ now: Number.NaN }, /whole Unix seconds/],
    [{ now: "1699999990" }, /whole Unix seconds/],
    [{ skipExpiry: "yes" }, /skipExpiry must be true or false/],
    [{ acceptAnySpelling: 1 }, /acceptAnySpelling must be true or false/],
    [{ audiance: "remote_control_client_websocket" }, /unknown verify option "audiance"; the options are audience, origin/],
    [{ nonce: null }, /nonce must be a string/],
    [{ keyId: "dk_swk_short" }, /keyId "dk_swk_short" is not a key id: keyId must be dk_hse_, dk_tpm_, dk_osn_, or dk_swk_/],
    [null, /must be an object, not null/],
  ];
  for (const [options, message] of cases) {
    await assert.rejects(verifyProofBase64(proof, options), (error) => error instanceof TypeError && message.test(error.message), JSON.stringify(options));
  }
  // Checked before the proof: even a proof that is not base64 gets the TypeError.
  await assert.rejects(verifyProofBase64({ publicKeySpkiDerBase64: "x", signedPayloadBase64: "", signatureDerBase64: "" }, { now: 1, skipExpiry: true }), TypeError);
});

test("any spelling: the same payload, valid but not canonical; numbers still plain safe integers", async () => {
  const canonical = signedText(connectionPayload(1_700_000_000));
  const lenient = { now: 1_699_999_990, acceptAnySpelling: true };
  const goSpelled = canonical.replace("https://chatgpt.com", "https:\\/\\/chatgpt.com").replace("cli_123", "\\u0063li_123");
  const proof = await signer.sign(goSpelled);

  const strict = await verifyProofBase64(proof, { now: 1_699_999_990 });
  assert.equal(strict.ok ? strict.verdict : strict.kind, "nonCanonical");
  const accepted = await verifyProofBase64(proof, lenient);
  assert.equal(accepted.ok, true, accepted.message);
  assert.equal(accepted.verdict, "validNotCanonical");
  assert.equal(accepted.canonical, false);
  assert.deepEqual(accepted.payload, connectionPayload(1_700_000_000));
  const same = await verifyProofBase64(await signer.sign(canonical), lenient);
  assert.equal(same.ok && same.verdict, "valid");
  assert.equal(same.ok && same.canonical, true);

  for (const literal of ["1e3", "1700000000.0", "-0", "9007199254740992", "9007199254740993", "-9007199254740992"]) {
    const result = await verifyProofBase64(await signer.sign(canonical.replace("1700000000", literal)), { skipExpiry: true, acceptAnySpelling: true });
    assert.equal(result.ok ? result.verdict : result.kind, "malformedNumber", literal);
    assert.equal(result.message, "the number at /payload/tokenExpiresAt in the signed bytes is not an integer in plain digits within ±(2^53 - 1)");
  }
  // The largest magnitudes are read, as the expiry check shows.
  const negative = await verifyProofBase64(await signer.sign(canonical.replace("1700000000", "-9007199254740991")), lenient);
  assert.equal(negative.ok ? negative.verdict : negative.kind, "tokenExpired");
  const positive = await verifyProofBase64(await signer.sign(canonical.replace("1700000000", "9007199254740991")), lenient);
  assert.equal(positive.ok ? positive.verdict : positive.kind, "tokenExpiresTooFarInFuture");
  const inArray = await verifyProofBase64(await signer.sign(canonical.replace('"scopes":["remote_control_controller_websocket"]', '"scopes":[1.5]')), { skipExpiry: true, acceptAnySpelling: true });
  assert.equal(inArray.ok ? "" : inArray.message, "the number at /payload/scopes/0 in the signed bytes is not an integer in plain digits within ±(2^53 - 1)");
  // Two: the first as the Rust verifier walks the value, by sorted key, not the first in the text.
  const twoBad = canonical
    .replace('"tokenExpiresAt":1700000000,', "")
    .replace('"payload":{', '"payload":{"tokenExpiresAt":1.5,')
    .replace('"scopes":["remote_control_controller_websocket"]', '"scopes":[1,2e0]');
  assert.ok(twoBad.indexOf("1.5") < twoBad.indexOf("2e0"));
  const first = await verifyProofBase64(await signer.sign(twoBad), { skipExpiry: true, acceptAnySpelling: true });
  assert.match(first.ok ? "" : first.message, /^the number at \/payload\/scopes\/1 /);
});
