//! The verifier: proofs made by the store verify; every kind of tampering is refused.

use devicekey_proof::{
    public_key_spki_der, verify_proof, Expectations, SignedPayload, VerifyError,
};
use devicekey_runtime::sign_der;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::json;

use crate::support::*;

fn test_key(byte: u8) -> (SigningKey, Vec<u8>) {
    let key = SigningKey::from_slice(&[byte; 32]).unwrap();
    let spki = public_key_spki_der(key.verifying_key()).unwrap();
    (key, spki)
}

fn kind(outcome: Result<devicekey_proof::VerifiedProof, VerifyError>) -> &'static str {
    outcome
        .map(|_| "valid")
        .unwrap_or_else(|error| error.kind())
}

fn at(now: i64) -> Expectations {
    Expectations::at(now)
}

#[tokio::test]
async fn proofs_from_the_store_verify() {
    let harness = Harness::new();
    let created = harness.store.create_json(json!({"protectionPolicy": "allow_software", "accountUserId": ACCOUNT, "clientId": CLIENT})).await.unwrap();
    for payload in [connection_payload(), enrollment_payload()] {
        let proof = harness.sign(&created.key(), &payload).await.unwrap();
        let expect = Expectations {
            audience: Some(payload["audience"].as_str().unwrap().to_owned()),
            origin: Some("https://chatgpt.com".to_owned()),
            ..Expectations::at(NOW)
        };
        let verified = verify_proof(
            &created.spki_der(),
            &proof.signed_payload(),
            &proof.signature_der(),
            &expect,
        )
        .unwrap();
        assert_eq!(serde_json::to_value(&verified.payload).unwrap(), payload);
    }
}

#[test]
fn tampering_is_refused() {
    let (key, spki) = test_key(0x11);
    let (_, other_spki) = test_key(0x22);
    let bytes = SignedPayload::from_json(connection_payload())
        .unwrap()
        .into_bytes();
    let signature = sign_der(&key, &bytes);
    assert_eq!(
        kind(verify_proof(&spki, &bytes, &signature, &at(NOW))),
        "valid"
    );

    // One changed byte anywhere in the signed bytes.
    for index in [0, bytes.len() / 2, bytes.len() - 1] {
        let mut changed = bytes.clone();
        changed[index] ^= 0x01;
        assert_eq!(
            kind(verify_proof(&spki, &changed, &signature, &at(NOW))),
            "badSignature"
        );
    }
    // One changed byte in the signature: either no longer DER or no longer valid.
    let mut changed = signature.clone();
    let last = changed.len() - 1;
    changed[last] ^= 0x01;
    assert_eq!(
        kind(verify_proof(&spki, &bytes, &changed, &at(NOW))),
        "badSignature"
    );
    assert_eq!(
        kind(verify_proof(
            &spki,
            &bytes,
            &signature[..signature.len() - 1],
            &at(NOW)
        )),
        "malformedSignature"
    );
    // The wrong key.
    assert_eq!(
        kind(verify_proof(&other_spki, &bytes, &signature, &at(NOW))),
        "badSignature"
    );
    assert_eq!(
        kind(verify_proof(&spki[..20], &bytes, &signature, &at(NOW))),
        "malformedPublicKey"
    );
}

