//! The schema layer: validate a JSON value against its protocol type with the generated
//! validators, deserialize it into the generated type, and hand out a [`Validated`] value that
//! proves both happened. Failures become an `invalidParams` error whose message is codex's text for
//! the first violation's field, where codex has one.
//!
//! This is the one place the runtime runs schema validation ([`schema_validations`] counts it).
//!
//! Validation first asks the generated yes/no validator, which stops at the first violation, and
//! looks for the violations only when the answer is no. Then the work stays bounded however large
//! the value: a value whose arrays and objects are all at most [`VALIDATION_WINDOW`] wide is
//! validated whole (every violation), a wider one a window at a time (see
//! [`bounded_violations`]). An error keeps the first [`MAX_REPORTED_VIOLATIONS`] violations, the
//! count found, and whether the list may be incomplete.

use std::sync::atomic::{AtomicU64, Ordering};

use devicekey_protocol::types::{DeviceKeySignParams, DeviceKeySignPayload};
use devicekey_protocol::{Validate, Violation};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

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

/// Arrays at most this long are validated whole when the params are invalid; longer ones a
/// window of this many items at a time.
pub const VALIDATION_WINDOW: usize = 64;

/// What [`bounded_violations`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundViolations {
    /// The violations found, in the validator's order, at most [`MAX_REPORTED_VIOLATIONS`].
    pub violations: Vec<Violation>,
    /// How many were found (before the list was cut).
    pub found: usize,
    /// Whether validation looked at only part of the value, so that it may have more.
    pub stopped_early: bool,
}

/// The violations of `value` (which `T::is_valid` refused), with work and memory bounded by
/// [`VALIDATION_WINDOW`] rather than by the length of the value's arrays.
///
/// The generated validators report every violation, and an array can hold about one per byte
/// (a million wrong items). So when an array is longer than the window, the validator runs on a
/// copy in which every array keeps only its first `width` items: first at the window's width,
/// and while that copy is still valid (the fault is further in) at doubled widths, then bisected
/// with the yes/no validator to the smallest width at which the copy is invalid; the violations
/// reported are those of the copy one window past the last valid width. They are violations of
/// the value itself, in the validator's order, except that `minItems`, `const` and `enum` of an
/// array that was cut are left out (they may hold of the whole array). Without anything cut (no
/// array longer than the window, or an invalid copy that is the whole value) the list is every
/// violation.
///
/// Objects are validated whole: the validators report at most one violation per entry (an
/// unknown property is not looked into), so an object's violations cost about what the parsed
/// object does.
pub fn bounded_violations<T: Validate>(value: &Value) -> FoundViolations {
    let longest = longest_array(value);
    let (mut violations, stopped_early) = if longest <= VALIDATION_WINDOW {
        (T::validate(value).err().unwrap_or_default(), false)
    } else {
        let mut valid_at = 0;
        let mut width = VALIDATION_WINDOW;
        while width < longest && T::is_valid(&prune(value, width)) {
            valid_at = width;
            width = width.saturating_mul(2);
        }
        let mut width = width.min(longest);
        if valid_at > 0 {
            // The copy is valid at `valid_at` and invalid at `width`: find where it turns.
            while width - valid_at > 1 {
                let middle = valid_at + (width - valid_at) / 2;
                if T::is_valid(&prune(value, middle)) {
                    valid_at = middle;
                } else {
                    width = middle;
                }
            }
            width = valid_at.saturating_add(VALIDATION_WINDOW).min(longest);
        }
        let mut cut = Vec::new();
        cut_arrays(value, width, "", &mut cut);
        let mut violations = T::validate(&prune(value, width)).err().unwrap_or_default();
        violations.retain(|violation| {
            matches!(
                violation.keyword.as_str(),
                "type" | "maxItems" | "uniqueItems"
            ) || !cut.contains(&violation.instance_path)
        });
        (violations, width < longest)
    };
    let found = violations.len();
    violations.truncate(MAX_REPORTED_VIOLATIONS);
    FoundViolations {
        violations,
        found,
        stopped_early,
    }
}

/// The length of the longest array in `value`.
fn longest_array(value: &Value) -> usize {
    match value {
        Value::Array(items) => items
            .iter()
            .map(longest_array)
            .fold(items.len(), usize::max),
        Value::Object(entries) => entries.values().map(longest_array).max().unwrap_or(0),
        _ => 0,
    }
}

/// A copy of `value` in which every array keeps its first `width` items.
fn prune(value: &Value, width: usize) -> Value {
    match value {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .take(width)
                .map(|item| prune(item, width))
                .collect(),
        ),
        Value::Object(entries) => Value::Object(
            entries
                .iter()
                .map(|(key, item)| (key.clone(), prune(item, width)))
                .collect::<Map<String, Value>>(),
        ),
        other => other.clone(),
    }
}

/// The JSON pointers of the arrays of `value` (at `pointer`) that [`prune`] at `width` cuts.
fn cut_arrays(value: &Value, width: usize, pointer: &str, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => {
            if items.len() > width {
                out.push(pointer.to_owned());
            }
            for (index, item) in items.iter().take(width).enumerate() {
                if matches!(item, Value::Array(_) | Value::Object(_)) {
                    cut_arrays(item, width, &format!("{pointer}/{index}"), out);
                }
            }
        }
        Value::Object(entries) => {
            for (key, item) in entries {
                if matches!(item, Value::Array(_) | Value::Object(_)) {
                    let key = key.replace('~', "~0").replace('/', "~1");
                    cut_arrays(item, width, &format!("{pointer}/{key}"), out);
                }
            }
        }
        _ => {}
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
        assert!(found.found <= 2 * VALIDATION_WINDOW + 1, "{}", found.found);

        // Half a million zeros (the 1 MB request): the same bounded answer, without a million
        // violations in between.
        let params = sign_params(json!(vec![0; 500_000]));
        let error = Validated::<DeviceKeySignParams>::from_json(params).unwrap_err();
        assert_eq!(error.violations(), &full[..MAX_REPORTED_VIOLATIONS]);
        assert!(error.violations_truncated());
        assert!(error.violation_count() <= 2 * VALIDATION_WINDOW + 1);
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
        assert!(found.stopped_early);
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
