//! A nullable `oneOf` (`[X, {"type": "null"}]`) reports why a value that is not `null` fails `X`
//! (an enum's allowed values, an object's own violations), not a bare "matched 0"; `null` fails
//! only when `X` accepts it too ("matched 2"). The protocol's own nullable fields in Rust, and
//! general schemas (where `X` may accept `null`) in TypeScript against the reference validator.

use std::path::PathBuf;
use std::process::Command;

use devicekey_codegen::{Profile, SchemaDoc, SchemaSet};
use devicekey_conformance::{repo_root, run_node};
use devicekey_protocol::validators;
use serde_json::{json, Value};

#[test]
fn a_misspelt_nullable_enum_lists_the_allowed_values() {
    let params =
        json!({"accountUserId": "a", "clientId": "c", "protectionPolicy": "allow-software"});
    let violations = validators::validate_device_key_create_params(&params).expect_err("invalid");
    assert_eq!(violations.len(), 1, "{violations:?}");
    let violation = &violations[0];
    assert_eq!(violation.instance_path, "/protectionPolicy");
    assert_eq!(violation.keyword, "enum");
    assert_eq!(
        violation.schema_path,
        "DeviceKeyProtectionPolicy.json#/enum"
    );
    assert_eq!(
        violation.message,
        "must be one of \"hardware_only\", \"allow_os_protected_nonextractable\", \"allow_software\""
    );
    for valid in [json!(null), json!("allow_software")] {
        let params = json!({"accountUserId": "a", "clientId": "c", "protectionPolicy": valid});
        assert!(validators::validate_device_key_create_params(&params).is_ok());
    }
}

#[test]
fn a_nullable_object_reports_its_own_violations() {
    let params = json!({"clientInfo": {"name": "n", "version": "1"}, "capabilities": {"requestAttestation": "yes"}});
    let violations = validators::validate_initialize_params(&params).expect_err("invalid");
    let found: Vec<(&str, &str)> = violations
        .iter()
        .map(|v| (v.instance_path.as_str(), v.keyword.as_str()))
        .collect();
    assert_eq!(found, [("/capabilities/requestAttestation", "type")]);
}

/// Schemas whose `oneOf` is nullable, including ones whose other variant accepts `null` too.
fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "Enum",
            json!({"oneOf": [{"enum": ["a", "b"]}, {"type": "null"}]}),
        ),
        ("AnythingOrNull", json!({"oneOf": [{"type": "null"}, {}]})),
        (
            "StringOrNullOrNull",
            json!({"oneOf": [{"type": ["string", "null"]}, {"type": "null", "description": "none"}]}),
        ),
        (
            "Nested",
            json!({
                "type": "object",
                "properties": {"p": {"oneOf": [{"$ref": "#/definitions/e"}, {"type": "null"}]}},
                "definitions": {"e": {"type": "object", "required": ["q"], "properties": {"q": {"const": 1}}}}
            }),
        ),
    ]
}

fn instances() -> Vec<Value> {
    vec![
        json!(null),
        json!("a"),
        json!("c"),
        json!(1),
        json!({}),
        json!([]),
        json!({"p": null}),
        json!({"p": {"q": 1}}),
        json!({"p": {"q": 2}}),
        json!({"p": 3}),
    ]
}

/// Compiles the TypeScript validators of `schemas()` and runs them over every instance.
fn typescript_results(cases: &[Value]) -> Vec<Vec<Value>> {
    let docs: Vec<SchemaDoc> = schemas()
        .into_iter()
        .map(|(name, value)| SchemaDoc {
            name: name.to_owned(),
            file: PathBuf::from(format!("{name}.json")),
            value,
        })
        .collect();
    SchemaSet::new(docs.clone(), Profile::General).expect("the schemas are in the profile");
    let dir = tempfile::tempdir().expect("temp dir");
    let sources = dir.path().join("src");
    std::fs::create_dir_all(&sources).expect("src");
    // `--module nodenext` emits ES modules only inside a `"type": "module"` package.
    std::fs::write(dir.path().join("package.json"), "{\"type\": \"module\"}\n")
        .expect("package.json");
    let files = devicekey_codegen::ts_validators_for(docs).expect("generates");
    let mut tsc = Command::new("node");
    tsc.arg(repo_root().join("generated/ts/node_modules/typescript/bin/tsc"))
        .args([
            "--strict",
            "--target",
            "es2022",
            "--module",
            "nodenext",
            "--moduleResolution",
            "nodenext",
            "--skipLibCheck",
            "--outDir",
        ])
        .arg(dir.path().join("out"));
    for (name, contents) in files {
        std::fs::write(sources.join(&name), contents).expect("write");
        tsc.arg(sources.join(name));
    }
    let output = tsc
        .output()
        .expect("run tsc (`npm ci` at the root installs it)");
    assert!(
        output.status.success(),
        "tsc failed:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let module = dir.path().join("out/suite.js");
    let results = run_node(
        &repo_root().join("tests/ts/validate.mjs"),
        &[module.to_str().expect("utf-8 path")],
        &Value::Array(cases.to_vec()),
    );
    serde_json::from_value(results).expect("violation lists")
}

#[test]
fn typescript_agrees_with_the_reference_on_nullable_one_ofs() {
    let mut cases = Vec::new();
    for (name, _) in schemas() {
        for instance in instances() {
            cases.push(json!({"type": name, "instance": instance}));
        }
    }
    let results = typescript_results(&cases);
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, schema) in schemas() {
        let reference = jsonschema::draft7::new(&schema).expect("reference compiles");
        for instance in instances() {
            let violations = &results[checked];
            checked += 1;
            if reference.is_valid(&instance) != violations.is_empty() {
                failures.push(format!(
                    "{name} / {instance}: the reference says valid={}, TypeScript {violations:?}",
                    reference.is_valid(&instance)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    let at = |name: &str, instance: Value| -> &Vec<Value> {
        let index = cases
            .iter()
            .position(|c| c["type"] == name && c["instance"] == instance)
            .expect("a case");
        &results[index]
    };
    let enum_violation = &at("Enum", json!("c"))[0];
    assert_eq!(enum_violation["keyword"], "enum");
    assert_eq!(enum_violation["message"], "must be one of \"a\", \"b\"");
    for both in [
        at("AnythingOrNull", json!(null)),
        at("StringOrNullOrNull", json!(null)),
    ] {
        assert_eq!(both.len(), 1, "{both:?}");
        assert_eq!(
            both[0]["message"],
            "must match exactly one schema in oneOf, but matched 2"
        );
    }
    let nested = at("Nested", json!({"p": {"q": 2}}));
    assert_eq!(nested[0]["instancePath"], "/p/q");
    assert_eq!(nested[0]["keyword"], "const");
}
