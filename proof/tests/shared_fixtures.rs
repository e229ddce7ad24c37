//! The shared proof vectors of `proof/tests/fixtures/proofs.json`: the Rust verifier's verdict on
//! each, which every other verifier (the TypeScript one reads the same file) must reproduce.
//!
//! Groups: valid proofs; public keys (compressed, explicit-curve, trailing-byte, wrong-curve,
//! off-curve, ... SubjectPublicKeyInfo); signatures (BER and non-minimal DER, zero or
//! out-of-range r and s, ...); signed bytes that are not a proof; expectations (the clock, nonce,
//! session and challenge ids, account, client, key id); and the lenient mode
//! (`acceptAnySpelling`).
//!
//! Every vector is deterministic (fixed keys, RFC 6979 signatures), so this test rebuilds them and
//! fails when the checked-in file differs. To rewrite the file after a deliberate change:
//! `DEVICEKEY_UPDATE_FIXTURES=1 cargo test -p devicekey-proof --test integration shared_fixtures`.

use std::path::PathBuf;

use devicekey_proof::protocol::types::DeviceKeyProtectionClass;
use devicekey_proof::{
    device_identity_sha256_base64url, encode_base64, encode_base64url, envelope,
    public_key_spki_der, to_canonical_bytes, verify_proof, DeviceIdentity, Expectations, KeyId,
    Now, Strictness,
};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{DerSignature, Signature, SigningKey};
use serde_json::{json, Value};

/// The two codex vectors expire at these times.
const CONNECTION_EXPIRES: i64 = 1_700_000_000;
const ENROLLMENT_EXPIRES: i64 = 1_700_000_060;
/// A time at which both codex vectors are valid.
const VALID_AT: i64 = 1_699_999_990;

/// A deterministic (RFC 6979) DER signature: the fixtures are signed here, not by the runtime.
fn sign_der(key: &SigningKey, message: &[u8]) -> Vec<u8> {
    let signature: DerSignature = key.sign(message);
    signature.as_bytes().to_vec()
}

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/proofs.json")
}

/// The command that rewrites the fixture file.
const UPDATE_COMMAND: &str =
    "DEVICEKEY_UPDATE_FIXTURES=1 cargo test -p devicekey-proof --test integration shared_fixtures";

fn codex_connection() -> Value {
    json!({
        "type": "remoteControlClientConnection",
        "nonce": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "audience": "remote_control_client_websocket",
        "sessionId": "wssess_123",
        "targetOrigin": "https://chatgpt.com",
        "targetPath": "/api/codex/remote/control/client",
        "accountUserId": "account-user-1",
        "clientId": "cli_123",
        "tokenSha256Base64url": "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
        "tokenExpiresAt": CONNECTION_EXPIRES,
        "scopes": ["remote_control_controller_websocket"],
    })
}

fn codex_enrollment() -> Value {
    json!({
        "type": "remoteControlClientEnrollment",
        "nonce": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "audience": "remote_control_client_enrollment",
        "challengeId": "rch_123",
        "targetOrigin": "https://chatgpt.com",
        "targetPath": "/wham/remote/control/client/enroll",
        "accountUserId": "account-user-1",
        "clientId": "cli_123",
        "deviceIdentitySha256Base64url": "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
        "challengeExpiresAt": ENROLLMENT_EXPIRES,
    })
}

/// Expectations checking the expiry window at `now` and nothing else.
fn at(now: i64) -> Value {
    json!({ "now": now })
}

fn signed_text(payload: &Value) -> String {
    String::from_utf8(to_canonical_bytes(&envelope(payload.clone())).unwrap()).unwrap()
}

struct Builder {
    key: SigningKey,
    spki: Vec<u8>,
    group: &'static str,
    cases: Vec<Value>,
}

impl Builder {
    fn case(
        &mut self,
        name: &str,
        spki: &[u8],
        bytes: &[u8],
        signature: &[u8],
        expect: Value,
        verdict: &str,
    ) {
        assert!(
            self.cases.iter().all(|case| case["name"] != name),
            "two cases are named {name}"
        );
        self.cases.push(json!({
            "name": name,
            "group": self.group,
            "publicKeySpkiDerBase64": encode_base64(spki),
            "signedPayloadBase64": encode_base64(bytes),
            "signatureDerBase64": encode_base64(signature),
            "expect": expect,
            "verdict": verdict,
        }));
    }

    /// A case whose bytes are correctly signed by the fixture key.
    fn signed(&mut self, name: &str, bytes: &[u8], expect: Value, verdict: &str) {
        let signature = sign_der(&self.key, bytes);
        let spki = self.spki.clone();
        self.case(name, &spki, bytes, &signature, expect, verdict);
    }
}

/// DER of a signature with the given big-endian r and s, encoded exactly as given.
fn raw_der(r: &[u8], s: &[u8]) -> Vec<u8> {
    let mut body = vec![0x02, r.len() as u8];
    body.extend_from_slice(r);
    body.extend_from_slice(&[0x02, s.len() as u8]);
    body.extend_from_slice(s);
    let mut der = vec![0x30, body.len() as u8];
    der.extend(body);
    der
}

