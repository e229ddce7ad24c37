// A signer for the tests: fresh WebCrypto P-256 keys, DER signatures, and the codex connection
// payload, so that a test can sign exactly the bytes it wants verified.

import { canonicalJson, encodeBase64, SIGN_PAYLOAD_DOMAIN } from "../dist/verify.js";

/** Minimal DER INTEGER content of a 32-byte big-endian scalar. */
function minimal(scalar) {
  let start = 0;
  while (start < scalar.length - 1 && scalar[start] === 0) start++;
  const trimmed = scalar.subarray(start);
  return trimmed[0] & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
}

function integer(bytes) {
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

/** The DER form of a raw `r || s` signature. */
export function p1363ToDer(raw) {
  const body = Buffer.concat([integer(minimal(Buffer.from(raw.subarray(0, 32)))), integer(minimal(Buffer.from(raw.subarray(32))))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** A connection payload expiring at `expiresAt`. */
export function connectionPayload(expiresAt) {
  return {
    type: "remoteControlClientConnection",
    nonce: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    audience: "remote_control_client_websocket",
    sessionId: "wssess_123",
    targetOrigin: "https://chatgpt.com",
    targetPath: "/api/codex/remote/control/client",
    accountUserId: "account-user-1",
    clientId: "cli_123",
    tokenSha256Base64url: "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
    tokenExpiresAt: expiresAt,
    scopes: ["remote_control_controller_websocket"],
  };
}

/** The canonical signed text of a payload. */
export function signedText(payload) {
  return canonicalJson({ domain: SIGN_PAYLOAD_DOMAIN, payload });
}

/** A signer with a fresh key: `sign(text)` gives a ProofBase64 over the UTF-8 of `text`. */
export async function newSigner() {
  const { subtle } = globalThis.crypto;
  const pair = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const spki = new Uint8Array(await subtle.exportKey("spki", pair.publicKey));
  return {
    spki,
    async sign(text) {
      const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
      const raw = new Uint8Array(await subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, bytes));
      return { publicKeySpkiDerBase64: encodeBase64(spki), signedPayloadBase64: encodeBase64(bytes), signatureDerBase64: encodeBase64(p1363ToDer(raw)) };
    },
  };
}
