//! The three validators agree on every conformance vector.

use std::collections::BTreeMap;

use devicekey_conformance::{built_ts_package, reference_validator, repo_root, run_node, vectors};
use devicekey_protocol::validators;
use devicekey_protocol::Violation;
use serde_json::{json, Value};

fn sorted(mut violations: Vec<Violation>) -> Vec<Violation> {
    violations.sort();
    violations
}

#[test]
fn reference_rust_and_typescript_agree_on_every_vector() {
    let vectors = vectors();
    assert!(vectors.len() >= 150, "only {} vectors", vectors.len());

    let dist = built_ts_package();
    let input: Vec<Value> = vectors.iter().map(|v| json!({"type": v.type_name, "instance": v.instance})).collect();
    let script = repo_root().join("tests/ts/validate.mjs");
    let module = dist.join("index.js");
    let ts_results = run_node(&script, &[module.to_str().expect("utf-8 path")], &Value::Array(input));
    let ts_results = ts_results.as_array().expect("an array of results");
    assert_eq!(ts_results.len(), vectors.len());

    let mut references = BTreeMap::new();
    let mut failures = Vec::new();
    let mut per_type: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (vector, ts) in vectors.iter().zip(ts_results) {
        let reference = references.entry(vector.type_name.clone()).or_insert_with(|| reference_validator(&vector.type_name));
        let reference_valid = reference.is_valid(&vector.instance);
        let rust = validators::validate(&vector.type_name, &vector.instance)
            .unwrap_or_else(|| panic!("no generated validator for {}", vector.type_name));
        let rust_fast = validators::is_valid(&vector.type_name, &vector.instance).expect("validator exists");
        let rust_violations = sorted(rust.err().unwrap_or_default());
        let ts_violations: Vec<Violation> = serde_json::from_value(ts.clone())
            .unwrap_or_else(|e| panic!("TypeScript result for {:?} is not a violation list: {e}", vector.description));
        let ts_violations = sorted(ts_violations);
        let label = format!("{} / {:?} (expected {})", vector.type_name, vector.description, if vector.valid { "valid" } else { "invalid" });
        if reference_valid != vector.valid {
            failures.push(format!("{label}: the reference validator says {reference_valid}"));
        }
        if rust_violations.is_empty() != vector.valid || rust_fast != vector.valid {
            failures.push(format!("{label}: generated Rust says {rust_violations:?} (fast path {rust_fast})"));
        }
        if ts_violations.is_empty() != vector.valid {
            failures.push(format!("{label}: generated TypeScript says {ts_violations:?}"));
        }
        if ts_violations != rust_violations {
            failures.push(format!("{label}: Rust and TypeScript report different violations:\n  rust {rust_violations:?}\n  ts   {ts_violations:?}"));
        }
        if !vector.valid && rust_violations.iter().any(|v| v.message.is_empty() || v.keyword.is_empty() || !v.schema_path.contains(".json#")) {
            failures.push(format!("{label}: a violation lacks a keyword, message or schema path: {rust_violations:?}"));
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
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_protocol_type_has_vectors_and_validators() {
    let vectors = vectors();
    for name in validators::TYPE_NAMES {
        let covered = vectors.iter().any(|v| v.type_name == *name) || ["ClientInfo", "InitializeCapabilities", "SchemaViolation"].contains(name);
        assert!(covered, "{name} has no conformance vectors and is not covered through another type");
    }
    for vector in &vectors {
        assert!(validators::TYPE_NAMES.contains(&vector.type_name.as_str()), "vectors name an unknown type {}", vector.type_name);
    }
}

#[test]
fn violations_carry_paths_for_a_bad_sign_request() {
    let params = json!({
        "keyId": "dk_xxx_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "payload": {"type": "remoteControlClientConnection", "nonce": "short", "extra": 1}
    });
    let violations = validators::validate_device_key_sign_params(&params).expect_err("invalid");
    let find = |path: &str, keyword: &str| violations.iter().find(|v| v.instance_path == path && v.keyword == keyword);
    let key_id = find("/keyId", "format").expect("keyId format violation");
    assert_eq!(key_id.schema_path, "DeviceKeySignParams.json#/properties/keyId/format");
    assert!(key_id.message.contains("dk_hse_, dk_tpm_, dk_osn_, or dk_swk_ followed by unpadded base64url-encoded 32 bytes"));
    assert!(find("/payload/nonce", "format").is_some(), "{violations:?}");
    assert!(find("/payload/extra", "additionalProperties").is_some(), "{violations:?}");
    assert!(find("/payload", "required").is_some(), "{violations:?}");
    let serialized = serde_json::to_value(key_id).expect("serializes");
    assert_eq!(serialized.as_object().map(|o| o.len()), Some(4));
    assert!(serialized.get("instancePath").is_some() && serialized.get("schemaPath").is_some());
}
