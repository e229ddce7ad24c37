use crate::validator_runtime::{CollectAll, CollectUpTo, Path, Sink, StopAtFirst, Violation};
use ::serde_json::Value;

/// The name of every type that has a validator, sorted.
pub const TYPE_NAMES: &[&str] = &["Shape"];

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
    Validator { type_name: "Shape", validate: validate_shape, is_valid: is_valid_shape },
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

/// Validates a `Shape`, reporting every violation.
///
/// oneOf three ways: discriminated by a tag, nullable, and counted; and recursion through `$ref`.
pub fn validate_shape(value: &Value) -> Result<(), Vec<Violation>> {
    let mut out = CollectAll::default();
    f0(value, &Path::Root, &mut out);
    out.into_result()
}

/// Whether `value` is a valid `Shape` (stops at the first violation).
pub fn is_valid_shape(value: &Value) -> bool {
    let mut out = StopAtFirst::default();
    f0(value, &Path::Root, &mut out);
    !out.failed()
}

/// The first `limit` violations of a `Shape` (empty when valid); validation stops once it has them.
pub fn validate_shape_at_most(value: &Value, limit: usize) -> Vec<Violation> {
    let mut out = CollectUpTo::new(limit);
    f0(value, &Path::Root, &mut out);
    out.into_violations()
}

/// `Shape.json#`
#[allow(unused_variables, clippy::all)]
fn f0<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.is_object()) {
        out.report(p0, "Shape.json#/type", "type", || "must be object".to_owned());
        if out.stop() { return; }
    }
    match v0.as_object().and_then(|m| crate::validator_runtime::member(m, b"kind")).and_then(Value::as_str) {
        Some("circle") => {
            f0_0_0(v0, p0, out);
            if out.stop() { return; }
        }
        Some("group") => {
            f0_0_1(v0, p0, out);
            if out.stop() { return; }
        }
        _ => {
            out.report(p0, "Shape.json#/oneOf", "oneOf", || "must be an object whose \"kind\" is one of \"circle\", \"group\"".to_owned());
            if out.stop() { return; }
        }
    }
}

/// `Shape.json#/oneOf/0`
#[allow(unused_variables, clippy::all)]
fn f0_0_0<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.is_object()) {
        out.report(p0, "Shape.json#/oneOf/0/type", "type", || "must be object".to_owned());
        if out.stop() { return; }
    }
    if let Some(map) = v0.as_object() {
        let mut seen = 0u64;
        for (key, v1) in map {
            let p1 = &Path::Key(p0, key);
            match key.as_str() {
                "kind" => {
                    seen |= 1 << 0;
                    if v1.as_str() != Some("circle") {
                        out.report(p1, "Shape.json#/oneOf/0/properties/kind/const", "const", || "must be \"circle\"".to_owned());
                        if out.stop() { return; }
                    }
                }
                "r" => {
                    seen |= 1 << 1;
                    if !(v1.is_number()) {
                        out.report(p1, "Shape.json#/oneOf/0/properties/r/type", "type", || "must be number".to_owned());
                        if out.stop() { return; }
                    }
                    if let Some(n) = v1.as_number() {
                        if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from(0i64)) == Some(::std::cmp::Ordering::Less) {
                            out.report(p1, "Shape.json#/oneOf/0/properties/r/minimum", "minimum", || "must be greater than or equal to 0".to_owned());
                            if out.stop() { return; }
                        }
                    }
                }
                _ => {
                    out.report(p1, "Shape.json#/oneOf/0/additionalProperties", "additionalProperties", || format!("{}{}", "unknown property ", crate::validator_runtime::json_string(key)));
                    if out.stop() { return; }
                }
            }
        }
        if seen != 3u64 {
            if seen & (1 << 0) == 0 {
                out.report(p0, "Shape.json#/oneOf/0/required", "required", || "missing required property \"kind\"".to_owned());
                if out.stop() { return; }
            }
            if seen & (1 << 1) == 0 {
                out.report(p0, "Shape.json#/oneOf/0/required", "required", || "missing required property \"r\"".to_owned());
                if out.stop() { return; }
            }
        }
    }
}

