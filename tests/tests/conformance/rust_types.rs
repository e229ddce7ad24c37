//! The Rust types typify makes for standalone schemas (the general profile, through
//! `devicekey_codegen::rust_types_for`): codex's corpus and one schema per draft-07 construct
//! compile in a crate of their own with every rustc warning denied, and each type deserializes
//! instances as the reference validator (the `jsonschema` crate) judges them, serializing an
//! accepted one back to the same JSON. Where typify's type is wider or narrower than the schema
//! the case says so, with the reason; any other disagreement fails. The schemas typify cannot
//! take are located errors of the generator, never a panic.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use devicekey_codegen::SchemaDoc;
use devicekey_conformance::{reference_for, repo_root};
use serde_json::{json, Value};

/// One instance of one generated type.
struct Case {
    /// The module (a schema set) and the type in it.
    module: &'static str,
    type_name: &'static str,
    instance: Value,
    /// The JSON an accepted instance serializes back to, when it is not the instance itself.
    back: Option<Value>,
    /// Why typify's verdict differs from the schema's, when it does.
    typify_differs: Option<&'static str>,
}

fn case(module: &'static str, type_name: &'static str, instance: Value) -> Case {
    Case {
        module,
        type_name,
        instance,
        back: None,
        typify_differs: None,
    }
}

fn differs(mut c: Case, reason: &'static str) -> Case {
    c.typify_differs = Some(reason);
    c
}

/// The representative general schemas, one module each: (module, type name, schema).
fn general_schemas() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        (
            "any_of",
            "AnyOfScalar",
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}]}),
        ),
        (
            "nullable",
            "Nullable",
            json!({"type": "object", "properties": {"a": {"type": ["string", "null"]}}, "required": ["a"]}),
        ),
        (
            "all_of",
            "AllOfObjects",
            json!({"allOf": [
                {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
                {"type": "object", "properties": {"b": {"type": "integer"}}}
            ]}),
        ),
        (
            "map_of",
            "MapOf",
            json!({"type": "object", "additionalProperties": {"type": "number"}}),
        ),
        (
            "one_of",
            "OneOfObjects",
            json!({"oneOf": [
                {"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"], "additionalProperties": false},
                {"type": "object", "properties": {"y": {"type": "string"}}, "required": ["y"], "additionalProperties": false}
            ]}),
        ),
        (
            "recursive",
            "Recursive",
            json!({"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#"}}}}),
        ),
        (
            "definitions",
            "WithDefinitions",
            json!({
                "type": "object",
                "properties": {"leaf": {"$ref": "#/definitions/leaf-node"}, "kind": {"$ref": "#/definitions/Kind"}},
                "definitions": {"leaf-node": {"type": "integer", "minimum": 0}, "Kind": {"enum": ["a", "b"]}}
            }),
        ),
        (
            "type_array",
            "TypeArray",
            json!({"type": ["string", "integer", "null"]}),
        ),
        (
            "pattern",
            "Lower",
            json!({"type": "string", "pattern": "^[a-z]+$"}),
        ),
        (
            "number_const",
            "NumberConst",
            json!({"type": "object", "properties": {"v": {"const": 1}}, "required": ["v"]}),
        ),
        (
            "object_const",
            "ObjectConst",
            json!({"const": {"k": [1, 2]}}),
        ),
        (
            "booleans",
            "BooleanSchemas",
            json!({"type": "object", "properties": {"any": true, "none": false}}),
        ),
        (
            "pattern_properties",
            "PatternProperties",
            json!({"type": "object", "patternProperties": {"^x-": {"type": "string"}}}),
        ),
        (
            "dependencies",
            "Dependent",
            json!({"type": "object", "properties": {"a": {"type": "string"}}, "dependencies": {"a": ["b"]}}),
        ),
        ("anything", "Anything", json!({})),
    ]
}

