/**
 * Standard base64 with padding, decoded strictly: the wire form of public keys, signatures and
 * signed payloads (`publicKeySpkiDerBase64`, `signatureDerBase64`, `signedPayloadBase64`). And
 * unpadded base64url, the form of digests such as `deviceIdentitySha256Base64url`.
 */

/**
 * A `Uint8Array` over a plain `ArrayBuffer`, the kind WebCrypto takes. Written this way so that
 * declarations read the same in TypeScript 5.0 to 5.6, where `Uint8Array` is not generic, and in
 * 5.7 and later, where it is `Uint8Array<ArrayBuffer>`.
 */
export type Bytes = ReturnType<typeof Uint8Array.of>;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const VALUES: ReadonlyMap<string, number> = new Map([...ALPHABET].map((char, index) => [char, index]));

/** Decodes canonical padded standard base64; `undefined` for anything else. */
export function decodeBase64(text: string): Bytes | undefined {
  if (text.length % 4 !== 0) {
    return undefined;
  }
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const body = text.slice(0, text.length - padding);
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let bits = 0;
  let bitCount = 0;
  let offset = 0;
  for (const char of body) {
    const value = VALUES.get(char);
    if (value === undefined) {
      return undefined;
    }
    bits = (bits << 6) | value;
    bitCount += 6;
    if (bitCount >= 8) {
      bitCount -= 8;
      out[offset++] = (bits >> bitCount) & 0xff;
      bits &= (1 << bitCount) - 1;
    }
  }
  // Canonical: the bits left over after the last byte are zero.
  if (bits !== 0 || offset !== out.length) {
    return undefined;
  }
  return out;
}

/** Encodes bytes as padded standard base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  for (let index = 0; index < bytes.length; index += 3) {
    const chunk = ((bytes[index] ?? 0) << 16) | ((bytes[index + 1] ?? 0) << 8) | (bytes[index + 2] ?? 0);
    const chars = Math.min(bytes.length - index, 3) + 1;
    for (let position = 0; position < 4; position++) {
      out += position < chars ? ALPHABET[(chunk >> (18 - 6 * position)) & 63] : "=";
    }
  }
  return out;
}

/** Encodes bytes as unpadded base64url (RFC 4648 §5), as digests and nonces are written. */
export function encodeBase64url(bytes: Uint8Array): string {
  return encodeBase64(bytes).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}
