//! The generator's golden schemas (`codegen/tests/golden/`, whose emitted text the codegen's own
//! golden test pins) on their instances: the generated Rust and TypeScript validators give the
//! reference's verdict and report the same violations in the same order.
//!
//! The schemas cover the plan's constructs and hostile text (quotes, backslashes, `*/`, line
//! breaks, U+2028 and U+2029, `${`, NUL, bidirectional controls, in property names, enum values,
//! patterns, `$ref` pointers and descriptions), which must compile and validate in both languages.
//! Also: an object's members are reported in the code-point order of their names whatever their
//! order in the JSON text, and `uniqueItems` agrees with the reference on many arrays.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use devicekey_conformance::{
    compile_ts_validators, reference_for, repo_root, run_node, run_node_text,
};
use devicekey_protocol::validator_runtime::all_unique;
use devicekey_protocol::Violation;
use serde_json::{json, Value};

#[allow(dead_code, unused_imports, unreachable_pub, clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/golden.rs"));
}

fn golden_dir() -> PathBuf {
    repo_root().join("codegen/tests/golden")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every golden schema by type name, and every instance with its type name, in folder order.
fn golden() -> (BTreeMap<String, Value>, Vec<(String, Value)>) {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(golden_dir())
        .expect("the golden folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    let (mut schemas, mut instances) = (BTreeMap::new(), Vec::new());
    for folder in folders {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .expect("a golden folder")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for file in files {
            let stem = file
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("UTF-8")
                .to_owned();
            let value = read_json(&file);
            if stem == "instances" {
                for case in value.as_array().expect("an array of instances") {
                    let name = case["type"].as_str().expect("type").to_owned();
                    instances.push((name, case["instance"].clone()));
                }
            } else {
                schemas.insert(stem, value);
            }
        }
    }
    (schemas, instances)
}

/// The golden validators compiled to JavaScript, once per process.
fn compiled_ts() -> &'static Path {
    static MODULE: OnceLock<PathBuf> = OnceLock::new();
    MODULE.get_or_init(|| {
        let out = Path::new(env!("OUT_DIR"));
        compile_ts_validators(&out.join("golden_ts"), &out.join("golden_js"))
    })
}

fn ts_violations(cases: &[(String, Value)]) -> Vec<Vec<Violation>> {
    let input: Vec<Value> = cases
        .iter()
        .map(|(name, instance)| json!({"type": name, "instance": instance}))
        .collect();
    let results = run_node(
        &repo_root().join("tests/ts/validate.mjs"),
        &[compiled_ts().to_str().expect("UTF-8 path")],
        &Value::Array(input),
    );
    serde_json::from_value(results).expect("violation lists")
}

#[test]
fn golden_schemas_agree_with_the_reference_and_in_both_languages() {
    let (schemas, instances) = golden();
    assert!(schemas.len() >= 6, "only {} golden schemas", schemas.len());
    let references: BTreeMap<&String, jsonschema::Validator> = schemas
        .iter()
        .map(|(name, schema)| {
            let reference = reference_for(schema)
                .unwrap_or_else(|e| panic!("the reference rejects {name}: {e}"));
            (name, reference)
        })
        .collect();
    let ts = ts_violations(&instances);
    let mut failures = Vec::new();
    let (mut invalid, mut several) = (0, 0);
    for ((name, instance), ts) in instances.iter().zip(&ts) {
        let label = format!("{name} / {instance}");
        let expected = references[name].is_valid(instance);
        let rust = generated::validate_by_name(name, instance).expect("a generated validator");
        let fast = generated::is_valid_by_name(name, instance).expect("a generated validator");
        let rust = rust.err().unwrap_or_default();
        if rust.is_empty() != expected || fast != expected {
            failures.push(format!(
                "{label}: the reference says valid={expected}, Rust {rust:?} (fast path {fast})"
            ));
        }
        if ts.is_empty() != expected {
            failures.push(format!(
                "{label}: the reference says valid={expected}, TypeScript {ts:?}"
            ));
        }
        if &rust != ts {
            failures.push(format!(
                "{label}: Rust and TypeScript differ:\n  rust {rust:?}\n  ts   {ts:?}"
            ));
        }
        if !expected {
            invalid += 1;
        }
        if rust.len() >= 3 {
            several += 1;
        }
    }
    println!(
        "golden schemas: {} instances over {} schemas ({invalid} invalid, {several} with 3 or more violations): {} disagreements",
        instances.len(),
        schemas.len(),
        failures.len()
    );
    assert!(
        several >= 8,
        "too few instances with several violations to compare orders"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn members_are_reported_in_code_point_order_whatever_their_order_in_the_text() {
    // `Account` is closed: every one of these members is unknown. JavaScript would visit the
    // integer-like names first and the others in the order written; UTF-16 order would put
    // U+FFFF after the emoji.
    let names = [
        "\u{1F600}",
        "\u{FFFF}",
        "\u{E9}",
        "b",
        "a",
        "Z",
        "9",
        "10",
        "",
    ];
    let members: Vec<String> = names
        .iter()
        .map(|name| format!("{}: 1", serde_json::to_string(name).expect("a JSON string")))
        .collect();
    let text = format!(
        "{{\"kind\": \"user\", {}, \"id\": \"x\"}}",
        members.join(", ")
    );
    let instance: Value = serde_json::from_str(&text).expect("JSON");
    let rust = generated::validate_by_name("Account", &instance)
        .expect("a generated validator")
        .expect_err("invalid");
    let paths: Vec<&str> = rust.iter().map(|v| v.instance_path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/",
            "/10",
            "/9",
            "/Z",
            "/a",
            "/b",
            "/\u{E9}",
            "/\u{FFFF}",
            "/\u{1F600}",
            ""
        ],
        "{rust:?}"
    );
    assert_eq!(rust.last().map(|v| v.keyword.as_str()), Some("required"));
    let ts = run_node_text(
        &repo_root().join("tests/ts/validate.mjs"),
        &[compiled_ts().to_str().expect("UTF-8 path")],
        &format!("[{{\"type\": \"Account\", \"instance\": {text}}}]"),
    );
    let ts: Vec<Vec<Violation>> = serde_json::from_value(ts).expect("violation lists");
    assert_eq!(ts.first(), Some(&rust));
}

/// A small deterministic generator of JSON values drawn from few enough shapes that arrays of
/// them often hold equal items (`1` and `1.0`, `0` and `-0.0`, objects in another member order).
struct Values(u64);

impl Values {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn value(&mut self, depth: u32) -> Value {
        match self.next() % if depth > 1 { 6 } else { 8 } {
            0 => json!(self.next() % 4),
            1 => json!((self.next() % 4) as f64),
            2 => json!(if self.next().is_multiple_of(2) {
                -0.0
            } else {
                0.5
            }),
            3 => json!(["a", "b", "1"][(self.next() % 3) as usize]),
            4 => [Value::Null, json!(true), json!(false)][(self.next() % 3) as usize].clone(),
            5 => json!(self.next().is_multiple_of(3)),
            6 => Value::Array(
                (0..self.next() % 3)
                    .map(|_| self.value(depth + 1))
                    .collect(),
            ),
            _ => {
                let mut map = serde_json::Map::new();
                for _ in 0..self.next() % 3 {
                    let key = ["x", "y", "z"][(self.next() % 3) as usize].to_owned();
                    map.insert(key, self.value(depth + 1));
                }
                Value::Object(map)
            }
        }
    }
}

/// `value` with every number spelled the other way (`1` as `1.0` and back, `0` as `-0.0`): equal
/// as JSON Schema compares, not identical.
fn respelled(value: &Value) -> Value {
    match value {
        Value::Number(n) => match (n.as_u64(), n.as_f64()) {
            (Some(0), _) => json!(-0.0),
            (Some(u), _) => json!(u as f64),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 1e15 => json!(f.abs() as u64),
            _ => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(respelled).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), respelled(v))).collect())
        }
        other => other.clone(),
    }
}

