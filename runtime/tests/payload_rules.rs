//! Every payload rule and codex message, through `DeviceKeyStore::sign` (and `create` for the
//! binding fields).

use devicekey_proof::{verify_proof, Expectations, SignedPayload};
use devicekey_protocol::types::DomainErrorKind;
use serde_json::{json, Value};

use crate::support::*;

const PREFIX: &str = "invalid device key payload: ";

/// The kind of invalid params: no domain kind.
const INVALID: Option<DomainErrorKind> = None;

fn assert_error<T: std::fmt::Debug>(
    outcome: Result<T, devicekey_proof::DeviceKeyError>,
    kind: impl Into<Option<DomainErrorKind>>,
    message: &str,
) -> devicekey_proof::DeviceKeyError {
    let error = outcome.expect_err("the request should be refused");
    assert_eq!(
        (error.kind(), error.message()),
        (kind.into(), message),
        "violations: {:?}",
        error.violations()
    );
    error
}

fn invalid(message: &str) -> String {
    format!("{PREFIX}{message}")
}

#[tokio::test]
async fn valid_payloads_of_both_types_are_signed() {
    let harness = Harness::new();
    let key = harness.create_key().await;
    harness.sign(&key, &connection_payload()).await.unwrap();
    harness.sign(&key, &enrollment_payload()).await.unwrap();
}

#[tokio::test]
async fn empty_account_user_id_and_client_id_are_refused_in_payloads_and_create() {
    let harness = Harness::new();
    let key = harness.create_key().await;
    for payload in [connection_payload(), enrollment_payload()] {
        let error = assert_error(
            harness
                .sign(&key, &with(&payload, "accountUserId", Some(json!(""))))
                .await,
            INVALID,
            &invalid("accountUserId must not be empty"),
        );
        assert_eq!(
            error.violations()[0].instance_path,
            "/payload/accountUserId"
        );
        assert_error(
            harness
                .sign(&key, &with(&payload, "clientId", Some(json!(""))))
                .await,
            INVALID,
            &invalid("clientId must not be empty"),
        );
    }
    assert_error(
        harness.store.create_json(json!({"protectionPolicy": "allow_software", "accountUserId": "", "clientId": CLIENT})).await,
        INVALID,
        &invalid("accountUserId must not be empty"),
    );
    assert_error(
        harness.store.create_json(json!({"protectionPolicy": "allow_software", "accountUserId": ACCOUNT, "clientId": ""})).await,
        INVALID,
        &invalid("clientId must not be empty"),
    );
    // Nothing was created by the refused requests.
    assert_eq!(
        harness
            .software
            .calls()
            .iter()
            .filter(|c| matches!(c, Call::Create(_)))
            .count(),
        1
    );
}

#[tokio::test]
async fn nonce_must_be_canonical_base64url_of_32_to_768_bytes() {
    let harness = Harness::new();
    let key = harness.create_key().await;
    let message = invalid("nonce must be at least 32 random bytes encoded as unpadded base64url");
    let accepted = [
        "A".repeat(43),   // 32 bytes
        "B".repeat(1024), // 768 bytes: the 1024-character limit
        "A".repeat(44),   // 33 bytes
    ];
    for nonce in accepted {
        harness
            .sign(
                &key,
                &with(&connection_payload(), "nonce", Some(json!(nonce))),
            )
            .await
            .unwrap();
    }
    let refused = [
        json!("A".repeat(42)),                 // 31 bytes
        json!(format!("{}=", "A".repeat(43))), // padding
        json!(format!("{}B", "A".repeat(42))), // stray trailing bits
        json!(format!("{}+", "A".repeat(42))), // standard alphabet
        json!(format!("{}/", "A".repeat(42))),
        json!("A".repeat(1028)), // over 1024 characters
        json!(""),
        json!(42),
    ];
    for nonce in refused {
        for payload in [connection_payload(), enrollment_payload()] {
            let error = assert_error(
                harness
                    .sign(&key, &with(&payload, "nonce", Some(nonce.clone())))
                    .await,
                INVALID,
                &message,
            );
            assert_eq!(error.violations()[0].instance_path, "/payload/nonce");
        }
    }
}

