// The shared proof vectors (written by the Rust test `ts_fixtures`): the TypeScript verifier
// reaches the Rust verifier's verdict on every one.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { verifyProofBase64 } from "../dist/verify.js";

const fixtures = JSON.parse(readFileSync(new URL("./fixtures/proofs.json", import.meta.url), "utf8"));

test("the fixture file holds valid and invalid proofs", () => {
  const verdicts = new Set(fixtures.cases.map((c) => c.verdict));
  assert.ok(fixtures.cases.length >= 40);
  assert.ok(verdicts.has("valid"));
  assert.ok(verdicts.size >= 10, [...verdicts].join(", "));
});

for (const fixture of fixtures.cases) {
  test(`fixture: ${fixture.name} → ${fixture.verdict}`, async () => {
    const result = await verifyProofBase64(fixture, fixture.expect);
    const verdict = result.ok ? "valid" : result.kind;
    assert.equal(verdict, fixture.verdict, result.ok ? "" : result.message);
    if (result.ok) {
      const signed = JSON.parse(Buffer.from(fixture.signedPayloadBase64, "base64").toString("utf8"));
      assert.deepEqual(result.payload, signed.payload);
    } else if (result.kind === "invalidParams") {
      assert.ok(result.violations.length > 0);
    }
  });
}