#[test]
fn unique_items_agree_with_the_reference_in_both_languages() {
    let reference = reference_for(&json!({"uniqueItems": true})).expect("reference");
    let mut values = Values(7);
    let mut arrays = Vec::new();
    for round in 0..400 {
        let len = (values.next() % 40) as usize;
        let mut items: Vec<Value> = (0..len).map(|_| values.value(0)).collect();
        if round % 4 < 2 {
            // Distinct for sure: each item wrapped with its index.
            items = items
                .into_iter()
                .enumerate()
                .map(|(i, item)| json!([i, item]))
                .collect();
        }
        if round % 4 == 1 && !items.is_empty() {
            // One duplicate, spelled differently: `1` as `1.0`, `0` as `-0.0`.
            let at = (values.next() as usize) % items.len();
            let twin = respelled(&items[at]);
            items.push(twin);
        }
        arrays.push(Value::Array(items));
    }
    let cases: Vec<(String, Value)> = arrays
        .iter()
        .map(|array| ("Bag".to_owned(), array.clone()))
        .collect();
    let ts = ts_violations(&cases);
    let (mut unique, mut failures) = (0, Vec::new());
    for (array, ts) in arrays.iter().zip(&ts) {
        let expected = reference.is_valid(array);
        let items = array.as_array().expect("an array");
        if all_unique(items) != expected || ts.is_empty() != expected {
            failures.push(format!(
                "{array}: the reference says unique={expected}, Rust {}, TypeScript {ts:?}",
                all_unique(items)
            ));
        }
        if expected {
            unique += 1;
        }
    }
    println!(
        "uniqueItems: {} arrays of up to 39 items ({unique} unique): {} disagreements",
        arrays.len(),
        failures.len()
    );
    assert!(
        unique > 80 && unique < 300,
        "{unique} unique: the sample is lopsided"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn validation_only_keywords_report_their_paths_keywords_and_messages_in_plan_order() {
    let instance = json!({
        "pair": ["a", 1, 2],
        "never": "s",
        "count": -1,
        "both": 2,
        "toolongname": "z",
        "x-n": 12345
    });
    let rust = generated::validate_by_name("Rules", &instance)
        .expect("a generated validator")
        .expect_err("invalid");
    let got: Vec<[&str; 4]> = rust
        .iter()
        .map(|v| {
            [
                v.instance_path.as_str(),
                v.schema_path.as_str(),
                v.keyword.as_str(),
                v.message.as_str(),
            ]
        })
        .collect();
    assert_eq!(
        got,
        [
            // `propertyNames` first, on each name, at the member's path.
            [
                "/toolongname",
                "Rules.json#/propertyNames/maxLength",
                "maxLength",
                "must be at most 8 characters long"
            ],
            // Then the members in code-point order: `allOf` reports its subschema's violation.
            [
                "/both",
                "Rules.json#/properties/both/allOf/1/multipleOf",
                "multipleOf",
                "must be a multiple of 3"
            ],
            [
                "/count",
                "Rules.json#/properties/count/exclusiveMinimum",
                "exclusiveMinimum",
                "must be greater than 0"
            ],
            [
                "/never",
                "Rules.json#/properties/never/not",
                "not",
                "must not match the schema in not"
            ],
            [
                "/pair",
                "Rules.json#/properties/pair/additionalItems",
                "additionalItems",
                "must have at most 2 items"
            ],
            [
                "/toolongname",
                "Rules.json#/additionalProperties/type",
                "type",
                "must be integer"
            ],
            [
                "/x-n",
                "Rules.json#/patternProperties/^x-/type",
                "type",
                "must be string"
            ],
            // Then `dependencies` ("never"'s schema is satisfied: "both" is there).
            [
                "",
                "Rules.json#/dependencies/pair",
                "dependencies",
                "missing property \"rest\" (required when \"pair\" is present)"
            ],
        ]
    );
    let ts = ts_violations(&[("Rules".to_owned(), instance)]);
    assert_eq!(ts.first(), Some(&rust), "TypeScript reports the same list");

    let rust = generated::validate_by_name(
        "Rules",
        &json!({"count": 1, "either": 9, "shape": {"radius": 1}, "pair": [1, 2], "rest": ["head"]}),
    )
    .expect("a generated validator")
    .expect_err("invalid");
    let got: Vec<(&str, &str, &str)> = rust
        .iter()
        .map(|v| {
            (
                v.instance_path.as_str(),
                v.keyword.as_str(),
                v.message.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "/either",
                "anyOf",
                "must match at least one schema in anyOf"
            ),
            ("/pair/0", "type", "must be string"),
            // `then` reports its own violation; `if` reports none.
            ("/shape", "required", "missing required property \"center\""),
        ]
    );
    let rust = generated::validate_by_name("Rules", &json!({"count": 0.25, "pair": ["a", "b"]}))
        .expect("a generated validator")
        .expect_err("invalid");
    let got: Vec<(&str, &str, &str)> = rust
        .iter()
        .map(|v| {
            (
                v.instance_path.as_str(),
                v.keyword.as_str(),
                v.message.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("/count", "multipleOf", "must be a multiple of 0.5"),
            ("/pair/1", "type", "must be integer"),
            (
                "/pair",
                "contains",
                "must contain at least one item that matches the contains schema"
            ),
            (
                "",
                "dependencies",
                "missing property \"rest\" (required when \"pair\" is present)"
            ),
        ]
    );
    let rust = generated::validate_by_name("Rules", &json!({}))
        .expect("a generated validator")
        .expect_err("invalid");
    assert_eq!(rust[0].keyword, "minProperties");
    assert_eq!(rust[0].message, "must have at least 1 property");
    let many: serde_json::Map<String, Value> =
        (0..8).map(|i| (format!("k{i}"), json!(i))).collect();
    let rust = generated::validate_by_name("Rules", &Value::Object(many))
        .expect("a generated validator")
        .expect_err("invalid");
    assert_eq!(rust[0].keyword, "maxProperties");
    assert_eq!(rust[0].message, "must have at most 7 properties");
}