#[tokio::test]
async fn target_origin_must_be_an_allowed_backend_origin() {
    let harness = Harness::new();
    let key = harness.create_key().await;
    let message = invalid("targetOrigin must be an allowed remote-control backend origin");
    for origin in [
        "https://chatgpt.com",
        "https://chatgpt-staging.com",
        "https://ab.chatgpt.com",
        "https://ab.chatgpt-staging.com",
        "http://localhost:8080",
        "https://localhost:8443",
        "http://127.0.0.1:8080",
        "http://[::1]:8080",
    ] {
        harness
            .sign(
                &key,
                &with(&connection_payload(), "targetOrigin", Some(json!(origin))),
            )
            .await
            .unwrap();
        harness
            .sign(
                &key,
                &with(&enrollment_payload(), "targetOrigin", Some(json!(origin))),
            )
            .await
            .unwrap();
    }
    // Well-formed origins that are not allowed fail the allowlist (kind originNotAllowed).
    for origin in [
        "http://chatgpt.com",
        "https://chat.openai.com",
        "https://api.openai.com",
        "https://chatgpt.com.evil.com",
        "https://evilchatgpt.com",
        "https://foo.localhost",
        "https://localhost.evil.com",
        "https://192.168.1.2",
    ] {
        assert_error(
            harness
                .sign(
                    &key,
                    &with(&connection_payload(), "targetOrigin", Some(json!(origin))),
                )
                .await,
            DomainErrorKind::OriginNotAllowed,
            &message,
        );
    }
    // Strings that are not an origin's own serialization fail the schema, with the same text.
    for origin in [
        "https://chatgpt.com/backend-api",
        "https://chatgpt.com?query=1",
        "https://chatgpt.com/",
        "https://ChatGPT.com",
        "https://chatgpt.com:443",
        "https://user@chatgpt.com",
    ] {
        let error = assert_error(
            harness
                .sign(
                    &key,
                    &with(&enrollment_payload(), "targetOrigin", Some(json!(origin))),
                )
                .await,
            INVALID,
            &message,
        );
        assert_eq!(
            error.violations()[0].instance_path,
            "/payload/targetOrigin",
            "{origin}"
        );
    }
}

#[tokio::test]
async fn a_configured_origin_list_replaces_the_defaults() {
    let harness = Harness::new();
    let key = harness.create_key().await;
    let store = devicekey_runtime::DeviceKeyStore::builder(
        devicekey_runtime::ProviderSet::new(vec![harness.software.clone()]),
        devicekey_runtime::BindingStore::open(harness.db_path()).unwrap(),
    )
    .clock(harness.clock.clone())
    .origins(devicekey_proof::OriginAllowlist::from_rules(&["https://backend.example"]).unwrap())
    .build();
    let sign = |origin: &str| {
        let params = json!({"keyId": key.as_str(), "payload": with(&connection_payload(), "targetOrigin", Some(json!(origin)))});
        let store = store.clone();
        async move { store.sign_json(params).await }
    };
    sign("https://backend.example").await.unwrap();
    assert_eq!(
        sign("https://chatgpt.com").await.unwrap_err().kind(),
        Some(DomainErrorKind::OriginNotAllowed)
    );
}

#[tokio::test]
async fn target_path_must_match_the_payload_type() {
    let harness = Harness::new();
    let key = harness.create_key().await;
    let message =
        invalid("targetPath must match the signed payload type's remote-control endpoint");
    for path in [
        "/api/codex/remote/control/client",
        "/wham/remote/control/client",
    ] {
        harness
            .sign(
                &key,
                &with(&connection_payload(), "targetPath", Some(json!(path))),
            )
            .await
            .unwrap();
        assert_error(
            harness
                .sign(
                    &key,
                    &with(&enrollment_payload(), "targetPath", Some(json!(path))),
                )
                .await,
            INVALID,
            &message,
        );
    }
    for path in [
        "/api/codex/remote/control/client/enroll",
        "/wham/remote/control/client/enroll",
    ] {
        harness
            .sign(
                &key,
                &with(&enrollment_payload(), "targetPath", Some(json!(path))),
            )
            .await
            .unwrap();
        assert_error(
            harness
                .sign(
                    &key,
                    &with(&connection_payload(), "targetPath", Some(json!(path))),
                )
                .await,
            INVALID,
            &message,
        );
    }
    for path in [
        "/api/codex/remote/control/client/",
        "/API/codex/remote/control/client",
        "",
    ] {
        assert_error(
            harness
                .sign(
                    &key,
                    &with(&connection_payload(), "targetPath", Some(json!(path))),
                )
                .await,
            INVALID,
            &message,
        );
    }
}

