/**
 * The device-key proof verifier for browsers and Node 20+, on WebCrypto.
 *
 * It performs the checks of the Rust verifier (`devicekey verify`, the crate `devicekey-proof`),
 * in the same order, and reaches the same verdict on every shared vector
 * (`proof/tests/fixtures/proofs.json` in the repository):
 *
 * 1. the public key is the SubjectPublicKeyInfo DER of a P-256 key with an uncompressed point on
 *    the curve, byte for byte the one encoding (`malformedPublicKey`); the signature is strict
 *    DER with `0 < r, s < n` (`malformedSignature`) and verifies over the bytes as received,
 *    high S accepted (`badSignature`);
 * 2. the bytes are one strict UTF-8 JSON text (`malformedJson`) without a repeated object key
 *    (`duplicateKey`), an object of exactly `domain` and `payload` (`malformedEnvelope`), and the
 *    domain is {@link SIGN_PAYLOAD_DOMAIN} (`wrongDomain`);
 * 3. the spelling: by default the bytes must be the canonical serialization of their own value
 *    (`nonCanonical`); with `acceptAnySpelling` any JSON spelling is accepted, but every number
 *    must be an integer in plain digits within ±(2^53 − 1) (`malformedNumber`), and the result
 *    says whether the bytes were canonical;
 * 4. the payload passes the generated schema validators (`invalidParams`);
 * 5. the caller's expectations, in this order: audience, origin, nonce, sessionId, challengeId,
 *    accountUserId, clientId, keyId (each `…Mismatch`), then the expiry window
 *    `now < expiresAt <= now + 900`, at the current time unless `now` or `skipExpiry` says
 *    otherwise.
 *
 * Without WebCrypto (a page served over plain http from another host) nothing can be verified:
 * the verdict is `webCryptoUnavailable`, never a verdict on the proof.
 */

import { validateDeviceKeySignPayload, type DeviceKeyProtectionClass, type DeviceKeySignPayload, type Violation } from "@devicekey/protocol";

import { decodeBase64, encodeBase64 } from "./base64.js";
import { canonicalJson, parseStrictJsonReadingNumbers, StrictJsonError, type StrictParse } from "./canonical.js";
import { derSignatureToP1363 } from "./der.js";
import { deviceIdentitySha256Base64url, KEY_ID_MESSAGE, protectionClassOfKeyId } from "./identity.js";
import { isUncompressedP256SpkiDer } from "./spki.js";
import { hasWebCrypto, WEBCRYPTO_UNAVAILABLE_MESSAGE } from "./webcrypto.js";

export { decodeBase64, encodeBase64, encodeBase64url, type Bytes } from "./base64.js";
export { canonicalJson, parseStrictJson, StrictJsonError } from "./canonical.js";
export { derSignatureToP1363 } from "./der.js";
export {
  deviceIdentityJson,
  deviceIdentitySha256Base64url,
  KEY_ID_MESSAGE,
  protectionClassOfKeyId,
  type DeviceKeyPublicInfo,
} from "./identity.js";
export { WEBCRYPTO_UNAVAILABLE_MESSAGE } from "./webcrypto.js";
export type { DeviceKeySignPayload, Violation };

/** The domain separator of every signed payload. */
export const SIGN_PAYLOAD_DOMAIN = "codex-device-key-sign-payload/v1";

/** The longest a proof may stay valid, in seconds. */
export const MAX_PROOF_LIFETIME_SECONDS = 900;

/**
 * What the caller expects of the payload's fields; an absent field checks nothing. They are
 * checked in the order listed, after the schema and before the expiry window.
 */
export interface Expectations {
  /** The payload's `audience` must equal this. */
  readonly audience?: string;
  /** The payload's `targetOrigin` must equal this. */
  readonly origin?: string;
  /** The payload's `nonce` must equal this (the one the backend issued). */
  readonly nonce?: string;
  /** The payload must be a connection whose `sessionId` equals this. */
  readonly sessionId?: string;
  /** The payload must be an enrollment whose `challengeId` equals this. */
  readonly challengeId?: string;
  /** The payload's `accountUserId` must equal this. */
  readonly accountUserId?: string;
  /** The payload's `clientId` must equal this. */
  readonly clientId?: string;
  /**
   * The proof must name the key of this id. Only an enrollment names its key: its
   * `deviceIdentitySha256Base64url` must be the device identity of this key id, the class its
   * prefix names and the verifying public key. A connection does not name its key, so expecting a
   * key id of one is always `keyIdMismatch`: look a connection's public key up by key id instead.
   */
  readonly keyId?: string;
}

