//! The three validators agree on every conformance vector: the reference (jsonschema) on the
//! verdict, the generated Rust and TypeScript validators on the verdict and on the exact list of
//! violations, in order.

use std::collections::{BTreeMap, BTreeSet};

use devicekey_conformance::{
    built_ts_package, protocol_schemas, reference_validator, repo_root, run_node, vectors,
};
use devicekey_protocol::validators;
use devicekey_protocol::Violation;
use serde_json::{json, Value};

#[test]
fn reference_rust_and_typescript_agree_on_every_vector() {
    let vectors = vectors();
    assert!(vectors.len() >= 150, "only {} vectors", vectors.len());

    let dist = built_ts_package();
    let input: Vec<Value> = vectors
        .iter()
        .map(|v| json!({"type": v.type_name, "instance": v.instance}))
        .collect();
    let script = repo_root().join("tests/ts/validate.mjs");
    let module = dist.join("index.js");
    let ts_results = run_node(
        &script,
        &[module.to_str().expect("utf-8 path")],
        &Value::Array(input),
    );
    let ts_results = ts_results.as_array().expect("an array of results");
    assert_eq!(ts_results.len(), vectors.len());

    let mut references = BTreeMap::new();
    let mut failures = Vec::new();
    let mut per_type: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (vector, ts) in vectors.iter().zip(ts_results) {
        let reference = references
            .entry(vector.type_name.clone())
            .or_insert_with(|| reference_validator(&vector.type_name));
        let reference_valid = reference.is_valid(&vector.instance);
        let rust = validators::validate_by_name(&vector.type_name, &vector.instance)
            .unwrap_or_else(|| panic!("no generated validator for {}", vector.type_name));
        let rust_fast = validators::is_valid_by_name(&vector.type_name, &vector.instance)
            .expect("validator exists");
        let rust_violations = rust.err().unwrap_or_default();
        let ts_violations: Vec<Violation> =
            serde_json::from_value(ts.clone()).unwrap_or_else(|e| {
                panic!(
                    "TypeScript result for {:?} is not a violation list: {e}",
                    vector.description
                )
            });
        let label = format!(
            "{} / {:?} (expected {})",
            vector.type_name,
            vector.description,
            if vector.valid { "valid" } else { "invalid" }
        );
        if reference_valid != vector.valid {
            failures.push(format!(
                "{label}: the reference validator says {reference_valid}"
            ));
        }
        if rust_violations.is_empty() != vector.valid || rust_fast != vector.valid {
            failures.push(format!(
                "{label}: generated Rust says {rust_violations:?} (fast path {rust_fast})"
            ));
        }
        if ts_violations.is_empty() != vector.valid {
            failures.push(format!(
                "{label}: generated TypeScript says {ts_violations:?}"
            ));
        }
        // The same violations in the same order: both languages print one check plan.
        if ts_violations != rust_violations {
            failures.push(format!("{label}: Rust and TypeScript report different violations (or in a different order):\n  rust {rust_violations:?}\n  ts   {ts_violations:?}"));
        }
        if !vector.valid
            && rust_violations.iter().any(|v| {
                v.message.is_empty() || v.keyword.is_empty() || !v.schema_path.contains(".json#")
            })
        {
            failures.push(format!(
                "{label}: a violation lacks a keyword, message or schema path: {rust_violations:?}"
            ));
        }
        let counts = per_type.entry(&vector.type_name).or_default();
        if vector.valid {
            counts.0 += 1;
        } else {
            counts.1 += 1;
        }
    }
    for (type_name, (valid, invalid)) in &per_type {
        println!("{type_name}: {valid} valid, {invalid} invalid");
    }
    let valid: usize = per_type.values().map(|c| c.0).sum();
    println!(
        "conformance vectors: {} ({} valid, {} invalid) over {} types; reference (jsonschema), generated Rust and generated TypeScript: {} disagreements",
        vectors.len(),
        valid,
        vectors.len() - valid,
        per_type.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The schema files `schema` refers to with `$ref` (`Foo.json...` → `Foo`).
fn referenced_types(schema: &Value, out: &mut BTreeSet<String>) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", Value::String(reference)) => {
                        let file = reference.split('#').next().unwrap_or_default();
                        if let Some(name) = file.strip_suffix(".json") {
                            out.insert(name.to_owned());
                        }
                    }
                    (_, value) => referenced_types(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| referenced_types(item, out)),
        _ => {}
    }
}

#[test]
fn every_protocol_type_has_vectors_and_validators() {
    let vectors = vectors();
    // A type is covered by its own vectors, or through a covered type that `$ref`s it.
    let schemas = protocol_schemas();
    let mut covered: BTreeSet<String> = vectors.iter().map(|v| v.type_name.clone()).collect();
    let mut pending: Vec<String> = covered.iter().cloned().collect();
    while let Some(name) = pending.pop() {
        let mut refs = BTreeSet::new();
        if let Some(schema) = schemas.get(&name) {
            referenced_types(schema, &mut refs);
        }
        for reference in refs {
            if covered.insert(reference.clone()) {
                pending.push(reference);
            }
        }
    }
    for name in validators::TYPE_NAMES {
        assert!(
            covered.contains(*name),
            "{name} has no conformance vectors and is not covered through another type"
        );
    }
    for vector in &vectors {
        assert!(
            validators::TYPE_NAMES.contains(&vector.type_name.as_str()),
            "vectors name an unknown type {}",
            vector.type_name
        );
    }
}