fn build_fixtures() -> Value {
    let key = SigningKey::from_slice(&core::array::from_fn::<u8, 32, _>(|i| i as u8 + 1)).unwrap();
    let spki = public_key_spki_der(key.verifying_key()).unwrap();
    let other_key = SigningKey::from_slice(&[0x42; 32]).unwrap();
    let other_spki = public_key_spki_der(other_key.verifying_key()).unwrap();
    let mut b = Builder {
        key,
        spki: spki.clone(),
        group: "valid",
        cases: Vec::new(),
    };
    let connection = signed_text(&codex_connection());
    let enrollment = signed_text(&codex_enrollment());

    // Valid proofs.
    b.signed(
        "codex connection vector",
        connection.as_bytes(),
        at(VALID_AT),
        "valid",
    );
    b.signed(
        "codex enrollment vector",
        enrollment.as_bytes(),
        at(VALID_AT),
        "valid",
    );
    b.signed(
        "expiry skipped by name",
        connection.as_bytes(),
        json!({"skipExpiry": true}),
        "valid",
    );
    b.signed(
        "expected audience and origin",
        enrollment.as_bytes(),
        json!({"now": VALID_AT, "audience": "remote_control_client_enrollment", "origin": "https://chatgpt.com"}),
        "valid",
    );
    let escapes = {
        let mut payload = codex_connection();
        payload["sessionId"] = json!("q\"b\\s/\u{8}\u{c}\n\r\t\u{0}\u{1f}\u{7f} é€𝄞\u{2028}");
        payload["clientId"] = json!("ü");
        payload["accountUserId"] = json!("ü");
        signed_text(&payload)
    };
    b.signed(
        "escapes and raw UTF-8",
        escapes.as_bytes(),
        at(VALID_AT),
        "valid",
    );
    let signature = Signature::from_der(&sign_der(&b.key, connection.as_bytes())).unwrap();
    let (r, s) = signature.split_scalars();
    let high_s = Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).unwrap();
    let high_s_der = high_s.to_der().as_bytes().to_vec();
    b.case(
        "high S",
        &spki,
        connection.as_bytes(),
        &high_s_der,
        at(VALID_AT),
        "valid",
    );
    // A signature whose r or s is shorter than 32 bytes (found by counting nonces).
    let (short_bytes, short_signature) = (0u32..)
        .find_map(|round| {
            let mut nonce = [0u8; 32];
            nonce[..4].copy_from_slice(&round.to_be_bytes());
            let mut payload = codex_connection();
            payload["nonce"] = json!(encode_base64url(&nonce));
            let text = signed_text(&payload);
            let der = sign_der(&b.key, text.as_bytes());
            (der.len() < 70).then_some((text, der))
        })
        .unwrap();
    b.case(
        "short DER integer",
        &spki,
        short_bytes.as_bytes(),
        &short_signature,
        at(VALID_AT),
        "valid",
    );

    // Expiry and expectations.
    b.group = "expectations";
    b.signed(
        "no expectations: the system clock says the 2023 token expired",
        connection.as_bytes(),
        json!({}),
        "tokenExpired",
    );
    b.signed(
        "token expired at now",
        connection.as_bytes(),
        at(CONNECTION_EXPIRES),
        "tokenExpired",
    );
    b.signed(
        "token expires exactly now + 900",
        connection.as_bytes(),
        at(CONNECTION_EXPIRES - 900),
        "valid",
    );
    b.signed(
        "token expires now + 901",
        connection.as_bytes(),
        at(CONNECTION_EXPIRES - 901),
        "tokenExpiresTooFarInFuture",
    );
    b.signed(
        "challenge expired",
        enrollment.as_bytes(),
        at(ENROLLMENT_EXPIRES + 1),
        "challengeExpired",
    );
    b.signed(
        "challenge too far",
        enrollment.as_bytes(),
        at(ENROLLMENT_EXPIRES - 901),
        "challengeExpiresTooFarInFuture",
    );
    b.signed(
        "audience mismatch",
        connection.as_bytes(),
        json!({"audience": "remote_control_client_enrollment"}),
        "audienceMismatch",
    );
    b.signed(
        "origin mismatch",
        connection.as_bytes(),
        json!({"origin": "https://chatgpt-staging.com"}),
        "originMismatch",
    );

    expectation_cases(&mut b, &connection, &enrollment);

    // Signature failures.
    b.group = "signatures";
    let good = sign_der(&b.key, connection.as_bytes());
    let mut changed = connection.clone().into_bytes();
    changed[100] ^= 0x01;
    b.case(
        "changed payload byte",
        &spki,
        &changed,
        &good,
        at(VALID_AT),
        "badSignature",
    );
    b.case(
        "wrong key",
        &other_spki,
        connection.as_bytes(),
        &good,
        at(VALID_AT),
        "badSignature",
    );
    b.case(
        "signature of other bytes",
        &spki,
        connection.as_bytes(),
        &sign_der(&b.key, enrollment.as_bytes()),
        at(VALID_AT),
        "badSignature",
    );
    b.case(
        "truncated signature",
        &spki,
        connection.as_bytes(),
        &good[..good.len() - 1],
        at(VALID_AT),
        "malformedSignature",
    );
    let mut trailing = good.clone();
    trailing.push(0);
    b.case(
        "signature with trailing byte",
        &spki,
        connection.as_bytes(),
        &trailing,
        at(VALID_AT),
        "malformedSignature",
    );
    let (r_bytes, s_bytes) = (signature.r().to_bytes(), signature.s().to_bytes());
    let padded_r: Vec<u8> = [&[0u8][..], &r_bytes[..]].concat();
    let padded_r = if r_bytes[0] & 0x80 == 0 {
        padded_r
    } else {
        [&[0u8][..], &padded_r[..]].concat()
    };
    b.case(
        "non-minimal DER integer",
        &spki,
        connection.as_bytes(),
        &raw_der(&padded_r, &s_bytes),
        at(VALID_AT),
        "malformedSignature",
    );
    b.case(
        "r is zero",
        &spki,
        connection.as_bytes(),
        &raw_der(&[0], &s_bytes),
        at(VALID_AT),
        "malformedSignature",
    );
    let order = hex_bytes("00ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    b.case(
        "s equals the group order",
        &spki,
        connection.as_bytes(),
        &raw_der(&r_bytes, &order),
        at(VALID_AT),
        "malformedSignature",
    );
    b.case(
        "signature is not DER",
        &spki,
        connection.as_bytes(),
        &[r_bytes.as_slice(), s_bytes.as_slice()].concat(),
        at(VALID_AT),
        "malformedSignature",
    );
    signature_cases(&mut b, connection.as_bytes(), &good, &r_bytes, &s_bytes);

    b.group = "publicKeys";
    b.case(
        "truncated public key",
        &spki[..spki.len() - 1],
        connection.as_bytes(),
        &good,
        at(VALID_AT),
        "malformedPublicKey",
    );
    public_key_cases(&mut b, connection.as_bytes(), &good);

    // Correctly signed bytes that are not a proof.
    b.group = "signedBytes";
    let prefix = r#"{"domain":"codex-device-key-sign-payload/v1","payload":"#;
    let payload_json = &connection[prefix.len()..connection.len() - 1];
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "wrong domain",
            connection.replace("sign-payload/v1", "sign-payload/v2"),
            "wrongDomain",
        ),
        (
            "domain is not a string",
            connection.replace(
                r#""domain":"codex-device-key-sign-payload/v1""#,
                r#""domain":1"#,
            ),
            "wrongDomain",
        ),
        (
            "extra envelope field",
            connection.replace(r#","payload":"#, r#","extra":1,"payload":"#),
            "malformedEnvelope",
        ),
        (
            "missing payload",
            r#"{"domain":"codex-device-key-sign-payload/v1"}"#.to_owned(),
            "malformedEnvelope",
        ),
        (
            "envelope is an array",
            "[1,2]".to_owned(),
            "malformedEnvelope",
        ),
        (
            "keys out of order",
            format!(r#"{{"payload":{payload_json},"domain":"codex-device-key-sign-payload/v1"}}"#),
            "nonCanonical",
        ),
        (
            "whitespace",
            connection.replacen(':', ": ", 1),
            "nonCanonical",
        ),
        (
            "trailing newline",
            format!("{connection}\n"),
            "nonCanonical",
        ),
        (
            "escaped slash",
            connection.replace("https://chatgpt.com", "https:\\/\\/chatgpt.com"),
            "nonCanonical",
        ),
        (
            "escaped ASCII letter",
            connection.replace("cli_123", "\\u0063li_123"),
            "nonCanonical",
        ),
        (
            "upper-case hex escape",
            escapes.replace("\\u001f", "\\u001F"),
            "nonCanonical",
        ),
        (
            "escaped non-ASCII",
            escapes.replace("é", "\\u00e9"),
            "nonCanonical",
        ),
        (
            "integer written as float",
            connection.replace("1700000000", "1700000000.0"),
            "nonCanonical",
        ),
        (
            "integer with exponent",
            connection.replace("1700000000", "17e8"),
            "nonCanonical",
        ),
        (
            "duplicate key",
            connection.replace(
                r#""clientId":"cli_123""#,
                r#""clientId":"cli_123","clientId":"cli_123""#,
            ),
            "duplicateKey",
        ),
        (
            "truncated JSON",
            connection[..connection.len() - 1].to_owned(),
            "malformedJson",
        ),
        (
            "trailing garbage",
            format!("{connection}x"),
            "malformedJson",
        ),
        (
            "lone surrogate escape",
            connection.replace("wssess_123", "wssess_\\ud800"),
            "malformedJson",
        ),
        (
            "unknown payload field",
            connection.replace(
                r#""clientId":"cli_123""#,
                r#""clientId":"cli_123","extra":"x""#,
            ),
            "invalidParams",
        ),
        (
            "empty sessionId",
            connection.replace("wssess_123", ""),
            "invalidParams",
        ),
        (
            "short nonce",
            connection.replace("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AAAA"),
            "invalidParams",
        ),
        (
            "enrollment path in a connection",
            connection.replace(
                "/api/codex/remote/control/client",
                "/wham/remote/control/client/enroll",
            ),
            "invalidParams",
        ),
        (
            "origin with trailing slash",
            connection.replace("https://chatgpt.com", "https://chatgpt.com/"),
            "invalidParams",
        ),
    ];
    for (name, text, verdict) in cases {
        assert_ne!(text, connection, "case {name} changed nothing");
        b.signed(name, text.as_bytes(), at(VALID_AT), verdict);
    }
    let mut not_utf8 = connection.clone().into_bytes();
    let at_byte = not_utf8.iter().position(|&byte| byte == b'w').unwrap();
    not_utf8[at_byte] = 0xff;
    b.signed("invalid UTF-8", &not_utf8, at(VALID_AT), "malformedJson");
    b.signed(
        "integer 2^53 in plain digits",
        connection
            .replace("1700000000", "9007199254740992")
            .as_bytes(),
        at(VALID_AT),
        "nonCanonical",
    );
    b.signed(
        "integer -0",
        connection.replace("1700000000", "-0").as_bytes(),
        at(VALID_AT),
        "nonCanonical",
    );
    let go_escaped = go_escapes(&b);
    b.signed(
        "Go-style escapes",
        go_escaped.as_bytes(),
        at(VALID_AT),
        "nonCanonical",
    );

    b.group = "acceptAnySpelling";
    lenient_cases(&mut b, &connection, &escapes, &go_escaped);

    json!({
        "description": DESCRIPTION,
        "cases": b.cases,
    })
}

