use crate::validator_runtime::{CollectAll, CollectUpTo, Path, Sink, StopAtFirst, Violation};
use ::serde_json::Value;

/// The name of every type that has a validator, sorted.
pub const TYPE_NAMES: &[&str] = &["Bag", "Matrix"];

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
    Validator { type_name: "Bag", validate: validate_bag, is_valid: is_valid_bag },
    Validator { type_name: "Matrix", validate: validate_matrix, is_valid: is_valid_matrix },
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

/// Validates a `Bag`, reporting every violation.
///
/// uniqueItems over many items of every kind (enough that the validators hash instead of comparing every pair).
pub fn validate_bag(value: &Value) -> Result<(), Vec<Violation>> {
    let mut out = CollectAll::default();
    f0(value, &Path::Root, &mut out);
    out.into_result()
}

/// Whether `value` is a valid `Bag` (stops at the first violation).
pub fn is_valid_bag(value: &Value) -> bool {
    let mut out = StopAtFirst::default();
    f0(value, &Path::Root, &mut out);
    !out.failed()
}

/// The first `limit` violations of a `Bag` (empty when valid); validation stops once it has them.
pub fn validate_bag_at_most(value: &Value, limit: usize) -> Vec<Violation> {
    let mut out = CollectUpTo::new(limit);
    f0(value, &Path::Root, &mut out);
    out.into_violations()
}

/// Validates a `Matrix`, reporting every violation.
///
/// Arrays: rows checked item by item, each a tuple; lengths; unique items that are themselves arrays.
pub fn validate_matrix(value: &Value) -> Result<(), Vec<Violation>> {
    let mut out = CollectAll::default();
    f1(value, &Path::Root, &mut out);
    out.into_result()
}

/// Whether `value` is a valid `Matrix` (stops at the first violation).
pub fn is_valid_matrix(value: &Value) -> bool {
    let mut out = StopAtFirst::default();
    f1(value, &Path::Root, &mut out);
    !out.failed()
}

/// The first `limit` violations of a `Matrix` (empty when valid); validation stops once it has them.
pub fn validate_matrix_at_most(value: &Value, limit: usize) -> Vec<Violation> {
    let mut out = CollectUpTo::new(limit);
    f1(value, &Path::Root, &mut out);
    out.into_violations()
}

/// `Bag.json#`
#[allow(unused_variables, clippy::all)]
fn f0<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.is_array()) {
        out.report(p0, "Bag.json#/type", "type", || "must be array".to_owned());
        if out.stop() { return; }
    }
    if let Some(items) = v0.as_array() {
        if !crate::validator_runtime::all_unique(items) {
            out.report(p0, "Bag.json#/uniqueItems", "uniqueItems", || "must not contain duplicate items".to_owned());
            if out.stop() { return; }
        }
    }
}

/// `Matrix.json#`
#[allow(unused_variables, clippy::all)]
fn f1<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.is_array()) {
        out.report(p0, "Matrix.json#/type", "type", || "must be array".to_owned());
        if out.stop() { return; }
    }
    if let Some(items) = v0.as_array() {
        if items.len() < 1 {
            out.report(p0, "Matrix.json#/minItems", "minItems", || "must have at least 1 item".to_owned());
            if out.stop() { return; }
        }
        if items.len() > 3 {
            out.report(p0, "Matrix.json#/maxItems", "maxItems", || "must have at most 3 items".to_owned());
            if out.stop() { return; }
        }
        if !crate::validator_runtime::all_unique(items) {
            out.report(p0, "Matrix.json#/uniqueItems", "uniqueItems", || "must not contain duplicate items".to_owned());
            if out.stop() { return; }
        }
        for (i, v1) in items.iter().enumerate() {
            let p1 = &Path::Index(p0, i);
            f2(v1, p1, out);
            if out.stop() { return; }
        }
    }
}

/// `Matrix.json#/definitions/row`
#[allow(unused_variables, clippy::all)]
fn f2<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.is_array()) {
        out.report(p0, "Matrix.json#/definitions/row/type", "type", || "must be array".to_owned());
        if out.stop() { return; }
    }
    if let Some(items) = v0.as_array() {
        if items.len() < 2 {
            out.report(p0, "Matrix.json#/definitions/row/minItems", "minItems", || "must have at least 2 items".to_owned());
            if out.stop() { return; }
        }
        if let Some(v1) = items.get(0) {
            let p1 = &Path::Index(p0, 0);
            if !(v1.is_string()) {
                out.report(p1, "Matrix.json#/definitions/row/items/0/type", "type", || "must be string".to_owned());
                if out.stop() { return; }
            }
            if !matches!(v1.as_str(), Some("a" | "b")) {
                out.report(p1, "Matrix.json#/definitions/row/items/0/enum", "enum", || "must be one of \"a\", \"b\"".to_owned());
                if out.stop() { return; }
            }
        }
        if let Some(v1) = items.get(1) {
            let p1 = &Path::Index(p0, 1);
            if !(v1.is_number()) {
                out.report(p1, "Matrix.json#/definitions/row/items/1/type", "type", || "must be number".to_owned());
                if out.stop() { return; }
            }
            if let Some(n) = v1.as_number() {
                if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from_f64(0.5f64).expect("finite")) == Some(::std::cmp::Ordering::Less) {
                    out.report(p1, "Matrix.json#/definitions/row/items/1/minimum", "minimum", || "must be greater than or equal to 0.5".to_owned());
                    if out.stop() { return; }
                }
                if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from_f64(1000.0f64).expect("finite")) == Some(::std::cmp::Ordering::Greater) {
                    out.report(p1, "Matrix.json#/definitions/row/items/1/maximum", "maximum", || "must be less than or equal to 1000.0".to_owned());
                    if out.stop() { return; }
                }
            }
        }
        if let Some(v1) = items.get(2) {
            let p1 = &Path::Index(p0, 2);
            if !(v1.is_object()) {
                out.report(p1, "Matrix.json#/definitions/row/items/2/type", "type", || "must be object".to_owned());
                if out.stop() { return; }
            }
            if let Some(map) = v1.as_object() {
                if let Some(v2) = map.get("x") {
                    let p2 = &Path::Key(p1, "x");
                    if !crate::validator_runtime::json_equal(v2, &STATIC_0) {
                        out.report(p2, "Matrix.json#/definitions/row/items/2/properties/x/const", "const", || "must be [1,{\"y\":null}]".to_owned());
                        if out.stop() { return; }
                    }
                }
            }
        }
    }
}


static STATIC_0: ::std::sync::LazyLock<Value> = ::std::sync::LazyLock::new(|| ::serde_json::from_str("[1,{\"y\":null}]").expect("literal checked by the generator"));
