//! Violation messages, written once for both languages.
//!
//! Static messages are complete strings computed at generation time. The two messages that need
//! the instance (an unknown property's name, how many `oneOf` variants matched) are a fixed prefix
//! plus a value each language renders the same way (`JSON.stringify` / `serde_json::to_string` of a
//! string, a decimal count).

use serde_json::Value;

use crate::formats::Format;
use crate::json::{json_text, JsonType};

/// `1 character`, `2 characters`: a count and its noun, singular for one.
fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `1 property`, `2 properties`.
fn properties(n: u64) -> String {
    if n == 1 {
        "1 property".to_owned()
    } else {
        format!("{n} properties")
    }
}

/// `type`.
pub(crate) fn type_mismatch(types: &[JsonType]) -> String {
    let names: Vec<&str> = types.iter().map(|t| t.name()).collect();
    format!("must be {}", names.join(" or "))
}

/// `enum`.
pub(crate) fn enum_mismatch(values: &[Value]) -> String {
    let values: Vec<String> = values.iter().map(json_text).collect();
    format!("must be one of {}", values.join(", "))
}

/// `const`.
pub(crate) fn const_mismatch(value: &Value) -> String {
    format!("must be {}", json_text(value))
}

/// `minLength`.
pub(crate) fn min_length(limit: u64) -> String {
    format!("must be at least {} long", count(limit, "character"))
}

/// `maxLength`.
pub(crate) fn max_length(limit: u64) -> String {
    format!("must be at most {} long", count(limit, "character"))
}

/// `pattern`.
pub(crate) fn pattern(source: &str) -> String {
    format!(
        "must match the pattern {}",
        json_text(&Value::String(source.to_owned()))
    )
}

/// `format`.
pub(crate) fn format(format: &Format) -> String {
    format!("must be {}", format.description)
}

/// `format`, for a range format: `must be a uint32 (0 to 4294967295)`.
pub(crate) fn format_range(
    name: &str,
    minimum: &serde_json::Number,
    maximum: &serde_json::Number,
) -> String {
    format!("must be a {name} ({minimum} to {maximum})")
}

/// A number beyond ±(2^53 − 1) where a numeric keyword applies (see `plan::NumberTest::Exact`).
pub(crate) fn not_exact() -> String {
    "must be from -9007199254740991 to 9007199254740991: past 2^53 - 1, a JavaScript number cannot hold every integer exactly".to_owned()
}

/// `minimum`.
pub(crate) fn minimum(limit: &serde_json::Number) -> String {
    format!("must be greater than or equal to {limit}")
}

/// `maximum`.
pub(crate) fn maximum(limit: &serde_json::Number) -> String {
    format!("must be less than or equal to {limit}")
}

/// `exclusiveMinimum`.
pub(crate) fn exclusive_minimum(limit: &serde_json::Number) -> String {
    format!("must be greater than {limit}")
}

/// `exclusiveMaximum`.
pub(crate) fn exclusive_maximum(limit: &serde_json::Number) -> String {
    format!("must be less than {limit}")
}

/// `multipleOf`.
pub(crate) fn multiple_of(factor: &serde_json::Number) -> String {
    format!("must be a multiple of {factor}")
}

/// `contains`.
pub(crate) fn contains() -> String {
    "must contain at least one item that matches the contains schema".to_owned()
}

/// `minProperties`.
pub(crate) fn min_properties(limit: u64) -> String {
    format!("must have at least {}", properties(limit))
}

/// `maxProperties`.
pub(crate) fn max_properties(limit: u64) -> String {
    format!("must have at most {}", properties(limit))
}

/// A property dependency (`dependencies` with an array): `property` is missing although
/// `present` is there.
pub(crate) fn dependency(property: &str, present: &str) -> String {
    format!(
        "missing property {} (required when {} is present)",
        json_text(&Value::String(property.to_owned())),
        json_text(&Value::String(present.to_owned()))
    )
}

/// `anyOf`.
pub(crate) fn any_of() -> String {
    "must match at least one schema in anyOf".to_owned()
}

/// `not`.
pub(crate) fn not() -> String {
    "must not match the schema in not".to_owned()
}

/// `minItems`.
pub(crate) fn min_items(limit: u64) -> String {
    format!("must have at least {}", count(limit, "item"))
}

/// `maxItems`.
pub(crate) fn max_items(limit: u64) -> String {
    format!("must have at most {}", count(limit, "item"))
}

/// `uniqueItems`.
pub(crate) fn unique_items() -> String {
    "must not contain duplicate items".to_owned()
}

/// `required`.
pub(crate) fn required(property: &str) -> String {
    format!(
        "missing required property {}",
        json_text(&Value::String(property.to_owned()))
    )
}

/// `additionalProperties: false`: this prefix, then the property name as a JSON string.
pub(crate) const UNKNOWN_PROPERTY_PREFIX: &str = "unknown property ";

/// `oneOf`: this prefix, then how many variants matched (0 or more than 1).
pub(crate) const ONE_OF_PREFIX: &str = "must match exactly one schema in oneOf, but matched ";

/// A discriminated `oneOf` whose tag is missing, unknown, or whose instance is not an object.
pub(crate) fn discriminator(property: &str, values: &[String]) -> String {
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
pub(crate) fn nothing_allowed() -> String {
    "no value is allowed here".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_formats_name_the_format_and_the_range() {
        assert_eq!(
            format_range(
                "uint32",
                &serde_json::Number::from(0u64),
                &serde_json::Number::from(u32::MAX)
            ),
            "must be a uint32 (0 to 4294967295)"
        );
    }

    #[test]
    fn counts_are_singular_for_one() {
        assert_eq!(min_length(1), "must be at least 1 character long");
        assert_eq!(min_length(0), "must be at least 0 characters long");
        assert_eq!(max_length(2), "must be at most 2 characters long");
        assert_eq!(min_items(1), "must have at least 1 item");
        assert_eq!(max_items(1), "must have at most 1 item");
        assert_eq!(max_items(3), "must have at most 3 items");
    }
}
