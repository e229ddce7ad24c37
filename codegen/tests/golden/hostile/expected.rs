use crate::validator_runtime::{CollectAll, CollectUpTo, Path, Sink, StopAtFirst, Violation};
use ::serde_json::Value;

/// The name of every type that has a validator, sorted.
pub const TYPE_NAMES: &[&str] = &["Hostile"];

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
    Validator { type_name: "Hostile", validate: validate_hostile, is_valid: is_valid_hostile },
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

/// Validates a `Hostile`, reporting every violation.
///
/// Hostile text everywhere: a "quote", a back\slash, a comment end */ and /* start, line
pub fn validate_hostile(value: &Value) -> Result<(), Vec<Violation>> {
    let mut out = CollectAll::default();
    f0(value, &Path::Root, &mut out);
    out.into_result()
}

/// Whether `value` is a valid `Hostile` (stops at the first violation).
pub fn is_valid_hostile(value: &Value) -> bool {
    let mut out = StopAtFirst::default();
    f0(value, &Path::Root, &mut out);
    !out.failed()
}

/// The first `limit` violations of a `Hostile` (empty when valid); validation stops once it has them.
pub fn validate_hostile_at_most(value: &Value, limit: usize) -> Vec<Violation> {
    let mut out = CollectUpTo::new(limit);
    f0(value, &Path::Root, &mut out);
    out.into_violations()
}

