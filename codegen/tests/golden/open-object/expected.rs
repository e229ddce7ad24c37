use crate::validator_runtime::{CollectAll, CollectUpTo, Path, Sink, StopAtFirst, Violation};
use ::serde_json::Value;

/// The name of every type that has a validator, sorted.
pub const TYPE_NAMES: &[&str] = &["Settings"];

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
    Validator { type_name: "Settings", validate: validate_settings, is_valid: is_valid_settings },
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

/// Validates a `Settings`, reporting every violation.
///
/// Settings: an open object (its undeclared members are anything), with a member whose undeclared members must be integers, and names every plain JavaScript object inherits.
pub fn validate_settings(value: &Value) -> Result<(), Vec<Violation>> {
    let mut out = CollectAll::default();
    f0(value, &Path::Root, &mut out);
    out.into_result()
}

/// Whether `value` is a valid `Settings` (stops at the first violation).
pub fn is_valid_settings(value: &Value) -> bool {
    let mut out = StopAtFirst::default();
    f0(value, &Path::Root, &mut out);
    !out.failed()
}

/// The first `limit` violations of a `Settings` (empty when valid); validation stops once it has them.
pub fn validate_settings_at_most(value: &Value, limit: usize) -> Vec<Violation> {
    let mut out = CollectUpTo::new(limit);
    f0(value, &Path::Root, &mut out);
    out.into_violations()
}

/// `Settings.json#`
#[allow(unused_variables, clippy::all)]
fn f0<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.is_object()) {
        out.report(p0, "Settings.json#/type", "type", || "must be object".to_owned());
        if out.stop() { return; }
    }
    if let Some(map) = v0.as_object() {
        if let Some(v1) = map.get("constructor") {
            let p1 = &Path::Key(p0, "constructor");
            if !(v1.is_boolean()) {
                out.report(p1, "Settings.json#/properties/constructor/type", "type", || "must be boolean".to_owned());
                if out.stop() { return; }
            }
        }
        if let Some(v1) = map.get("forbidden") {
            let p1 = &Path::Key(p0, "forbidden");
            out.report(p1, "Settings.json#/properties/forbidden", "false", || "no value is allowed here".to_owned());
            if out.stop() { return; }
        }
        if let Some(v1) = map.get("limits") {
            let p1 = &Path::Key(p0, "limits");
            f1(v1, p1, out);
            if out.stop() { return; }
        }
        if let Some(v1) = map.get("name") {
            let p1 = &Path::Key(p0, "name");
            if !(v1.is_string()) {
                out.report(p1, "Settings.json#/properties/name/type", "type", || "must be string".to_owned());
                if out.stop() { return; }
            }
        }
        if !map.contains_key("name") {
            out.report(p0, "Settings.json#/required", "required", || "missing required property \"name\"".to_owned());
            if out.stop() { return; }
        }
        if !map.contains_key("toString") {
            out.report(p0, "Settings.json#/required", "required", || "missing required property \"toString\"".to_owned());
            if out.stop() { return; }
        }
    }
}