const DESCRIPTION: &str = "Device-key proofs and the verdict every verifier must reach: \"valid\", \"validNotCanonical\" (accepted under acceptAnySpelling, bytes not canonical) or the failure kind. \
`expect` holds the verifier's options: `now` (Unix seconds; when neither `now` nor `skipExpiry` is given the expiry window is checked at the system clock's time), `skipExpiry: true`, \
`acceptAnySpelling: true`, and the expected `audience`, `origin`, `nonce`, `sessionId`, `challengeId`, `accountUserId`, `clientId` and `keyId`. \
Written by `DEVICEKEY_UPDATE_FIXTURES=1 cargo test -p devicekey-proof --test integration shared_fixtures` (proof/tests/shared_fixtures.rs); do not edit by hand.";

/// The key id the fixture key goes by (software class).
fn fixture_key_id() -> KeyId {
    KeyId::from_parts(DeviceKeyProtectionClass::Software, &[0x5a; 32])
}

/// The expectations on the payload's fields, on the codex vectors signed by the fixture key.
fn expectation_cases(b: &mut Builder, connection: &str, enrollment: &str) {
    let with = |extra: Value| {
        let mut expect = json!({"now": VALID_AT});
        expect
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        expect
    };
    let nonce = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let other_nonce = "BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let cases: Vec<(&str, &str, Value, &str)> = vec![
        (
            "expected nonce",
            connection,
            json!({"nonce": nonce}),
            "valid",
        ),
        (
            "nonce mismatch",
            connection,
            json!({"nonce": other_nonce}),
            "nonceMismatch",
        ),
        (
            "expected sessionId",
            connection,
            json!({"sessionId": "wssess_123"}),
            "valid",
        ),
        (
            "sessionId mismatch",
            connection,
            json!({"sessionId": "wssess_124"}),
            "sessionIdMismatch",
        ),
        (
            "sessionId expected of an enrollment",
            enrollment,
            json!({"sessionId": "rch_123"}),
            "sessionIdMismatch",
        ),
        (
            "expected challengeId",
            enrollment,
            json!({"challengeId": "rch_123"}),
            "valid",
        ),
        (
            "challengeId mismatch",
            enrollment,
            json!({"challengeId": "rch_12"}),
            "challengeIdMismatch",
        ),
        (
            "challengeId expected of a connection",
            connection,
            json!({"challengeId": "wssess_123"}),
            "challengeIdMismatch",
        ),
        (
            "expected accountUserId",
            enrollment,
            json!({"accountUserId": "account-user-1"}),
            "valid",
        ),
        (
            "accountUserId mismatch",
            connection,
            json!({"accountUserId": "account-user-2"}),
            "accountUserIdMismatch",
        ),
        (
            "accountUserId differs only in case",
            connection,
            json!({"accountUserId": "Account-user-1"}),
            "accountUserIdMismatch",
        ),
        (
            "expected clientId",
            connection,
            json!({"clientId": "cli_123"}),
            "valid",
        ),
        (
            "clientId mismatch",
            enrollment,
            json!({"clientId": "cli_1234"}),
            "clientIdMismatch",
        ),
        (
            "keyId expected of a connection",
            connection,
            json!({"keyId": fixture_key_id().as_str()}),
            "keyIdMismatch",
        ),
        (
            "every field expected of a connection",
            connection,
            json!({"audience": "remote_control_client_websocket", "origin": "https://chatgpt.com", "nonce": nonce, "sessionId": "wssess_123", "accountUserId": "account-user-1", "clientId": "cli_123"}),
            "valid",
        ),
        (
            "audience is checked before nonce",
            connection,
            json!({"audience": "remote_control_client_enrollment", "nonce": other_nonce}),
            "audienceMismatch",
        ),
        (
            "origin is checked before nonce",
            connection,
            json!({"origin": "https://chatgpt-staging.com", "nonce": other_nonce}),
            "originMismatch",
        ),
        (
            "nonce is checked before sessionId",
            connection,
            json!({"nonce": other_nonce, "sessionId": "x"}),
            "nonceMismatch",
        ),
        (
            "sessionId is checked before accountUserId",
            connection,
            json!({"sessionId": "x", "accountUserId": "x"}),
            "sessionIdMismatch",
        ),
        (
            "accountUserId is checked before clientId",
            connection,
            json!({"accountUserId": "x", "clientId": "x"}),
            "accountUserIdMismatch",
        ),
        (
            "clientId is checked before keyId",
            connection,
            json!({"clientId": "x", "keyId": fixture_key_id().as_str()}),
            "clientIdMismatch",
        ),
    ];
    for (name, bytes, extra, verdict) in cases {
        b.signed(name, bytes.as_bytes(), with(extra), verdict);
    }
    b.signed(
        "field expectations are checked before the clock",
        connection.as_bytes(),
        json!({"nonce": other_nonce}),
        "nonceMismatch",
    );

    // An enrollment naming the fixture key: its device identity is the one of the key id, its
    // class and the fixture public key.
    let key_id = fixture_key_id();
    let spki_base64 = encode_base64(&b.spki);
    let identity = device_identity_sha256_base64url(DeviceIdentity {
        algorithm: devicekey_proof::protocol::types::DeviceKeyAlgorithm::EcdsaP256Sha256,
        key_id: key_id.as_str(),
        protection_class: key_id.protection_class(),
        public_key_spki_der_base64: &spki_base64,
    });
    let mut payload = codex_enrollment();
    payload["deviceIdentitySha256Base64url"] = json!(identity);
    let naming_the_key = signed_text(&payload);
    let tpm_key_id = KeyId::from_parts(DeviceKeyProtectionClass::HardwareTpm, &[0x5a; 32]);
    let other_key_id = KeyId::from_parts(DeviceKeyProtectionClass::Software, &[0x5b; 32]);
    b.signed(
        "enrollment naming the expected key",
        naming_the_key.as_bytes(),
        with(json!({"keyId": key_id.as_str()})),
        "valid",
    );
    b.signed(
        "enrollment naming another key id",
        naming_the_key.as_bytes(),
        with(json!({"keyId": other_key_id.as_str()})),
        "keyIdMismatch",
    );
    b.signed(
        "enrollment naming the key id with another class prefix",
        naming_the_key.as_bytes(),
        with(json!({"keyId": tpm_key_id.as_str()})),
        "keyIdMismatch",
    );
    b.signed(
        "enrollment whose device identity is not the expected key's",
        enrollment.as_bytes(),
        with(json!({"keyId": key_id.as_str()})),
        "keyIdMismatch",
    );
}

