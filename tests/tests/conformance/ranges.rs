//! The general profile's range formats (`int8`...`int32`, `uint8`...`uint64`, `uint`, `float`,
//! `double`) and an unknown format, through the generated Rust and TypeScript validators: both
//! languages report the same violations (keyword `format`, a message naming the format and its
//! range), and their verdicts are the reference's on the equivalent `minimum`/`maximum` schema
//! (the reference ignores these formats), with the ranges taken from Rust's own integer types.
//! The instances are JSON text, read as each language reads JSON: past 2^53 a TypeScript number
//! is the nearest double, a Rust one the exact integer while it fits 64 bits. Both compare numbers
//! as the doubles they read as, and an integer-typed schema refuses an integer beyond
//! ±(2^53 − 1), which a double cannot tell from its neighbours: the reference is given that rule
//! as bounds (`EXACT`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use devicekey_codegen::{Profile, SchemaDoc, SchemaSet};
use devicekey_conformance::{compile_ts_validators, reference_for, repo_root, run_node_text};
use devicekey_protocol::Violation;
use serde_json::{json, Value};

#[allow(dead_code, unused_imports, unreachable_pub, clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/ranges.rs"));
}

/// The schemas by type name, as the build script generated them.
fn schemas() -> BTreeMap<String, Value> {
    let text = std::fs::read_to_string(Path::new(env!("OUT_DIR")).join("ranges.json"))
        .expect("ranges.json");
    serde_json::from_str(&text).expect("ranges.json is JSON")
}

/// 2^53 − 1: an integer-typed schema refuses any number beyond ±`EXACT`.
const EXACT: i64 = 9_007_199_254_740_991;

/// The message of that refusal.
const NOT_EXACT: &str =
    "must be from -9007199254740991 to 9007199254740991: past 2^53 - 1, a JavaScript number cannot hold every integer exactly";

/// The schema the reference validates instead: the format as `minimum`/`maximum`, from the
/// ranges of Rust's types (`uint` is `u64`; `float` is ±3.4028235e38; `double` and `color`
/// constrain nothing), narrowed to ±[`EXACT`] for an integer type or format.
fn equivalent(name: &str, schema: &Value) -> Value {
    let range: Option<(Value, Value)> = match name {
        "Int8" => Some((json!(i8::MIN), json!(i8::MAX))),
        "Int16" => Some((json!(i16::MIN), json!(i16::MAX))),
        "Int32" => Some((json!(i32::MIN), json!(i32::MAX))),
        "Int64" => Some((json!(i64::MIN), json!(i64::MAX))),
        "Uint8" | "Uint8Untyped" => Some((json!(u8::MIN), json!(u8::MAX))),
        "Uint16" => Some((json!(u16::MIN), json!(u16::MAX))),
        "Uint32" => Some((json!(u32::MIN), json!(u32::MAX))),
        "Uint64" | "Uint" | "Uint64Bounds" => Some((json!(u64::MIN), json!(u64::MAX))),
        "Float" => Some((json!(-3.4028235e38), json!(3.4028235e38))),
        "Double" | "Color" => None,
        other => panic!("no equivalent for {other}"),
    };
    let mut out = json!({});
    if let Some(t) = schema.get("type") {
        out["type"] = t.clone();
    }
    let integer =
        schema["type"] == "integer" || name.starts_with("Int") || name.starts_with("Uint");
    if let Some((low, high)) = range {
        let narrow = |bound: Value, pick: fn(f64, f64) -> f64, edge: i64| -> Value {
            let value = bound.as_f64().expect("a number");
            if integer && pick(value, edge as f64) != value {
                json!(edge)
            } else {
                bound
            }
        };
        out["minimum"] = narrow(low, f64::max, -EXACT);
        out["maximum"] = narrow(high, f64::min, EXACT);
    }
    out
}

/// The instances, as JSON text: the edges of every range, 2^53 - 1, 2^53, 2^63 - 1, 2^63,
/// 2^64 - 1, 2^64, integers written as floats, fractions, and values of other types.
const INSTANCES: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "1.0",
    "1e3",
    "1.5",
    "-1.5",
    "127",
    "128",
    "-128",
    "-129",
    "255",
    "256",
    "32767",
    "32768",
    "-32768",
    "-32769",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "-2147483648",
    "-2147483649",
    "4294967295",
    "4294967296",
    "9007199254740991",
    "9007199254740992",
    "-9007199254740991",
    "-9007199254740992",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "3.4028235e38",
    "3.5e38",
    "-3.5e38",
    "1e308",
    "\"text\"",
    "\"a@b.example\"",
    "null",
    "true",
    "[1]",
    "{}",
];

