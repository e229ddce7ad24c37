//! JSON as JSON Schema sees it: the instance types, equality, and keyword values read as counts.
//! A leaf: every other module may use it; it uses only `error` (for JSON pointers).

use serde_json::{Number, Value};

/// The JSON Schema instance types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum JsonType {
    /// `null`
    Null,
    /// `true` / `false`
    Boolean,
    /// A number with no fractional part (draft-07: `1.0` is an integer).
    Integer,
    /// Any number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl JsonType {
    /// Parses a `type` keyword name.
    pub(crate) fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "null" => JsonType::Null,
            "boolean" => JsonType::Boolean,
            "integer" => JsonType::Integer,
            "number" => JsonType::Number,
            "string" => JsonType::String,
            "array" => JsonType::Array,
            "object" => JsonType::Object,
            _ => return None,
        })
    }

    /// The keyword name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::Boolean => "boolean",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::String => "string",
            JsonType::Array => "array",
            JsonType::Object => "object",
        }
    }
}

/// JSON equality as JSON Schema defines it for `enum`, `const` and `uniqueItems`: numbers compare
/// by value (`1` equals `1.0`), objects ignore key order, nothing is equal across types.
pub(crate) fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => number_equal(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

fn number_equal(x: &Number, y: &Number) -> bool {
    match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
        (Some(a), Some(b), _, _) => a == b,
        (_, _, Some(a), Some(b)) => a == b,
        _ => x.as_f64() == y.as_f64(),
    }
}

/// Renders a JSON value as compact JSON text (for messages and emitted literals); numbers keep
/// serde_json's spelling.
pub(crate) fn json_text(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A non-negative integer keyword value (`minLength`...); draft-07 counts `2.0` as the integer 2.
pub(crate) fn as_count(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| {
        let f = value.as_f64()?;
        (f >= 0.0 && f.fract() == 0.0 && f <= u32::MAX as f64).then_some(f as u64)
    })
}

/// Walks JSON `text` and returns the keys of every object in their order in the text, by the
/// object's JSON pointer; a key that appears twice in one object is an error naming it and the
/// object (`serde_json::Value` would keep the last silently, and keeps no order).
pub(crate) fn object_key_orders(
    text: &str,
) -> std::result::Result<std::collections::BTreeMap<String, Vec<String>>, String> {
    let mut found = std::collections::BTreeMap::new();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let seed = key_walk::Keys {
        pointer: String::new(),
        found: &mut found,
    };
    serde::de::DeserializeSeed::deserialize(seed, &mut deserializer).map_err(|e| e.to_string())?;
    Ok(found)
}

mod key_walk {
    //! A visitor that walks JSON text only to record each object's keys, refusing duplicates.
    use std::collections::BTreeMap;
    use std::fmt;

    use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};

    pub(super) struct Keys<'a> {
        pub(super) pointer: String,
        pub(super) found: &'a mut BTreeMap<String, Vec<String>>,
    }

    impl<'de> DeserializeSeed<'de> for Keys<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Keys<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let mut i = 0usize;
            loop {
                let seed = Keys {
                    pointer: crate::error::pointer_push(&self.pointer, &i.to_string()),
                    found: &mut *self.found,
                };
                if seq.next_element_seed(seed)?.is_none() {
                    return Ok(());
                }
                i += 1;
            }
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut keys: Vec<String> = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                if keys.contains(&key) {
                    return Err(A::Error::custom(format!(
                        "duplicate key \"{key}\" in the object at #{}",
                        self.pointer
                    )));
                }
                let seed = Keys {
                    pointer: crate::error::pointer_push(&self.pointer, &key),
                    found: &mut *self.found,
                };
                map.next_value_seed(seed)?;
                keys.push(key);
            }
            self.found.insert(self.pointer, keys);
            Ok(())
        }
    }
}
