use crate::validator_runtime::{CollectAll, CollectUpTo, Path, Sink, StopAtFirst, Violation};
use ::serde_json::Value;

/// The name of every type that has a validator, sorted.
pub const TYPE_NAMES: &[&str] = &["Account"];

/// A type's two validators.
#[derive(Debug, Clone, Copy)]
pub struct Validator {
    /// The type name.
    pub type_name: &'static str,
    /// Reports every violation.
    pub validate: fn(&Value) -> Result<(), Vec<Violation>>,
    /// Answers yes or no, stopping at the first violation.
    pub is_valid: fn(&Value) -> bool,
}

/// Every type's validators, sorted by type name.
pub const VALIDATORS: &[Validator] = &[
    Validator { type_name: "Account", validate: validate_account, is_valid: is_valid_account },
];

/// The validators of the type named `type_name`.
pub fn validator(type_name: &str) -> Option<&'static Validator> {
    VALIDATORS.binary_search_by(|v| v.type_name.cmp(type_name)).ok().map(|i| &VALIDATORS[i])
}

/// Validates `value` as the type named `type_name`; `None` when no such type exists.
pub fn validate_by_name(type_name: &str, value: &Value) -> Option<Result<(), Vec<Violation>>> {
    validator(type_name).map(|v| (v.validate)(value))
}

/// Whether `value` is a valid instance of the type named `type_name`; `None` when no such type exists.
pub fn is_valid_by_name(type_name: &str, value: &Value) -> Option<bool> {
    validator(type_name).map(|v| (v.is_valid)(value))
}

/// Validates a `Account`, reporting every violation.
///
/// An account: a closed object, whose members are checked in one pass in the code-point order of their names, then its missing required properties.
pub fn validate_account(value: &Value) -> Result<(), Vec<Violation>> {
    let mut out = CollectAll::default();
    f0(value, &Path::Root, &mut out);
    out.into_result()
}

/// Whether `value` is a valid `Account` (stops at the first violation).
pub fn is_valid_account(value: &Value) -> bool {
    let mut out = StopAtFirst::default();
    f0(value, &Path::Root, &mut out);
    !out.failed()
}

/// The first `limit` violations of a `Account` (empty when valid); validation stops once it has them.
pub fn validate_account_at_most(value: &Value, limit: usize) -> Vec<Violation> {
    let mut out = CollectUpTo::new(limit);
    f0(value, &Path::Root, &mut out);
    out.into_violations()
}