/// DER `tag length content`, the length in its minimal form.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match content.len() {
        length @ 0..=0x7f => out.push(length as u8),
        length @ 0x80..=0xff => out.extend([0x81, length as u8]),
        length => out.extend([0x82, (length >> 8) as u8, length as u8]),
    }
    out.extend_from_slice(content);
    out
}

/// A DER INTEGER of the non-negative big-endian `bytes`, minimal.
fn der_integer(bytes: &[u8]) -> Vec<u8> {
    let start = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len() - 1);
    let mut content = bytes[start..].to_vec();
    if content[0] & 0x80 != 0 {
        content.insert(0, 0);
    }
    tlv(0x02, &content)
}

const ID_EC_PUBLIC_KEY: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const PRIME256V1: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const SECP256K1: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a];
/// id-ecDH (RFC 5480), the algorithm WebCrypto writes for ECDH keys.
const ID_EC_DH: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x01, 0x0c];

/// `SEQUENCE { SEQUENCE { algorithm, parameters }, BIT STRING { unused bits, point } }`.
fn spki_with(algorithm: &[u8], parameters: &[u8], unused_bits: u8, point: &[u8]) -> Vec<u8> {
    let identifier = tlv(0x30, &[algorithm, parameters].concat());
    let key = tlv(0x03, &[&[unused_bits][..], point].concat());
    tlv(0x30, &[identifier, key].concat())
}