#[tokio::test]
async fn session_id_and_challenge_id_must_not_be_empty() {
    let harness = Harness::new();
    let key = harness.create_key().await;
    assert_error(
        harness
            .sign(
                &key,
                &with(&connection_payload(), "sessionId", Some(json!(""))),
            )
            .await,
        INVALID,
        &invalid("sessionId must not be empty"),
    );
    assert_error(
        harness
            .sign(
                &key,
                &with(&enrollment_payload(), "challengeId", Some(json!(""))),
            )
            .await,
        INVALID,
        &invalid("challengeId must not be empty"),
    );
}

#[tokio::test]
async fn digests_must_be_32_bytes_of_canonical_base64url() {
    let harness = Harness::new();
    let key = harness.create_key().await;
    let bad_digests = [
        json!("47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuF"), // 42 characters
        json!("47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU="), // padding
        json!("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"), // standard alphabet
        json!("47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFV"), // stray trailing bits
        json!(format!("{}AAAA", "A".repeat(43))),            // 35 bytes
        json!(""),
    ];
    for digest in bad_digests {
        assert_error(
            harness
                .sign(
                    &key,
                    &with(
                        &connection_payload(),
                        "tokenSha256Base64url",
                        Some(digest.clone()),
                    ),
                )
                .await,
            INVALID,
            &invalid("tokenSha256Base64url must be a SHA-256 digest encoded as unpadded base64url"),
        );
        assert_error(
            harness.sign(&key, &with(&enrollment_payload(), "deviceIdentitySha256Base64url", Some(digest))).await,
            INVALID,
            &invalid("deviceIdentitySha256Base64url must be a SHA-256 digest encoded as unpadded base64url"),
        );
    }
}

#[tokio::test]
async fn scopes_must_be_exactly_the_controller_scope() {
    let harness = Harness::new();
    let key = harness.create_key().await;
    for scopes in [
        json!([]),
        json!([
            "remote_control_controller_websocket",
            "remote_control_controller_websocket"
        ]),
        json!(["remote_control_controller_websocket", "other"]),
        json!(["other"]),
        json!("remote_control_controller_websocket"),
    ] {
        assert_error(
            harness
                .sign(&key, &with(&connection_payload(), "scopes", Some(scopes)))
                .await,
            INVALID,
            &invalid("scopes must contain exactly remote_control_controller_websocket"),
        );
    }
}

/// An expiry field, a payload builder, and the (expired, too far) kinds and messages.
type ExpiryCase = (
    &'static str,
    fn() -> Value,
    [(DomainErrorKind, &'static str); 2],
);

#[tokio::test]
async fn expiry_boundaries_for_tokens_and_challenges() {
    let harness = Harness::new();
    let key = harness.create_key().await;
    let cases: [ExpiryCase; 2] = [
        (
            "tokenExpiresAt",
            connection_payload,
            [
                (
                    DomainErrorKind::TokenExpired,
                    "remote-control token is expired",
                ),
                (
                    DomainErrorKind::TokenExpiresTooFarInFuture,
                    "remote-control token expires too far in the future",
                ),
            ],
        ),
        (
            "challengeExpiresAt",
            enrollment_payload,
            [
                (
                    DomainErrorKind::ChallengeExpired,
                    "enrollment challenge is expired",
                ),
                (
                    DomainErrorKind::ChallengeExpiresTooFarInFuture,
                    "enrollment challenge expires too far in the future",
                ),
            ],
        ),
    ];
    for (field, payload, [(expired, expired_text), (too_far, too_far_text)]) in cases {
        assert_error(
            harness
                .sign(&key, &with(&payload(), field, Some(json!(NOW - 1))))
                .await,
            expired,
            &invalid(expired_text),
        );
        assert_error(
            harness
                .sign(&key, &with(&payload(), field, Some(json!(NOW))))
                .await,
            expired,
            &invalid(expired_text),
        );
        harness
            .sign(&key, &with(&payload(), field, Some(json!(NOW + 1))))
            .await
            .unwrap();
        harness
            .sign(&key, &with(&payload(), field, Some(json!(NOW + 900))))
            .await
            .unwrap();
        assert_error(
            harness
                .sign(&key, &with(&payload(), field, Some(json!(NOW + 901))))
                .await,
            too_far,
            &invalid(too_far_text),
        );
        // Not an integer at all: a schema violation.
        let error = harness
            .sign(&key, &with(&payload(), field, Some(json!(1.5))))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), None);
    }
}

