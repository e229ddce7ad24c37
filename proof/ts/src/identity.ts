/**
 * A device key's identity: the digest an enrollment payload carries as
 * `deviceIdentitySha256Base64url`. It is the unpadded base64url SHA-256 of the compact JSON of the
 * key's four public facts, `{"algorithm":…,"keyId":…,"protectionClass":…,"publicKeySpkiDerBase64":…}`,
 * keys in that (sorted) order, strings as `JSON.stringify` writes them: the `/` of the base64 raw,
 * as Go's `encoding/json`, Python's `json.dumps` and the Rust crate write it too.
 */

import {
  formatViolation,
  isDeviceKeyId,
  validateDeviceKeyPublicResponse,
  type Base64Bytes,
  type DeviceKeyAlgorithm,
  type DeviceKeyId,
  type DeviceKeyProtectionClass,
} from "@devicekey/protocol";

import { encodeBase64url } from "./base64.js";
import { hasWebCrypto, WEBCRYPTO_UNAVAILABLE_MESSAGE } from "./webcrypto.js";

/**
 * The public facts of a device key that its identity covers: the four fields `device/key/create`
 * and `device/key/public` answer (either answer can be passed as it is).
 */
export interface DeviceKeyPublicInfo {
  readonly algorithm: DeviceKeyAlgorithm;
  readonly keyId: DeviceKeyId;
  readonly protectionClass: DeviceKeyProtectionClass;
  /** The SubjectPublicKeyInfo DER in standard base64 with padding. */
  readonly publicKeySpkiDerBase64: Base64Bytes;
}

const CLASS_OF_PREFIX: ReadonlyArray<readonly [string, DeviceKeyProtectionClass]> = [
  ["dk_hse_", "hardware_secure_enclave"],
  ["dk_tpm_", "hardware_tpm"],
  ["dk_osn_", "os_protected_nonextractable"],
  ["dk_swk_", "software"],
];

/** The message of every malformed key id (the Rust crate's `KEY_ID_MESSAGE`). */
export const KEY_ID_MESSAGE = "keyId must be dk_hse_, dk_tpm_, dk_osn_, or dk_swk_ followed by unpadded base64url-encoded 32 bytes";

/** The protection class a key id's prefix names; `undefined` for what is not a key id. */
export function protectionClassOfKeyId(keyId: string): DeviceKeyProtectionClass | undefined {
  if (!isDeviceKeyId(keyId)) {
    return undefined;
  }
  return CLASS_OF_PREFIX.find(([prefix]) => keyId.startsWith(prefix))?.[1];
}

/**
 * The exact text whose SHA-256 is the device identity: the compact JSON of the four fields in
 * sorted order, whatever order `info` has them in. Throws a `TypeError` when a field is not what
 * the schema allows (a `DeviceKeyPublicResponse`'s rules).
 */
export function deviceIdentityJson(info: DeviceKeyPublicInfo): string {
  const value: unknown = info;
  const facts =
    typeof value === "object" && value !== null
      ? { algorithm: info.algorithm, keyId: info.keyId, protectionClass: info.protectionClass, publicKeySpkiDerBase64: info.publicKeySpkiDerBase64 }
      : value;
  const first = validateDeviceKeyPublicResponse(facts)[0];
  if (first !== undefined) {
    throw new TypeError(`not a device key's public info (algorithm, keyId, protectionClass, publicKeySpkiDerBase64): ${formatViolation(first)}`);
  }
  // Built in the fixed order; every value is ASCII from a small alphabet, so JSON.stringify escapes nothing.
  return JSON.stringify(facts);
}

/**
 * `deviceIdentitySha256Base64url` of a key: the unpadded base64url SHA-256 (WebCrypto) of
 * {@link deviceIdentityJson}. Takes a `device/key/create` or `device/key/public` answer. Throws a
 * `TypeError` for fields the schema does not allow, and an `Error` where there is no WebCrypto.
 */
export async function deviceIdentitySha256Base64url(info: DeviceKeyPublicInfo): Promise<string> {
  const text = deviceIdentityJson(info);
  if (!hasWebCrypto()) {
    throw new Error(WEBCRYPTO_UNAVAILABLE_MESSAGE);
  }
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return encodeBase64url(new Uint8Array(digest));
}
