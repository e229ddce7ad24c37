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

use crate::json_pointer::find_number;
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
    /// Validates `value` against `T`'s schema, then deserializes it. An integer written with a
    /// fraction or an exponent (`1.0`, `1e3`, `-0`), an integer to the schema, is read as that
    /// integer.
    pub fn from_json(mut value: Value) -> Result<Self, DeviceKeyError> {
        SCHEMA_VALIDATIONS.fetch_add(1, Ordering::Relaxed);
        if !T::is_valid(&value) {
            let found = bounded_violations::<T>(&value);
            drop(value);
            return Err(invalid_params_found(found));
        }
        // Draft-07 counts `1.0`, `1e3` and `-0` as integers, and so does the schema; serde reads
        // an integer field only from an integer.
        if normalize_integers(&mut value) {
            // A fraction or an integer beyond 64 bits: if serde refuses it, say where it is.
            return T::deserialize(&value)
                .map(Validated)
                .map_err(|error| unreadable::<T>(&value, &error));
        }
        serde_json::from_value(value)
            .map(Validated)
            .map_err(|error| unreadable::<T>(&Value::Null, &error))
    }
}

/// The error of a value that passed `T`'s schema but that serde cannot read as `T`. With the
/// protocol's schemas (every integer bounded within ±(2^53 − 1)) this does not happen; a schema
/// with an unbounded integer would let through one beyond the 64-bit range, which is then named
/// at its instance path.
///
/// serde names the value it refused but not where it is; a float refused where an integer was
/// expected is the first number of `value` not held as an integer (the protocol's types have no
/// float fields), so that one is named.
fn unreadable<T: Validate>(value: &Value, error: &serde_json::Error) -> DeviceKeyError {
    let refused_float = error
        .to_string()
        .starts_with("invalid type: floating point");
    let found = refused_float
        .then(|| {
            // Not held as an integer (after `normalize_integers`): a fractional part, or beyond
            // the 64-bit range.
            find_number(value, &|number| !(number.is_i64() || number.is_u64()))
                .map(|(path, number)| (path, number.to_string()))
        })
        .flatten();
    let violation = match found {
        Some((instance_path, number)) => Violation {
            message: format!(
                "must be an integer from {} to {} to be read as {}: {number} is not",
                i64::MIN,
                i64::MAX,
                T::TYPE_NAME
            ),
            instance_path,
            schema_path: format!("{}.json#", T::TYPE_NAME),
            keyword: "format".to_owned(),
        },
        None => Violation {
            instance_path: String::new(),
            schema_path: format!("{}.json#", T::TYPE_NAME),
            keyword: "type".to_owned(),
            message: format!("cannot be read as {}: {error}", T::TYPE_NAME),
        },
    };
    let message = if violation.instance_path.is_empty() {
        format!("invalid params: {}", violation.message)
    } else {
        format!(
            "invalid params: {}: {}",
            violation.instance_path, violation.message
        )
    };
    DeviceKeyError::invalid_params(message, vec![violation])
}

/// Rewrites every number written with a fraction or an exponent that is an integer in the
/// signed 64-bit range (`1.0`, `1e3`, `-0`, `1.7e9`) as that integer, so that the generated
/// types, whose integer fields are `i64` or `u64`, read what the schema accepted. Whether any
/// number is left that is not held as an integer: one with a fractional part, or beyond the
/// 64-bit range, both left as they are.
///
/// This changes no value: JSON Schema compares numbers by value (`1.0` equals `1` for `const`,
/// `enum` and `uniqueItems`), and the signed bytes, made from the typed value, hold the integer
/// in plain digits as canonical JSON (RFC 8785) writes it: `1e3` is signed as `1000`.
fn normalize_integers(value: &mut Value) -> bool {
    match value {
        Value::Number(number) => {
            if number.is_i64() || number.is_u64() {
                return false;
            }
            match as_integer(number) {
                Some(integer) => {
                    *number = integer;
                    false
                }
                None => true,
            }
        }
        Value::Array(items) => {
            let mut left = false;
            for item in items {
                left |= normalize_integers(item);
            }
            left
        }
        Value::Object(map) => {
            let mut left = false;
            for item in map.values_mut() {
                left |= normalize_integers(item);
            }
            left
        }
        Value::Null | Value::Bool(_) | Value::String(_) => false,
    }
}

