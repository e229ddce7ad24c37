//! A backend verifying a device-key proof, end to end:
//! `cargo run -p devicekey-proof --example verify_proof`.
//!
//! The backend registered a device key (its id and public key) and issued a session with a fresh
//! nonce. The device signs a remote-control connection payload; here a key in memory stands in
//! for it, and the bytes it signs are made the way the `devicekey` server makes them. The
//! backend then accepts the proof once, and refuses a proof for another session, a changed byte,
//! and an expired proof. `cargo test -p devicekey-proof` runs it too.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use devicekey_proof::protocol::types::DeviceKeySignResponse;
use devicekey_proof::{
    decode_base64, encode_base64, encode_base64url, public_key_spki_der, verify_proof,
    Expectations, SignedPayload, VerifiedProof,
};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{DerSignature, SigningKey};
use serde_json::json;

/// What the backend keeps: registered keys by id, and the sessions it issued.
struct Backend {
    /// Key id → SubjectPublicKeyInfo DER, from the enrollment.
    keys: HashMap<String, Vec<u8>>,
    /// Session id → (nonce, account user, client) issued for it.
    sessions: HashMap<String, (String, String, String)>,
}

/// What a client sends to open a session: its key id and the sign answer.
struct ConnectRequest {
    key_id: String,
    session_id: String,
    proof: DeviceKeySignResponse,
}

impl Backend {
    /// Accepts a connection proof, or says why not. A session is accepted once.
    fn connect(&mut self, request: &ConnectRequest) -> Result<VerifiedProof, String> {
        let spki = self
            .keys
            .get(&request.key_id)
            .ok_or("unknown key id: enroll the key first")?;
        let (nonce, account_user_id, client_id) = self
            .sessions
            .get(&request.session_id)
            .ok_or("no such session, or it was used already")?;
        let signed_payload = decode_base64(request.proof.signed_payload_base64.as_str())
            .ok_or("signedPayloadBase64 is not standard base64")?;
        let signature = decode_base64(request.proof.signature_der_base64.as_str())
            .ok_or("signatureDerBase64 is not standard base64")?;
        let expectations = Expectations {
            audience: Some("remote_control_client_websocket".to_owned()),
            origin: Some("https://chatgpt.com".to_owned()),
            nonce: Some(nonce.clone()),
            session_id: Some(request.session_id.clone()),
            account_user_id: Some(account_user_id.clone()),
            client_id: Some(client_id.clone()),
            // The expiry window is checked against the system clock.
            ..Expectations::default()
        };
        let proof = verify_proof(spki, &signed_payload, &signature, &expectations)
            .map_err(|error| format!("refused ({}): {error}", error.kind()))?;
        // One proof, one session: a replay finds it gone.
        self.sessions.remove(&request.session_id);
        Ok(proof)
    }
}

fn unix_now() -> i64 {
    let elapsed = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    i64::try_from(elapsed.as_secs()).unwrap()
}

/// The device's side: a sign answer over a connection payload, as the server makes it.
fn device_signs(
    key: &SigningKey,
    session_id: &str,
    nonce: &str,
    expires_at: i64,
) -> DeviceKeySignResponse {
    let payload = json!({
        "type": "remoteControlClientConnection",
        "nonce": nonce,
        "audience": "remote_control_client_websocket",
        "sessionId": session_id,
        "targetOrigin": "https://chatgpt.com",
        "targetPath": "/api/codex/remote/control/client",
        "accountUserId": "account-user-1",
        "clientId": "cli_123",
        "tokenSha256Base64url": "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
        "tokenExpiresAt": expires_at,
        "scopes": ["remote_control_controller_websocket"],
    });
    let signed = SignedPayload::from_json(payload).expect("a valid payload");
    let signature: DerSignature = key.sign(signed.as_bytes());
    serde_json::from_value(json!({
        "signatureDerBase64": encode_base64(signature.as_bytes()),
        "signedPayloadBase64": encode_base64(signed.as_bytes()),
        "algorithm": "ecdsa_p256_sha256",
    }))
    .expect("a sign answer")
}

fn main() {
    let device_key = SigningKey::from_slice(&[0x24; 32]).expect("a P-256 scalar");
    let key_id = format!("dk_swk_{}", encode_base64url(&[7; 32]));
    let now = unix_now();
    let mut backend = Backend {
        keys: HashMap::from([(
            key_id.clone(),
            public_key_spki_der(device_key.verifying_key()).expect("an SPKI"),
        )]),
        sessions: HashMap::new(),
    };
    let issue = |backend: &mut Backend, session: &str| {
        let nonce = encode_base64url(&rand::random::<[u8; 32]>());
        backend.sessions.insert(
            session.to_owned(),
            (
                nonce.clone(),
                "account-user-1".to_owned(),
                "cli_123".to_owned(),
            ),
        );
        nonce
    };

    let nonce = issue(&mut backend, "wssess_1");
    let request = ConnectRequest {
        key_id: key_id.clone(),
        session_id: "wssess_1".to_owned(),
        proof: device_signs(&device_key, "wssess_1", &nonce, now + 300),
    };
    let accepted = backend.connect(&request).expect("the proof is valid");
    println!("accepted: {}", accepted.verdict());
    let replay = backend.connect(&request).unwrap_err();
    println!("the same proof again: {replay}");

    // A proof made for another session is refused: its sessionId and nonce are not these.
    let nonce = issue(&mut backend, "wssess_2");
    let mut other = ConnectRequest {
        key_id: key_id.clone(),
        session_id: "wssess_2".to_owned(),
        proof: device_signs(&device_key, "wssess_3", &nonce, now + 300),
    };
    let refused = backend.connect(&other).unwrap_err();
    println!("a proof for another session: {refused}");
    assert!(refused.contains("sessionIdMismatch"), "{refused}");

    // One changed byte breaks the signature.
    other.proof = device_signs(&device_key, "wssess_2", &nonce, now + 300);
    let mut bytes = decode_base64(other.proof.signed_payload_base64.as_str()).unwrap();
    bytes[40] ^= 1;
    other.proof.signed_payload_base64 = encode_base64(&bytes).into();
    let refused = backend.connect(&other).unwrap_err();
    println!("a changed byte: {refused}");
    assert!(refused.contains("badSignature"), "{refused}");

    // Expired a second ago, by the system clock.
    other.proof = device_signs(&device_key, "wssess_2", &nonce, now - 1);
    let refused = backend.connect(&other).unwrap_err();
    println!("an expired proof: {refused}");
    assert!(refused.contains("tokenExpired"), "{refused}");

    assert!(replay.contains("no such session"), "{replay}");
}

#[test]
fn the_example_runs() {
    main();
}