#[tokio::test]
async fn the_expiry_window_follows_the_injected_clock() {
    let harness = Harness::new();
    let key = harness.create_key().await;
    let payload = with(
        &connection_payload(),
        "tokenExpiresAt",
        Some(json!(NOW + 100)),
    );
    harness.clock.set(NOW + 100);
    assert_eq!(
        harness.sign(&key, &payload).await.unwrap_err().kind(),
        Some(DomainErrorKind::TokenExpired)
    );
    harness.clock.set(NOW + 99);
    harness.sign(&key, &payload).await.unwrap();
}

#[tokio::test]
async fn the_payload_must_match_the_key_binding() {
    let harness = Harness::new();
    let key = harness.create_key().await;
    let message = invalid("payload accountUserId/clientId does not match device key binding");
    for payload in [connection_payload(), enrollment_payload()] {
        assert_error(
            harness
                .sign(
                    &key,
                    &with(&payload, "accountUserId", Some(json!("account-user-2"))),
                )
                .await,
            DomainErrorKind::BindingMismatch,
            &message,
        );
        assert_error(
            harness
                .sign(&key, &with(&payload, "clientId", Some(json!("cli_999"))))
                .await,
            DomainErrorKind::BindingMismatch,
            &message,
        );
    }
    assert!(!harness
        .software
        .calls()
        .iter()
        .any(|call| matches!(call, Call::Sign(_))));
}

#[tokio::test]
async fn unknown_and_missing_fields_are_schema_violations() {
    let harness = Harness::new();
    let key = harness.create_key().await;
    let error = harness
        .sign(
            &key,
            &with(&connection_payload(), "extra", Some(json!("unsigned"))),
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), None);
    assert_eq!(error.violations()[0].keyword, "additionalProperties");
    // A field of the other variant is unknown too.
    let error = harness
        .sign(
            &key,
            &with(&connection_payload(), "challengeId", Some(json!("rch_1"))),
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), None);
    let error = harness
        .sign(&key, &with(&connection_payload(), "sessionId", None))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), None);
    assert_eq!(error.violations()[0].keyword, "required");
    let error = harness
        .sign(
            &key,
            &with(
                &connection_payload(),
                "type",
                Some(json!("remoteControlSomethingElse")),
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), None);
    let error = harness
        .store
        .sign_json(json!({"keyId": key.as_str()}))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), None);
    let error = harness
        .store
        .sign_json(json!({"keyId": key.as_str(), "payload": connection_payload(), "more": 1}))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), None);
    // Every violation is kept, not only the first.
    let two_bad = with(
        &with(&connection_payload(), "sessionId", Some(json!(""))),
        "clientId",
        Some(json!("")),
    );
    assert_eq!(
        harness
            .sign(&key, &two_bad)
            .await
            .unwrap_err()
            .violations()
            .len(),
        2
    );
    assert!(!harness
        .software
        .calls()
        .iter()
        .any(|call| matches!(call, Call::Sign(_))));
}

#[tokio::test]
async fn malformed_key_ids_never_reach_a_provider_or_the_store() {
    let harness = Harness::new();
    let key = harness.create_key().await;
    harness.software.clear();
    let message = "keyId must be dk_hse_, dk_tpm_, dk_osn_, or dk_swk_ followed by unpadded base64url-encoded 32 bytes";
    let bad_ids = [
        json!(format!("{key}=")),
        json!(key.as_str().replace("dk_swk_", "dk_abc_")),
        json!(&key.as_str()[..49]),
        json!(""),
        json!(7),
        json!(null),
    ];
    for bad in bad_ids {
        let error = assert_error(
            harness
                .store
                .sign_json(json!({"keyId": bad, "payload": connection_payload()}))
                .await,
            INVALID,
            message,
        );
        assert_eq!(error.violations()[0].instance_path, "/keyId");
        if let Some(text) = bad.as_str() {
            assert_error(
                harness.store.public_json(json!({"keyId": text})).await,
                INVALID,
                message,
            );
            assert_error(
                harness.store.delete_json(json!({"keyId": text})).await,
                INVALID,
                message,
            );
        }
    }
    // The key id is checked before the payload.
    assert_error(
        harness
            .store
            .sign_json(json!({"keyId": "dk_nope", "payload": {"type": "bogus"}}))
            .await,
        INVALID,
        message,
    );
    assert_eq!(harness.software.calls(), vec![]);
}

