/**
 * Where WebCrypto comes from: `globalThis.crypto.subtle`, which browsers provide only in secure
 * contexts and Node from version 20 on.
 */

/** What a verifier without WebCrypto says, and how to get it. */
export const WEBCRYPTO_UNAVAILABLE_MESSAGE =
  "WebCrypto (crypto.subtle) is not available here: browsers provide it only in secure contexts " +
  "(a page served over https, or from localhost or 127.0.0.1), and Node from version 20 on; " +
  "serve the page over https, or verify the proof where WebCrypto is available";

/**
 * Whether `crypto.subtle` is there (it is not on a page served over plain http, say). The
 * declarations name no WebCrypto type, so that they read without the DOM library.
 */
export function hasWebCrypto(): boolean {
  const scope = globalThis as { readonly crypto?: { readonly subtle?: unknown } };
  return scope.crypto?.subtle !== undefined && scope.crypto.subtle !== null;
}
