use crate::validator_runtime::{CollectAll, CollectUpTo, Path, Sink, StopAtFirst, Violation};
use ::serde_json::Value;

/// The name of every type that has a validator, sorted.
pub const TYPE_NAMES: &[&str] = &["Rules", "Tags"];

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
    Validator { type_name: "Rules", validate: validate_rules, is_valid: is_valid_rules },
    Validator { type_name: "Tags", validate: validate_tags, is_valid: is_valid_tags },
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

/// Validates a `Rules`, reporting every violation.
///
/// The validation-only keywords: allOf, anyOf, not, if/then/else, exclusive bounds, multipleOf, tuples with additionalItems, contains, property counts and names, patternProperties, additionalProperties as a schema, dependencies.
pub fn validate_rules(value: &Value) -> Result<(), Vec<Violation>> {
    let mut out = CollectAll::default();
    f0(value, &Path::Root, &mut out);
    out.into_result()
}

/// Whether `value` is a valid `Rules` (stops at the first violation).
pub fn is_valid_rules(value: &Value) -> bool {
    let mut out = StopAtFirst::default();
    f0(value, &Path::Root, &mut out);
    !out.failed()
}

/// The first `limit` violations of a `Rules` (empty when valid); validation stops once it has them.
pub fn validate_rules_at_most(value: &Value, limit: usize) -> Vec<Violation> {
    let mut out = CollectUpTo::new(limit);
    f0(value, &Path::Root, &mut out);
    out.into_violations()
}

/// Validates a `Tags`, reporting every violation.
///
/// patternProperties beside declared properties and `additionalProperties: false`.
pub fn validate_tags(value: &Value) -> Result<(), Vec<Violation>> {
    let mut out = CollectAll::default();
    f1(value, &Path::Root, &mut out);
    out.into_result()
}

/// Whether `value` is a valid `Tags` (stops at the first violation).
pub fn is_valid_tags(value: &Value) -> bool {
    let mut out = StopAtFirst::default();
    f1(value, &Path::Root, &mut out);
    !out.failed()
}

/// The first `limit` violations of a `Tags` (empty when valid); validation stops once it has them.
pub fn validate_tags_at_most(value: &Value, limit: usize) -> Vec<Violation> {
    let mut out = CollectUpTo::new(limit);
    f1(value, &Path::Root, &mut out);
    out.into_violations()
}

