//! The schema layer: validate a JSON value against its protocol type with the generated
//! validators, deserialize it into the generated type, and hand out a [`Validated`] value that
//! proves both happened. Failures become an `invalidParams` error whose message is codex's text for
//! the first violation's field, where codex has one.
//!
//! This is the one place the runtime runs schema validation ([`schema_validations`] counts it).

use std::sync::atomic::{AtomicU64, Ordering};

use devicekey_protocol::types::{DeviceKeySignParams, DeviceKeySignPayload};
use devicekey_protocol::{Validate, Violation};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::error::{DeviceKeyError, PAYLOAD_MESSAGE_PREFIX};
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
        if let Err(violations) = T::validate(&value) {
            return Err(invalid_params(violations));
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
/// where codex has one, and every violation.
pub fn invalid_params(violations: Vec<Violation>) -> DeviceKeyError {
    let message = violations
        .first()
        .map_or_else(|| "invalid params".to_owned(), message_for);
    DeviceKeyError::invalid_params(message, violations)
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