/// P-256's domain parameters written out (`ECParameters`, SEC 1 §C.2) instead of its OID.
fn p256_explicit_parameters() -> Vec<u8> {
    let p = hex_bytes("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
    let a = hex_bytes("ffffffff00000001000000000000000000000000fffffffffffffffffffffffc");
    let b = hex_bytes("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b");
    let generator = hex_bytes(concat!(
        "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
        "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"
    ));
    let n = hex_bytes("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    let prime_field = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x01, 0x01];
    let field_id = tlv(0x30, &[&prime_field[..], &der_integer(&p)].concat());
    let curve = tlv(0x30, &[tlv(0x04, &a), tlv(0x04, &b)].concat());
    tlv(
        0x30,
        &[
            der_integer(&[1]),
            field_id,
            curve,
            tlv(0x04, &generator),
            der_integer(&n),
            der_integer(&[1]),
        ]
        .concat(),
    )
}

/// SubjectPublicKeyInfo byte strings that are not the one accepted encoding, each with a
/// signature that would verify under the key it (loosely) names.
fn public_key_cases(b: &mut Builder, bytes: &[u8], signature: &[u8]) {
    let point = b
        .key
        .verifying_key()
        .to_sec1_point(false)
        .as_bytes()
        .to_vec();
    let compressed = b
        .key
        .verifying_key()
        .to_sec1_point(true)
        .as_bytes()
        .to_vec();
    let good = b.spki.clone();
    assert_eq!(good, spki_with(ID_EC_PUBLIC_KEY, PRIME256V1, 0, &point));
    let mut trailing = good.clone();
    trailing.push(0);
    let mut off_curve = good.clone();
    *off_curve.last_mut().unwrap() ^= 1;
    let mut hybrid_point = point.clone();
    hybrid_point[0] = if point[64] & 1 == 0 { 0x06 } else { 0x07 };
    let mut long_form = vec![0x30, 0x81, 0x59];
    long_form.extend_from_slice(&good[2..]);
    // secp256k1's generator: a valid point of another curve.
    let secp256k1_point = hex_bytes(concat!(
        "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
        "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"
    ));
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        encode_base64(&good)
    );
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "compressed point",
            spki_with(ID_EC_PUBLIC_KEY, PRIME256V1, 0, &compressed),
        ),
        (
            "explicit curve parameters",
            spki_with(ID_EC_PUBLIC_KEY, &p256_explicit_parameters(), 0, &point),
        ),
        ("trailing zero byte", trailing),
        (
            "another curve's OID (secp256k1) with a P-256 point",
            spki_with(ID_EC_PUBLIC_KEY, SECP256K1, 0, &point),
        ),
        (
            "a secp256k1 key",
            spki_with(ID_EC_PUBLIC_KEY, SECP256K1, 0, &secp256k1_point),
        ),
        (
            "a secp256k1 point under the P-256 OID",
            spki_with(ID_EC_PUBLIC_KEY, PRIME256V1, 0, &secp256k1_point),
        ),
        ("off-curve point", off_curve),
        (
            "hybrid point form",
            spki_with(ID_EC_PUBLIC_KEY, PRIME256V1, 0, &hybrid_point),
        ),
        (
            "point at infinity",
            spki_with(ID_EC_PUBLIC_KEY, PRIME256V1, 0, &[0x00]),
        ),
        (
            "raw X and Y without the 04 prefix",
            spki_with(ID_EC_PUBLIC_KEY, PRIME256V1, 0, &point[1..]),
        ),
        (
            "non-zero unused bits in the BIT STRING",
            spki_with(ID_EC_PUBLIC_KEY, PRIME256V1, 1, &point),
        ),
        ("long-form outer length", long_form),
        (
            "the id-ecDH algorithm",
            spki_with(ID_EC_DH, PRIME256V1, 0, &point),
        ),
        (
            "NULL curve parameters",
            spki_with(ID_EC_PUBLIC_KEY, &[0x05, 0x00], 0, &point),
        ),
        ("the bare SEC1 point", point.clone()),
        ("PEM text instead of DER", pem.into_bytes()),
        ("empty public key", Vec::new()),
    ];
    for (name, spki) in cases {
        assert_ne!(spki, good, "{name}");
        b.case(
            &format!("public key: {name}"),
            &spki,
            bytes,
            signature,
            at(VALID_AT),
            "malformedPublicKey",
        );
    }
}

