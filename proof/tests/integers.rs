//! Integers written with a fraction or an exponent (`1.0`, `1e3`, `-0`): draft-07 counts them as
//! integers, so they are read, checked and signed as the integers they are.

use devicekey_proof::{parse_strict, SignPayloadExt as _, SignedPayload, Validated};
use devicekey_protocol::types::{DeviceKeyListParams, DeviceKeySignParams};
use devicekey_protocol::Validate as _;
use serde_json::{json, Value};

/// The sign params fixture as text, with `tokenExpiresAt` written as `literal`, read by the
/// server's own parser.
fn sign_params_with_expiry(literal: &str) -> Value {
    let params = json!({"keyId": "dk_swk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "payload": {
        "type": "remoteControlClientConnection",
        "nonce": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "audience": "remote_control_client_websocket",
        "sessionId": "wssess_123",
        "targetOrigin": "https://chatgpt.com",
        "targetPath": "/api/codex/remote/control/client",
        "accountUserId": "account-user-1",
        "clientId": "cli_123",
        "tokenSha256Base64url": "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
        "tokenExpiresAt": "EXPIRY",
        "scopes": ["remote_control_controller_websocket"],
    }});
    let text = params.to_string().replace("\"EXPIRY\"", literal);
    parse_strict(text.as_bytes()).unwrap()
}

#[test]
fn integers_written_with_a_fraction_or_an_exponent_are_read_as_those_integers() {
    let plain =
        Validated::<DeviceKeySignParams>::from_json(sign_params_with_expiry("1700000000")).unwrap();
    let plain_bytes = SignedPayload::new(plain.payload()).into_bytes();
    let cases = [
        ("1700000000.0", 1_700_000_000),
        ("1.7e9", 1_700_000_000),
        ("17000000000E-1", 1_700_000_000),
        ("1700000000.000", 1_700_000_000),
        ("-0", 0),
        ("-0.0", 0),
        ("0e5", 0),
        ("-1e3", -1000),
        ("9007199254740991e0", 9_007_199_254_740_991),
        ("-9.007199254740991e15", -9_007_199_254_740_991),
    ];
    for (literal, expected) in cases {
        let params = sign_params_with_expiry(literal);
        // The schema (draft-07) counts each as an integer.
        assert!(DeviceKeySignParams::is_valid(&params), "{literal}");
        let validated = Validated::<DeviceKeySignParams>::from_json(params)
            .unwrap_or_else(|error| panic!("{literal}: {error:?}"));
        assert_eq!(validated.payload.expires_at(), expected, "{literal}");
        // Signed as the integer in plain digits, as canonical JSON (RFC 8785) writes it.
        let bytes = SignedPayload::new(validated.payload()).into_bytes();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.contains(&format!("\"tokenExpiresAt\":{expected},")),
            "{literal}: {text}"
        );
        if expected == 1_700_000_000 {
            assert_eq!(bytes, plain_bytes, "{literal}");
        }
    }
    // Every integer field, not only the expiry: the list limit too.
    let limit = parse_strict(br#"{"limit": 1e3}"#).unwrap();
    let params = Validated::<DeviceKeyListParams>::from_json(limit).unwrap();
    assert_eq!(params.limit.map(std::num::NonZeroU64::get), Some(1000));
}