#[test]
fn violations_carry_paths_for_a_bad_sign_request() {
    let params = json!({
        "keyId": "dk_xxx_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "payload": {"type": "remoteControlClientConnection", "nonce": "short", "extra": 1}
    });
    let violations = validators::validate_device_key_sign_params(&params).expect_err("invalid");
    let find = |path: &str, keyword: &str| {
        violations
            .iter()
            .find(|v| v.instance_path == path && v.keyword == keyword)
    };
    let key_id = find("/keyId", "format").expect("keyId format violation");
    // `keyId` is a `$ref` to the shared `DeviceKeyId` schema: the path names the violated keyword.
    assert_eq!(key_id.schema_path, "DeviceKeyId.json#/format");
    assert!(key_id.message.contains(
        "dk_hse_, dk_tpm_, dk_osn_, or dk_swk_ followed by unpadded base64url-encoded 32 bytes"
    ));
    assert!(find("/payload/nonce", "format").is_some(), "{violations:?}");
    assert!(
        find("/payload/extra", "additionalProperties").is_some(),
        "{violations:?}"
    );
    assert!(find("/payload", "required").is_some(), "{violations:?}");
    let serialized = serde_json::to_value(key_id).expect("serializes");
    assert_eq!(serialized.as_object().map(|o| o.len()), Some(4));
    assert!(serialized.get("instancePath").is_some() && serialized.get("schemaPath").is_some());
}

/// Drops `null`-valued object members: an optional field sent as `null` and one left out mean the
/// same on the wire, and the typed structs serialize both as left out.
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

const OPEN_TYPES: &[&str] = &[
    "InitializeCapabilities",
    "InitializeParams",
    "InitializeResponse",
];

/// Whether every member of `part` is in `whole` with a value that is itself a subset.
fn is_subset(part: &Value, whole: &Value) -> bool {
    match (part, whole) {
        (Value::Object(p), Value::Object(w)) => p
            .iter()
            .all(|(k, v)| w.get(k).is_some_and(|x| is_subset(v, x))),
        _ => part == whole,
    }
}

/// `round_trip(name, value)`: deserializes `value` as the generated Rust type `name` and serializes
/// it back; `None` when no protocol type has that name. One arm per schema document (the list is
/// written by `build.rs` from `schema/`).
macro_rules! protocol_types {
    ($($ty:ident),* $(,)?) => {
        fn round_trip(name: &str, value: &Value) -> Option<Result<Value, String>> {
            match name {
                $(stringify!($ty) => Some(
                    serde_json::from_value::<devicekey_protocol::types::$ty>(value.clone())
                        .map_err(|e| format!("does not deserialize: {e}"))
                        .and_then(|typed| {
                            serde_json::to_value(&typed).map_err(|e| format!("does not serialize: {e}"))
                        }),
                ),)*
                _ => None,
            }
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/protocol_types.rs"));

#[test]
fn every_valid_vector_round_trips_through_the_typed_rust_structs() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for vector in vectors().iter().filter(|v| v.valid) {
        let result = round_trip(&vector.type_name, &vector.instance);
        match result.unwrap_or_else(|| panic!("{} is not a generated Rust type", vector.type_name))
        {
            Ok(back) if without_nulls(&back) == without_nulls(&vector.instance) => checked += 1,
            // Open objects (`additionalProperties: true`: initialize's capabilities and response)
            // keep only their declared members in the typed structs.
            Ok(back)
                if OPEN_TYPES.contains(&vector.type_name.as_str())
                    && is_subset(&without_nulls(&back), &without_nulls(&vector.instance)) =>
            {
                checked += 1
            }
            Ok(back) => failures.push(format!(
                "{} / {:?}: serializes back as {back}",
                vector.type_name, vector.description
            )),
            Err(error) => failures.push(format!(
                "{} / {:?}: {error}",
                vector.type_name, vector.description
            )),
        }
    }
    println!(
        "typed Rust round trips: {checked} valid vectors deserialize and serialize back unchanged"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_valid_vector_type_checks_as_its_typescript_type() {
    let dist = built_ts_package();
    let dir = tempfile::tempdir().expect("temp dir");
    let index = dist.join("index.js");
    let mut source = format!(
        "import type * as P from {};\n",
        serde_json::to_string(index.to_str().expect("utf-8")).expect("path")
    );
    let mut count = 0;
    for vector in vectors().iter().filter(|v| v.valid) {
        source.push_str(&format!(
            "// {}\nexport const v{count}: P.{} = {};\n",
            vector.description.replace('\n', " "),
            vector.type_name,
            vector.instance
        ));
        count += 1;
    }
    // A payload with a field of the other variant must not type-check (the union is discriminated).
    source.push_str("// @ts-expect-error: challengeId belongs to enrollment payloads\nexport const wrong: P.RemoteControlClientConnection = { type: \"remoteControlClientConnection\", challengeId: \"x\" } as const;\n");
    std::fs::write(dir.path().join("vectors.ts"), source).expect("write");
    std::fs::write(dir.path().join("package.json"), "{\"type\": \"module\"}\n").expect("write");
    let tsc = repo_root().join("generated/ts/node_modules/typescript/bin/tsc");
    let output = std::process::Command::new("node")
        .arg(tsc)
        .args([
            "--noEmit",
            "--strict",
            "--target",
            "es2022",
            "--module",
            "nodenext",
            "--moduleResolution",
            "nodenext",
        ])
        .arg(dir.path().join("vectors.ts"))
        .output()
        .expect("run tsc");
    assert!(
        output.status.success(),
        "valid vectors do not type-check:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
    println!("TypeScript types: {count} valid vectors type-check as their generated types");
}