/// `Rules.json#`
#[allow(unused_variables, clippy::all)]
fn f0<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.is_object()) {
        out.report(p0, "Rules.json#/type", "type", || "must be object".to_owned());
        if out.stop() { return; }
    }
    if let Some(map) = v0.as_object() {
        if map.len() < 1 {
            out.report(p0, "Rules.json#/minProperties", "minProperties", || "must have at least 1 property".to_owned());
            if out.stop() { return; }
        }
        if map.len() > 7 {
            out.report(p0, "Rules.json#/maxProperties", "maxProperties", || "must have at most 7 properties".to_owned());
            if out.stop() { return; }
        }
        for key in map.keys() {
            let p1 = &Path::Key(p0, key);
            let name = Value::String(key.clone());
            f0_5_0(&name, p1, out);
            if out.stop() { return; }
        }
        for (key, v1) in map {
            let p1 = &Path::Key(p0, key);
            let mut matched = false;
            match key.as_str() {
                "both" => {
                    matched = true;
                    f0_0_0(v1, p1, out);
                    if out.stop() { return; }
                    f0_0_1(v1, p1, out);
                    if out.stop() { return; }
                }
                "count" => {
                    matched = true;
                    if !(v1.is_number()) {
                        out.report(p1, "Rules.json#/properties/count/type", "type", || "must be number".to_owned());
                        if out.stop() { return; }
                    }
                    if let Some(n) = v1.as_number() {
                        if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from(0i64)) != Some(::std::cmp::Ordering::Greater) {
                            out.report(p1, "Rules.json#/properties/count/exclusiveMinimum", "exclusiveMinimum", || "must be greater than 0".to_owned());
                            if out.stop() { return; }
                        }
                        if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from(100i64)) != Some(::std::cmp::Ordering::Less) {
                            out.report(p1, "Rules.json#/properties/count/exclusiveMaximum", "exclusiveMaximum", || "must be less than 100".to_owned());
                            if out.stop() { return; }
                        }
                        if { let q = n.as_f64().unwrap_or(f64::NAN) / 0.5f64; !(q.is_finite() && (q - q.round()).abs() <= f64::EPSILON * q.abs().max(1.0)) } {
                            out.report(p1, "Rules.json#/properties/count/multipleOf", "multipleOf", || "must be a multiple of 0.5".to_owned());
                            if out.stop() { return; }
                        }
                    }
                }
                "either" => {
                    matched = true;
                    {
                        let mut any = false;
                        if !any {
                            let mut sub = StopAtFirst::default(); f0_1_0(v1, p1, &mut sub); any = !sub.failed();
                        }
                        if !any {
                            let mut sub = StopAtFirst::default(); f0_1_1(v1, p1, &mut sub); any = !sub.failed();
                        }
                        if !any {
                            out.report(p1, "Rules.json#/properties/either/anyOf", "anyOf", || "must match at least one schema in anyOf".to_owned());
                            if out.stop() { return; }
                        }
                    }
                }
                "never" => {
                    matched = true;
                    {
                        let mut sub = StopAtFirst::default(); f0_2_0(v1, p1, &mut sub);
                        if !sub.failed() {
                            out.report(p1, "Rules.json#/properties/never/not", "not", || "must not match the schema in not".to_owned());
                            if out.stop() { return; }
                        }
                    }
                }
                "pair" => {
                    matched = true;
                    if !(v1.is_array()) {
                        out.report(p1, "Rules.json#/properties/pair/type", "type", || "must be array".to_owned());
                        if out.stop() { return; }
                    }
                    if let Some(items) = v1.as_array() {
                        if let Some(v2) = items.get(0) {
                            let p2 = &Path::Index(p1, 0);
                            if !(v2.is_string()) {
                                out.report(p2, "Rules.json#/properties/pair/items/0/type", "type", || "must be string".to_owned());
                                if out.stop() { return; }
                            }
                        }
                        if let Some(v2) = items.get(1) {
                            let p2 = &Path::Index(p1, 1);
                            if !(v2.as_number().is_some_and(crate::validator_runtime::is_integer)) {
                                out.report(p2, "Rules.json#/properties/pair/items/1/type", "type", || "must be integer".to_owned());
                                if out.stop() { return; }
                            }
                            if let Some(n) = v2.as_number() {
                                if !crate::validator_runtime::is_exact(n) {
                                    out.report(p2, "Rules.json#/properties/pair/items/1/type", "type", || "must be from -9007199254740991 to 9007199254740991: past 2^53 - 1, a JavaScript number cannot hold every integer exactly".to_owned());
                                    if out.stop() { return; }
                                }
                            }
                        }
                        if items.len() > 2 {
                            out.report(p1, "Rules.json#/properties/pair/additionalItems", "additionalItems", || "must have at most 2 items".to_owned());
                            if out.stop() { return; }
                        }
                        if !items.iter().enumerate().any(|(i, item)| { let mut sub = StopAtFirst::default(); f0_3_0(item, &Path::Index(p1, i), &mut sub); !sub.failed() }) {
                            out.report(p1, "Rules.json#/properties/pair/contains", "contains", || "must contain at least one item that matches the contains schema".to_owned());
                            if out.stop() { return; }
                        }
                    }
                }
                "rest" => {
                    matched = true;
                    if let Some(items) = v1.as_array() {
                        if let Some(v2) = items.get(0) {
                            let p2 = &Path::Index(p1, 0);
                            if v2.as_str() != Some("head") {
                                out.report(p2, "Rules.json#/properties/rest/items/0/const", "const", || "must be \"head\"".to_owned());
                                if out.stop() { return; }
                            }
                        }
                        for (i, v2) in items.iter().enumerate().skip(1) {
                            let p2 = &Path::Index(p1, i);
                            if !(v2.is_boolean()) {
                                out.report(p2, "Rules.json#/properties/rest/additionalItems/type", "type", || "must be boolean".to_owned());
                                if out.stop() { return; }
                            }
                        }
                    }
                }
                "shape" => {
                    matched = true;
                    {
                        let mut sub = StopAtFirst::default(); f0_4_0(v1, p1, &mut sub);
                        if !sub.failed() {
                            f0_4_1(v1, p1, out);
                            if out.stop() { return; }
                        } else {
                            f0_4_2(v1, p1, out);
                            if out.stop() { return; }
                        }
                    }
                }
                _ => {}
            }
            let s = key.as_str();
            if STATIC_0.is_match(s) {
                matched = true;
                if !(v1.is_string()) {
                    out.report(p1, "Rules.json#/patternProperties/^x-/type", "type", || "must be string".to_owned());
                    if out.stop() { return; }
                }
            }
            let s = key.as_str();
            if STATIC_1.is_match(s) {
                matched = true;
                if let Some(s) = v1.as_str() {
                    if !crate::validator_runtime::has_max_chars(s, 3) {
                        out.report(p1, "Rules.json#/patternProperties/^x-n/maxLength", "maxLength", || "must be at most 3 characters long".to_owned());
                        if out.stop() { return; }
                    }
                }
            }
            if !matched {
                if !(v1.as_number().is_some_and(crate::validator_runtime::is_integer)) {
                    out.report(p1, "Rules.json#/additionalProperties/type", "type", || "must be integer".to_owned());
                    if out.stop() { return; }
                }
                if let Some(n) = v1.as_number() {
                    if !crate::validator_runtime::is_exact(n) {
                        out.report(p1, "Rules.json#/additionalProperties/type", "type", || "must be from -9007199254740991 to 9007199254740991: past 2^53 - 1, a JavaScript number cannot hold every integer exactly".to_owned());
                        if out.stop() { return; }
                    }
                }
            }
        }
        if !map.contains_key("count") {
            out.report(p0, "Rules.json#/required", "required", || "missing required property \"count\"".to_owned());
            if out.stop() { return; }
        }
        if map.contains_key("never") {
            f0_6_0(v0, p0, out);
            if out.stop() { return; }
        }
        if map.contains_key("pair") {
            if !map.contains_key("count") {
                out.report(p0, "Rules.json#/dependencies/pair", "dependencies", || "missing property \"count\" (required when \"pair\" is present)".to_owned());
                if out.stop() { return; }
            }
            if !map.contains_key("rest") {
                out.report(p0, "Rules.json#/dependencies/pair", "dependencies", || "missing property \"rest\" (required when \"pair\" is present)".to_owned());
                if out.stop() { return; }
            }
        }
    }
}