/// `Account.json#`
#[allow(unused_variables, clippy::all)]
fn f0<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.is_object()) {
        out.report(p0, "Account.json#/type", "type", || "must be object".to_owned());
        if out.stop() { return; }
    }
    if let Some(map) = v0.as_object() {
        let mut seen = 0u64;
        for (key, v1) in map {
            let p1 = &Path::Key(p0, key);
            match key.as_str() {
                "count" => {
                    if !(v1.as_number().is_some_and(crate::validator_runtime::is_integer)) {
                        out.report(p1, "Account.json#/properties/count/type", "type", || "must be integer".to_owned());
                        if out.stop() { return; }
                    }
                    if let Some(n) = v1.as_number() {
                        if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from(0i64)) == Some(::std::cmp::Ordering::Less) {
                            out.report(p1, "Account.json#/properties/count/minimum", "minimum", || "must be greater than or equal to 0".to_owned());
                            if out.stop() { return; }
                        }
                        if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from(9007199254740991i64)) == Some(::std::cmp::Ordering::Greater) {
                            out.report(p1, "Account.json#/properties/count/maximum", "maximum", || "must be less than or equal to 9007199254740991".to_owned());
                            if out.stop() { return; }
                        }
                        if !crate::formats::is_int64(n) {
                            out.report(p1, "Account.json#/properties/count/format", "format", || "must be a signed 64-bit integer".to_owned());
                            if out.stop() { return; }
                        }
                    }
                }
                "home" => {
                    seen |= 1 << 2;
                    f1(v1, p1, out);
                    if out.stop() { return; }
                }
                "id" => {
                    seen |= 1 << 0;
                    if !(v1.is_string()) {
                        out.report(p1, "Account.json#/properties/id/type", "type", || "must be string".to_owned());
                        if out.stop() { return; }
                    }
                    if let Some(s) = v1.as_str() {
                        if !crate::validator_runtime::has_min_chars(s, 1) {
                            out.report(p1, "Account.json#/properties/id/minLength", "minLength", || "must be at least 1 character long".to_owned());
                            if out.stop() { return; }
                        }
                        if !crate::validator_runtime::has_max_chars(s, 16) {
                            out.report(p1, "Account.json#/properties/id/maxLength", "maxLength", || "must be at most 16 characters long".to_owned());
                            if out.stop() { return; }
                        }
                        if !STATIC_0.is_match(s) {
                            out.report(p1, "Account.json#/properties/id/pattern", "pattern", || "must match the pattern \"^[a-z][a-z0-9_]*$\"".to_owned());
                            if out.stop() { return; }
                        }
                    }
                }
                "key" => {
                    if !(v1.is_string()) {
                        out.report(p1, "Account.json#/properties/key/type", "type", || "must be string".to_owned());
                        if out.stop() { return; }
                    }
                    if let Some(s) = v1.as_str() {
                        if !crate::formats::is_device_key_id(s) {
                            out.report(p1, "Account.json#/properties/key/format", "format", || "must be dk_hse_, dk_tpm_, dk_osn_, or dk_swk_ followed by unpadded base64url-encoded 32 bytes".to_owned());
                            if out.stop() { return; }
                        }
                    }
                }
                "kind" => {
                    seen |= 1 << 1;
                    if !matches!(v1.as_str(), Some("user" | "service")) {
                        out.report(p1, "Account.json#/properties/kind/enum", "enum", || "must be one of \"user\", \"service\"".to_owned());
                        if out.stop() { return; }
                    }
                }
                "legacy" => {
                    out.report(p1, "Account.json#/properties/legacy", "false", || "no value is allowed here".to_owned());
                    if out.stop() { return; }
                }
                "note" => {
                }
                "tags" => {
                    if !(v1.is_array()) {
                        out.report(p1, "Account.json#/properties/tags/type", "type", || "must be array".to_owned());
                        if out.stop() { return; }
                    }
                    if let Some(items) = v1.as_array() {
                        if items.len() > 4 {
                            out.report(p1, "Account.json#/properties/tags/maxItems", "maxItems", || "must have at most 4 items".to_owned());
                            if out.stop() { return; }
                        }
                        if !crate::validator_runtime::all_unique(items) {
                            out.report(p1, "Account.json#/properties/tags/uniqueItems", "uniqueItems", || "must not contain duplicate items".to_owned());
                            if out.stop() { return; }
                        }
                        for (i, v2) in items.iter().enumerate() {
                            let p2 = &Path::Index(p1, i);
                            if !(v2.is_string()) {
                                out.report(p2, "Account.json#/properties/tags/items/type", "type", || "must be string".to_owned());
                                if out.stop() { return; }
                            }
                            if let Some(s) = v2.as_str() {
                                if !crate::validator_runtime::has_min_chars(s, 1) {
                                    out.report(p2, "Account.json#/properties/tags/items/minLength", "minLength", || "must be at least 1 character long".to_owned());
                                    if out.stop() { return; }
                                }
                            }
                        }
                    }
                }
                _ => {
                    out.report(p1, "Account.json#/additionalProperties", "additionalProperties", || format!("{}{}", "unknown property ", crate::validator_runtime::json_string(key)));
                    if out.stop() { return; }
                }
            }
        }
        if seen != 7u64 {
            if seen & (1 << 0) == 0 {
                out.report(p0, "Account.json#/required", "required", || "missing required property \"id\"".to_owned());
                if out.stop() { return; }
            }
            if seen & (1 << 1) == 0 {
                out.report(p0, "Account.json#/required", "required", || "missing required property \"kind\"".to_owned());
                if out.stop() { return; }
            }
            if seen & (1 << 2) == 0 {
                out.report(p0, "Account.json#/required", "required", || "missing required property \"home\"".to_owned());
                if out.stop() { return; }
            }
        }
    }
}

/// `Account.json#/definitions/address`
#[allow(unused_variables, clippy::all)]
fn f1<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.is_object()) {
        out.report(p0, "Account.json#/definitions/address/type", "type", || "must be object".to_owned());
        if out.stop() { return; }
    }
    if let Some(map) = v0.as_object() {
        let mut seen = 0u64;
        for (key, v1) in map {
            let p1 = &Path::Key(p0, key);
            match key.as_str() {
                "city" => {
                    seen |= 1 << 0;
                    if !(v1.is_string()) {
                        out.report(p1, "Account.json#/definitions/address/properties/city/type", "type", || "must be string".to_owned());
                        if out.stop() { return; }
                    }
                }
                "zip" => {
                    if !(v1.is_string()) {
                        out.report(p1, "Account.json#/definitions/address/properties/zip/type", "type", || "must be string".to_owned());
                        if out.stop() { return; }
                    }
                    if let Some(s) = v1.as_str() {
                        if !STATIC_1.is_match(s) {
                            out.report(p1, "Account.json#/definitions/address/properties/zip/pattern", "pattern", || "must match the pattern \"^[0-9]{5}$\"".to_owned());
                            if out.stop() { return; }
                        }
                    }
                }
                _ => {
                    out.report(p1, "Account.json#/definitions/address/additionalProperties", "additionalProperties", || format!("{}{}", "unknown property ", crate::validator_runtime::json_string(key)));
                    if out.stop() { return; }
                }
            }
        }
        if seen != 1u64 {
            if seen & (1 << 0) == 0 {
                out.report(p0, "Account.json#/definitions/address/required", "required", || "missing required property \"city\"".to_owned());
                if out.stop() { return; }
            }
        }
    }
}


static STATIC_0: ::std::sync::LazyLock<::regex::Regex> = ::std::sync::LazyLock::new(|| ::regex::Regex::new("^[a-z][a-z0-9_]*$").expect("pattern checked by the generator"));
static STATIC_1: ::std::sync::LazyLock<::regex::Regex> = ::std::sync::LazyLock::new(|| ::regex::Regex::new("^[0-9]{5}$").expect("pattern checked by the generator"));