/// `Hostile.json#`
#[allow(unused_variables, clippy::all)]
fn f0<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.is_object()) {
        out.report(p0, "Hostile.json#/type", "type", || "must be object".to_owned());
        if out.stop() { return; }
    }
    if let Some(map) = v0.as_object() {
        let mut seen = 0u64;
        for (key, v1) in map {
            let p1 = &Path::Key(p0, key);
            match key.as_str() {
                "" => {
                    if !(v1.as_number().is_some_and(crate::validator_runtime::is_integer)) {
                        out.report(p1, "Hostile.json#/properties//type", "type", || "must be integer".to_owned());
                        if out.stop() { return; }
                    }
                    if let Some(n) = v1.as_number() {
                        if !crate::validator_runtime::is_exact(n) {
                            out.report(p1, "Hostile.json#/properties//type", "type", || "must be from -9007199254740991 to 9007199254740991: past 2^53 - 1, a JavaScript number cannot hold every integer exactly".to_owned());
                            if out.stop() { return; }
                        }
                        else {
                            if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from(14i64)) == Some(::std::cmp::Ordering::Greater) {
                                out.report(p1, "Hostile.json#/properties//maximum", "maximum", || "must be less than or equal to 14".to_owned());
                                if out.stop() { return; }
                            }
                        }
                    }
                }
                "${x}" => {
                    if !(v1.is_string()) {
                        out.report(p1, "Hostile.json#/properties/${x}/type", "type", || "must be string".to_owned());
                        if out.stop() { return; }
                    }
                    if v1.as_str() != Some("${x}") {
                        out.report(p1, "Hostile.json#/properties/${x}/const", "const", || "must be \"${x}\"".to_owned());
                        if out.stop() { return; }
                    }
                }
                "*/ end" => {
                    if !(v1.as_number().is_some_and(crate::validator_runtime::is_integer)) {
                        out.report(p1, "Hostile.json#/properties/*~1 end/type", "type", || "must be integer".to_owned());
                        if out.stop() { return; }
                    }
                    if let Some(n) = v1.as_number() {
                        if !crate::validator_runtime::is_exact(n) {
                            out.report(p1, "Hostile.json#/properties/*~1 end/type", "type", || "must be from -9007199254740991 to 9007199254740991: past 2^53 - 1, a JavaScript number cannot hold every integer exactly".to_owned());
                            if out.stop() { return; }
                        }
                        else {
                            if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from(2i64)) == Some(::std::cmp::Ordering::Greater) {
                                out.report(p1, "Hostile.json#/properties/*~1 end/maximum", "maximum", || "must be less than or equal to 2".to_owned());
                                if out.stop() { return; }
                            }
                        }
                    }
                }
                "10" => {
                    if !(v1.is_string()) {
                        out.report(p1, "Hostile.json#/properties/10/type", "type", || "must be string".to_owned());
                        if out.stop() { return; }
                    }
                    if v1.as_str() != Some("10") {
                        out.report(p1, "Hostile.json#/properties/10/const", "const", || "must be \"10\"".to_owned());
                        if out.stop() { return; }
                    }
                }
                "9" => {
                    f1(v1, p1, out);
                    if out.stop() { return; }
                }
                "</script>" => {
                    if !(v1.as_number().is_some_and(crate::validator_runtime::is_integer)) {
                        out.report(p1, "Hostile.json#/properties/<~1script>/type", "type", || "must be integer".to_owned());
                        if out.stop() { return; }
                    }
                    if let Some(n) = v1.as_number() {
                        if !crate::validator_runtime::is_exact(n) {
                            out.report(p1, "Hostile.json#/properties/<~1script>/type", "type", || "must be from -9007199254740991 to 9007199254740991: past 2^53 - 1, a JavaScript number cannot hold every integer exactly".to_owned());
                            if out.stop() { return; }
                        }
                        else {
                            if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from(17i64)) == Some(::std::cmp::Ordering::Greater) {
                                out.report(p1, "Hostile.json#/properties/<~1script>/maximum", "maximum", || "must be less than or equal to 17".to_owned());
                                if out.stop() { return; }
                            }
                        }
                    }
                }
                "__proto__" => {
                    if !(v1.is_object()) {
                        out.report(p1, "Hostile.json#/properties/__proto__/type", "type", || "must be object".to_owned());
                        if out.stop() { return; }
                    }
                    if let Some(map) = v1.as_object() {
                        if let Some(v2) = map.get("*/") {
                            let p2 = &Path::Key(p1, "*/");
                            if v2.as_str() != Some("*/") {
                                out.report(p2, "Hostile.json#/properties/__proto__/properties/*~1/const", "const", || "must be \"*/\"".to_owned());
                                if out.stop() { return; }
                            }
                        }
                    }
                }
                "`tick`" => {
                    f1(v1, p1, out);
                    if out.stop() { return; }
                }
                "a/b~c" => {
                    if !(v1.is_string()) {
                        out.report(p1, "Hostile.json#/properties/a~1b~0c/type", "type", || "must be string".to_owned());
                        if out.stop() { return; }
                    }
                    if v1.as_str() != Some("a/b~c") {
                        out.report(p1, "Hostile.json#/properties/a~1b~0c/const", "const", || "must be \"a/b~c\"".to_owned());
                        if out.stop() { return; }
                    }
                }
                "back\\slash" => {
                    f1(v1, p1, out);
                    if out.stop() { return; }
                }
                "constructor" => {
                    if !(v1.is_string()) {
                        out.report(p1, "Hostile.json#/properties/constructor/type", "type", || "must be string".to_owned());
                        if out.stop() { return; }
                    }
                    if v1.as_str() != Some("constructor") {
                        out.report(p1, "Hostile.json#/properties/constructor/const", "const", || "must be \"constructor\"".to_owned());
                        if out.stop() { return; }
                    }
                }
                "cr\rx" => {
                    f1(v1, p1, out);
                    if out.stop() { return; }
                }
                "emoji \u{1f600}" => {
                    if !(v1.is_string()) {
                        out.report(p1, "Hostile.json#/properties/emoji \u{1f600}/type", "type", || "must be string".to_owned());
                        if out.stop() { return; }
                    }
                    if v1.as_str() != Some("emoji \u{1f600}") {
                        out.report(p1, "Hostile.json#/properties/emoji \u{1f600}/const", "const", || "must be \"emoji \u{1f600}\"".to_owned());
                        if out.stop() { return; }
                    }
                }
                "line\nbreak" => {
                    if !(v1.is_string()) {
                        out.report(p1, "Hostile.json#/properties/line\nbreak/type", "type", || "must be string".to_owned());
                        if out.stop() { return; }
                    }
                    if v1.as_str() != Some("line\nbreak") {
                        out.report(p1, "Hostile.json#/properties/line\nbreak/const", "const", || "must be \"line\\nbreak\"".to_owned());
                        if out.stop() { return; }
                    }
                }
                "long" => {
                    if !(v1.is_string()) {
                        out.report(p1, "Hostile.json#/properties/long/type", "type", || "must be string".to_owned());
                        if out.stop() { return; }
                    }
                    if !matches!(v1.as_str(), Some("\"" | "\\" | "*/" | "\n" | "\u{2028}" | "${a}" | "\0" | "`" | "\u{202e}" | "\u{1f600}" | "'" | "</script>")) {
                        out.report(p1, "Hostile.json#/properties/long/enum", "enum", || "must be one of \"\\\"\", \"\\\\\", \"*/\", \"\\n\", \"\u{2028}\", \"${a}\", \"\\u0000\", \"`\", \"\u{202e}\", \"\u{1f600}\", \"'\", \"</script>\"".to_owned());
                        if out.stop() { return; }
                    }
                }
                "ls\u{2028}ps\u{2029}" => {
                    if !(v1.as_number().is_some_and(crate::validator_runtime::is_integer)) {
                        out.report(p1, "Hostile.json#/properties/ls\u{2028}ps\u{2029}/type", "type", || "must be integer".to_owned());
                        if out.stop() { return; }
                    }
                    if let Some(n) = v1.as_number() {
                        if !crate::validator_runtime::is_exact(n) {
                            out.report(p1, "Hostile.json#/properties/ls\u{2028}ps\u{2029}/type", "type", || "must be from -9007199254740991 to 9007199254740991: past 2^53 - 1, a JavaScript number cannot hold every integer exactly".to_owned());
                            if out.stop() { return; }
                        }
                        else {
                            if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from(5i64)) == Some(::std::cmp::Ordering::Greater) {
                                out.report(p1, "Hostile.json#/properties/ls\u{2028}ps\u{2029}/maximum", "maximum", || "must be less than or equal to 5".to_owned());
                                if out.stop() { return; }
                            }
                        }
                    }
                }
                "nul\0" => {
                    seen |= 1 << 3;
                    f1(v1, p1, out);
                    if out.stop() { return; }
                }
                "pattern" => {
                    if !(v1.is_string()) {
                        out.report(p1, "Hostile.json#/properties/pattern/type", "type", || "must be string".to_owned());
                        if out.stop() { return; }
                    }
                    if let Some(s) = v1.as_str() {
                        if !STATIC_0.is_match(s) {
                            out.report(p1, "Hostile.json#/properties/pattern/pattern", "pattern", || "must match the pattern \"^(\\\"|\\\\\\\\|\\\\*/|\\\\$\\\\{|\u{2028}|`)+$\"".to_owned());
                            if out.stop() { return; }
                        }
                    }
                }
                "quote\"d" => {
                    seen |= 1 << 0;
                    if !(v1.is_string()) {
                        out.report(p1, "Hostile.json#/properties/quote\"d/type", "type", || "must be string".to_owned());
                        if out.stop() { return; }
                    }
                    if v1.as_str() != Some("quote\"d") {
                        out.report(p1, "Hostile.json#/properties/quote\"d/const", "const", || "must be \"quote\\\"d\"".to_owned());
                        if out.stop() { return; }
                    }
                }
                "short" => {
                    if !matches!(v1.as_str(), Some("\"" | "\\" | "*/" | "\n" | "\u{2028}" | "${a}" | "\0" | "`")) {
                        out.report(p1, "Hostile.json#/properties/short/enum", "enum", || "must be one of \"\\\"\", \"\\\\\", \"*/\", \"\\n\", \"\u{2028}\", \"${a}\", \"\\u0000\", \"`\"".to_owned());
                        if out.stop() { return; }
                    }
                }
                "tagged" => {
                    match v1.as_object().and_then(|m| crate::validator_runtime::member(m, b"k\"*/")).and_then(Value::as_str) {
                        Some("a\n") => {
                            f0_0_0(v1, p1, out);
                            if out.stop() { return; }
                        }
                        Some("${b}") => {
                            f0_0_1(v1, p1, out);
                            if out.stop() { return; }
                        }
                        _ => {
                            out.report(p1, "Hostile.json#/properties/tagged/oneOf", "oneOf", || "must be an object whose \"k\\\"*/\" is one of \"a\\n\", \"${b}\"".to_owned());
                            if out.stop() { return; }
                        }
                    }
                }
                "\u{e9}" => {
                    f1(v1, p1, out);
                    if out.stop() { return; }
                }
                "\u{202e}bidi" => {
                    seen |= 1 << 1;
                    if !(v1.as_number().is_some_and(crate::validator_runtime::is_integer)) {
                        out.report(p1, "Hostile.json#/properties/\u{202e}bidi/type", "type", || "must be integer".to_owned());
                        if out.stop() { return; }
                    }
                    if let Some(n) = v1.as_number() {
                        if !crate::validator_runtime::is_exact(n) {
                            out.report(p1, "Hostile.json#/properties/\u{202e}bidi/type", "type", || "must be from -9007199254740991 to 9007199254740991: past 2^53 - 1, a JavaScript number cannot hold every integer exactly".to_owned());
                            if out.stop() { return; }
                        }
                        else {
                            if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from(8i64)) == Some(::std::cmp::Ordering::Greater) {
                                out.report(p1, "Hostile.json#/properties/\u{202e}bidi/maximum", "maximum", || "must be less than or equal to 8".to_owned());
                                if out.stop() { return; }
                            }
                        }
                    }
                }
                "\u{ffff}" => {
                    if !(v1.as_number().is_some_and(crate::validator_runtime::is_integer)) {
                        out.report(p1, "Hostile.json#/properties/\u{ffff}/type", "type", || "must be integer".to_owned());
                        if out.stop() { return; }
                    }
                    if let Some(n) = v1.as_number() {
                        if !crate::validator_runtime::is_exact(n) {
                            out.report(p1, "Hostile.json#/properties/\u{ffff}/type", "type", || "must be from -9007199254740991 to 9007199254740991: past 2^53 - 1, a JavaScript number cannot hold every integer exactly".to_owned());
                            if out.stop() { return; }
                        }
                        else {
                            if crate::validator_runtime::compare_numbers(n, &::serde_json::Number::from(11i64)) == Some(::std::cmp::Ordering::Greater) {
                                out.report(p1, "Hostile.json#/properties/\u{ffff}/maximum", "maximum", || "must be less than or equal to 11".to_owned());
                                if out.stop() { return; }
                            }
                        }
                    }
                }
                "toString" => {
                    seen |= 1 << 2;
                    f1(v1, p1, out);
                    if out.stop() { return; }
                }
                _ => {
                    f1(v1, p1, out);
                    if out.stop() { return; }
                }
            }
        }
        if seen != 15u64 {
            if seen & (1 << 0) == 0 {
                out.report(p0, "Hostile.json#/required", "required", || "missing required property \"quote\\\"d\"".to_owned());
                if out.stop() { return; }
            }
            if seen & (1 << 1) == 0 {
                out.report(p0, "Hostile.json#/required", "required", || "missing required property \"\u{202e}bidi\"".to_owned());
                if out.stop() { return; }
            }
            if seen & (1 << 2) == 0 {
                out.report(p0, "Hostile.json#/required", "required", || "missing required property \"toString\"".to_owned());
                if out.stop() { return; }
            }
            if seen & (1 << 3) == 0 {
                out.report(p0, "Hostile.json#/required", "required", || "missing required property \"nul\\u0000\"".to_owned());
                if out.stop() { return; }
            }
        }
    }
}

