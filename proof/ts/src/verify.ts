/**
 * The device-key proof verifier for browsers and Node 20+, on WebCrypto.
 *
 * It performs the checks of the Rust verifier (`devicekey verify`), in the same order, and
 * reaches the same verdict on the shared vectors: the ECDSA P-256/SHA-256 signature over the bytes
 * as received (high S accepted), UTF-8 JSON without duplicate keys holding exactly `domain` and
 * `payload`, the domain, canonical bytes (serializing the parsed value again gives the same
 * bytes), the payload against the generated schema validators, and the caller's expectations:
 * audience, origin and, given `now`, the expiry window `now < expiresAt <= now + 900`.
 */

import { validateDeviceKeySignPayload, type DeviceKeySignPayload, type Violation } from "@devicekey/protocol";

import { decodeBase64 } from "./base64.js";
import { canonicalJson, parseStrictJson, StrictJsonError } from "./canonical.js";
import { derSignatureToP1363 } from "./der.js";

export { decodeBase64, encodeBase64, type Bytes } from "./base64.js";
export { canonicalJson, parseStrictJson, StrictJsonError } from "./canonical.js";
export { derSignatureToP1363 } from "./der.js";
export type { DeviceKeySignPayload, Violation };

/** The domain separator of every signed payload. */
export const SIGN_PAYLOAD_DOMAIN = "codex-device-key-sign-payload/v1";

/** The longest a proof may stay valid, in seconds. */
export const MAX_PROOF_LIFETIME_SECONDS = 900;

/** What the caller expects of the payload; an absent field checks nothing. */
export interface Expectations {
  /** The payload's `audience` must equal this. */
  readonly audience?: string;
  /** The payload's `targetOrigin` must equal this. */
  readonly origin?: string;
  /** Check the expiry window at this time, in Unix seconds. */
  readonly now?: number;
}

/** A proof as raw bytes. */
export interface ProofBytes {
  /** SubjectPublicKeyInfo DER of the P-256 public key. */
  readonly publicKeySpkiDer: Uint8Array;
  /** The exact bytes that were signed. */
  readonly signedPayload: Uint8Array;
  /** The DER ECDSA signature. */
  readonly signatureDer: Uint8Array;
}

/** A proof as the protocol sends it (standard base64 with padding). */
export interface ProofBase64 {
  readonly publicKeySpkiDerBase64: string;
  readonly signedPayloadBase64: string;
  readonly signatureDerBase64: string;
}

/** The fields of a verified payload that the checks read. */
export interface PayloadFacts {
  readonly type: DeviceKeySignPayload["type"];
  readonly nonce: string;
  readonly audience: string;
  readonly targetOrigin: string;
  readonly targetPath: string;
  readonly accountUserId: string;
  readonly clientId: string;
  /** `tokenExpiresAt` or `challengeExpiresAt`, Unix seconds. */
  readonly expiresAt: number;
}

/** Every way a proof can be refused (the same names as the Rust verifier). */
export type VerifyFailureKind =
  | "malformedBase64"
  | "malformedPublicKey"
  | "malformedSignature"
  | "badSignature"
  | "malformedJson"
  | "duplicateKey"
  | "malformedEnvelope"
  | "wrongDomain"
  | "nonCanonical"
  | "invalidParams"
  | "tokenExpired"
  | "tokenExpiresTooFarInFuture"
  | "challengeExpired"
  | "challengeExpiresTooFarInFuture"
  | "audienceMismatch"
  | "originMismatch";

/** A proof that passed every check. */
export interface VerifiedProof {
  readonly ok: true;
  /** The signed payload, valid against the `DeviceKeySignPayload` schema. */
  readonly payload: DeviceKeySignPayload;
  readonly facts: PayloadFacts;
}

/** A refused proof. */
export interface RejectedProof {
  readonly ok: false;
  readonly kind: VerifyFailureKind;
  readonly message: string;
  /** The schema violations, for `invalidParams`; empty otherwise. */
  readonly violations: readonly Violation[];
}

/** The verdict on a proof. */
export type VerifyResult = VerifiedProof | RejectedProof;

function reject(kind: VerifyFailureKind, message: string, violations: readonly Violation[] = []): RejectedProof {
  return { ok: false, kind, message, violations };
}