/// `payload` as the text a client sends, with `field` written as `literal`, read by the
/// server's own parser.
fn with_literal(payload: &Value, field: &str, literal: &str) -> Value {
    let text = with(payload, field, Some(json!("LITERAL")))
        .to_string()
        .replace("\"LITERAL\"", literal);
    devicekey_proof::parse_strict(text.as_bytes()).unwrap()
}

#[tokio::test]
async fn expiries_written_with_a_fraction_or_an_exponent_are_the_integers_they_are() {
    // Draft-07 counts a number with no fractional part as an integer, however it is written
    // (ajv and Python's jsonschema agree), so the schema accepts these: they are signed as the
    // integers they are, in plain digits, and the expiry rules apply to them.
    let harness = Harness::new();
    let created = harness.store.create_json(json!({"protectionPolicy": "allow_software", "accountUserId": ACCOUNT, "clientId": CLIENT})).await.unwrap();
    let key = created.key();
    let cases: [ExpiryCase; 2] = [
        (
            "tokenExpiresAt",
            connection_payload,
            [
                (
                    DomainErrorKind::TokenExpired,
                    "remote-control token is expired",
                ),
                (
                    DomainErrorKind::TokenExpiresTooFarInFuture,
                    "remote-control token expires too far in the future",
                ),
            ],
        ),
        (
            "challengeExpiresAt",
            enrollment_payload,
            [
                (
                    DomainErrorKind::ChallengeExpired,
                    "enrollment challenge is expired",
                ),
                (
                    DomainErrorKind::ChallengeExpiresTooFarInFuture,
                    "enrollment challenge expires too far in the future",
                ),
            ],
        ),
    ];
    for (field, payload, [(expired, expired_text), (too_far, too_far_text)]) in cases {
        for literal in ["1700000060.0", "1.70000006e9", "17000000600E-1"] {
            let payload = payload();
            let proof = harness
                .sign(&key, &with_literal(&payload, field, literal))
                .await
                .unwrap_or_else(|error| panic!("{field} {literal}: {error:?}"));
            let expected = SignedPayload::from_json(with(&payload, field, Some(json!(NOW + 60))))
                .unwrap()
                .into_bytes();
            assert_eq!(proof.signed_payload(), expected, "{field} {literal}");
            let text = String::from_utf8(proof.signed_payload()).unwrap();
            assert!(text.contains(&format!("\"{field}\":1700000060")), "{text}");
            verify_proof(
                &created.spki_der(),
                &proof.signed_payload(),
                &proof.signature_der(),
                &Expectations::at(NOW),
            )
            .unwrap();
        }
        // The rules see the value: `-0` is long expired, `1.700000901e9` too far ahead.
        assert_error(
            harness
                .sign(&key, &with_literal(&payload(), field, "-0"))
                .await,
            expired,
            &invalid(expired_text),
        );
        assert_error(
            harness
                .sign(&key, &with_literal(&payload(), field, "1.700000901e9"))
                .await,
            too_far,
            &invalid(too_far_text),
        );
        // Out of range: a schema violation that names the field, never "missing".
        let error = assert_error(
            harness
                .sign(&key, &with_literal(&payload(), field, "1e300"))
                .await,
            INVALID,
            &format!(
                "invalid params: /payload/{field}: must be less than or equal to 9007199254740991"
            ),
        );
        let violation = &error.violations()[0];
        assert_eq!(
            (violation.instance_path.as_str(), violation.keyword.as_str()),
            (format!("/payload/{field}").as_str(), "maximum")
        );
    }
}