/// `Hostile.json#/properties/tagged/oneOf/0`
#[allow(unused_variables, clippy::all)]
fn f0_0_0<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.is_object()) {
        out.report(p0, "Hostile.json#/properties/tagged/oneOf/0/type", "type", || "must be object".to_owned());
        if out.stop() { return; }
    }
    if let Some(map) = v0.as_object() {
        let mut seen = 0u64;
        for (key, v1) in map {
            let p1 = &Path::Key(p0, key);
            match key.as_str() {
                "k\"*/" => {
                    seen |= 1 << 0;
                    if v1.as_str() != Some("a\n") {
                        out.report(p1, "Hostile.json#/properties/tagged/oneOf/0/properties/k\"*~1/const", "const", || "must be \"a\\n\"".to_owned());
                        if out.stop() { return; }
                    }
                }
                "v" => {
                    if !(v1.is_string()) {
                        out.report(p1, "Hostile.json#/properties/tagged/oneOf/0/properties/v/type", "type", || "must be string".to_owned());
                        if out.stop() { return; }
                    }
                }
                _ => {
                    out.report(p1, "Hostile.json#/properties/tagged/oneOf/0/additionalProperties", "additionalProperties", || format!("{}{}", "unknown property ", crate::validator_runtime::json_string(key)));
                    if out.stop() { return; }
                }
            }
        }
        if seen != 1u64 {
            if seen & (1 << 0) == 0 {
                out.report(p0, "Hostile.json#/properties/tagged/oneOf/0/required", "required", || "missing required property \"k\\\"*/\"".to_owned());
                if out.stop() { return; }
            }
        }
    }
}

