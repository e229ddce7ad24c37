//! The schema layer: validate a JSON value against its protocol type with the generated
//! validators, deserialize it into the generated type, and hand out a [`Validated`] value that
//! proves both happened. Failures become an `invalidParams` error whose message is codex's text for
//! the first violation's field, where codex has one.
//!
//! This is the one place the runtime runs schema validation ([`schema_validations`] counts it).
//!
//! Validation first asks the generated yes/no validator, which stops at the first violation, and
//! looks for the violations only when the answer is no, stopping once it has more than an answer
//! carries (see [`bounded_violations`]). An error keeps the first [`MAX_REPORTED_VIOLATIONS`]
//! violations, the count found, and whether the list may be incomplete.

use std::sync::atomic::{AtomicU64, Ordering};

use devicekey_protocol::types::{DeviceKeySignParams, DeviceKeySignPayload};
use devicekey_protocol::{Validate, Violation};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::error::{DeviceKeyError, MAX_REPORTED_VIOLATIONS, PAYLOAD_MESSAGE_PREFIX};
use crate::key_id::KEY_ID_MESSAGE;

static SCHEMA_VALIDATIONS: AtomicU64 = AtomicU64::new(0);

/// How many schema validations this process has run through [`Validated`] (for metrics, and for
/// the test that shows a request is validated exactly once).
pub fn schema_validations() -> u64 {
    SCHEMA_VALIDATIONS.load(Ordering::Relaxed)
}

/// A value of a protocol type that passed its schema: the only way to make one is to validate.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated<T>(T);

impl<T: Validate + DeserializeOwned> Validated<T> {
    /// Validates `value` against `T`'s schema, then deserializes it.
    pub fn from_json(value: Value) -> Result<Self, DeviceKeyError> {
        SCHEMA_VALIDATIONS.fetch_add(1, Ordering::Relaxed);
        if !T::is_valid(&value) {
            let found = bounded_violations::<T>(&value);
            drop(value);
            return Err(invalid_params_found(found));
        }
        serde_json::from_value(value)
            .map(Validated)
            .map_err(|error| {
                // The schema accepted what serde cannot read as the type: an integer written as
                // `1.0` or `1e3`, which draft-07 counts as an integer.
                DeviceKeyError::invalid_params(
                    format!("invalid params: {error}"),
                    vec![Violation {
                        instance_path: String::new(),
                        schema_path: format!("{}.json#", T::TYPE_NAME),
                        keyword: "type".to_owned(),
                        message: format!("cannot be read as {}: {error}", T::TYPE_NAME),
                    }],
                )
            })
    }
}

impl<T: Validate + DeserializeOwned + Serialize> Validated<T> {
    /// Validates a typed value (built in Rust rather than received as JSON) against its schema.
    pub fn new(value: &T) -> Result<Self, DeviceKeyError> {
        let json = serde_json::to_value(value).map_err(|error| {
            DeviceKeyError::invalid_params(format!("invalid params: {error}"), Vec::new())
        })?;
        Self::from_json(json)
    }
}

impl<T> Validated<T> {
    /// The validated value.
    pub fn get(&self) -> &T {
        &self.0
    }

    /// Takes the validated value.
    pub fn into_inner(self) -> T {
        self.0
    }

    /// A borrowed view, still known valid.
    pub fn as_ref(&self) -> Validated<&T> {
        Validated(&self.0)
    }
}

impl Validated<DeviceKeySignParams> {
    /// The payload of validated sign params: valid too, since the params schema holds the
    /// payload schema.
    pub fn payload(&self) -> Validated<&DeviceKeySignPayload> {
        Validated(&self.0.payload)
    }
}

impl<T> std::ops::Deref for Validated<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// The `invalidParams` error of a failed validation: codex's message for the first violation
/// where codex has one, and the first [`MAX_REPORTED_VIOLATIONS`] violations.
pub fn invalid_params(violations: Vec<Violation>) -> DeviceKeyError {
    let found = violations.len();
    invalid_params_found(FoundViolations {
        violations,
        found,
        stopped_early: false,
    })
}

fn invalid_params_found(found: FoundViolations) -> DeviceKeyError {
    let message = found
        .violations
        .first()
        .map_or_else(|| "invalid params".to_owned(), message_for);
    DeviceKeyError::invalid_params_found(
        message,
        found.violations,
        found.found,
        found.stopped_early,
    )
}

/// What [`bounded_violations`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundViolations {
    /// The violations found, in the validator's order, at most [`MAX_REPORTED_VIOLATIONS`].
    pub violations: Vec<Violation>,
    /// How many were found (before the list was cut).
    pub found: usize,
    /// Whether validation stopped before the end of the value, so that it may have more.
    pub stopped_early: bool,
}