/// The integer a float-stored number is, if it is one within the signed 64-bit range.
fn as_integer(number: &serde_json::Number) -> Option<serde_json::Number> {
    /// 2^63, exactly representable as an `f64`.
    const TWO_TO_63: f64 = 9_223_372_036_854_775_808.0;
    let float = number.as_f64()?;
    if !(float.is_finite() && float.fract() == 0.0 && (-TWO_TO_63..TWO_TO_63).contains(&float)) {
        return None;
    }
    // In range and integral: the conversion is exact (`-0.0` becomes 0).
    #[allow(clippy::cast_possible_truncation)]
    let integer = float as i64;
    Some(serde_json::Number::from(integer))
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

    /// The sign params fixture as text, with `tokenExpiresAt` written as `literal`, read by the
    /// server's own parser.
    fn sign_params_with_expiry(literal: &str) -> Value {
        let mut params = sign_params(json!(["remote_control_controller_websocket"]));
        params["payload"]["tokenExpiresAt"] = json!("EXPIRY");
        let text = params.to_string().replace("\"EXPIRY\"", literal);
        crate::canonical::parse_strict(text.as_bytes()).unwrap()
    }

    #[test]
    fn numbers_that_are_not_integers_in_range_are_named_at_their_path() {
        for (literal, keyword) in [
            ("1e300", "maximum"),
            ("-1e300", "minimum"),
            ("9007199254740992", "maximum"),
            ("1700000000.5", "type"),
        ] {
            let error =
                Validated::<DeviceKeySignParams>::from_json(sign_params_with_expiry(literal))
                    .unwrap_err();
            let first = &error.violations()[0];
            assert_eq!(
                (first.instance_path.as_str(), first.keyword.as_str()),
                ("/payload/tokenExpiresAt", keyword),
                "{literal}: {error:?}"
            );
            assert!(
                error
                    .message()
                    .starts_with("invalid params: /payload/tokenExpiresAt: must be "),
                "{literal}: {}",
                error.message()
            );
        }
    }

    /// A type whose schema takes any integer, wider than its `i64` field.
    #[derive(Debug, serde::Deserialize)]
    struct Wide {
        #[allow(dead_code)]
        items: Vec<i64>,
    }

    impl Validate for Wide {
        const TYPE_NAME: &'static str = "Wide";
        fn validate(_: &Value) -> Result<(), Vec<Violation>> {
            Ok(())
        }
        fn is_valid(_: &Value) -> bool {
            true
        }
        fn validate_at_most(_: &Value, _: usize) -> Vec<Violation> {
            Vec::new()
        }
    }

    #[test]
    fn an_integer_the_schema_takes_but_the_type_cannot_hold_is_named_at_its_path() {
        let value = crate::canonical::parse_strict(br#"{"items": [1.0, 2e0, 1e300]}"#).unwrap();
        let error = Validated::<Wide>::from_json(value).unwrap_err();
        assert_eq!(error.violations().len(), 1);
        let violation = &error.violations()[0];
        assert_eq!(
            (violation.instance_path.as_str(), violation.keyword.as_str()),
            ("/items/2", "format")
        );
        assert_eq!(
            error.message(),
            "invalid params: /items/2: must be an integer from -9223372036854775808 to \
             9223372036854775807 to be read as Wide: 1e+300 is not"
        );
        // In range, the same array is read.
        let value = crate::canonical::parse_strict(br#"{"items": [1.0, 2e0, -0]}"#).unwrap();
        assert!(Validated::<Wide>::from_json(value).is_ok());
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