/// `Rules.json#/properties/both/allOf/0`
#[allow(unused_variables, clippy::all)]
fn f0_0_0<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if let Some(n) = v0.as_number() {
        if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from(1i64)) == Some(::std::cmp::Ordering::Less) {
            out.report(p0, "Rules.json#/properties/both/allOf/0/minimum", "minimum", || "must be greater than or equal to 1".to_owned());
            if out.stop() { return; }
        }
    }
}

/// `Rules.json#/properties/both/allOf/1`
#[allow(unused_variables, clippy::all)]
fn f0_0_1<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if let Some(n) = v0.as_number() {
        if { let q = n.as_f64().unwrap_or(f64::NAN) / 3.0f64; !(q.is_finite() && (q - q.round()).abs() <= f64::EPSILON * q.abs().max(1.0)) } {
            out.report(p0, "Rules.json#/properties/both/allOf/1/multipleOf", "multipleOf", || "must be a multiple of 3".to_owned());
            if out.stop() { return; }
        }
    }
}

/// `Rules.json#/properties/either/anyOf/0`
#[allow(unused_variables, clippy::all)]
fn f0_1_0<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.is_string()) {
        out.report(p0, "Rules.json#/properties/either/anyOf/0/type", "type", || "must be string".to_owned());
        if out.stop() { return; }
    }
    if let Some(s) = v0.as_str() {
        if !crate::validator_runtime::has_min_chars(s, 2) {
            out.report(p0, "Rules.json#/properties/either/anyOf/0/minLength", "minLength", || "must be at least 2 characters long".to_owned());
            if out.stop() { return; }
        }
    }
}

/// `Rules.json#/properties/either/anyOf/1`
#[allow(unused_variables, clippy::all)]
fn f0_1_1<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.as_number().is_some_and(crate::validator_runtime::is_integer)) {
        out.report(p0, "Rules.json#/properties/either/anyOf/1/type", "type", || "must be integer".to_owned());
        if out.stop() { return; }
    }
    if let Some(n) = v0.as_number() {
        if !crate::validator_runtime::is_exact(n) {
            out.report(p0, "Rules.json#/properties/either/anyOf/1/type", "type", || "must be from -9007199254740991 to 9007199254740991: past 2^53 - 1, a JavaScript number cannot hold every integer exactly".to_owned());
            if out.stop() { return; }
        }
        else {
            if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from(10i64)) == Some(::std::cmp::Ordering::Less) {
                out.report(p0, "Rules.json#/properties/either/anyOf/1/minimum", "minimum", || "must be greater than or equal to 10".to_owned());
                if out.stop() { return; }
            }
        }
    }
}

/// `Rules.json#/properties/never/not`
#[allow(unused_variables, clippy::all)]
fn f0_2_0<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.is_string() || v0.is_null()) {
        out.report(p0, "Rules.json#/properties/never/not/type", "type", || "must be string or null".to_owned());
        if out.stop() { return; }
    }
}

/// `Rules.json#/properties/pair/contains`
#[allow(unused_variables, clippy::all)]
fn f0_3_0<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.as_number().is_some_and(crate::validator_runtime::is_integer)) {
        out.report(p0, "Rules.json#/properties/pair/contains/type", "type", || "must be integer".to_owned());
        if out.stop() { return; }
    }
    if let Some(n) = v0.as_number() {
        if !crate::validator_runtime::is_exact(n) {
            out.report(p0, "Rules.json#/properties/pair/contains/type", "type", || "must be from -9007199254740991 to 9007199254740991: past 2^53 - 1, a JavaScript number cannot hold every integer exactly".to_owned());
            if out.stop() { return; }
        }
    }
}

