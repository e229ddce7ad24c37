/**
 * P-256 public keys as SubjectPublicKeyInfo DER. A key with an uncompressed point has exactly one
 * DER encoding, and that is the only one accepted, byte for byte, before the key goes to WebCrypto
 * (which would accept more: explicit curve parameters, trailing bytes, compressed and hybrid
 * points, long-form lengths). The Rust verifier applies the same rule.
 *
 * Compressed points are refused although they name a valid key: every platform writes the
 * uncompressed form, the schema says "uncompressed point", Go's `crypto/x509` refuses them, and
 * one encoding per key keeps its `publicKeySpkiDerBase64` (and so its device identity) unique.
 */

/**
 * `SEQUENCE { SEQUENCE { OID id-ecPublicKey, OID prime256v1 }, BIT STRING` (no unused bits), then
 * the `04` of an uncompressed point: the 27 bytes before its 64 bytes `X || Y`.
 */
const UNCOMPRESSED_P256_SPKI_PREFIX = Uint8Array.from([
  0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
  0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
]);

/** The length of a P-256 SubjectPublicKeyInfo DER with an uncompressed point. */
export const P256_SPKI_DER_LENGTH = UNCOMPRESSED_P256_SPKI_PREFIX.length + 64;

/**
 * Whether `der` is the SubjectPublicKeyInfo DER of a P-256 key with an uncompressed point: the 27
 * bytes `30 59 30 13 06 07 2a 86 48 ce 3d 02 01 06 08 2a 86 48 ce 3d 03 01 07 03 42 00 04` and
 * then 64 bytes `X || Y`, 91 in all. Whether the point is on the curve is WebCrypto's to say.
 */
export function isUncompressedP256SpkiDer(der: Uint8Array): boolean {
  return der.length === P256_SPKI_DER_LENGTH && UNCOMPRESSED_P256_SPKI_PREFIX.every((byte, index) => der[index] === byte);
}