#[test]
fn correctly_signed_but_malformed_bytes_are_refused() {
    let (key, spki) = test_key(0x33);
    let canonical = String::from_utf8(
        SignedPayload::from_json(connection_payload())
            .unwrap()
            .into_bytes(),
    )
    .unwrap();
    let prefix = r#"{"domain":"codex-device-key-sign-payload/v1","payload":"#;
    let payload_json = &canonical[prefix.len()..canonical.len() - 1];
    let cases = [
        (
            canonical.replace(
                "codex-device-key-sign-payload/v1",
                "codex-device-key-sign-payload/v2",
            ),
            "wrongDomain",
        ),
        (
            canonical.replace(
                r#""domain":"codex-device-key-sign-payload/v1","#,
                r#""domain":1,"#,
            ),
            "wrongDomain",
        ),
        (canonical.replacen('{', "{ ", 1), "nonCanonical"),
        (format!("{canonical}\n"), "nonCanonical"),
        (
            canonical.replace("https://chatgpt.com", "https:\\/\\/chatgpt.com"),
            "nonCanonical",
        ),
        (
            format!(r#"{{"payload":{payload_json},"domain":"codex-device-key-sign-payload/v1"}}"#),
            "nonCanonical",
        ),
        (
            canonical.replace("\"tokenExpiresAt\":", "\"tokenExpiresAt\":1e0+"),
            "malformedJson",
        ),
        (
            canonical.replace(
                &format!("\"tokenExpiresAt\":{}", NOW + 60),
                &format!("\"tokenExpiresAt\":{}.0", NOW + 60),
            ),
            "nonCanonical",
        ),
        (
            canonical.replace(
                r#""clientId":"cli_123""#,
                r#""clientId":"cli_123","clientId":"cli_123""#,
            ),
            "duplicateKey",
        ),
        (
            canonical.replace(r#","payload":"#, r#","extra":1,"payload":"#),
            "malformedEnvelope",
        ),
        (
            r#"{"domain":"codex-device-key-sign-payload/v1"}"#.to_owned(),
            "malformedEnvelope",
        ),
        ("[]".to_owned(), "malformedEnvelope"),
        (
            canonical.replace(r#""sessionId":"wssess_123""#, r#""sessionId":"""#),
            "invalidParams",
        ),
        (
            canonical.replace(r#""scopes":["remote_control_controller_websocket"],"#, ""),
            "invalidParams",
        ),
        (canonical[..canonical.len() - 1].to_owned(), "malformedJson"),
    ];
    for (bytes, expected) in cases {
        let signature = sign_der(&key, bytes.as_bytes());
        assert_eq!(
            kind(verify_proof(
                &spki,
                bytes.as_bytes(),
                &signature,
                &Expectations::skipping_expiry()
            )),
            expected,
            "{bytes}"
        );
    }
    let not_utf8 = canonical
        .replace("wssess_123", "wssess_\u{fffd}")
        .into_bytes();
    let mut not_utf8 = not_utf8;
    let at = not_utf8.iter().position(|&b| b == 0xef).unwrap();
    not_utf8[at] = 0xff;
    let signature = sign_der(&key, &not_utf8);
    assert_eq!(
        kind(verify_proof(
            &spki,
            &not_utf8,
            &signature,
            &Expectations::skipping_expiry()
        )),
        "malformedJson"
    );
}

#[test]
fn expectations_are_checked_when_given() {
    let (key, spki) = test_key(0x44);
    let payload = with(
        &connection_payload(),
        "targetOrigin",
        Some(json!("http://localhost:8080")),
    );
    let bytes = SignedPayload::from_json(payload).unwrap().into_bytes();
    let signature = sign_der(&key, &bytes);
    let verify = |expect: Expectations| kind(verify_proof(&spki, &bytes, &signature, &expect));
    assert_eq!(verify(Expectations::skipping_expiry()), "valid");
    // The default checks the expiry window against the system clock: long past NOW + 60.
    assert_eq!(verify(Expectations::default()), "tokenExpired");
    assert_eq!(
        verify(Expectations {
            audience: Some("remote_control_client_websocket".into()),
            ..Expectations::skipping_expiry()
        }),
        "valid"
    );
    assert_eq!(
        verify(Expectations {
            audience: Some("remote_control_client_enrollment".into()),
            ..Expectations::skipping_expiry()
        }),
        "audienceMismatch"
    );
    assert_eq!(
        verify(Expectations {
            origin: Some("http://localhost:8080".into()),
            ..Expectations::skipping_expiry()
        }),
        "valid"
    );
    assert_eq!(
        verify(Expectations {
            origin: Some("https://chatgpt.com".into()),
            ..Expectations::skipping_expiry()
        }),
        "originMismatch"
    );
    // tokenExpiresAt is NOW + 60.
    assert_eq!(verify(at(NOW + 59)), "valid");
    assert_eq!(verify(at(NOW + 60)), "tokenExpired");
    assert_eq!(verify(at(NOW - 841)), "tokenExpiresTooFarInFuture");
    assert_eq!(verify(at(NOW - 840)), "valid");
}

#[test]
fn high_s_and_short_integer_signatures_verify() {
    let (key, spki) = test_key(0x55);
    // Deterministic signatures (RFC 6979) over numbered payloads, until one has an r or s
    // shorter than 32 bytes; each is also checked with S flipped to the high half.
    let mut short_seen = false;
    for round in 0u32..4096 {
        let mut nonce = [0u8; 32];
        nonce[..4].copy_from_slice(&round.to_be_bytes());
        let payload = with(
            &connection_payload(),
            "nonce",
            Some(json!(devicekey_proof::encode_base64url(&nonce))),
        );
        let bytes = SignedPayload::from_json(payload).unwrap().into_bytes();
        let signature = Signature::from_der(&sign_der(&key, &bytes)).unwrap();
        let (r, s) = signature.split_scalars();
        let high_s = Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).unwrap();
        for candidate in [signature, high_s] {
            let der = candidate.to_der();
            short_seen |= der.as_bytes().len() < 70;
            assert_eq!(
                kind(verify_proof(&spki, &bytes, der.as_bytes(), &at(NOW))),
                "valid"
            );
        }
        if short_seen && round >= 8 {
            break;
        }
    }
    assert!(
        short_seen,
        "no signature with a short DER integer was found"
    );
}