/// Whether the reference is asked for the verdict: not for an integer above `u64::MAX` that
/// both languages read as the double 2^64, equal to `u64::MAX` as a double, and so within
/// `maximum: 18446744073709551615` (`Uint64Bounds`) as much as within `uint64`; the reference
/// compares exactly. `range_formats_are_the_verdicts_of_their_bounds` checks that both
/// languages give the same verdict there as for the `maximum`.
/// Nor for 2^63 - 1 in `int64`, which both languages read as the double 2^63, beyond the range:
/// an integer a JavaScript number cannot hold exactly is judged on the double it reads as, the
/// same way in both languages.
fn asks_the_reference(name: &str, text: &str) -> bool {
    !matches!(
        (name, text),
        ("Uint64" | "Uint" | "Uint64Bounds", "18446744073709551616")
            | ("Int64", "9223372036854775807")
    )
}

fn compiled_ts() -> PathBuf {
    let out = Path::new(env!("OUT_DIR"));
    compile_ts_validators(&out.join("ranges_ts"), &out.join("ranges_js"))
}

#[test]
fn range_formats_agree_in_both_languages_and_with_the_equivalent_bounds() {
    let schemas = schemas();
    assert!(schemas.len() >= 14, "{} schemas", schemas.len());
    let mut cases = Vec::new();
    for name in schemas.keys() {
        for text in INSTANCES {
            cases.push((name.clone(), *text));
        }
    }
    let input = format!(
        "[{}]",
        cases
            .iter()
            .map(|(name, text)| format!("{{\"type\": {}, \"instance\": {text}}}", json!(name)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let ts = run_node_text(
        &repo_root().join("tests/ts/validate.mjs"),
        &[compiled_ts().to_str().expect("UTF-8 path")],
        &input,
    );
    let ts: Vec<Vec<Violation>> = serde_json::from_value(ts).expect("violation lists");
    assert_eq!(ts.len(), cases.len());

    let references: BTreeMap<&String, jsonschema::Validator> = schemas
        .iter()
        .map(|(name, schema)| {
            let reference = reference_for(&equivalent(name, schema))
                .unwrap_or_else(|e| panic!("the reference rejects {name}: {e}"));
            (name, reference)
        })
        .collect();
    let mut failures = Vec::new();
    let (mut invalid, mut compared) = (0, 0);
    for ((name, text), ts) in cases.iter().zip(&ts) {
        let instance: Value = serde_json::from_str(text).expect("instance JSON");
        let label = format!("{name} / {text}");
        let rust = generated::validate_by_name(name, &instance).expect("a generated validator");
        let fast = generated::is_valid_by_name(name, &instance).expect("a generated validator");
        let rust = rust.err().unwrap_or_default();
        if &rust != ts {
            failures.push(format!(
                "{label}: Rust and TypeScript differ:\n  rust {rust:?}\n  ts   {ts:?}"
            ));
        }
        if fast != rust.is_empty() {
            failures.push(format!("{label}: Rust {rust:?} but fast path {fast}"));
        }
        for violation in &rust {
            if violation.keyword == "type" || violation.message == NOT_EXACT {
                continue;
            }
            let schema_format = schemas[name]["format"].as_str().unwrap_or_default();
            let words = format!("must be a {schema_format} (");
            if name == "Int64" || name == "Uint64Bounds" {
                continue;
            }
            if violation.keyword != "format"
                || !violation.message.starts_with(&words)
                || violation.schema_path != format!("{name}.json#/format")
            {
                failures.push(format!("{label}: unexpected violation {violation:?}"));
            }
        }
        if !rust.is_empty() {
            invalid += 1;
        }
        if asks_the_reference(name, text) {
            compared += 1;
            let expected = references[name].is_valid(&instance);
            if rust.is_empty() != expected {
                failures.push(format!(
                    "{label}: the equivalent bounds say valid={expected}, Rust {rust:?}"
                ));
            }
        }
    }
    println!(
        "range formats: {} instances over {} schemas ({invalid} invalid, {compared} compared with the reference): {} disagreements",
        cases.len(),
        schemas.len(),
        failures.len()
    );
    assert!(invalid >= 100, "only {invalid} invalid instances");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn range_formats_are_the_verdicts_of_their_bounds() {
    // `uint64` and `uint` give, in both languages, the verdict of `minimum: 0, maximum:
    // 18446744073709551615` on every instance, the ones past 2^53 and 2^64 included.
    let names = ["Uint64", "Uint", "Uint64Bounds"];
    let mut cases = Vec::new();
    for name in names {
        for text in INSTANCES {
            cases.push(format!("{{\"type\": \"{name}\", \"instance\": {text}}}"));
        }
    }
    let ts = run_node_text(
        &repo_root().join("tests/ts/validate.mjs"),
        &[compiled_ts().to_str().expect("UTF-8 path")],
        &format!("[{}]", cases.join(", ")),
    );
    let ts: Vec<Vec<Violation>> = serde_json::from_value(ts).expect("violation lists");
    let n = INSTANCES.len();
    for (i, text) in INSTANCES.iter().enumerate() {
        let instance: Value = serde_json::from_str(text).expect("JSON");
        let bounds = generated::is_valid_by_name("Uint64Bounds", &instance).expect("validator");
        for (k, name) in names.iter().enumerate() {
            let rust = generated::is_valid_by_name(name, &instance).expect("validator");
            assert_eq!(rust, bounds, "{name} / {text} in Rust");
            assert_eq!(
                ts[k * n + i].is_empty(),
                bounds,
                "{name} / {text} in TypeScript"
            );
        }
    }
}

#[test]
fn range_format_messages_name_the_format_and_its_range() {
    let cases = [
        (
            "Uint32",
            "-1",
            "format",
            "must be a uint32 (0 to 4294967295)",
        ),
        (
            "Uint32",
            "4294967296",
            "format",
            "must be a uint32 (0 to 4294967295)",
        ),
        ("Int8", "128", "format", "must be a int8 (-128 to 127)"),
        ("Uint", "18446744073709551616e3", "type", NOT_EXACT),
        ("Int64", "9007199254740992", "type", NOT_EXACT),
        // Bounds within ±(2^53 − 1) refuse a larger number themselves.
        (
            "Uint8Untyped",
            "-9007199254740993",
            "format",
            "must be a uint8 (0 to 255)",
        ),
        (
            "Float",
            "-3.5e38",
            "format",
            "must be a float (-3.4028235e+38 to 3.4028235e+38)",
        ),
    ];
    for (name, text, keyword, message) in cases {
        let instance: Value = serde_json::from_str(text).expect("JSON");
        let rust = generated::validate_by_name(name, &instance)
            .expect("a generated validator")
            .expect_err("out of range");
        assert_eq!(rust.len(), 1, "{name} {text}: {rust:?}");
        assert_eq!(rust[0].keyword, keyword, "{name} {text}");
        assert_eq!(rust[0].message, message, "{name} {text}");
        assert_eq!(rust[0].schema_path, format!("{name}.json#/{keyword}"));
    }
}

#[test]
fn only_the_unknown_format_is_a_warning() {
    let docs: Vec<SchemaDoc> = schemas()
        .into_iter()
        .map(|(name, value)| SchemaDoc {
            file: PathBuf::from(format!("{name}.json")),
            name,
            value,
        })
        .collect();
    let set = SchemaSet::new(docs.clone(), Profile::General).expect("general profile");
    let warnings: Vec<String> = set.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["Color.json#/format: format `color` is not one the generators know; ignored (draft-07: an unknown format accepts every value)"]
    );
    // The protocol profile knows none of them but `int64`.
    let error = SchemaSet::new(docs, Profile::Protocol).expect_err("outside the protocol profile");
    let formats: Vec<String> = error
        .each()
        .filter(|e| e.pointer.as_deref() == Some("/format"))
        .map(|e| e.file.display().to_string())
        .collect();
    assert_eq!(
        formats,
        [
            "Color.json",
            "Double.json",
            "Float.json",
            "Int16.json",
            "Int32.json",
            "Int8.json",
            "Uint.json",
            "Uint16.json",
            "Uint32.json",
            "Uint64.json",
            "Uint8.json",
            "Uint8Untyped.json"
        ]
    );
}
