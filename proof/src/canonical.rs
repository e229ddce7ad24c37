//! Canonical JSON: the byte form that is signed, and the strict parser that reads signed bytes.
//!
//! The serializer writes compact JSON with every object's keys sorted by UTF-16 code units,
//! strings escaped as RFC 8785 (JCS) does (`\"`, `\\`, `\b \f \n \r \t`, other control
//! characters as `\u00xx` in lower-case hex, everything else, `/` and non-ASCII included, raw)
//! and integers as plain digits. For the protocol's payloads (strings, integers, arrays and
//! objects) these are exactly the JCS bytes. Numbers that are not integers have no canonical
//! form here and are refused.

use std::cmp::Ordering;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Why a value has no canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CanonicalError {
    /// A number that is not an integer in the i64/u64 range.
    NonIntegerNumber(String),
}

/// Serializes `value` canonically.
pub fn to_canonical_bytes(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::new();
    write_value(&mut out, value)?;
    Ok(out)
}

fn write_value(out: &mut Vec<u8>, value: &Value) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(number) => write_number(out, number)?,
        Value::String(text) => write_string(out, text),
        Value::Array(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_value(out, item)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|(a, _), (b, _)| compare_utf16(a, b));
            out.push(b'{');
            for (index, (key, item)) in entries.into_iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_string(out, key);
                out.push(b':');
                write_value(out, item)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// JCS orders keys by their UTF-16 code units (which differs from byte order only above U+FFFF).
fn compare_utf16(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

fn write_number(out: &mut Vec<u8>, number: &Number) -> Result<(), CanonicalError> {
    if let Some(unsigned) = number.as_u64() {
        out.extend_from_slice(unsigned.to_string().as_bytes());
    } else if let Some(signed) = number.as_i64() {
        out.extend_from_slice(signed.to_string().as_bytes());
    } else {
        return Err(CanonicalError::NonIntegerNumber(number.to_string()));
    }
    Ok(())
}

fn write_string(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    for &byte in text.as_bytes() {
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x00..=0x1f => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(byte >> 4)]);
                out.push(HEX[usize::from(byte & 0x0f)]);
            }
            // Every other byte, including those of multi-byte UTF-8 sequences, is copied as is.
            _ => out.push(byte),
        }
    }
    out.push(b'"');
}

/// Why [`parse_strict`] refused its input.
#[derive(Debug)]
pub struct StrictParseError(serde_json::Error);

impl From<serde_json::Error> for StrictParseError {
    fn from(error: serde_json::Error) -> Self {
        StrictParseError(error)
    }
}

impl fmt::Display for StrictParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for StrictParseError {}

impl fmt::Display for CanonicalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CanonicalError::NonIntegerNumber(number) => write!(
                f,
                "number {number} is not an integer; canonical JSON here holds integers only"
            ),
        }
    }
}

impl std::error::Error for CanonicalError {}

impl StrictParseError {
    /// Whether the input was well-formed JSON except for a repeated object key.
    pub fn is_duplicate_key(&self) -> bool {
        self.0.to_string().starts_with(DUPLICATE_KEY_PREFIX)
    }
}

const DUPLICATE_KEY_PREFIX: &str = "duplicate object key";

/// Parses one JSON text (UTF-8, surrounding whitespace allowed), refusing any object with a
/// repeated key, which `serde_json::Value` would otherwise resolve silently to the last one.
pub fn parse_strict(bytes: &[u8]) -> Result<Value, StrictParseError> {
    let StrictValue(value) = serde_json::from_slice(bytes)?;
    Ok(value)
}

/// A JSON value deserialized with duplicate object keys refused.
struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Number::from_f64(value)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "{DUPLICATE_KEY_PREFIX} {key:?}"
                )));
            }
            let StrictValue(item) = map.next_value()?;
            object.insert(key, item);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn canonical(value: Value) -> String {
        String::from_utf8(to_canonical_bytes(&value).unwrap()).unwrap()
    }

    #[test]
    fn keys_are_sorted_at_every_depth_and_output_is_compact() {
        let value = json!({"b": [3, {"z": 1, "a": null}], "a": {"y": true, "x": false}, "": -7});
        assert_eq!(
            canonical(value),
            r#"{"":-7,"a":{"x":false,"y":true},"b":[3,{"a":null,"z":1}]}"#
        );
    }

    #[test]
    fn strings_are_escaped_as_jcs_does() {
        let value =
            json!("quote\" backslash\\ slash/ \u{8}\u{c}\n\r\t \u{0}\u{1f}\u{7f} é€𝄞 \u{2028}");
        assert_eq!(
            canonical(value),
            "\"quote\\\" backslash\\\\ slash/ \\b\\f\\n\\r\\t \\u0000\\u001f\u{7f} é€𝄞 \u{2028}\""
        );
        // Every control character that has no short escape uses lower-case hex.
        assert_eq!(canonical(json!("\u{b}\u{1a}")), r#""\u000b\u001a""#);
    }

    #[test]
    fn keys_sort_by_utf16_code_units_as_jcs_does() {
        // U+1D11E is the surrogate pair D834 DD1E in UTF-16, so it sorts before U+FFFD there,
        // although its UTF-8 bytes (F0 ..) sort after those of U+FFFD (EF ..).
        let value = json!({"\u{fffd}": 1, "\u{1d11e}": 2, "a": 3});
        assert_eq!(canonical(value), "{\"a\":3,\"\u{1d11e}\":2,\"\u{fffd}\":1}");
    }

    #[test]
    fn integers_are_plain_digits_and_other_numbers_are_refused() {
        assert_eq!(
            canonical(json!([0, -1, 1700000000, u64::MAX, i64::MIN])),
            "[0,-1,1700000000,18446744073709551615,-9223372036854775808]"
        );
        assert_eq!(
            to_canonical_bytes(&json!(1.5)),
            Err(CanonicalError::NonIntegerNumber("1.5".to_owned()))
        );
        assert!(to_canonical_bytes(&json!({"a": [1.0]})).is_err());
    }

    #[test]
    fn strict_parse_refuses_duplicate_keys_at_any_depth() {
        let error = parse_strict(br#"{"a":1,"a":1}"#).unwrap_err();
        assert!(error.is_duplicate_key(), "{error}");
        let error = parse_strict(br#"{"x":[{"b":1,"b":2}]}"#).unwrap_err();
        assert!(error.is_duplicate_key(), "{error}");
        let error = parse_strict(br#"{"a":1,"a"#).unwrap_err();
        assert!(!error.is_duplicate_key(), "{error}");
        assert_eq!(
            parse_strict(br#" {"a":[1,"x",null,true,-2]} "#).unwrap(),
            json!({"a":[1,"x",null,true,-2]})
        );
    }

    #[test]
    fn strict_parse_then_serialize_round_trips_canonical_bytes() {
        let bytes = "{\"a\":\"\\u0001\u{e9}\",\"b\":[1,{\"c\":\"/\"}]}".as_bytes();
        assert_eq!(
            to_canonical_bytes(&parse_strict(bytes).unwrap()).unwrap(),
            bytes
        );
        // Escapes that are not canonical parse to the same value but serialize differently.
        let bytes = br#"{"a":"\u00e9\/"}"#;
        assert_ne!(
            to_canonical_bytes(&parse_strict(bytes).unwrap()).unwrap(),
            bytes
        );
    }
}