/// `Rules.json#/properties/shape/if`
#[allow(unused_variables, clippy::all)]
fn f0_4_0<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if let Some(map) = v0.as_object() {
        if !map.contains_key("radius") {
            out.report(p0, "Rules.json#/properties/shape/if/required", "required", || "missing required property \"radius\"".to_owned());
            if out.stop() { return; }
        }
    }
}

/// `Rules.json#/properties/shape/then`
#[allow(unused_variables, clippy::all)]
fn f0_4_1<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if let Some(map) = v0.as_object() {
        if !map.contains_key("center") {
            out.report(p0, "Rules.json#/properties/shape/then/required", "required", || "missing required property \"center\"".to_owned());
            if out.stop() { return; }
        }
    }
}

/// `Rules.json#/properties/shape/else`
#[allow(unused_variables, clippy::all)]
fn f0_4_2<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if let Some(map) = v0.as_object() {
        if !map.contains_key("width") {
            out.report(p0, "Rules.json#/properties/shape/else/required", "required", || "missing required property \"width\"".to_owned());
            if out.stop() { return; }
        }
        if !map.contains_key("height") {
            out.report(p0, "Rules.json#/properties/shape/else/required", "required", || "missing required property \"height\"".to_owned());
            if out.stop() { return; }
        }
    }
}

/// `Rules.json#/propertyNames`
#[allow(unused_variables, clippy::all)]
fn f0_5_0<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if let Some(s) = v0.as_str() {
        if !crate::validator_runtime::has_max_chars(s, 8) {
            out.report(p0, "Rules.json#/propertyNames/maxLength", "maxLength", || "must be at most 8 characters long".to_owned());
            if out.stop() { return; }
        }
    }
}

/// `Rules.json#/dependencies/never`
#[allow(unused_variables, clippy::all)]
fn f0_6_0<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if let Some(map) = v0.as_object() {
        if !map.contains_key("both") {
            out.report(p0, "Rules.json#/dependencies/never/required", "required", || "missing required property \"both\"".to_owned());
            if out.stop() { return; }
        }
    }
}

/// `Tags.json#`
#[allow(unused_variables, clippy::all)]
fn f1<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.is_object()) {
        out.report(p0, "Tags.json#/type", "type", || "must be object".to_owned());
        if out.stop() { return; }
    }
    if let Some(map) = v0.as_object() {
        for (key, v1) in map {
            let p1 = &Path::Key(p0, key);
            let mut matched = false;
            match key.as_str() {
                "ID" => {
                    matched = true;
                    if !(v1.is_string()) {
                        out.report(p1, "Tags.json#/properties/ID/type", "type", || "must be string".to_owned());
                        if out.stop() { return; }
                    }
                }
                _ => {}
            }
            let s = key.as_str();
            if STATIC_2.is_match(s) {
                matched = true;
                if !(v1.as_number().is_some_and(crate::validator_runtime::is_integer)) {
                    out.report(p1, "Tags.json#/patternProperties/^[a-z]+$/type", "type", || "must be integer".to_owned());
                    if out.stop() { return; }
                }
                if let Some(n) = v1.as_number() {
                    if !crate::validator_runtime::is_exact(n) {
                        out.report(p1, "Tags.json#/patternProperties/^[a-z]+$/type", "type", || "must be from -9007199254740991 to 9007199254740991: past 2^53 - 1, a JavaScript number cannot hold every integer exactly".to_owned());
                        if out.stop() { return; }
                    }
                }
            }
            if !matched {
                out.report(p1, "Tags.json#/additionalProperties", "additionalProperties", || format!("{}{}", "unknown property ", crate::validator_runtime::json_string(key)));
                if out.stop() { return; }
            }
        }
        if !map.contains_key("ID") {
            out.report(p0, "Tags.json#/required", "required", || "missing required property \"ID\"".to_owned());
            if out.stop() { return; }
        }
    }
}


static STATIC_0: ::std::sync::LazyLock<::regex::Regex> = ::std::sync::LazyLock::new(|| ::regex::Regex::new("^x-").expect("pattern checked by the generator"));
static STATIC_1: ::std::sync::LazyLock<::regex::Regex> = ::std::sync::LazyLock::new(|| ::regex::Regex::new("^x-n").expect("pattern checked by the generator"));
static STATIC_2: ::std::sync::LazyLock<::regex::Regex> = ::std::sync::LazyLock::new(|| ::regex::Regex::new("^[a-z]+$").expect("pattern checked by the generator"));