/** Copies bytes into a fresh ArrayBuffer-backed view, as WebCrypto's types require. */
function owned(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/** Verifies a proof given as raw bytes. Never throws for a bad proof: the result says why. */
export async function verifyProof(proof: ProofBytes, expectations: Expectations = {}): Promise<VerifyResult> {
  const subtle = globalThis.crypto.subtle;
  let key: CryptoKey;
  try {
    key = await subtle.importKey("spki", owned(proof.publicKeySpkiDer), { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  } catch {
    return reject("malformedPublicKey", "the public key is not a P-256 SubjectPublicKeyInfo DER");
  }
  const rawSignature = derSignatureToP1363(proof.signatureDer);
  if (rawSignature === undefined) {
    return reject("malformedSignature", "the signature is not a DER-encoded ECDSA P-256 signature");
  }
  const signed = owned(proof.signedPayload);
  if (!(await subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, rawSignature, signed))) {
    return reject("badSignature", "the signature does not verify with this public key");
  }

  let envelope: unknown;
  try {
    envelope = parseStrictJson(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(signed));
  } catch (error) {
    if (error instanceof StrictJsonError && error.duplicateKey) {
      return reject("duplicateKey", `the signed bytes repeat an object key: ${error.message}`);
    }
    return reject("malformedJson", `the signed bytes are not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isObject(envelope) || Object.keys(envelope).length !== 2 || !hasOwn(envelope, "domain") || !hasOwn(envelope, "payload")) {
    return reject("malformedEnvelope", 'the signed bytes must be an object holding exactly "domain" and "payload"');
  }
  if (envelope["domain"] !== SIGN_PAYLOAD_DOMAIN) {
    return reject("wrongDomain", `the signed domain is ${JSON.stringify(envelope["domain"])}, expected ${JSON.stringify(SIGN_PAYLOAD_DOMAIN)}`);
  }
  const canonical = canonicalJson(envelope);
  if (canonical === undefined || !sameBytes(new TextEncoder().encode(canonical), signed)) {
    return reject("nonCanonical", "the signed bytes are not canonical JSON (sorted keys, compact, canonical escapes and integers)");
  }

  const payload = envelope["payload"];
  const violations: readonly Violation[] = validateDeviceKeySignPayload(payload);
  const first = violations[0];
  if (first !== undefined || !isObject(payload)) {
    const where = first === undefined ? "" : `${first.instancePath || "/"}: ${first.message}`;
    return reject("invalidParams", `the signed payload violates the schema: ${where}`, violations);
  }
  // Validated: from here on the payload is its type.
  const typedPayload = payload as unknown as DeviceKeySignPayload;
  const facts = readFacts(typedPayload);

  if (expectations.audience !== undefined && facts.audience !== expectations.audience) {
    return reject("audienceMismatch", `the payload audience is ${JSON.stringify(facts.audience)}, expected ${JSON.stringify(expectations.audience)}`);
  }
  if (expectations.origin !== undefined && facts.targetOrigin !== expectations.origin) {
    return reject("originMismatch", `the payload targetOrigin is ${JSON.stringify(facts.targetOrigin)}, expected ${JSON.stringify(expectations.origin)}`);
  }
  if (expectations.now !== undefined) {
    const expired = checkExpiry(facts, expectations.now);
    if (expired !== undefined) {
      return expired;
    }
  }
  return { ok: true, payload: typedPayload, facts };
}

/** Verifies a proof as the protocol sends it: the three fields in standard padded base64. */
export async function verifyProofBase64(proof: ProofBase64, expectations: Expectations = {}): Promise<VerifyResult> {
  const publicKeySpkiDer = decodeBase64(proof.publicKeySpkiDerBase64);
  const signedPayload = decodeBase64(proof.signedPayloadBase64);
  const signatureDer = decodeBase64(proof.signatureDerBase64);
  if (publicKeySpkiDer === undefined || signedPayload === undefined || signatureDer === undefined) {
    return reject("malformedBase64", "publicKeySpkiDerBase64, signedPayloadBase64 and signatureDerBase64 must be standard padded base64");
  }
  return verifyProof({ publicKeySpkiDer, signedPayload, signatureDer }, expectations);
}

/** The `now < expiresAt <= now + 900` rule, with codex's messages. */
function checkExpiry(facts: PayloadFacts, now: number): RejectedProof | undefined {
  const connection = facts.type === "remoteControlClientConnection";
  if (facts.expiresAt <= now) {
    return connection
      ? reject("tokenExpired", "invalid device key payload: remote-control token is expired")
      : reject("challengeExpired", "invalid device key payload: enrollment challenge is expired");
  }
  if (facts.expiresAt > now + MAX_PROOF_LIFETIME_SECONDS) {
    return connection
      ? reject("tokenExpiresTooFarInFuture", "invalid device key payload: remote-control token expires too far in the future")
      : reject("challengeExpiresTooFarInFuture", "invalid device key payload: enrollment challenge expires too far in the future");
  }
  return undefined;
}

/** The fields the checks read, from a payload that passed the schema. */
function readFacts(payload: DeviceKeySignPayload): PayloadFacts {
  const { type, nonce, audience, targetOrigin, targetPath, accountUserId, clientId } = payload;
  const expiresAt = payload.type === "remoteControlClientConnection" ? payload.tokenExpiresAt : payload.challengeExpiresAt;
  return { type, nonce, audience, targetOrigin, targetPath, accountUserId, clientId, expiresAt };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}