fn cases() -> Vec<Case> {
    let connection = json!({
        "keyId": "dk_tpm_x",
        "payload": {
            "type": "remoteControlClientConnection",
            "nonce": "n", "audience": "remote_control_client_websocket",
            "sessionId": "s", "targetOrigin": "https://chatgpt.com", "targetPath": "/p",
            "accountUserId": "u", "clientId": "c", "tokenExpiresAt": 1700000000,
            "tokenSha256Base64url": "h", "scopes": ["remote_control_controller_websocket"]
        }
    });
    let mut wrong_tag = connection.clone();
    wrong_tag["payload"]["type"] = json!("remoteControlClientEnrollment");
    let mut wrong_audience = connection.clone();
    wrong_audience["payload"]["audience"] = json!("remote_control_client_enrollment");
    vec![
        case("codex", "DeviceKeySignParams", connection),
        case("codex", "DeviceKeySignParams", wrong_tag),
        case("codex", "DeviceKeySignParams", wrong_audience),
        case(
            "codex",
            "DeviceKeyCreateParams",
            json!({"accountUserId": "u", "clientId": "c", "protectionPolicy": "hardware_only"}),
        ),
        Case {
            back: Some(json!({"accountUserId": "u", "clientId": "c"})),
            ..case(
                "codex",
                "DeviceKeyCreateParams",
                json!({"accountUserId": "u", "clientId": "c", "protectionPolicy": null}),
            )
        },
        case(
            "codex",
            "DeviceKeyCreateParams",
            json!({"accountUserId": "u", "clientId": "c", "protectionPolicy": "software"}),
        ),
        case("codex", "DeviceKeyCreateParams", json!({"clientId": "c"})),
        case(
            "codex",
            "DeviceKeySignResponse",
            json!({"signatureDerBase64": "s", "signedPayloadBase64": "p", "algorithm": "ecdsa_p256_sha256"}),
        ),
        case(
            "codex",
            "DeviceKeySignResponse",
            json!({"signatureDerBase64": "s", "signedPayloadBase64": "p", "algorithm": "rsa"}),
        ),
        case("any_of", "AnyOfScalar", json!("x")),
        case("any_of", "AnyOfScalar", json!(5)),
        case("any_of", "AnyOfScalar", json!(true)),
        case("any_of", "AnyOfScalar", json!(1.5)),
        case("nullable", "Nullable", json!({"a": null})),
        case("nullable", "Nullable", json!({"a": "s"})),
        case("nullable", "Nullable", json!({})),
        case("nullable", "Nullable", json!({"a": 1})),
        case("all_of", "AllOfObjects", json!({"a": "s", "b": 1})),
        case("all_of", "AllOfObjects", json!({"a": "s"})),
        case("all_of", "AllOfObjects", json!({"b": 1})),
        case("map_of", "MapOf", json!({"k": 1.5, "l": 2.5})),
        case("map_of", "MapOf", json!({"k": "x"})),
        case("one_of", "OneOfObjects", json!({"x": 1.5})),
        case("one_of", "OneOfObjects", json!({"y": "s"})),
        case("one_of", "OneOfObjects", json!({"z": 1})),
        case(
            "recursive",
            "Recursive",
            json!({"children": [{"children": [{}]}]}),
        ),
        case("recursive", "Recursive", json!({"children": "x"})),
        case(
            "definitions",
            "WithDefinitions",
            json!({"leaf": 3, "kind": "a"}),
        ),
        case("definitions", "WithDefinitions", json!({"leaf": -1})),
        case("definitions", "WithDefinitions", json!({"kind": "c"})),
        case("type_array", "TypeArray", json!("s")),
        case("type_array", "TypeArray", json!(3)),
        case("type_array", "TypeArray", json!(null)),
        case("type_array", "TypeArray", json!(true)),
        case("pattern", "Lower", json!("abc")),
        case("pattern", "Lower", json!("ABC")),
        case("number_const", "NumberConst", json!({"v": 1})),
        differs(
            case("number_const", "NumberConst", json!({"v": 2})),
            "typify drops an untyped `const` (here 1): the field is a `serde_json::Value`",
        ),
        case("object_const", "ObjectConst", json!({"k": [1, 2]})),
        differs(
            case("object_const", "ObjectConst", json!({"k": [1]})),
            "typify drops a `const` object: the type is a `serde_json::Value`",
        ),
        case(
            "booleans",
            "BooleanSchemas",
            json!({"any": [1, {"x": null}]}),
        ),
        differs(
            case("booleans", "BooleanSchemas", json!({"none": 1})),
            "typify reads a `false` property schema as any value",
        ),
        case(
            "pattern_properties",
            "PatternProperties",
            json!({"x-a": "s"}),
        ),
        case("pattern_properties", "PatternProperties", json!({"x-a": 1})),
        differs(
            case(
                "pattern_properties",
                "PatternProperties",
                json!({"other": 1}),
            ),
            "typify makes `patternProperties` a map whose keys must match, although the schema \
             allows other properties: the type is narrower than the schema",
        ),
        // typify's structs keep only the declared properties: the undeclared `b` is accepted,
        // then dropped.
        Case {
            back: Some(json!({"a": "s"})),
            ..case("dependencies", "Dependent", json!({"a": "s", "b": 1}))
        },
        differs(
            case("dependencies", "Dependent", json!({"a": "s"})),
            "typify ignores `dependencies`",
        ),
        case("anything", "Anything", json!({"any": [1, "x", null]})),
    ]
}