/// `Shape.json#/oneOf/1`
#[allow(unused_variables, clippy::all)]
fn f0_0_1<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.is_object()) {
        out.report(p0, "Shape.json#/oneOf/1/type", "type", || "must be object".to_owned());
        if out.stop() { return; }
    }
    if let Some(map) = v0.as_object() {
        let mut seen = 0u64;
        for (key, v1) in map {
            let p1 = &Path::Key(p0, key);
            match key.as_str() {
                "children" => {
                    if !(v1.is_array()) {
                        out.report(p1, "Shape.json#/oneOf/1/properties/children/type", "type", || "must be array".to_owned());
                        if out.stop() { return; }
                    }
                    if let Some(items) = v1.as_array() {
                        for (i, v2) in items.iter().enumerate() {
                            let p2 = &Path::Index(p1, i);
                            f0(v2, p2, out);
                            if out.stop() { return; }
                        }
                    }
                }
                "kind" => {
                    seen |= 1 << 0;
                    if v1.as_str() != Some("group") {
                        out.report(p1, "Shape.json#/oneOf/1/properties/kind/const", "const", || "must be \"group\"".to_owned());
                        if out.stop() { return; }
                    }
                }
                "label" => {
                    if v1.is_null() {
                        let mut sub = StopAtFirst::default(); f0_0_1_0_0(v1, p1, &mut sub);
                        if !sub.failed() {
                            out.report(p1, "Shape.json#/oneOf/1/properties/label/oneOf", "oneOf", || "must match exactly one schema in oneOf, but matched 2".to_owned());
                            if out.stop() { return; }
                        }
                    } else {
                        f0_0_1_0_0(v1, p1, out);
                        if out.stop() { return; }
                    }
                }
                "size" => {
                    {
                        let mut matched = 0usize;
                        let mut sub = StopAtFirst::default(); f0_0_1_1_0(v1, p1, &mut sub); if !sub.failed() { matched += 1; }
                        let mut sub = StopAtFirst::default(); f0_0_1_1_1(v1, p1, &mut sub); if !sub.failed() { matched += 1; }
                        if matched != 1 {
                            out.report(p1, "Shape.json#/oneOf/1/properties/size/oneOf", "oneOf", || format!("{}{}", "must match exactly one schema in oneOf, but matched ", matched));
                            if out.stop() { return; }
                        }
                    }
                }
                _ => {
                    out.report(p1, "Shape.json#/oneOf/1/additionalProperties", "additionalProperties", || format!("{}{}", "unknown property ", crate::validator_runtime::json_string(key)));
                    if out.stop() { return; }
                }
            }
        }
        if seen != 1u64 {
            if seen & (1 << 0) == 0 {
                out.report(p0, "Shape.json#/oneOf/1/required", "required", || "missing required property \"kind\"".to_owned());
                if out.stop() { return; }
            }
        }
    }
}

/// `Shape.json#/oneOf/1/properties/label/oneOf/0`
#[allow(unused_variables, clippy::all)]
fn f0_0_1_0_0<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.is_string()) {
        out.report(p0, "Shape.json#/oneOf/1/properties/label/oneOf/0/type", "type", || "must be string".to_owned());
        if out.stop() { return; }
    }
    if let Some(s) = v0.as_str() {
        if !crate::validator_runtime::has_max_chars(s, 3) {
            out.report(p0, "Shape.json#/oneOf/1/properties/label/oneOf/0/maxLength", "maxLength", || "must be at most 3 characters long".to_owned());
            if out.stop() { return; }
        }
    }
}

/// `Shape.json#/oneOf/1/properties/size/oneOf/0`
#[allow(unused_variables, clippy::all)]
fn f0_0_1_1_0<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.as_number().is_some_and(crate::validator_runtime::is_integer)) {
        out.report(p0, "Shape.json#/oneOf/1/properties/size/oneOf/0/type", "type", || "must be integer".to_owned());
        if out.stop() { return; }
    }
    if let Some(n) = v0.as_number() {
        if !crate::validator_runtime::is_exact(n) {
            out.report(p0, "Shape.json#/oneOf/1/properties/size/oneOf/0/type", "type", || "must be from -9007199254740991 to 9007199254740991: past 2^53 - 1, a JavaScript number cannot hold every integer exactly".to_owned());
            if out.stop() { return; }
        }
    }
}

/// `Shape.json#/oneOf/1/properties/size/oneOf/1`
#[allow(unused_variables, clippy::all)]
fn f0_0_1_1_1<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.is_number()) {
        out.report(p0, "Shape.json#/oneOf/1/properties/size/oneOf/1/type", "type", || "must be number".to_owned());
        if out.stop() { return; }
    }
    if let Some(n) = v0.as_number() {
        if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from(10i64)) == Some(::std::cmp::Ordering::Less) {
            out.report(p0, "Shape.json#/oneOf/1/properties/size/oneOf/1/minimum", "minimum", || "must be greater than or equal to 10".to_owned());
            if out.stop() { return; }
        }
    }
}