/// Signature byte strings that are not strict DER of `0 < r, s < n`, and two well-formed ones
/// that do not verify.
fn signature_cases(b: &mut Builder, bytes: &[u8], good: &[u8], r: &[u8], s: &[u8]) {
    let body = [der_integer(r), der_integer(s)].concat();
    let order = hex_bytes("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    let sequence = |parts: &[Vec<u8>]| tlv(0x30, &parts.concat());
    let mut long_form = vec![0x30, 0x81, body.len() as u8];
    long_form.extend_from_slice(&body);
    let mut indefinite = vec![0x30, 0x80];
    indefinite.extend_from_slice(&body);
    indefinite.extend_from_slice(&[0, 0]);
    let mut claims_more = good.to_vec();
    claims_more[1] += 1;
    let mut claims_less = good.to_vec();
    claims_less[1] -= 1;
    let mut set_tag = good.to_vec();
    set_tag[0] = 0x31;
    let octet_r = [tlv(0x04, &der_integer(r)[2..]), der_integer(s)].concat();
    let padded_s = {
        let mut content = der_integer(s)[2..].to_vec();
        content.insert(0, 0);
        tlv(0x02, &content)
    };
    let negative_r = {
        // r with its top bit set, written without the leading zero: a negative INTEGER.
        let mut high = r.to_vec();
        high[0] |= 0x80;
        tlv(0x02, &high)
    };
    let long_r = tlv(0x02, &[&[0x01][..], r].concat());
    let all_ones = [0xffu8; 32];
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "long-form SEQUENCE length (BER)",
            long_form,
            "malformedSignature",
        ),
        ("indefinite length (BER)", indefinite, "malformedSignature"),
        (
            "SEQUENCE length longer than the bytes",
            claims_more,
            "malformedSignature",
        ),
        (
            "SEQUENCE length shorter than the bytes",
            claims_less,
            "malformedSignature",
        ),
        ("SET instead of SEQUENCE", set_tag, "malformedSignature"),
        (
            "OCTET STRING instead of INTEGER",
            sequence(&[octet_r]),
            "malformedSignature",
        ),
        (
            "non-minimal s",
            sequence(&[der_integer(r), padded_s]),
            "malformedSignature",
        ),
        (
            "negative r",
            sequence(&[negative_r, der_integer(s)]),
            "malformedSignature",
        ),
        (
            "s is zero",
            sequence(&[der_integer(r), der_integer(&[0])]),
            "malformedSignature",
        ),
        (
            "r equals the group order",
            sequence(&[der_integer(&order), der_integer(s)]),
            "malformedSignature",
        ),
        (
            "r is 2^256 - 1",
            sequence(&[der_integer(&all_ones), der_integer(s)]),
            "malformedSignature",
        ),
        (
            "r longer than 32 bytes",
            sequence(&[long_r, der_integer(s)]),
            "malformedSignature",
        ),
        (
            "three integers",
            sequence(&[der_integer(r), der_integer(s), der_integer(&[1])]),
            "malformedSignature",
        ),
        (
            "one integer",
            sequence(&[der_integer(r)]),
            "malformedSignature",
        ),
        ("empty signature", Vec::new(), "malformedSignature"),
        ("empty SEQUENCE", vec![0x30, 0x00], "malformedSignature"),
        (
            "r and s swapped",
            sequence(&[der_integer(s), der_integer(r)]),
            "badSignature",
        ),
        (
            "s is one",
            sequence(&[der_integer(r), der_integer(&[1])]),
            "badSignature",
        ),
    ];
    for (name, signature, verdict) in cases {
        assert_ne!(signature, good, "{name}");
        let spki = b.spki.clone();
        b.case(
            &format!("signature: {name}"),
            &spki,
            bytes,
            &signature,
            at(VALID_AT),
            verdict,
        );
    }
}

