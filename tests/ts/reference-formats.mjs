// The profile's named formats written independently of the generator, for the ajv reference:
// base64url and standard base64 through Buffer (decoded, re-encoded and compared to reject
// non-canonical text) and origins through WHATWG URL.
function decodedLength(s) {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return -1;
  const bytes = Buffer.from(s, "base64url");
  return bytes.toString("base64url") === s ? bytes.length : -1;
}
// Buffer's "base64" decoder also takes `-` and `_`, skips other characters and stops at the first
// `=`; the alphabet test and the round trip (which restores exactly the padding needed) reject all
// of that.
function standardDecodedLength(s) {
  if (!/^[A-Za-z0-9+/=]*$/.test(s)) return -1;
  const bytes = Buffer.from(s, "base64");
  return bytes.toString("base64") === s ? bytes.length : -1;
}
export const formatChecks = {
  "device-key-id": (s) => /^dk_(hse|tpm|osn|swk)_/.test(s) && decodedLength(s.slice(7)) === 32,
  "base64url-sha256": (s) => decodedLength(s) === 32,
  "base64url-nonce": (s) => decodedLength(s) >= 32,
  base64: (s) => standardDecodedLength(s) >= 1,
  origin: (s) => {
    try {
      const url = new URL(s);
      return (url.protocol === "http:" || url.protocol === "https:") && url.origin === s;
    } catch {
      return false;
    }
  },
  int64: (n) => Number.isInteger(n) && n >= -(2 ** 63) && n < 2 ** 63,
};
