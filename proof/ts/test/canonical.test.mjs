// Canonical JSON: codex's signed-bytes vectors byte for byte, JCS escaping and key order, and the
// strict parser.

import assert from "node:assert/strict";
import { test } from "node:test";

import { canonicalJson, parseStrictJson, StrictJsonError, SIGN_PAYLOAD_DOMAIN } from "../dist/verify.js";

const CODEX_CONNECTION = '{"domain":"codex-device-key-sign-payload/v1","payload":{"accountUserId":"account-user-1","audience":"remote_control_client_websocket","clientId":"cli_123","nonce":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","scopes":["remote_control_controller_websocket"],"sessionId":"wssess_123","targetOrigin":"https://chatgpt.com","targetPath":"/api/codex/remote/control/client","tokenExpiresAt":1700000000,"tokenSha256Base64url":"47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU","type":"remoteControlClientConnection"}}';
const CODEX_ENROLLMENT = '{"domain":"codex-device-key-sign-payload/v1","payload":{"accountUserId":"account-user-1","audience":"remote_control_client_enrollment","challengeExpiresAt":1700000060,"challengeId":"rch_123","clientId":"cli_123","deviceIdentitySha256Base64url":"47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU","nonce":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","targetOrigin":"https://chatgpt.com","targetPath":"/wham/remote/control/client/enroll","type":"remoteControlClientEnrollment"}}';

test("codex's connection vector is reproduced from an unsorted payload", () => {
  const payload = {
    type: "remoteControlClientConnection",
    nonce: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    audience: "remote_control_client_websocket",
    sessionId: "wssess_123",
    targetOrigin: "https://chatgpt.com",
    targetPath: "/api/codex/remote/control/client",
    accountUserId: "account-user-1",
    clientId: "cli_123",
    tokenSha256Base64url: "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
    tokenExpiresAt: 1700000000,
    scopes: ["remote_control_controller_websocket"],
  };
  assert.equal(canonicalJson({ payload, domain: SIGN_PAYLOAD_DOMAIN }), CODEX_CONNECTION);
});

test("codex's enrollment vector round-trips byte for byte", () => {
  assert.equal(canonicalJson(parseStrictJson(CODEX_ENROLLMENT)), CODEX_ENROLLMENT);
});

test("strings are escaped as RFC 8785 does", () => {
  const text = 'q"b\\s/\b\f\n\r\t\u0000\u0001\u001f\u007f é€𝄞\u2028';
  assert.equal(canonicalJson(text), '"q\\"b\\\\s/\\b\\f\\n\\r\\t\\u0000\\u0001\\u001f\u007f é€𝄞\u2028"');
  // JSON.stringify escapes the same way for well-formed strings.
  for (let code = 0; code < 0x80; code++) {
    const char = String.fromCharCode(code);
    assert.equal(canonicalJson(char), JSON.stringify(char));
  }
});

test("keys sort by UTF-16 code units at every depth", () => {
  const value = { "\ufffd": 1, "\u{1d11e}": 2, b: { z: [{ y: 1, x: 2 }], a: null }, a: true };
  assert.equal(canonicalJson(value), '{"a":true,"b":{"a":null,"z":[{"x":2,"y":1}]},"\u{1d11e}":2,"\ufffd":1}');
});

test("only safe integers have a canonical form", () => {
  assert.equal(canonicalJson([0, -1, 9007199254740991]), "[0,-1,9007199254740991]");
  assert.equal(canonicalJson(1.5), undefined);
  assert.equal(canonicalJson(2 ** 53), undefined);
  assert.equal(canonicalJson({ a: [Number.NaN] }), undefined);
  assert.equal(canonicalJson(undefined), undefined);
});

test("the strict parser refuses what JSON.parse lets through", () => {
  const refuse = (text, duplicate) => {
    assert.throws(() => parseStrictJson(text), (error) => error instanceof StrictJsonError && error.duplicateKey === duplicate, text);
  };
  refuse('{"a":1,"a":1}', true);
  refuse('{"clientId":1,"\\u0063lientId":1}', true);
  refuse("\ufeff{}", false);
  refuse("{}\f", false);
  refuse("\u00a0{}", false);
  refuse("{}\u2028", false);
  refuse('{"x":[{"b":1,"b":2}]}', true);
  refuse('"\\ud800"', false);
  refuse('"\\udc00x"', false);
  refuse('"\\ud800\\u0041"', false);
  refuse("1e400", false);
  refuse('{"a":1} x', false);
  refuse('"tab\there"', false);
  refuse("[1,]", false);
  refuse("01", false);
  refuse("[".repeat(128) + "]".repeat(128), false);
  assert.deepEqual(parseStrictJson(" [".repeat(127) + "]".repeat(127)), JSON.parse("[".repeat(127) + "]".repeat(127)));
  assert.deepEqual(parseStrictJson(' {"a":[1,"\\u00e9\\/",null,true,-2.5e1]} '), { a: [1, "é/", null, true, -25] });
  assert.equal(parseStrictJson('"\\ud834\\udd1e"'), "𝄞");
  const proto = parseStrictJson('{"__proto__":{"polluted":1}}');
  assert.deepEqual(Object.keys(proto), ["__proto__"]);
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.equal(canonicalJson(proto), '{"__proto__":{"polluted":1}}');
});