/// `Settings.json#/definitions/limits`
#[allow(unused_variables, clippy::all)]
fn f1<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.is_object()) {
        out.report(p0, "Settings.json#/definitions/limits/type", "type", || "must be object".to_owned());
        if out.stop() { return; }
    }
    if let Some(map) = v0.as_object() {
        let mut seen = 0u64;
        for (key, v1) in map {
            let p1 = &Path::Key(p0, key);
            match key.as_str() {
                "max" => {
                    seen |= 1 << 0;
                    if !(v1.as_number().is_some_and(crate::validator_runtime::is_integer)) {
                        out.report(p1, "Settings.json#/definitions/limits/properties/max/type", "type", || "must be integer".to_owned());
                        if out.stop() { return; }
                    }
                    if let Some(n) = v1.as_number() {
                        if !crate::validator_runtime::is_exact(n) {
                            out.report(p1, "Settings.json#/definitions/limits/properties/max/type", "type", || "must be from -9007199254740991 to 9007199254740991: past 2^53 - 1, a JavaScript number cannot hold every integer exactly".to_owned());
                            if out.stop() { return; }
                        }
                        else {
                            if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from(100i64)) == Some(::std::cmp::Ordering::Greater) {
                                out.report(p1, "Settings.json#/definitions/limits/properties/max/maximum", "maximum", || "must be less than or equal to 100".to_owned());
                                if out.stop() { return; }
                            }
                        }
                    }
                }
                "min" => {
                    if !(v1.as_number().is_some_and(crate::validator_runtime::is_integer)) {
                        out.report(p1, "Settings.json#/definitions/limits/properties/min/type", "type", || "must be integer".to_owned());
                        if out.stop() { return; }
                    }
                    if let Some(n) = v1.as_number() {
                        if !crate::validator_runtime::is_exact(n) {
                            out.report(p1, "Settings.json#/definitions/limits/properties/min/type", "type", || "must be from -9007199254740991 to 9007199254740991: past 2^53 - 1, a JavaScript number cannot hold every integer exactly".to_owned());
                            if out.stop() { return; }
                        }
                        else {
                            if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from(-100i64)) == Some(::std::cmp::Ordering::Less) {
                                out.report(p1, "Settings.json#/definitions/limits/properties/min/minimum", "minimum", || "must be greater than or equal to -100".to_owned());
                                if out.stop() { return; }
                            }
                        }
                    }
                }
                "extra" => {
                    seen |= 1 << 1;
                    if !(v1.as_number().is_some_and(crate::validator_runtime::is_integer)) {
                        out.report(p1, "Settings.json#/definitions/limits/additionalProperties/type", "type", || "must be integer".to_owned());
                        if out.stop() { return; }
                    }
                    if let Some(n) = v1.as_number() {
                        if !crate::validator_runtime::is_exact(n) {
                            out.report(p1, "Settings.json#/definitions/limits/additionalProperties/type", "type", || "must be from -9007199254740991 to 9007199254740991: past 2^53 - 1, a JavaScript number cannot hold every integer exactly".to_owned());
                            if out.stop() { return; }
                        }
                        else {
                            if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from(0i64)) == Some(::std::cmp::Ordering::Less) {
                                out.report(p1, "Settings.json#/definitions/limits/additionalProperties/minimum", "minimum", || "must be greater than or equal to 0".to_owned());
                                if out.stop() { return; }
                            }
                        }
                    }
                }
                _ => {
                    if !(v1.as_number().is_some_and(crate::validator_runtime::is_integer)) {
                        out.report(p1, "Settings.json#/definitions/limits/additionalProperties/type", "type", || "must be integer".to_owned());
                        if out.stop() { return; }
                    }
                    if let Some(n) = v1.as_number() {
                        if !crate::validator_runtime::is_exact(n) {
                            out.report(p1, "Settings.json#/definitions/limits/additionalProperties/type", "type", || "must be from -9007199254740991 to 9007199254740991: past 2^53 - 1, a JavaScript number cannot hold every integer exactly".to_owned());
                            if out.stop() { return; }
                        }
                        else {
                            if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from(0i64)) == Some(::std::cmp::Ordering::Less) {
                                out.report(p1, "Settings.json#/definitions/limits/additionalProperties/minimum", "minimum", || "must be greater than or equal to 0".to_owned());
                                if out.stop() { return; }
                            }
                        }
                    }
                }
            }
        }
        if seen != 3u64 {
            if seen & (1 << 0) == 0 {
                out.report(p0, "Settings.json#/definitions/limits/required", "required", || "missing required property \"max\"".to_owned());
                if out.stop() { return; }
            }
            if seen & (1 << 1) == 0 {
                out.report(p0, "Settings.json#/definitions/limits/required", "required", || "missing required property \"extra\"".to_owned());
                if out.stop() { return; }
            }
        }
    }
}

