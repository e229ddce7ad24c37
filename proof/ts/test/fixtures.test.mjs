// The shared proof vectors of proof/tests/fixtures/proofs.json (written by the Rust test
// `shared_fixtures`, which checks the Rust verifier's verdict on each): the TypeScript verifier
// reaches the same verdict on every one. Read from the repository: tests only, the package does
// not ship it.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { verifyProofBase64 } from "../dist/verify.js";

const FIXTURES = new URL("../../tests/fixtures/proofs.json", import.meta.url);
const fixtures = JSON.parse(readFileSync(FIXTURES, "utf8"));

const GROUPS = ["valid", "publicKeys", "signatures", "signedBytes", "expectations", "acceptAnySpelling"];

test("the fixture file holds every group, and valid, lenient and refused proofs", () => {
  const groups = new Set(fixtures.cases.map((c) => c.group));
  assert.deepEqual([...groups].sort(), [...GROUPS].sort());
  const verdicts = new Set(fixtures.cases.map((c) => c.verdict));
  for (const verdict of ["valid", "validNotCanonical", "malformedPublicKey", "malformedNumber", "keyIdMismatch", "nonceMismatch"]) {
    assert.ok(verdicts.has(verdict), `no case has the verdict ${verdict}`);
  }
  assert.ok(fixtures.cases.length >= 150, `${fixtures.cases.length} cases`);
});

/** The verdict of a result, in the fixtures' words. */
function verdictOf(result) {
  return result.ok ? result.verdict : result.kind;
}

for (const fixture of fixtures.cases) {
  test(`fixture (${fixture.group}): ${fixture.name} → ${fixture.verdict}`, async () => {
    const before = Math.floor(Date.now() / 1000);
    const result = await verifyProofBase64(fixture, fixture.expect);
    const after = Math.floor(Date.now() / 1000);
    assert.equal(verdictOf(result), fixture.verdict, result.ok ? "" : result.message);
    if (result.ok) {
      assert.equal(result.canonical, fixture.verdict === "valid");
      const signed = JSON.parse(Buffer.from(fixture.signedPayloadBase64, "base64").toString("utf8"));
      assert.deepEqual(result.payload, signed.payload);
      if (fixture.expect.skipExpiry === true) {
        assert.equal("expiryCheckedAt" in result, false);
      } else if (fixture.expect.now !== undefined) {
        assert.equal(result.expiryCheckedAt, fixture.expect.now);
      } else {
        assert.ok(result.expiryCheckedAt >= before && result.expiryCheckedAt <= after, `checked at ${result.expiryCheckedAt}`);
      }
    } else {
      assert.ok(result.message.length > 0);
      assert.equal(result.violations.length > 0, result.kind === "invalidParams");
    }
  });
}