/// The violations of `value`, with work and memory bounded by [`MAX_REPORTED_VIOLATIONS`] rather
/// than by the size of the value: the generated validator stops once it has one more violation
/// than an answer carries, so a million wrong array items cost what 65 do.
pub fn bounded_violations<T: Validate>(value: &Value) -> FoundViolations {
    let mut violations = T::validate_at_most(value, MAX_REPORTED_VIOLATIONS + 1);
    let found = violations.len();
    let stopped_early = found > MAX_REPORTED_VIOLATIONS;
    violations.truncate(MAX_REPORTED_VIOLATIONS);
    FoundViolations {
        violations,
        found,
        stopped_early,
    }
}

/// The message of an error whose first violation is `violation`.
fn message_for(violation: &Violation) -> String {
    match codex_message(violation) {
        Some(CodexMessage::Payload(text)) => format!("{PAYLOAD_MESSAGE_PREFIX}{text}"),
        Some(CodexMessage::Plain(text)) => text.to_owned(),
        None if violation.instance_path.is_empty() => {
            format!("invalid params: {}", violation.message)
        }
        None => format!(
            "invalid params: {}: {}",
            violation.instance_path, violation.message
        ),
    }
}

enum CodexMessage {
    /// A payload rule text, written behind the payload prefix.
    Payload(&'static str),
    /// A text written as is.
    Plain(&'static str),
}

/// codex's message for a violation of the rule it has a text for: the field is the last segment
/// of the instance path (or, for the scopes array, its parent), and the keyword must be one of
/// the keywords that express that rule.
fn codex_message(violation: &Violation) -> Option<CodexMessage> {
    let mut segments = violation.instance_path.rsplit('/');
    let last = segments.next().unwrap_or_default();
    let (field, in_array) = match last.parse::<usize>() {
        Ok(_) => (segments.next().unwrap_or_default(), true),
        Err(_) => (last, false),
    };
    let keyword = violation.keyword.as_str();
    let text = match (field, keyword) {
        ("keyId", "type" | "format" | "pattern" | "minLength" | "maxLength") if !in_array => {
            return Some(CodexMessage::Plain(KEY_ID_MESSAGE));
        }
        ("accountUserId", "minLength") => "accountUserId must not be empty",
        ("clientId", "minLength") => "clientId must not be empty",
        ("sessionId", "minLength") => "sessionId must not be empty",
        ("challengeId", "minLength") => "challengeId must not be empty",
        ("nonce", "type" | "format" | "pattern" | "minLength" | "maxLength") => {
            "nonce must be at least 32 random bytes encoded as unpadded base64url"
        }
        ("targetOrigin", "type" | "format" | "pattern") => {
            "targetOrigin must be an allowed remote-control backend origin"
        }
        ("targetPath", "type" | "enum" | "const") => {
            "targetPath must match the signed payload type's remote-control endpoint"
        }
        ("tokenSha256Base64url", "type" | "format" | "pattern" | "minLength" | "maxLength") => {
            "tokenSha256Base64url must be a SHA-256 digest encoded as unpadded base64url"
        }
        (
            "deviceIdentitySha256Base64url",
            "type" | "format" | "pattern" | "minLength" | "maxLength",
        ) => "deviceIdentitySha256Base64url must be a SHA-256 digest encoded as unpadded base64url",
        (
            "scopes",
            "type" | "const" | "enum" | "minItems" | "maxItems" | "items" | "uniqueItems",
        ) => "scopes must contain exactly remote_control_controller_websocket",
        _ => return None,
    };
    Some(CodexMessage::Payload(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use devicekey_protocol::types::DeviceKeyListResponse;
    use serde_json::json;

    const KEY_ID: &str = "dk_swk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    fn sign_params(scopes: Value) -> Value {
        json!({"keyId": KEY_ID, "payload": {
            "type": "remoteControlClientConnection",
            "nonce": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "audience": "remote_control_client_websocket",
            "sessionId": "wssess_123",
            "targetOrigin": "https://chatgpt.com",
            "targetPath": "/api/codex/remote/control/client",
            "accountUserId": "account-user-1",
            "clientId": "cli_123",
            "tokenSha256Base64url": "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
            "tokenExpiresAt": 1_700_000_000,
            "scopes": scopes,
        }})
    }

    fn key_info(created_at: Value) -> Value {
        json!({"keyId": KEY_ID, "algorithm": "ecdsa_p256_sha256", "protectionClass": "software",
               "accountUserId": "a", "clientId": "c", "createdAt": created_at})
    }

    fn list_response(keys: usize, wrong: &[usize]) -> Value {
        let keys: Vec<Value> = (0..keys)
            .map(|n| {
                key_info(if wrong.contains(&n) {
                    json!("x")
                } else {
                    json!(n)
                })
            })
            .collect();
        json!({ "keys": keys })
    }

    #[test]
    fn the_sign_params_fixture_is_valid() {
        let params = sign_params(json!(["remote_control_controller_websocket"]));
        assert!(DeviceKeySignParams::is_valid(&params));
        assert!(DeviceKeyListResponse::is_valid(&list_response(1000, &[])));
    }

    #[test]
    fn a_value_without_long_arrays_gets_every_violation() {
        let mut params = sign_params(json!([0, 1, 2]));
        params["payload"]["nonce"] = json!("short");
        params["payload"]["extra"] = json!(true);
        let full = DeviceKeySignParams::validate(&params).unwrap_err();
        let found = bounded_violations::<DeviceKeySignParams>(&params);
        assert_eq!(found.violations, full);
        assert_eq!((found.found, found.stopped_early), (full.len(), false));
    }

    #[test]
    fn a_long_wrong_array_is_validated_a_window_at_a_time() {
        // 2N+1 violations in full; the window keeps the same first ones.
        let params = sign_params(json!(vec![0; 2_000]));
        let full = DeviceKeySignParams::validate(&params).unwrap_err();
        assert!(full.len() > 4_000, "{}", full.len());
        let found = bounded_violations::<DeviceKeySignParams>(&params);
        assert_eq!(found.violations, full[..MAX_REPORTED_VIOLATIONS]);
        assert!(found.stopped_early);
        assert!(
            found.found <= MAX_REPORTED_VIOLATIONS + 1,
            "{}",
            found.found
        );

        // Half a million zeros (the 1 MB request): the same bounded answer, without a million
        // violations in between.
        let params = sign_params(json!(vec![0; 500_000]));
        let error = Validated::<DeviceKeySignParams>::from_json(params).unwrap_err();
        assert_eq!(error.violations(), &full[..MAX_REPORTED_VIOLATIONS]);
        assert!(error.violations_truncated());
        assert!(error.violation_count() <= MAX_REPORTED_VIOLATIONS + 1);
        assert_eq!(
            error.message(),
            "invalid device key payload: scopes must contain exactly remote_control_controller_websocket"
        );
    }

    #[test]
    fn a_valid_prefix_does_not_hide_a_wrong_item_behind_it() {
        let response = list_response(501, &[300, 310]);
        let found = bounded_violations::<DeviceKeyListResponse>(&response);
        let paths: Vec<&str> = found
            .violations
            .iter()
            .map(|v| v.instance_path.as_str())
            .collect();
        assert_eq!(paths, ["/keys/300/createdAt", "/keys/310/createdAt"]);
        // Two violations are fewer than an answer holds: validation went to the end.
        assert!(!found.stopped_early);
        let full = DeviceKeyListResponse::validate(&response).unwrap_err();
        assert_eq!(found.violations, full);

        // An array wrong only in its length is found whole, and exactly.
        let response = list_response(1001, &[]);
        let found = bounded_violations::<DeviceKeyListResponse>(&response);
        assert_eq!(found.violations.len(), 1);
        assert_eq!(found.violations[0].keyword, "maxItems");
        assert_eq!((found.found, found.stopped_early), (1, false));
    }

    fn violation(instance_path: &str, keyword: &str) -> Violation {
        Violation {
            instance_path: instance_path.to_owned(),
            schema_path: String::new(),
            keyword: keyword.to_owned(),
            message: "must be something".to_owned(),
        }
    }

    #[test]
    fn first_violations_map_to_codex_messages() {
        let cases = [
            ("/payload/nonce", "format", "invalid device key payload: nonce must be at least 32 random bytes encoded as unpadded base64url"),
            ("/payload/nonce", "maxLength", "invalid device key payload: nonce must be at least 32 random bytes encoded as unpadded base64url"),
            ("/payload/scopes/0", "const", "invalid device key payload: scopes must contain exactly remote_control_controller_websocket"),
            ("/payload/scopes", "maxItems", "invalid device key payload: scopes must contain exactly remote_control_controller_websocket"),
            ("/accountUserId", "minLength", "invalid device key payload: accountUserId must not be empty"),
            ("/keyId", "format", KEY_ID_MESSAGE),
            ("/payload/targetPath", "enum", "invalid device key payload: targetPath must match the signed payload type's remote-control endpoint"),
            ("/payload/sessionId", "type", "invalid params: /payload/sessionId: must be something"),
            ("", "required", "invalid params: must be something"),
        ];
        for (path, keyword, expected) in cases {
            assert_eq!(
                message_for(&violation(path, keyword)),
                expected,
                "{path} {keyword}"
            );
        }
    }
}