/// The schemas typify cannot take: the generator's error names typify.
fn refused_schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "TupleClosed",
            json!({"type": "array", "items": [{"type": "string"}, {"type": "integer"}], "minItems": 2, "additionalItems": false}),
        ),
        ("MixedEnum", json!({"enum": [1, "a", null, true]})),
        ("NotString", json!({"not": {"type": "string"}})),
        (
            "IfThenElse",
            json!({"if": {"type": "string"}, "then": {"minLength": 1}, "else": {"type": "number"}}),
        ),
        (
            "InnerPointer",
            json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"$ref": "#/properties/a"}}}),
        ),
    ]
}

fn doc(name: &str, value: Value) -> SchemaDoc {
    SchemaDoc {
        name: name.to_owned(),
        file: PathBuf::from(format!("{name}.json")),
        value,
    }
}

/// codex's schemas (`shared/corpus/codex-device-key/json`), by type name.
fn codex_schemas() -> Vec<(String, Value)> {
    let dir = repo_root().join("../shared/corpus/codex-device-key/json");
    let mut schemas = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("a UTF-8 name")
                .to_owned();
            let text = std::fs::read_to_string(&path).expect("codex schema");
            schemas.push((
                name,
                serde_json::from_str(&text).expect("codex schema JSON"),
            ));
        }
    }
    schemas.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(schemas.len(), 6, "codex's corpus has six schemas");
    schemas
}

/// Writes the check crate: `src/<module>.rs` for every module, `lib.rs` with every warning
/// denied, and `main.rs` printing, per case, whether the instance deserializes and what it
/// serializes back to.
fn write_crate(dir: &Path, modules: &[(String, String)], cases: &[Case]) {
    std::fs::create_dir_all(dir.join("src")).expect("crate folder");
    let manifest = "[package]\nname = \"typify-check\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n[dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\nserde_json = \"1\"\nregress = \"0.10\"\n";
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("Cargo.toml");
    // The workspace's lock, so the check crate builds the versions the workspace builds.
    std::fs::copy(repo_root().join("Cargo.lock"), dir.join("Cargo.lock")).expect("Cargo.lock");
    let mut lib = "#![deny(warnings)]\n".to_owned();
    for (module, code) in modules {
        std::fs::write(dir.join("src").join(format!("{module}.rs")), code).expect("module");
        writeln!(lib, "pub mod {module};").expect("write");
    }
    std::fs::write(dir.join("src/lib.rs"), lib).expect("lib.rs");
    let mut main = "#![deny(warnings)]\n\nfn check<T: ::serde::de::DeserializeOwned + ::serde::Serialize>(text: &str) -> ::serde_json::Value {\n    match ::serde_json::from_str::<T>(text) {\n        Ok(value) => ::serde_json::json!({\"accepted\": true, \"back\": ::serde_json::to_value(&value).expect(\"serializes\")}),\n        Err(error) => ::serde_json::json!({\"accepted\": false, \"error\": error.to_string()}),\n    }\n}\n\nfn main() {\n    let results = vec![\n".to_owned();
    for c in cases {
        let text = serde_json::to_string(&c.instance.to_string()).expect("string literal");
        writeln!(
            main,
            "        check::<typify_check::{}::{}>({text}),",
            c.module, c.type_name
        )
        .expect("write");
    }
    main.push_str("    ];\n    println!(\"{}\", ::serde_json::Value::Array(results));\n}\n");
    std::fs::write(dir.join("src/main.rs"), main).expect("main.rs");
}

