//! The schema layer: the generated validators, and the mapping of their first violation to
//! codex's message for that field.

use serde_json::Value;

use crate::error::{DeviceKeyError, PAYLOAD_MESSAGE_PREFIX};
use crate::key_id::KEY_ID_MESSAGE;

use devicekey_protocol::validators as generated;
pub use devicekey_protocol::Violation;

/// Which protocol type a value is validated as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// `DeviceKeyCreateParams`.
    CreateParams,
    /// `DeviceKeySignParams`.
    SignParams,
    /// `DeviceKeySignPayload`.
    SignPayload,
}

/// Validates `value` against `schema`; on failure, an `invalidParams` error whose message is
/// codex's text for the first violation's field (where codex has one) and which carries every
/// violation.
pub fn validate(schema: Schema, value: &Value) -> Result<(), DeviceKeyError> {
    let outcome = match schema {
        Schema::CreateParams => generated::validate_device_key_create_params(value),
        Schema::SignParams => generated::validate_device_key_sign_params(value),
        Schema::SignPayload => generated::validate_device_key_sign_payload(value),
    };
    outcome.map_err(|violations| {
        let message = violations
            .first()
            .map_or_else(|| "invalid params".to_owned(), message_for);
        DeviceKeyError::invalid_params(message, violations)
    })
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
