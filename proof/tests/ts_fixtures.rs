//! The proof vectors of `proof/ts/test/fixtures/proofs.json`: the Rust verifier's verdict on
//! each, which the TypeScript verifier's tests must reproduce.
//!
//! Every vector is deterministic (fixed keys, RFC 6979 signatures), so this test rebuilds them and
//! fails when the checked-in file differs. To rewrite the file after a deliberate change:
//! `DEVICEKEY_UPDATE_FIXTURES=1 cargo test -p devicekey-proof --test integration ts_fixtures`.

use std::path::PathBuf;

use devicekey_proof::{
    encode_base64, encode_base64url, envelope, public_key_spki_der, to_canonical_bytes,
    verify_proof, Expectations,
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
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ts/test/fixtures/proofs.json")
}

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

fn signed_text(payload: &Value) -> String {
    String::from_utf8(to_canonical_bytes(&envelope(payload.clone())).unwrap()).unwrap()
}

struct Builder {
    key: SigningKey,
    spki: Vec<u8>,
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
        self.cases.push(json!({
            "name": name,
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
        cases: Vec::new(),
    };
    let at = |now: i64| json!({"now": now});
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
    b.signed("no expectations", connection.as_bytes(), json!({}), "valid");
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

    // Signature failures.
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
    b.case(
        "truncated public key",
        &spki[..spki.len() - 1],
        connection.as_bytes(),
        &good,
        at(VALID_AT),
        "malformedPublicKey",
    );

    // Correctly signed bytes that are not a proof.
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

    json!({
        "description": "Device-key proofs and the verdict every verifier must reach. Written by `DEVICEKEY_UPDATE_FIXTURES=1 cargo test -p devicekey-proof --test integration ts_fixtures`; do not edit by hand.",
        "cases": b.cases,
    })
}

fn hex_bytes(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn expectations(expect: &Value) -> Expectations {
    Expectations {
        audience: expect
            .get("audience")
            .and_then(Value::as_str)
            .map(str::to_owned),
        origin: expect
            .get("origin")
            .and_then(Value::as_str)
            .map(str::to_owned),
        now: expect.get("now").and_then(Value::as_i64),
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
            .map(|_| "valid")
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
        "{} is missing or stale; run `DEVICEKEY_UPDATE_FIXTURES=1 cargo test -p devicekey-proof --test integration ts_fixtures` and commit it",
        path.display()
    );
}
