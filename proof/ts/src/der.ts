/**
 * ECDSA P-256 signatures: strict DER (`SEQUENCE { INTEGER r, INTEGER s }`), as the protocol
 * sends them, to the raw `r || s` form (IEEE P1363) that WebCrypto verifies.
 */

import type { Bytes } from "./base64.js";

/** The order n of the P-256 group, big-endian. */
const GROUP_ORDER = Uint8Array.from([
  0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
  0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
]);

const SCALAR_BYTES = 32;

/**
 * Converts a DER ECDSA P-256 signature to raw `r || s` (64 bytes), or `undefined` when it is not
 * strict DER or a scalar is outside `1..n-1`. Integers may be shorter than 32 bytes (left-padded
 * here) and carry one leading zero byte when their high bit is set.
 */
export function derSignatureToP1363(der: Uint8Array): Bytes | undefined {
  // SEQUENCE with a short-form length covering the rest exactly (at most 2 * 35 content bytes).
  if (der.length < 2 || der[0] !== 0x30 || der[1] !== der.length - 2 || (der[1] ?? 0) > 0x7f) {
    return undefined;
  }
  const out = new Uint8Array(2 * SCALAR_BYTES);
  let offset = 2;
  for (const slot of [0, SCALAR_BYTES]) {
    const length = der[offset + 1];
    if (der[offset] !== 0x02 || length === undefined || length === 0 || length > 0x7f) {
      return undefined;
    }
    const start = offset + 2;
    const end = start + length;
    if (end > der.length) {
      return undefined;
    }
    let integer = der.subarray(start, end);
    const first = integer[0] ?? 0;
    if (first & 0x80) {
      return undefined; // negative
    }
    if (first === 0 && integer.length > 1) {
      if (!((integer[1] ?? 0) & 0x80)) {
        return undefined; // a leading zero that is not needed: not minimal
      }
      integer = integer.subarray(1);
    }
    if (integer.length > SCALAR_BYTES) {
      return undefined;
    }
    const scalar = out.subarray(slot, slot + SCALAR_BYTES);
    scalar.set(integer, SCALAR_BYTES - integer.length);
    if (scalar.every((byte) => byte === 0) || compareBigEndian(scalar, GROUP_ORDER) >= 0) {
      return undefined;
    }
    offset = end;
  }
  return offset === der.length ? out : undefined;
}

function compareBigEndian(a: Uint8Array, b: Uint8Array): number {
  for (let index = 0; index < a.length; index++) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) {
      return difference;
    }
  }
  return 0;
}