/**
 * When the expiry window `now < expiresAt <= now + 900` is checked: at the current time
 * (`Math.floor(Date.now() / 1000)`) unless `now` gives another, or not at all when
 * `skipExpiry: true` asks for that by name. Giving both is a `TypeError`.
 */
export type ExpiryOptions =
  | {
      /**
       * Check the expiry window at this time, in whole Unix seconds, instead of the current time
       * (absent or `undefined`: the current time).
       */
      readonly now?: number | undefined;
      readonly skipExpiry?: false | undefined;
    }
  | {
      readonly now?: undefined;
      /**
       * Do not check the expiry window at all: only for tools that inspect old proofs, never to
       * accept one.
       */
      readonly skipExpiry: true;
    };

/** Which spellings of the signed bytes are accepted. */
export interface SpellingOptions {
  /**
   * Accept any JSON spelling of a valid payload (key order, white space, escapes such as Go's
   * `\u003c` or an older Swift's `\/`), knowingly: the bytes must still be strict UTF-8 JSON
   * without duplicate keys, exactly `domain` and `payload`, and every number an integer in plain
   * digits within ±(2^53 − 1). The result's `canonical` says whether they were canonical. The
   * default (`false`) accepts only the canonical bytes.
   */
  readonly acceptAnySpelling?: boolean;
}

/** Everything `verifyProof` and `verifyProofBase64` take besides the proof. */
export type VerifyOptions = Expectations & ExpiryOptions & SpellingOptions;

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

/** Every way a proof can be refused: the Rust verifier's names, and `webCryptoUnavailable`. */
export type VerifyFailureKind =
  | "malformedBase64"
  | "webCryptoUnavailable"
  | "malformedPublicKey"
  | "malformedSignature"
  | "badSignature"
  | "malformedJson"
  | "duplicateKey"
  | "malformedEnvelope"
  | "wrongDomain"
  | "nonCanonical"
  | "malformedNumber"
  | "invalidParams"
  | "audienceMismatch"
  | "originMismatch"
  | "nonceMismatch"
  | "sessionIdMismatch"
  | "challengeIdMismatch"
  | "accountUserIdMismatch"
  | "clientIdMismatch"
  | "keyIdMismatch"
  | "tokenExpired"
  | "tokenExpiresTooFarInFuture"
  | "challengeExpired"
  | "challengeExpiresTooFarInFuture";

/** A proof that passed every check. */
export interface VerifiedProof {
  readonly ok: true;
  /** `"valid"`, or `"validNotCanonical"` for a proof accepted under `acceptAnySpelling` whose bytes are not canonical. */
  readonly verdict: "valid" | "validNotCanonical";
  /** The signed payload, valid against the `DeviceKeySignPayload` schema. */
  readonly payload: DeviceKeySignPayload;
  readonly facts: PayloadFacts;
  /**
   * Whether the signed bytes are the canonical serialization: always `true` by default; under
   * `acceptAnySpelling`, `false` means "valid, not canonical".
   */
  readonly canonical: boolean;
  /** The time the expiry window was checked at (Unix seconds); absent when `skipExpiry` skipped it. */
  readonly expiryCheckedAt?: number;
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

/** The options after their check: what to expect, when to check the expiry window, which spellings. */
interface Checks {
  readonly expectations: Expectations;
  /** The expected key's protection class, from its id's prefix. */
  readonly keyClass: DeviceKeyProtectionClass | undefined;
  /** `undefined`: the current time; `null`: skip the expiry check. */
  readonly now: number | null | undefined;
  readonly acceptAnySpelling: boolean;
}

const EXPECTATION_NAMES = ["audience", "origin", "nonce", "sessionId", "challengeId", "accountUserId", "clientId", "keyId"] as const;
const OPTION_NAMES: readonly string[] = [...EXPECTATION_NAMES, "now", "skipExpiry", "acceptAnySpelling"];

/** Reads the options, or throws a `TypeError` saying what is wrong with them. */
function readOptions(options: VerifyOptions): Checks {
  const given: unknown = options;
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    throw new TypeError(`the verify options must be an object, not ${given === null ? "null" : typeof given}`);
  }
  const record = given as Readonly<Record<string, unknown>>;
  for (const name of Object.keys(record)) {
    if (!OPTION_NAMES.includes(name)) {
      throw new TypeError(`unknown verify option ${JSON.stringify(name)}; the options are ${OPTION_NAMES.join(", ")}`);
    }
  }
  for (const name of EXPECTATION_NAMES) {
    const value = record[name];
    if (value !== undefined && typeof value !== "string") {
      throw new TypeError(`the verify option ${name} must be a string (or absent to check nothing), not ${typeof value}`);
    }
  }
  const keyId = record["keyId"] as string | undefined;
  const keyClass = keyId === undefined ? undefined : protectionClassOfKeyId(keyId);
  if (keyId !== undefined && keyClass === undefined) {
    throw new TypeError(`the verify option keyId ${JSON.stringify(keyId)} is not a key id: ${KEY_ID_MESSAGE}`);
  }
  for (const name of ["skipExpiry", "acceptAnySpelling"]) {
    const value = record[name];
    if (value !== undefined && typeof value !== "boolean") {
      throw new TypeError(`the verify option ${name} must be true or false, not ${JSON.stringify(value)}`);
    }
  }
  const now = record["now"];
  if (now !== undefined && !(typeof now === "number" && Number.isSafeInteger(now))) {
    throw new TypeError(`the verify option now must be whole Unix seconds, such as Math.floor(Date.now() / 1000), not ${String(now)}`);
  }
  const skip = record["skipExpiry"] === true;
  if (skip && now !== undefined) {
    throw new TypeError("give the verify option now or skipExpiry: true, not both (now checks the expiry window at that time, skipExpiry does not check it)");
  }
  return {
    expectations: options,
    keyClass,
    now: skip ? null : (now as number | undefined),
    acceptAnySpelling: record["acceptAnySpelling"] === true,
  };
}

