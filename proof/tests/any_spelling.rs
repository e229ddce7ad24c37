//! `Strictness::AcceptAnySpelling`: another peer's spelling of a valid payload is accepted
//! knowingly, read as the same payload, and said to be not canonical. (The shared fixtures hold
//! the full list of spellings accepted and refused.)

use devicekey_proof::{
    public_key_spki_der, verify_proof, Expectations, SignedPayload, Strictness, VerifyError,
};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{DerSignature, SigningKey};
use serde_json::json;

fn payload() -> serde_json::Value {
    json!({
        "type": "remoteControlClientConnection",
        "nonce": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "audience": "remote_control_client_websocket",
        "sessionId": "wssess_\u{2028}",
        "targetOrigin": "https://chatgpt.com",
        "targetPath": "/api/codex/remote/control/client",
        "accountUserId": "account-user-1",
        "clientId": "cli_<&>",
        "tokenSha256Base64url": "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
        "tokenExpiresAt": 1_700_000_000,
        "scopes": ["remote_control_controller_websocket"],
    })
}

#[test]
fn a_go_spelled_proof_is_the_same_payload_valid_but_not_canonical() {
    let key = SigningKey::from_slice(&[3; 32]).unwrap();
    let spki = public_key_spki_der(key.verifying_key()).unwrap();
    let canonical =
        String::from_utf8(SignedPayload::from_json(payload()).unwrap().into_bytes()).unwrap();
    // Go's encoding/json: HTML characters and the JavaScript line terminators escaped, and a
    // struct's fields in declaration order rather than sorted (here: the envelope reversed).
    let prefix = r#"{"domain":"codex-device-key-sign-payload/v1","payload":"#;
    let inner = canonical[prefix.len()..canonical.len() - 1]
        .replace('<', "\\u003c")
        .replace('&', "\\u0026")
        .replace('>', "\\u003e")
        .replace('\u{2028}', "\\u2028")
        .replace('/', "\\/");
    let go = format!(r#"{{ "payload": {inner}, "domain": "codex-device-key-sign-payload\/v1" }}"#);
    let sign = |bytes: &[u8]| {
        let signature: DerSignature = key.sign(bytes);
        signature.as_bytes().to_vec()
    };
    let lenient = Expectations {
        strictness: Strictness::AcceptAnySpelling,
        ..Expectations::at(1_699_999_990)
    };

    let strict = verify_proof(
        &spki,
        go.as_bytes(),
        &sign(go.as_bytes()),
        &Expectations::at(1_699_999_990),
    );
    assert_eq!(strict.unwrap_err(), VerifyError::NonCanonical);

    let accepted = verify_proof(&spki, go.as_bytes(), &sign(go.as_bytes()), &lenient).unwrap();
    assert!(!accepted.canonical);
    assert_eq!(accepted.verdict(), "validNotCanonical");
    assert_eq!(accepted.expiry_checked_at, Some(1_699_999_990));
    assert_eq!(serde_json::to_value(&accepted.payload).unwrap(), payload());

    let same = verify_proof(
        &spki,
        canonical.as_bytes(),
        &sign(canonical.as_bytes()),
        &lenient,
    )
    .unwrap();
    assert!(same.canonical);
    assert_eq!(same.verdict(), "valid");
    assert_eq!(same.payload, accepted.payload);
}

#[test]
fn numbers_still_need_plain_digits_in_the_safe_range() {
    let key = SigningKey::from_slice(&[4; 32]).unwrap();
    let spki = public_key_spki_der(key.verifying_key()).unwrap();
    let canonical =
        String::from_utf8(SignedPayload::from_json(payload()).unwrap().into_bytes()).unwrap();
    let lenient = Expectations {
        strictness: Strictness::AcceptAnySpelling,
        ..Expectations::skipping_expiry()
    };
    for literal in [
        "1e3",
        "1700000000.0",
        "-0",
        "9007199254740992",
        "-9007199254740992",
    ] {
        let bytes = canonical.replace("1700000000", literal);
        let signature: DerSignature = key.sign(bytes.as_bytes());
        let error =
            verify_proof(&spki, bytes.as_bytes(), signature.as_bytes(), &lenient).unwrap_err();
        assert_eq!(
            error,
            VerifyError::MalformedNumber {
                path: "/payload/tokenExpiresAt".to_owned()
            },
            "{literal}"
        );
        assert_eq!(
            error.to_string(),
            "the number at /payload/tokenExpiresAt in the signed bytes is not an integer in plain \
             digits within ±(2^53 - 1)"
        );
    }
}
