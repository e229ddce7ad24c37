//! The signed bytes: codex's two vectors byte for byte, and the escaping rules.

use devicekey_proof::envelope;
use devicekey_proof::to_canonical_bytes;
use devicekey_proof::SignedPayload;
use serde_json::json;

const CODEX_CONNECTION: &str = r#"{"domain":"codex-device-key-sign-payload/v1","payload":{"accountUserId":"account-user-1","audience":"remote_control_client_websocket","clientId":"cli_123","nonce":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","scopes":["remote_control_controller_websocket"],"sessionId":"wssess_123","targetOrigin":"https://chatgpt.com","targetPath":"/api/codex/remote/control/client","tokenExpiresAt":1700000000,"tokenSha256Base64url":"47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU","type":"remoteControlClientConnection"}}"#;

const CODEX_ENROLLMENT: &str = r#"{"domain":"codex-device-key-sign-payload/v1","payload":{"accountUserId":"account-user-1","audience":"remote_control_client_enrollment","challengeExpiresAt":1700000060,"challengeId":"rch_123","clientId":"cli_123","deviceIdentitySha256Base64url":"47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU","nonce":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","targetOrigin":"https://chatgpt.com","targetPath":"/wham/remote/control/client/enroll","type":"remoteControlClientEnrollment"}}"#;

#[test]
fn codex_connection_vector_is_reproduced_byte_for_byte() {
    // Fields in codex's struct order, not sorted: the serializer sorts them.
    let payload = json!({
        "type": "remoteControlClientConnection",
        "nonce": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "audience": "remote_control_client_websocket",
        "sessionId": "wssess_123",
        "targetOrigin": "https://chatgpt.com",
        "targetPath": "/api/codex/remote/control/client",
        "accountUserId": "account-user-1",
        "clientId": "cli_123",
        "tokenSha256Base64url": "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
        "tokenExpiresAt": 1700000000,
        "scopes": ["remote_control_controller_websocket"],
    });
    let signed = SignedPayload::from_json(payload.clone()).unwrap();
    assert_eq!(
        std::str::from_utf8(signed.as_bytes()).unwrap(),
        CODEX_CONNECTION
    );
}

#[test]
fn codex_enrollment_vector_is_reproduced_byte_for_byte() {
    let payload = json!({
        "type": "remoteControlClientEnrollment",
        "nonce": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "audience": "remote_control_client_enrollment",
        "challengeId": "rch_123",
        "targetOrigin": "https://chatgpt.com",
        "targetPath": "/wham/remote/control/client/enroll",
        "accountUserId": "account-user-1",
        "clientId": "cli_123",
        "deviceIdentitySha256Base64url": "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
        "challengeExpiresAt": 1700000060,
    });
    let signed = SignedPayload::from_json(payload.clone()).unwrap();
    assert_eq!(
        std::str::from_utf8(signed.as_bytes()).unwrap(),
        CODEX_ENROLLMENT
    );
}

#[test]
fn string_fields_are_escaped_as_rfc_8785_does() {
    // Free-text fields (sessionId, accountUserId, clientId) carry every kind of character.
    let payload = json!({
        "type": "remoteControlClientConnection",
        "nonce": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "audience": "remote_control_client_websocket",
        "sessionId": "q\"b\\s/\u{8}\u{c}\n\r\t\u{0}\u{1}\u{1f}\u{7f}",
        "targetOrigin": "https://chatgpt.com",
        "targetPath": "/api/codex/remote/control/client",
        "accountUserId": "ü€𝄞\u{2028}\u{fffd}",
        "clientId": "<>&'",
        "tokenSha256Base64url": "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
        "tokenExpiresAt": 1700000000,
        "scopes": ["remote_control_controller_websocket"],
    });
    let expected = concat!(
        r#"{"domain":"codex-device-key-sign-payload/v1","payload":{"accountUserId":""#,
        "ü€𝄞\u{2028}\u{fffd}",
        r#"","audience":"remote_control_client_websocket","clientId":"<>&'","nonce":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","scopes":["remote_control_controller_websocket"],"sessionId":"q\"b\\s/\b\f\n\r\t\u0000\u0001\u001f"#,
        "\u{7f}",
        r#"","targetOrigin":"https://chatgpt.com","targetPath":"/api/codex/remote/control/client","tokenExpiresAt":1700000000,"tokenSha256Base64url":"47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU","type":"remoteControlClientConnection"}}"#,
    );
    let signed = SignedPayload::from_json(payload.clone()).unwrap();
    assert_eq!(std::str::from_utf8(signed.as_bytes()).unwrap(), expected);
    // Non-ASCII is raw UTF-8, not \u escapes.
    assert!(signed.as_bytes().windows(4).any(|w| w == "𝄞".as_bytes()));
}

#[test]
fn string_escapes_match_serde_json_for_every_control_character() {
    // serde_json's compact writer escapes exactly as JCS does; compare on every character below
    // 0x80 plus some beyond.
    let mut texts: Vec<String> = (0u32..0x80)
        .map(|c| char::from_u32(c).unwrap().to_string())
        .collect();
    texts.extend(["é", "\u{2028}", "𝄞", "\\"].map(str::to_owned));
    for text in texts {
        let value = serde_json::Value::String(text.clone());
        assert_eq!(
            to_canonical_bytes(&value).unwrap(),
            serde_json::to_vec(&text).unwrap(),
            "{text:?}"
        );
    }
}

#[test]
fn the_envelope_holds_domain_and_payload() {
    let bytes = to_canonical_bytes(&envelope(json!({"b": 1, "a": 2}))).unwrap();
    assert_eq!(
        bytes,
        br#"{"domain":"codex-device-key-sign-payload/v1","payload":{"a":2,"b":1}}"#
    );
}

#[test]
fn only_schema_valid_payloads_become_signed_bytes() {
    let error =
        SignedPayload::from_json(json!({"type": "remoteControlClientConnection"})).unwrap_err();
    assert_eq!(error.kind(), None);
    assert!(!error.violations().is_empty());
    let error = SignedPayload::from_json(json!("just a string")).unwrap_err();
    assert_eq!(error.kind(), None);
}
