//! Violation messages, written once for both languages.
//!
//! Static messages are complete strings computed at generation time. The two messages that need
//! the instance (an unknown property's name, how many `oneOf` variants matched) are a fixed prefix
//! plus a value each language renders the same way (`JSON.stringify` / `serde_json::to_string` of a
//! string, a decimal count).

use serde_json::Value;

use crate::formats::Format;
use crate::model::{json_text, JsonType};

/// `type`.
pub fn type_mismatch(types: &[JsonType]) -> String {
    let names: Vec<&str> = types.iter().map(|t| t.name()).collect();
    format!("must be {}", names.join(" or "))
}

/// `enum`.
pub fn enum_mismatch(values: &[Value]) -> String {
    let values: Vec<String> = values.iter().map(json_text).collect();
    format!("must be one of {}", values.join(", "))
}

/// `const`.
pub fn const_mismatch(value: &Value) -> String {
    format!("must be {}", json_text(value))
}

/// `minLength`.
pub fn min_length(limit: u64) -> String {
    format!("must be at least {limit} characters long")
}

/// `maxLength`.
pub fn max_length(limit: u64) -> String {
    format!("must be at most {limit} characters long")
}

/// `pattern`.
pub fn pattern(source: &str) -> String {
    format!(
        "must match the pattern {}",
        json_text(&Value::String(source.to_owned()))
    )
}

/// `format`.
pub fn format(format: &Format) -> String {
    format!("must be {}", format.description)
}

/// `minimum`.
pub fn minimum(limit: &serde_json::Number) -> String {
    format!("must be greater than or equal to {limit}")
}

/// `maximum`.
pub fn maximum(limit: &serde_json::Number) -> String {
    format!("must be less than or equal to {limit}")
}

/// `minItems`.
pub fn min_items(limit: u64) -> String {
    format!("must have at least {limit} items")
}

/// `maxItems`.
pub fn max_items(limit: u64) -> String {
    format!("must have at most {limit} items")
}

/// `uniqueItems`.
pub fn unique_items() -> String {
    "must not contain duplicate items".to_owned()
}

/// `required`.
pub fn required(property: &str) -> String {
    format!(
        "missing required property {}",
        json_text(&Value::String(property.to_owned()))
    )
}

/// `additionalProperties: false`: this prefix, then the property name as a JSON string.
pub const UNKNOWN_PROPERTY_PREFIX: &str = "unknown property ";

/// `oneOf`: this prefix, then how many variants matched (0 or more than 1).
pub const ONE_OF_PREFIX: &str = "must match exactly one schema in oneOf, but matched ";

/// A discriminated `oneOf` whose tag is missing, unknown, or whose instance is not an object.
pub fn discriminator(property: &str, values: &[String]) -> String {
    let values: Vec<String> = values
        .iter()
        .map(|v| json_text(&Value::String(v.clone())))
        .collect();
    format!(
        "must be an object whose {} is one of {}",
        json_text(&Value::String(property.to_owned())),
        values.join(", ")
    )
}

/// The `false` schema.
pub fn nothing_allowed() -> String {
    "no value is allowed here".to_owned()
}