#[test]
fn typify_types_compile_without_warnings_and_deserialize_as_the_schema_says() {
    let mut modules = Vec::new();
    let mut schemas: Vec<(&str, &str, Value)> = Vec::new();
    let codex = codex_schemas();
    let docs = codex.iter().map(|(n, v)| doc(n, v.clone())).collect();
    let code = devicekey_codegen::rust_types_for(docs)
        .unwrap_or_else(|e| panic!("codex's schemas give no Rust types: {e}"));
    modules.push(("codex".to_owned(), code));
    for (module, name, schema) in general_schemas() {
        let code = devicekey_codegen::rust_types_for(vec![doc(name, schema.clone())])
            .unwrap_or_else(|e| panic!("{name} gives no Rust types: {e}"));
        modules.push((module.to_owned(), code));
        schemas.push((module, name, schema));
    }
    let cases = cases();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("typify-check");
    write_crate(&dir, &modules, &cases);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["run", "--quiet", "--jobs", "2"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo");
    assert!(
        output.status.success(),
        "the typify types do not build without warnings, or the check did not run:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Vec<Value> =
        serde_json::from_slice(&output.stdout).expect("the check prints a JSON array");
    assert_eq!(results.len(), cases.len());

    let mut failures = Vec::new();
    let mut differing = 0;
    for (c, result) in cases.iter().zip(&results) {
        let schema = if c.module == "codex" {
            codex
                .iter()
                .find(|(n, _)| n == c.type_name)
                .map(|(_, v)| v.clone())
                .expect("a codex type")
        } else {
            schemas
                .iter()
                .find(|(m, _, _)| *m == c.module)
                .map(|(_, _, v)| v.clone())
                .expect("a general schema")
        };
        let expected = reference_for(&schema)
            .unwrap_or_else(|e| panic!("{}: {e}", c.type_name))
            .is_valid(&c.instance);
        let accepted = result["accepted"] == json!(true);
        let label = format!("{}::{} on {}", c.module, c.type_name, c.instance);
        match (c.typify_differs, accepted == expected) {
            (None, false) => failures.push(format!(
                "{label}: typify's type {} it, the schema {} it ({result})",
                if accepted { "accepts" } else { "refuses" },
                if expected { "accepts" } else { "refuses" }
            )),
            (Some(reason), true) => failures.push(format!(
                "{label}: listed as differing ({reason}), but typify now agrees with the schema"
            )),
            (Some(_), false) => differing += 1,
            (None, true) => {}
        }
        if accepted && expected {
            let back = c.back.as_ref().unwrap_or(&c.instance);
            if result["back"] != *back {
                failures.push(format!(
                    "{label}: serializes back to {}, not {back}",
                    result["back"]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    println!(
        "typify: {} modules built without warnings; {} instances judged as the schema judges them, {differing} where typify is known to differ",
        modules.len(),
        cases.len() - differing
    );
}

/// Set in the child process [`schemas_typify_cannot_take_are_generator_errors`] runs itself in.
const CHILD: &str = "DEVICEKEY_TYPIFY_REFUSALS_CHILD";

#[test]
fn schemas_typify_cannot_take_are_generator_errors() {
    if std::env::var_os(CHILD).is_none() {
        // The checks run in a child process of this test binary, whose stderr is read: typify's
        // panics are the generator's errors, and a library caller sees no panic report for them.
        let output = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "--exact",
                "rust_types::schemas_typify_cannot_take_are_generator_errors",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .output()
            .expect("run the test binary");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "the child failed:\n{}\n{stderr}",
            String::from_utf8_lossy(&output.stdout)
        );
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("1 passed"),
            "the child ran no test"
        );
        assert!(
            !stderr.contains("panicked"),
            "a panic report reached stderr:\n{stderr}"
        );
        return;
    }
    for (name, schema) in refused_schemas() {
        let result = std::panic::catch_unwind(|| {
            devicekey_codegen::rust_types_for(vec![doc(name, schema.clone())])
        });
        let error = match result {
            Ok(Err(error)) => error,
            Ok(Ok(code)) => {
                panic!("{name}: typify now takes this schema, move it to the built ones:\n{code}")
            }
            Err(_) => panic!("{name}: the generator panicked"),
        };
        assert!(
            error.reason.contains("typify"),
            "{name}: the error does not name typify: {error}"
        );
    }
}
