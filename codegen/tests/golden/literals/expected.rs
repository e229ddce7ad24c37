use crate::validator_runtime::{CollectAll, CollectUpTo, Path, Sink, StopAtFirst, Violation};
use ::serde_json::Value;

/// The name of every type that has a validator, sorted.
pub const TYPE_NAMES: &[&str] = &["Literal"];

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
    Validator { type_name: "Literal", validate: validate_literal, is_valid: is_valid_literal },
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

/// Validates a `Literal`, reporting every violation.
///
/// Literals: type unions, enums of mixed values and one long enough to be a set, consts of every kind, number bounds.
pub fn validate_literal(value: &Value) -> Result<(), Vec<Violation>> {
    let mut out = CollectAll::default();
    f0(value, &Path::Root, &mut out);
    out.into_result()
}

/// Whether `value` is a valid `Literal` (stops at the first violation).
pub fn is_valid_literal(value: &Value) -> bool {
    let mut out = StopAtFirst::default();
    f0(value, &Path::Root, &mut out);
    !out.failed()
}

/// The first `limit` violations of a `Literal` (empty when valid); validation stops once it has them.
pub fn validate_literal_at_most(value: &Value, limit: usize) -> Vec<Violation> {
    let mut out = CollectUpTo::new(limit);
    f0(value, &Path::Root, &mut out);
    out.into_violations()
}

/// `Literal.json#`
#[allow(unused_variables, clippy::all)]
fn f0<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.is_object()) {
        out.report(p0, "Literal.json#/type", "type", || "must be object".to_owned());
        if out.stop() { return; }
    }
    if let Some(map) = v0.as_object() {
        if let Some(v1) = map.get("flag") {
            let p1 = &Path::Key(p0, "flag");
            if !crate::validator_runtime::json_equal(v1, &STATIC_0) {
                out.report(p1, "Literal.json#/properties/flag/const", "const", || "must be false".to_owned());
                if out.stop() { return; }
            }
        }
        if let Some(v1) = map.get("long") {
            let p1 = &Path::Key(p0, "long");
            if !(v1.is_string()) {
                out.report(p1, "Literal.json#/properties/long/type", "type", || "must be string".to_owned());
                if out.stop() { return; }
            }
            if !matches!(v1.as_str(), Some("a" | "b" | "c" | "d" | "e" | "f" | "g" | "h" | "i")) {
                out.report(p1, "Literal.json#/properties/long/enum", "enum", || "must be one of \"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\", \"i\"".to_owned());
                if out.stop() { return; }
            }
        }
        if let Some(v1) = map.get("mixed") {
            let p1 = &Path::Key(p0, "mixed");
            if !(crate::validator_runtime::json_equal(v1, &STATIC_1) || crate::validator_runtime::json_equal(v1, &STATIC_2) || crate::validator_runtime::json_equal(v1, &STATIC_3) || crate::validator_runtime::json_equal(v1, &STATIC_4) || crate::validator_runtime::json_equal(v1, &STATIC_5) || crate::validator_runtime::json_equal(v1, &STATIC_6) || crate::validator_runtime::json_equal(v1, &STATIC_7)) {
                out.report(p1, "Literal.json#/properties/mixed/enum", "enum", || "must be one of null, true, 0, -1.5, \"x\", [1,2], {\"a\":[null]}".to_owned());
                if out.stop() { return; }
            }
        }
        if let Some(v1) = map.get("neg") {
            let p1 = &Path::Key(p0, "neg");
            if !(v1.is_number()) {
                out.report(p1, "Literal.json#/properties/neg/type", "type", || "must be number".to_owned());
                if out.stop() { return; }
            }
            if let Some(n) = v1.as_number() {
                if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from_f64(-0.001f64).expect("finite")) == Some(::std::cmp::Ordering::Less) {
                    out.report(p1, "Literal.json#/properties/neg/minimum", "minimum", || "must be greater than or equal to -0.001".to_owned());
                    if out.stop() { return; }
                }
                if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from_f64(1.5e300f64).expect("finite")) == Some(::std::cmp::Ordering::Greater) {
                    out.report(p1, "Literal.json#/properties/neg/maximum", "maximum", || "must be less than or equal to 1.5e+300".to_owned());
                    if out.stop() { return; }
                }
            }
        }
        if let Some(v1) = map.get("nothing") {
            let p1 = &Path::Key(p0, "nothing");
            out.report(p1, "Literal.json#/properties/nothing", "false", || "no value is allowed here".to_owned());
            if out.stop() { return; }
        }
        if let Some(v1) = map.get("obj") {
            let p1 = &Path::Key(p0, "obj");
            if !crate::validator_runtime::json_equal(v1, &STATIC_8) {
                out.report(p1, "Literal.json#/properties/obj/const", "const", || "must be {\"k\":[true,1.0]}".to_owned());
                if out.stop() { return; }
            }
        }
        if let Some(v1) = map.get("union") {
            let p1 = &Path::Key(p0, "union");
            if !(v1.as_number().is_some_and(crate::validator_runtime::is_integer) || v1.is_string() || v1.is_null()) {
                out.report(p1, "Literal.json#/properties/union/type", "type", || "must be integer or string or null".to_owned());
                if out.stop() { return; }
            }
            if let Some(s) = v1.as_str() {
                if !crate::validator_runtime::has_min_chars(s, 2) {
                    out.report(p1, "Literal.json#/properties/union/minLength", "minLength", || "must be at least 2 characters long".to_owned());
                    if out.stop() { return; }
                }
            }
            if let Some(n) = v1.as_number() {
                if !crate::validator_runtime::is_exact(n) {
                    out.report(p1, "Literal.json#/properties/union/type", "type", || "must be from -9007199254740991 to 9007199254740991: past 2^53 - 1, a JavaScript number cannot hold every integer exactly".to_owned());
                    if out.stop() { return; }
                }
                else {
                    if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from(-3i64)) == Some(::std::cmp::Ordering::Less) {
                        out.report(p1, "Literal.json#/properties/union/minimum", "minimum", || "must be greater than or equal to -3".to_owned());
                        if out.stop() { return; }
                    }
                }
            }
        }
        if let Some(v1) = map.get("widen") {
            let p1 = &Path::Key(p0, "widen");
            if !(v1.is_string()) {
                out.report(p1, "Literal.json#/properties/widen/type", "type", || "must be string".to_owned());
                if out.stop() { return; }
            }
            if !(crate::validator_runtime::json_equal(v1, &STATIC_9) || crate::validator_runtime::json_equal(v1, &STATIC_10) || crate::validator_runtime::json_equal(v1, &STATIC_1)) {
                out.report(p1, "Literal.json#/properties/widen/enum", "enum", || "must be one of \"s\", 1, null".to_owned());
                if out.stop() { return; }
            }
        }
    }
}