/// The escaping test payload as Go's `encoding/json` writes it: `<`, `>`, `&`, U+2028 and
/// U+2029 as `\u003c`, `\u003e`, `\u0026`, `\u2028`, `\u2029`.
fn go_escapes(_b: &Builder) -> String {
    let mut payload = codex_connection();
    payload["clientId"] = json!("cli_<>&");
    payload["sessionId"] = json!("wssess_\u{2028}\u{2029}");
    signed_text(&payload)
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// Under `acceptAnySpelling`: other spellings of valid payloads are "validNotCanonical", and
/// what is not strict JSON, or not a proof, is still refused.
fn lenient_cases(b: &mut Builder, connection: &str, escapes: &str, go_escaped: &str) {
    let lenient = json!({"now": VALID_AT, "acceptAnySpelling": true});
    let prefix = r#"{"domain":"codex-device-key-sign-payload/v1","payload":"#;
    let payload_json = &connection[prefix.len()..connection.len() - 1];
    // codex's struct order, not sorted.
    let struct_order = concat!(
        r#"{"domain":"codex-device-key-sign-payload/v1","payload":{"type":"remoteControlClientConnection","#,
        r#""nonce":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","audience":"remote_control_client_websocket","#,
        r#""sessionId":"wssess_123","targetOrigin":"https://chatgpt.com","targetPath":"/api/codex/remote/control/client","#,
        r#""accountUserId":"account-user-1","clientId":"cli_123","#,
        r#""tokenSha256Base64url":"47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU","tokenExpiresAt":1700000000,"#,
        r#""scopes":["remote_control_controller_websocket"]}}"#
    );
    let pretty = serde_json::to_string_pretty(&serde_json::from_str::<Value>(connection).unwrap())
        .unwrap()
        .replace("  ", "\t")
        .replace('\n', "\r\n");
    let go_canonical = {
        let mut payload = codex_connection();
        payload["clientId"] = json!("cli_<>&");
        payload["sessionId"] = json!("wssess_\u{2028}\u{2029}");
        signed_text(&payload)
    };
    let valid: Vec<(&str, String, &str)> = vec![
        ("canonical bytes", connection.to_owned(), "valid"),
        (
            "canonical bytes with Go's characters",
            go_canonical,
            "valid",
        ),
        (
            "envelope keys reversed",
            format!(r#"{{"payload":{payload_json},"domain":"codex-device-key-sign-payload/v1"}}"#),
            "validNotCanonical",
        ),
        (
            "payload keys in codex's struct order",
            struct_order.to_owned(),
            "validNotCanonical",
        ),
        (
            "pretty-printed with tabs and CRLF",
            pretty,
            "validNotCanonical",
        ),
        (
            "trailing newline",
            format!("{connection}\n"),
            "validNotCanonical",
        ),
        (
            "leading space",
            format!(" {connection}"),
            "validNotCanonical",
        ),
        (
            "Go-style escapes",
            go_escaped.to_owned(),
            "validNotCanonical",
        ),
        (
            "escaped slashes (an older Swift)",
            connection.replace('/', "\\/"),
            "validNotCanonical",
        ),
        (
            "escaped ASCII letters",
            connection.replace("cli_123", "\\u0063li_123"),
            "validNotCanonical",
        ),
        (
            "an escaped key name",
            connection.replace(r#""domain""#, r#""\u0064omain""#),
            "validNotCanonical",
        ),
        (
            "upper-case hex escape",
            escapes.replace("\\u001f", "\\u001F"),
            "validNotCanonical",
        ),
        (
            "escaped non-ASCII",
            escapes.replace('é', "\\u00e9"),
            "validNotCanonical",
        ),
        (
            "surrogate pair escape",
            escapes.replace('𝄞', "\\ud834\\udd1e"),
            "validNotCanonical",
        ),
        (
            "integer 2^53 - 1 is read (and expires too far ahead)",
            connection.replace("1700000000", "9007199254740991"),
            "tokenExpiresTooFarInFuture",
        ),
    ];
    let refused: Vec<(&str, String, &str)> = vec![
        (
            "duplicate key",
            connection.replace(
                r#""clientId":"cli_123""#,
                r#""clientId":"cli_123","clientId":"cli_123""#,
            ),
            "duplicateKey",
        ),
        (
            "duplicate key spelled with an escape",
            connection.replace(
                r#""clientId":"cli_123""#,
                r#""clientId":"cli_123","\u0063lientId":"cli_123""#,
            ),
            "duplicateKey",
        ),
        (
            "duplicate envelope key",
            connection.replacen('{', r#"{"domain":"codex-device-key-sign-payload/v1","#, 1),
            "duplicateKey",
        ),
        (
            "integer with exponent",
            connection.replace("1700000000", "17e8"),
            "malformedNumber",
        ),
        (
            "integer written as float",
            connection.replace("1700000000", "1700000000.0"),
            "malformedNumber",
        ),
        (
            "integer -0",
            connection.replace("1700000000", "-0"),
            "malformedNumber",
        ),
        (
            "integer 2^53",
            connection.replace("1700000000", "9007199254740992"),
            "malformedNumber",
        ),
        (
            "integer -(2^53)",
            connection.replace("1700000000", "-9007199254740992"),
            "malformedNumber",
        ),
        (
            "integer beyond 64 bits",
            connection.replace("1700000000", "100000000000000000000"),
            "malformedNumber",
        ),
        (
            "leading zero",
            connection.replace("1700000000", "01700000000"),
            "malformedJson",
        ),
        (
            "leading plus",
            connection.replace("1700000000", "+1700000000"),
            "malformedJson",
        ),
        (
            "extra top-level key",
            connection.replace(r#","payload":"#, r#","extra":1,"payload":"#),
            "malformedEnvelope",
        ),
        (
            "missing payload",
            r#"{"domain":"codex-device-key-sign-payload/v1"}"#.to_owned(),
            "malformedEnvelope",
        ),
        (
            "wrong domain",
            connection.replace("sign-payload/v1", "sign-payload/v2"),
            "wrongDomain",
        ),
        (
            "lone surrogate escape",
            connection.replace("wssess_123", "wssess_\\ud800"),
            "malformedJson",
        ),
        (
            "form feed is not JSON white space",
            format!("{connection}\u{c}"),
            "malformedJson",
        ),
        (
            "no-break space is not JSON white space",
            format!("\u{a0}{connection}"),
            "malformedJson",
        ),
        (
            "byte order mark",
            format!("\u{feff}{connection}"),
            "malformedJson",
        ),
        (
            "a comment",
            format!("{connection} // signed"),
            "malformedJson",
        ),
        (
            "two JSON texts",
            format!("{connection}{connection}"),
            "malformedJson",
        ),
        (
            "unknown payload field",
            connection.replace(
                r#""clientId":"cli_123""#,
                r#""clientId":"cli_123","extra":"x""#,
            ),
            "invalidParams",
        ),
    ];
    for (name, text, verdict) in valid.into_iter().chain(refused) {
        if verdict == "validNotCanonical" {
            assert_ne!(text, connection, "case {name} changed nothing");
        }
        b.signed(
            &format!("any spelling: {name}"),
            text.as_bytes(),
            lenient.clone(),
            verdict,
        );
    }
    let mut invalid_utf8 = connection.as_bytes().to_vec();
    let at_byte = invalid_utf8.iter().position(|&byte| byte == b'w').unwrap();
    invalid_utf8[at_byte] = 0xff;
    let overlong_slash = connection
        .replacen("https:/", "https:\u{1}", 1)
        .into_bytes();
    let overlong_slash: Vec<u8> = overlong_slash
        .iter()
        .flat_map(|&byte| {
            if byte == 1 {
                vec![0xc0, 0xaf]
            } else {
                vec![byte]
            }
        })
        .collect();
    let encoded_surrogate: Vec<u8> = connection
        .replacen("wssess_", "wssess_\u{1}", 1)
        .into_bytes()
        .iter()
        .flat_map(|&byte| {
            if byte == 1 {
                vec![0xed, 0xa0, 0x80]
            } else {
                vec![byte]
            }
        })
        .collect();
    for (name, bytes) in [
        ("invalid UTF-8", invalid_utf8),
        ("overlong UTF-8 for /", overlong_slash),
        ("a surrogate encoded in UTF-8", encoded_surrogate),
    ] {
        b.signed(
            &format!("any spelling: {name}"),
            &bytes,
            lenient.clone(),
            "malformedJson",
        );
    }
    // Expectations still apply.
    let spelled = connection.replace('/', "\\/");
    b.signed(
        "any spelling: expiry still checked",
        spelled.as_bytes(),
        json!({"now": CONNECTION_EXPIRES, "acceptAnySpelling": true}),
        "tokenExpired",
    );
    b.signed(
        "any spelling: audience still checked",
        spelled.as_bytes(),
        json!({"now": VALID_AT, "acceptAnySpelling": true, "audience": "remote_control_client_enrollment"}),
        "audienceMismatch",
    );
    b.signed(
        "any spelling: schema still checked",
        spelled.replace("wssess_123", "").as_bytes(),
        lenient.clone(),
        "invalidParams",
    );
}

fn hex_bytes(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// The verifier's options a case's `expect` gives.
fn expectations(expect: &Value) -> Expectations {
    const KNOWN: [&str; 11] = [
        "now",
        "skipExpiry",
        "acceptAnySpelling",
        "audience",
        "origin",
        "nonce",
        "sessionId",
        "challengeId",
        "accountUserId",
        "clientId",
        "keyId",
    ];
    let object = expect.as_object().expect("expect is an object");
    for key in object.keys() {
        assert!(KNOWN.contains(&key.as_str()), "unknown expectation {key}");
    }
    let text = |name: &str| {
        expect
            .get(name)
            .map(|value| value.as_str().unwrap().to_owned())
    };
    let now = match (expect.get("now"), expect.get("skipExpiry")) {
        (Some(now), None) => Now::At(now.as_i64().unwrap()),
        (None, Some(Value::Bool(true))) => Now::SkipExpiryCheck,
        (None, None) => Now::SystemClock,
        other => panic!("now and skipExpiry: {other:?}"),
    };
    let strictness = match expect.get("acceptAnySpelling") {
        None => Strictness::Canonical,
        Some(Value::Bool(true)) => Strictness::AcceptAnySpelling,
        Some(other) => panic!("acceptAnySpelling: {other}"),
    };
    Expectations {
        now,
        strictness,
        audience: text("audience"),
        origin: text("origin"),
        nonce: text("nonce"),
        session_id: text("sessionId"),
        challenge_id: text("challengeId"),
        account_user_id: text("accountUserId"),
        client_id: text("clientId"),
        key_id: text("keyId").map(|id| KeyId::parse(&id).unwrap()),
    }
}

fn decode(case: &Value, field: &str) -> Vec<u8> {
    devicekey_proof::decode_base64(case[field].as_str().unwrap()).unwrap()
}

#[test]
fn the_rust_verifier_reaches_every_fixture_verdict() {
    let fixtures = build_fixtures();
    for case in fixtures["cases"].as_array().unwrap() {
        let outcome = verify_proof(
            &decode(case, "publicKeySpkiDerBase64"),
            &decode(case, "signedPayloadBase64"),
            &decode(case, "signatureDerBase64"),
            &expectations(&case["expect"]),
        );
        let verdict = outcome
            .as_ref()
            .map(|proof| proof.verdict())
            .unwrap_or_else(|error| error.kind());
        assert_eq!(
            verdict,
            case["verdict"].as_str().unwrap(),
            "case {}: {outcome:?}",
            case["name"]
        );
    }
}

#[test]
fn the_checked_in_fixture_file_is_current() {
    let fixtures = build_fixtures();
    let path = fixture_path();
    if std::env::var_os("DEVICEKEY_UPDATE_FIXTURES").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            serde_json::to_string_pretty(&fixtures).unwrap() + "\n",
        )
        .unwrap();
    }
    let on_disk: Value = std::fs::read(&path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(Value::Null);
    assert!(
        on_disk == fixtures,
        "{} is missing or stale; run `{UPDATE_COMMAND}` and commit it",
        path.display()
    );
}