/// `Hostile.json#/properties/tagged/oneOf/1`
#[allow(unused_variables, clippy::all)]
fn f0_0_1<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.is_object()) {
        out.report(p0, "Hostile.json#/properties/tagged/oneOf/1/type", "type", || "must be object".to_owned());
        if out.stop() { return; }
    }
    if let Some(map) = v0.as_object() {
        if let Some(v1) = map.get("k\"*/") {
            let p1 = &Path::Key(p0, "k\"*/");
            if v1.as_str() != Some("${b}") {
                out.report(p1, "Hostile.json#/properties/tagged/oneOf/1/properties/k\"*~1/const", "const", || "must be \"${b}\"".to_owned());
                if out.stop() { return; }
            }
        }
        if !map.contains_key("k\"*/") {
            out.report(p0, "Hostile.json#/properties/tagged/oneOf/1/required", "required", || "missing required property \"k\\\"*/\"".to_owned());
            if out.stop() { return; }
        }
    }
}

/// `Hostile.json#/definitions/*~1
/// "x${}`
#[allow(unused_variables, clippy::all)]
fn f1<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {
    if !(v0.is_string()) {
        out.report(p0, "Hostile.json#/definitions/*~1\n\"x${}/type", "type", || "must be string".to_owned());
        if out.stop() { return; }
    }
    if let Some(s) = v0.as_str() {
        if !crate::validator_runtime::has_max_chars(s, 3) {
            out.report(p0, "Hostile.json#/definitions/*~1\n\"x${}/maxLength", "maxLength", || "must be at most 3 characters long".to_owned());
            if out.stop() { return; }
        }
    }
}


static STATIC_0: ::std::sync::LazyLock<::regex::Regex> = ::std::sync::LazyLock::new(|| ::regex::Regex::new("^(\"|\\\\|\\*/|\\$\\{|\u{2028}|`)+$").expect("pattern checked by the generator"));