static STATIC_0: ::std::sync::LazyLock<Value> = ::std::sync::LazyLock::new(|| ::serde_json::from_str("false").expect("literal checked by the generator"));
static STATIC_1: ::std::sync::LazyLock<Value> = ::std::sync::LazyLock::new(|| ::serde_json::from_str("null").expect("literal checked by the generator"));
static STATIC_2: ::std::sync::LazyLock<Value> = ::std::sync::LazyLock::new(|| ::serde_json::from_str("true").expect("literal checked by the generator"));
static STATIC_3: ::std::sync::LazyLock<Value> = ::std::sync::LazyLock::new(|| ::serde_json::from_str("0").expect("literal checked by the generator"));
static STATIC_4: ::std::sync::LazyLock<Value> = ::std::sync::LazyLock::new(|| ::serde_json::from_str("-1.5").expect("literal checked by the generator"));
static STATIC_5: ::std::sync::LazyLock<Value> = ::std::sync::LazyLock::new(|| ::serde_json::from_str("\"x\"").expect("literal checked by the generator"));
static STATIC_6: ::std::sync::LazyLock<Value> = ::std::sync::LazyLock::new(|| ::serde_json::from_str("[1,2]").expect("literal checked by the generator"));
static STATIC_7: ::std::sync::LazyLock<Value> = ::std::sync::LazyLock::new(|| ::serde_json::from_str("{\"a\":[null]}").expect("literal checked by the generator"));
static STATIC_8: ::std::sync::LazyLock<Value> = ::std::sync::LazyLock::new(|| ::serde_json::from_str("{\"k\":[true,1.0]}").expect("literal checked by the generator"));
static STATIC_9: ::std::sync::LazyLock<Value> = ::std::sync::LazyLock::new(|| ::serde_json::from_str("\"s\"").expect("literal checked by the generator"));
static STATIC_10: ::std::sync::LazyLock<Value> = ::std::sync::LazyLock::new(|| ::serde_json::from_str("1").expect("literal checked by the generator"));
