//! The generated Rust types' own API: every string enum's `ALL` and `as_str` match the schema's
//! `enum` and serde's wire strings, and the `Validate` trait agrees with the validators.

use devicekey_conformance::{protocol_schemas, vectors};
use devicekey_protocol::types::{
    DeviceKeyProtectionClass, DeviceKeySignParams, DeviceKeySignPayload, InitializeParams,
};
use devicekey_protocol::{validators, Validate};
use serde_json::Value;

/// One string enum's values as the generated type lists them.
struct StringEnum {
    name: &'static str,
    /// `as_str()` of each entry of `ALL`, in order.
    as_str: Vec<&'static str>,
    /// serde's serialization of each entry of `ALL`.
    serialized: Vec<Value>,
    /// Whether each `as_str()` deserializes back to its own entry.
    round_trips: Vec<bool>,
}

/// `string_enums()`: every string enum document of `schema/` (the list is written by `build.rs`).
macro_rules! string_enums {
    ($($ty:ident),* $(,)?) => {
        fn string_enums() -> Vec<StringEnum> {
            vec![$({
                use devicekey_protocol::types::$ty;
                StringEnum {
                    name: stringify!($ty),
                    as_str: $ty::ALL.iter().map(|v| v.as_str()).collect(),
                    serialized: $ty::ALL
                        .iter()
                        .map(|v| serde_json::to_value(v).expect("serializes"))
                        .collect(),
                    round_trips: $ty::ALL
                        .iter()
                        .map(|v| serde_json::from_value::<$ty>(Value::from(v.as_str())).ok() == Some(*v))
                        .collect(),
                }
            }),*]
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/string_enums.rs"));

#[test]
fn string_enums_list_every_schema_value_as_its_wire_string() {
    let schemas = protocol_schemas();
    let enums = string_enums();
    assert!(
        enums.iter().any(|e| e.name == "DeviceKeyProtectionClass"),
        "the string enum list misses DeviceKeyProtectionClass"
    );
    for e in &enums {
        let expected: Vec<&str> = schemas[e.name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{} has no enum", e.name))
            .iter()
            .map(|v| v.as_str().expect("a string enum"))
            .collect();
        assert_eq!(
            e.as_str, expected,
            "{}::ALL is not the schema's enum, in order",
            e.name
        );
        let wire: Vec<Value> = expected.iter().map(|s| Value::from(*s)).collect();
        assert_eq!(e.serialized, wire, "{}: serde and as_str disagree", e.name);
        assert!(
            e.round_trips.iter().all(|ok| *ok),
            "{}: as_str does not deserialize back",
            e.name
        );
    }
    println!(
        "string enums: {} types, ALL and as_str match schema/ and serde",
        enums.len()
    );
}

#[test]
fn as_str_is_usable_in_const_context() {
    const FIRST: &str = DeviceKeyProtectionClass::ALL[0].as_str();
    assert_eq!(FIRST, "hardware_secure_enclave");
}

/// Checks `T`'s `Validate` implementation against the validators on every vector of its type.
fn validate_agrees<T: Validate>() -> usize {
    let mut checked = 0;
    for vector in vectors().iter().filter(|v| v.type_name == T::TYPE_NAME) {
        let by_name = validators::validate_by_name(T::TYPE_NAME, &vector.instance)
            .expect("a validator for the type");
        assert_eq!(
            T::validate(&vector.instance),
            by_name,
            "{}",
            vector.description
        );
        assert_eq!(
            T::is_valid(&vector.instance),
            vector.valid,
            "{}",
            vector.description
        );
        checked += 1;
    }
    assert!(checked > 0, "no vectors of {}", T::TYPE_NAME);
    checked
}

#[test]
fn the_validate_trait_runs_the_type_s_validators() {
    assert_eq!(DeviceKeySignParams::TYPE_NAME, "DeviceKeySignParams");
    let checked = validate_agrees::<DeviceKeySignParams>()
        + validate_agrees::<DeviceKeySignPayload>()
        + validate_agrees::<DeviceKeyProtectionClass>()
        + validate_agrees::<InitializeParams>();
    println!("Validate trait: {checked} vectors agree with validators::validate_by_name");
}
