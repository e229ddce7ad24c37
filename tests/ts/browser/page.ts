// The browser test's page (`cargo xtask test-browser`), bundled by esbuild for the browser with
// the verifier and the generated validators: it fetches `/fixture.json` (a proof the binary just
// produced, the key that made it, and sign params the binary refused), verifies the proof (with a
// backend's expectations, the expiry window at the browser's current time), verifies a tampered
// copy, computes the key's device identity, validates the bad params, shows it all, and leaves the
// outcome in `window.devicekeyResult` for the test to read back over the DevTools protocol.

import { formatViolation, validateDeviceKeySignParams, type Violation } from "@devicekey/protocol";
import {
  decodeBase64,
  deviceIdentitySha256Base64url,
  encodeBase64,
  verifyProofBase64,
  type DeviceKeyPublicInfo,
  type ProofBase64,
  type VerifyOptions,
} from "@devicekey/verify";

/** What `/fixture.json` holds. */
interface Fixture {
  readonly proof: ProofBase64;
  readonly key: DeviceKeyPublicInfo;
  readonly expect: VerifyOptions;
  readonly badParams: unknown;
}

/** What the page leaves in `window.devicekeyResult`. */
export interface PageResult {
  readonly verified: { readonly ok: boolean; readonly detail: string; readonly nonce?: string; readonly expiryCheckedAt?: number };
  readonly identity: string;
  readonly tampered: { readonly ok: boolean; readonly kind?: string };
  readonly violations: readonly Violation[];
  readonly rendered: { readonly violationRows: number; readonly verdicts: readonly string[] };
  readonly userAgent: string;
  readonly error?: string;
}

declare global {
  interface Window {
    devicekeyResult?: Promise<PageResult>;
  }
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className !== undefined) {
    node.className = className;
  }
  return node;
}

function section(title: string, verdict: string, good: boolean): HTMLElement {
  const box = element("section", "");
  box.append(element("h2", title), element("p", verdict, good ? "verdict good" : "verdict bad"));
  document.body.append(box);
  return box;
}

async function run(): Promise<PageResult> {
  const response = await fetch("/fixture.json");
  const fixture = (await response.json()) as Fixture;

  const verified = await verifyProofBase64(fixture.proof, fixture.expect);
  const verifiedBox = section(
    "A proof from the devicekey binary",
    verified.ok ? `verified: ${verified.payload.type} for ${verified.facts.accountUserId}, expires ${verified.facts.expiresAt}` : `refused: ${verified.kind}: ${verified.message}`,
    verified.ok,
  );
  if (verified.ok) {
    verifiedBox.append(element("pre", JSON.stringify(verified.payload, null, 2)));
  }

  const bytes = decodeBase64(fixture.proof.signedPayloadBase64) ?? new Uint8Array();
  const at = bytes.length - 3;
  bytes[at] = (bytes[at] ?? 0) ^ 1;
  const tampered = await verifyProofBase64({ ...fixture.proof, signedPayloadBase64: encodeBase64(bytes) }, fixture.expect);
  section(
    "The same proof with one signed byte changed",
    tampered.ok ? "verified (wrong!)" : `refused: ${tampered.kind}: ${tampered.message}`,
    !tampered.ok,
  );

  const identity = await deviceIdentitySha256Base64url(fixture.key);
  section(`The device identity of ${fixture.key.keyId}`, identity, true);

  const violations = validateDeviceKeySignParams(fixture.badParams);
  const paramsBox = section(
    "DeviceKeySignParams the server refused, validated here",
    `${violations.length} violations`,
    violations.length > 0,
  );
  const table = document.createElement("table");
  const head = document.createElement("tr");
  head.append(element("th", "instancePath"), element("th", "keyword"), element("th", "message"));
  table.append(head);
  for (const violation of violations) {
    const row = document.createElement("tr");
    row.className = "violation";
    row.title = formatViolation(violation);
    row.append(element("td", violation.instancePath || "(the params)"), element("td", violation.keyword), element("td", violation.message));
    table.append(row);
  }
  paramsBox.append(table);

  return {
    verified: verified.ok
      ? { ok: true, detail: verified.payload.type, nonce: verified.payload.nonce, ...(verified.expiryCheckedAt === undefined ? {} : { expiryCheckedAt: verified.expiryCheckedAt }) }
      : { ok: false, detail: `${verified.kind}: ${verified.message}` },
    identity,
    tampered: tampered.ok ? { ok: true } : { ok: false, kind: tampered.kind },
    violations,
    rendered: {
      violationRows: document.querySelectorAll("tr.violation").length,
      verdicts: [...document.querySelectorAll("p.verdict")].map((p) => p.textContent ?? ""),
    },
    userAgent: navigator.userAgent,
  };
}

window.devicekeyResult = run().catch((error: unknown) => {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  document.body.append(element("pre", message, "verdict bad"));
  return { verified: { ok: false, detail: "" }, identity: "", tampered: { ok: true }, violations: [], rendered: { violationRows: 0, verdicts: [] }, userAgent: navigator.userAgent, error: message };
});