/**
 * Verifies a proof given as raw bytes. Never throws for a bad proof: the result says why. Throws
 * a `TypeError` for options that are not {@link VerifyOptions}.
 */
export async function verifyProof(proof: ProofBytes, options: VerifyOptions = {}): Promise<VerifyResult> {
  const checks = readOptions(options);
  if (!hasWebCrypto()) {
    return reject("webCryptoUnavailable", WEBCRYPTO_UNAVAILABLE_MESSAGE);
  }
  const subtle = globalThis.crypto.subtle;
  const spki = proof.publicKeySpkiDer;
  const malformedKey = "the public key is not a P-256 SubjectPublicKeyInfo DER with an uncompressed point on the curve";
  if (!isUncompressedP256SpkiDer(spki)) {
    return reject("malformedPublicKey", malformedKey);
  }
  let key: CryptoKey;
  try {
    key = await subtle.importKey("spki", owned(spki), { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  } catch {
    return reject("malformedPublicKey", malformedKey);
  }
  const rawSignature = derSignatureToP1363(proof.signatureDer);
  if (rawSignature === undefined) {
    return reject("malformedSignature", "the signature is not a DER-encoded ECDSA P-256 signature");
  }
  const signed = owned(proof.signedPayload);
  if (!(await subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, rawSignature, signed))) {
    return reject("badSignature", "the signature does not verify with this public key");
  }

  let text: string;
  let parsed: StrictParse;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(signed);
    parsed = parseStrictJsonReadingNumbers(text);
  } catch (error) {
    if (error instanceof StrictJsonError && error.duplicateKey) {
      return reject("duplicateKey", `the signed bytes repeat an object key: ${error.message}`);
    }
    const detail = error instanceof StrictJsonError ? error.message : "not UTF-8 (an invalid, overlong or surrogate byte sequence)";
    return reject("malformedJson", `the signed bytes are not JSON: ${detail}`);
  }
  const envelope = parsed.value;
  if (!isObject(envelope) || Object.keys(envelope).length !== 2 || !hasOwn(envelope, "domain") || !hasOwn(envelope, "payload")) {
    return reject("malformedEnvelope", 'the signed bytes must be an object holding exactly "domain" and "payload"');
  }
  if (envelope["domain"] !== SIGN_PAYLOAD_DOMAIN) {
    return reject("wrongDomain", `the signed domain is ${JSON.stringify(envelope["domain"])}, expected ${JSON.stringify(SIGN_PAYLOAD_DOMAIN)}`);
  }
  // Numbers have a canonical form only as safe integers, so this also refuses 2^53 in plain digits.
  const canonicalText = canonicalJson(envelope);
  const canonical = canonicalText !== undefined && canonicalText === text;
  if (!checks.acceptAnySpelling) {
    if (!canonical) {
      return reject("nonCanonical", "the signed bytes are not canonical JSON (sorted keys, compact, canonical escapes, integers in plain digits within ±(2^53 - 1))");
    }
  } else if (parsed.firstUnsafeNumber !== undefined) {
    const at = parsed.firstUnsafeNumber === "" ? "/" : parsed.firstUnsafeNumber;
    return reject("malformedNumber", `the number at ${at} in the signed bytes is not an integer in plain digits within ±(2^53 - 1)`);
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

  const mismatch = await checkFields(typedPayload, checks, spki);
  if (mismatch !== undefined) {
    return mismatch;
  }
  const now = checks.now === undefined ? Math.floor(Date.now() / 1000) : checks.now;
  if (now !== null) {
    const expired = checkExpiry(facts, now);
    if (expired !== undefined) {
      return expired;
    }
  }
  const verdict = canonical ? "valid" : "validNotCanonical";
  return now === null
    ? { ok: true, verdict, payload: typedPayload, facts, canonical }
    : { ok: true, verdict, payload: typedPayload, facts, canonical, expiryCheckedAt: now };
}

/**
 * Verifies a proof as the protocol sends it: the three fields in standard padded base64. Never
 * throws for a bad proof; throws a `TypeError` for options that are not {@link VerifyOptions}.
 */
export async function verifyProofBase64(proof: ProofBase64, options: VerifyOptions = {}): Promise<VerifyResult> {
  readOptions(options);
  const publicKeySpkiDer = decodeBase64(proof.publicKeySpkiDerBase64);
  const signedPayload = decodeBase64(proof.signedPayloadBase64);
  const signatureDer = decodeBase64(proof.signatureDerBase64);
  if (publicKeySpkiDer === undefined || signedPayload === undefined || signatureDer === undefined) {
    return reject("malformedBase64", "publicKeySpkiDerBase64, signedPayloadBase64 and signatureDerBase64 must be standard padded base64");
  }
  return verifyProof({ publicKeySpkiDer, signedPayload, signatureDer }, options);
}

/** The expectations on the payload's fields, in the documented order. */
async function checkFields(payload: DeviceKeySignPayload, checks: Checks, spki: Uint8Array): Promise<RejectedProof | undefined> {
  const expect = checks.expectations;
  const quote = (text: string): string => JSON.stringify(text);
  const differs = (expected: string | undefined, found: string): expected is string => expected !== undefined && expected !== found;
  if (differs(expect.audience, payload.audience)) {
    return reject("audienceMismatch", `the payload audience is ${quote(payload.audience)}, expected ${quote(expect.audience)}`);
  }
  if (differs(expect.origin, payload.targetOrigin)) {
    return reject("originMismatch", `the payload targetOrigin is ${quote(payload.targetOrigin)}, expected ${quote(expect.origin)}`);
  }
  if (differs(expect.nonce, payload.nonce)) {
    return reject("nonceMismatch", `the payload nonce is ${quote(payload.nonce)}, expected ${quote(expect.nonce)}`);
  }
  const connection = payload.type === "remoteControlClientConnection" ? payload : undefined;
  const enrollment = payload.type === "remoteControlClientEnrollment" ? payload : undefined;
  if (expect.sessionId !== undefined && connection?.sessionId !== expect.sessionId) {
    return reject(
      "sessionIdMismatch",
      connection === undefined
        ? `the payload is an enrollment, which has no sessionId; expected sessionId ${quote(expect.sessionId)}`
        : `the payload sessionId is ${quote(connection.sessionId)}, expected ${quote(expect.sessionId)}`,
    );
  }
  if (expect.challengeId !== undefined && enrollment?.challengeId !== expect.challengeId) {
    return reject(
      "challengeIdMismatch",
      enrollment === undefined
        ? `the payload is a connection, which has no challengeId; expected challengeId ${quote(expect.challengeId)}`
        : `the payload challengeId is ${quote(enrollment.challengeId)}, expected ${quote(expect.challengeId)}`,
    );
  }
  if (differs(expect.accountUserId, payload.accountUserId)) {
    return reject("accountUserIdMismatch", `the payload accountUserId is ${quote(payload.accountUserId)}, expected ${quote(expect.accountUserId)}`);
  }
  if (differs(expect.clientId, payload.clientId)) {
    return reject("clientIdMismatch", `the payload clientId is ${quote(payload.clientId)}, expected ${quote(expect.clientId)}`);
  }
  const keyId = expect.keyId;
  const protectionClass = checks.keyClass;
  if (keyId !== undefined && protectionClass !== undefined) {
    if (enrollment === undefined) {
      return reject(
        "keyIdMismatch",
        `a connection payload does not name its key, so it cannot show it is by key ${keyId}; look the public key up by key id instead of expecting one`,
      );
    }
    const expectedIdentity = await deviceIdentitySha256Base64url({ algorithm: "ecdsa_p256_sha256", keyId, protectionClass, publicKeySpkiDerBase64: encodeBase64(spki) });
    if (enrollment.deviceIdentitySha256Base64url !== expectedIdentity) {
      return reject(
        "keyIdMismatch",
        `the enrollment's deviceIdentitySha256Base64url is ${quote(enrollment.deviceIdentitySha256Base64url)}, not ${quote(expectedIdentity)}, the identity of key ${keyId} with this public key`,
      );
    }
  }
  return undefined;
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
