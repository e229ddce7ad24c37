//! The command line, run as a program: `devicekey-codegen generate INPUT --out DIR`.
//!
//! For each input that generates (the repository's `schema/` with the protocol profile, a bundle
//! fixture, the codex corpus gathered into one bundle, one corpus file as a folder), the Rust crate
//! is built offline with warnings as errors, as the dependency of a small probe crate, and the
//! TypeScript package with the repository's `tsc` (strict); both then judge the same instances by
//! type name (`validators::validate_by_name`, `validate`), and must report the same violations
//! and the verdicts an independent judge gives: the protocol's test vectors for `schema/`, the
//! `jsonschema` crate for the others. The crates share one target folder, so serde is built once.
//!
//! Every refusal (usage, input, schema, output folder) is run for its exact message and exit code.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_devicekey-codegen");

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the repository root")
        .to_path_buf()
}

/// The codex corpus folder (beside the repository, as the JSON-Schema-Test-Suite is).
fn corpus() -> PathBuf {
    repo().join("../shared/corpus/codex-device-key/json")
}

/// A fresh folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn run<S: AsRef<OsStr>>(args: &[S]) -> Output {
    run_in(Path::new("."), args)
}

/// Runs the generator in `dir`, so that relative paths and the messages that name them are short.
fn run_in<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the generator runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs the generator and requires success; returns stderr (the warnings).
fn generate<S: AsRef<OsStr>>(args: &[S]) -> String {
    let output = run(args);
    assert!(
        output.status.success(),
        "generate failed ({:?}):\n{}",
        output.status.code(),
        text(&output.stderr)
    );
    text(&output.stderr)
}

/// Runs the generator in `dir` and requires `code`, stdout empty and exactly `stderr`.
fn refused_in<S: AsRef<OsStr>>(dir: &Path, args: &[S], code: i32, stderr: &str) {
    let output = run_in(dir, args);
    assert_eq!(
        output.status.code(),
        Some(code),
        "exit code; stderr:\n{}",
        text(&output.stderr)
    );
    assert_eq!(text(&output.stderr), stderr);
    assert_eq!(text(&output.stdout), "");
}

/// What the generated packages answer for `cases` (type name, instance): first the type names,
/// then per case `null` (no such type) or the violations as `[instancePath, keyword]` pairs.
/// Builds the Rust crate (as a probe's dependency, warnings as errors) and the TypeScript package
/// (strict tsc), and requires both to answer the same.
fn judge(out: &Path, crate_name: &str, cases: &[(String, Value)]) -> Vec<Value> {
    let probe = out.with_file_name(format!(
        "{}-probe",
        out.file_name().and_then(OsStr::to_str).unwrap_or("out")
    ));
    let _ = std::fs::remove_dir_all(&probe);
    std::fs::create_dir_all(probe.join("src")).expect("probe folder");
    let cases_file = probe.join("cases.json");
    std::fs::write(&cases_file, serde_json::to_string(&cases).expect("cases")).expect("cases");
    let lib = crate_name.replace('-', "_");
    std::fs::write(
        probe.join("Cargo.toml"),
        format!(
            "[package]\nname = \"probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\n{crate_name} = {{ path = {:?} }}\n\
             serde_json = {{ version = \"1.0.154\", features = [\"float_roundtrip\"] }}\n\n[workspace]\n",
            out.join("rust").display().to_string()
        ),
    )
    .expect("probe manifest");
    std::fs::write(
        probe.join("src/main.rs"),
        format!(
            r#"use serde_json::{{json, Value}};

fn main() {{
    let path = std::env::args().nth(1).expect("the cases file");
    let text = std::fs::read_to_string(path).expect("cases");
    let cases: Vec<(String, Value)> = serde_json::from_str(&text).expect("cases JSON");
    println!("{{}}", json!({lib}::validators::TYPE_NAMES));
    for (name, instance) in cases {{
        let answer = match {lib}::validators::validate_by_name(&name, &instance) {{
            None => Value::Null,
            Some(Ok(())) => json!([]),
            Some(Err(violations)) => violations
                .iter()
                .map(|v| json!([v.instance_path, v.keyword]))
                .collect(),
        }};
        println!("{{answer}}");
    }}
}}
"#
        ),
    )
    .expect("probe main");
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-standalone-target");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let rust = Command::new(cargo)
        .args(["run", "--offline", "--quiet", "-j", "2", "--manifest-path"])
        .arg(probe.join("Cargo.toml"))
        .arg("--")
        .arg(&cases_file)
        .env("CARGO_TARGET_DIR", &target)
        .env("RUSTFLAGS", "-D warnings")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .output()
        .expect("cargo runs");
    assert!(
        rust.status.success(),
        "the generated crate does not build without warnings, or the probe failed:\n{}",
        text(&rust.stderr)
    );

    let tsc = repo().join("generated/ts/node_modules/typescript/bin/tsc");
    assert!(
        tsc.is_file(),
        "{} is missing: run `cargo xtask setup` (npm ci) first",
        tsc.display()
    );
    let compiled = Command::new("node")
        .arg(&tsc)
        .arg("-p")
        .arg(out.join("ts/tsconfig.json"))
        .output()
        .expect("node runs tsc");
    assert!(
        compiled.status.success(),
        "tsc (strict) refuses the generated package:\n{}{}",
        text(&compiled.stdout),
        text(&compiled.stderr)
    );
    let index = out.join("ts/dist/index.js");
    let script = format!(
        r#"import {{ readFileSync }} from "node:fs";
const m = await import({index:?});
const cases = JSON.parse(readFileSync({cases:?}, "utf8"));
console.log(JSON.stringify(m.TYPE_NAMES));
for (const [name, instance] of cases) {{
  let answer;
  try {{
    answer = m.validate(name, instance).map((v) => [v.instancePath, v.keyword]);
  }} catch (e) {{
    if (!(e instanceof TypeError) || !e.message.startsWith("unknown type name")) throw e;
    answer = null;
  }}
  console.log(JSON.stringify(answer));
}}
"#,
        index = index.display().to_string(),
        cases = cases_file.display().to_string()
    );
    let script_file = probe.join("probe.mjs");
    std::fs::write(&script_file, script).expect("probe script");
    let ts = Command::new("node")
        .arg(&script_file)
        .output()
        .expect("node runs");
    assert!(
        ts.status.success(),
        "the TypeScript probe failed:\n{}",
        text(&ts.stderr)
    );

    let lines = |output: &Output| -> Vec<Value> {
        text(&output.stdout)
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON line"))
            .collect()
    };
    let (rust, ts) = (lines(&rust), lines(&ts));
    assert_eq!(rust.len(), cases.len() + 1, "one answer per case");
    assert_eq!(rust, ts, "Rust and TypeScript disagree");
    rust
}

/// Requires each answer to be a verdict (`valid` → no violation) and returns the answers.
fn assert_verdicts(answers: &[Value], cases: &[(String, Value)], valid: &[bool]) {
    for ((answer, (name, instance)), valid) in answers.iter().zip(cases).zip(valid) {
        let violations = answer
            .as_array()
            .unwrap_or_else(|| panic!("{name} is not a type of the package"));
        assert_eq!(
            violations.is_empty(),
            *valid,
            "{name} {instance}: expected valid={valid}, got {answer}"
        );
    }
}

/// The verdict of the `jsonschema` crate (draft 7) on `instance` as the definition `name` of
/// `definitions`.
fn reference_verdict(definitions: &Value, name: &str, instance: &Value) -> bool {
    let schema = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": definitions,
        "$ref": format!("#/definitions/{name}"),
    });
    jsonschema::draft7::new(&schema)
        .expect("the reference compiles the schema")
        .is_valid(instance)
}

#[test]
fn the_repository_schemas_with_the_protocol_profile() {
    let dir = scratch("protocol");
    let out = dir.join("out");
    let warnings = generate(&[
        OsStr::new("generate"),
        repo().join("schema").as_os_str(),
        OsStr::new("--profile"),
        OsStr::new("protocol"),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    assert_eq!(warnings, "", "the protocol profile warns about nothing");

    // The modules are the repository's generated/ ones but for the header, which names the
    // command line, and the module docs, which speak of the schemas rather than the protocol.
    let header = |text: String| {
        text.replacen(
            "Generated by `devicekey-codegen generate`",
            "Generated by `cargo xtask write-schema`",
            1,
        )
        .replacen("//! The schemas' ", "//! The protocol's ", 1)
        .replacen("(typify, from the input)", "(typify, from `schema/`)", 1)
    };
    for file in [
        "rust/src/types.rs",
        "rust/src/validators.rs",
        "rust/src/methods.rs",
        "rust/src/formats.rs",
        "rust/src/validator_runtime.rs",
        "ts/src/types.ts",
        "ts/src/validators.ts",
        "ts/src/methods.ts",
        "ts/src/formats.ts",
        "ts/src/validator-runtime.ts",
    ] {
        let written = std::fs::read_to_string(out.join(file)).expect("a written file");
        let committed =
            std::fs::read_to_string(repo().join("generated").join(file)).expect("generated/");
        assert!(
            header(written) == committed,
            "{file} differs from generated/{file}"
        );
    }
    // The name comes from the folder: `schema`.
    let manifest = std::fs::read_to_string(out.join("rust/Cargo.toml")).expect("Cargo.toml");
    assert!(manifest.contains("name = \"schema\"\n"), "{manifest}");
    assert!(manifest.contains("\n[workspace]\n"), "{manifest}");
    let package: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("ts/package.json")).expect("package.json"),
    )
    .expect("package.json is JSON");
    assert_eq!(package["name"], "schema");

    // Every test vector of the protocol, by type name, and an unknown name.
    let mut cases = Vec::new();
    let mut valid = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/vectors"))
        .expect("tests/vectors")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    entries.sort();
    for path in entries {
        let file: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("vector file"))
                .expect("vector JSON");
        let Some(name) = file["type"].as_str() else {
            continue;
        };
        for vector in file["vectors"].as_array().into_iter().flatten() {
            cases.push((name.to_owned(), vector["instance"].clone()));
            valid.push(vector["valid"].as_bool().expect("a verdict"));
        }
    }
    assert!(cases.len() > 100, "the vectors are there: {}", cases.len());
    assert!(valid.contains(&true) && valid.contains(&false));
    cases.push(("NoSuchType".to_owned(), json!({})));
    let answers = judge(&out, "schema", &cases);
    let names: Vec<String> = std::fs::read_dir(repo().join("schema"))
        .expect("schema/")
        .filter_map(|e| {
            let name = e
                .ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".json")?
                .to_owned();
            (name != "methods").then_some(name)
        })
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(answers[0], json!(names));
    assert_verdicts(&answers[1..], &cases[..cases.len() - 1], &valid);
    assert_eq!(answers[cases.len()], Value::Null, "an unknown type name");
}

#[test]
fn a_bundle_with_refs_all_of_any_of_and_an_enum() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pet-store.json");
    let dir = scratch("bundle");
    // Written inside another workspace's folder, the crate is still a workspace of its own.
    std::fs::write(dir.join("Cargo.toml"), "[workspace]\nresolver = \"2\"\n").expect("workspace");
    let out = dir.join("out");
    let warnings = generate(&[
        OsStr::new("generate"),
        fixture.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    assert_eq!(
        warnings,
        format!("warning: {}#/definitions/Pet/properties/born/format: format `color` is not one the generators know; ignored (draft-07: an unknown format accepts every value)\n", fixture.display())
    );
    // The package name comes from the bundle's file name, the type names from the definitions.
    let manifest = std::fs::read_to_string(out.join("rust/Cargo.toml")).expect("Cargo.toml");
    assert!(manifest.contains("name = \"pet-store\"\n"), "{manifest}");
    let types = std::fs::read_to_string(out.join("ts/src/types.ts")).expect("types.ts");
    assert!(
        types.contains("export type PetKind = \"cat\" | \"dog\" | \"fish\";"),
        "{types}"
    );
    assert!(types.contains("kind: PetKind;"), "{types}");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let metadata = Command::new(cargo)
        .args([
            "metadata",
            "--offline",
            "--no-deps",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(out.join("rust/Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        metadata.status.success(),
        "the crate is not a workspace of its own: {}",
        text(&metadata.stderr)
    );
    let validators = std::fs::read_to_string(out.join("ts/src/validators.ts")).expect("ts");
    assert!(validators.contains("export type TypeName = (typeof TYPE_NAMES)[number];"));
    // Violations' schema paths point into the bundle, in both languages: its file name and the
    // definition's pointer (the definition `pet-kind` is the type `PetKind`), never a document of
    // the type's name.
    let rust_validators =
        std::fs::read_to_string(out.join("rust/src/validators.rs")).expect("validators.rs");
    for (language, code) in [("Rust", &rust_validators), ("TypeScript", &validators)] {
        for path in [
            "\"pet-store.json#/definitions/Named/properties/name/minLength\"",
            "\"pet-store.json#/definitions/pet-kind/enum\"",
        ] {
            assert!(code.contains(path), "{language}: no schema path {path}");
        }
        for document in ["Named", "Pet", "PetKind", "Order"] {
            let named = format!("\"{document}.json#");
            assert!(
                !code.contains(&named),
                "{language}: a schema path names {named}"
            );
        }
    }

    let bundle: Value =
        serde_json::from_str(&std::fs::read_to_string(&fixture).expect("fixture")).expect("JSON");
    let definitions = &bundle["definitions"];
    let pet = json!({"name": "Tom", "kind": "cat", "age": 3, "tag": null, "born": "2020-02-29"});
    let cases: Vec<(&str, &str, Value)> = vec![
        ("PetKind", "pet-kind", json!("dog")),
        ("PetKind", "pet-kind", json!("cow")),
        ("Named", "Named", json!({"name": "x", "other": 1})),
        ("Named", "Named", json!({"name": ""})),
        ("Pet", "Pet", pet.clone()),
        ("Pet", "Pet", json!({"kind": "cat"})),
        (
            "Pet",
            "Pet",
            json!({"name": "Rex", "kind": "dog", "tag": "far-too-long"}),
        ),
        (
            "Pet",
            "Pet",
            json!({"name": "Rex", "kind": "dog", "owner": "me"}),
        ),
        (
            "Order",
            "Order",
            json!({"id": 1, "pets": [pet.clone()], "status": "placed"}),
        ),
        (
            "Order",
            "Order",
            json!({"id": 1, "pets": [], "status": "shipped"}),
        ),
        (
            "Order",
            "Order",
            json!({"id": 1, "pets": [{"name": "F", "kind": "fish"}], "status": "lost"}),
        ),
        (
            "Order",
            "Order",
            json!({"id": 1, "pets": [{"name": "F", "kind": "bird"}], "status": "placed"}),
        ),
    ];
    let valid: Vec<bool> = cases
        .iter()
        .map(|(_, definition, instance)| reference_verdict(definitions, definition, instance))
        .collect();
    assert_eq!(
        valid,
        [true, false, true, false, true, false, false, false, true, false, false, false],
        "the reference's verdicts are the ones the cases were written for"
    );
    let mut cases: Vec<(String, Value)> = cases
        .into_iter()
        .map(|(name, _, instance)| (name.to_owned(), instance))
        .collect();
    cases.push(("pet-kind".to_owned(), json!("dog")));
    let answers = judge(&out, "pet-store", &cases);
    assert_eq!(answers[0], json!(["Named", "Order", "Pet", "PetKind"]));
    assert_verdicts(&answers[1..], &cases[..cases.len() - 1], &valid);
    // Where each invalid instance is wrong.
    assert_eq!(answers[2], json!([["", "enum"]]));
    assert_eq!(answers[4], json!([["/name", "minLength"]]));
    assert_eq!(
        answers[6],
        json!([["", "required"]]),
        "through the allOf's Named"
    );
    assert_eq!(answers[7], json!([["/tag", "anyOf"]]));
    assert_eq!(answers[8], json!([["/owner", "additionalProperties"]]));
    assert_eq!(answers[10], json!([["/pets", "minItems"]]));
    assert_eq!(answers[11], json!([["/status", "anyOf"]]));
    assert_eq!(answers[12], json!([["/pets/0/kind", "enum"]]));
    // A definition's name as written is not a type name: the type is `PetKind`.
    assert_eq!(answers[cases.len()], Value::Null);
}

/// The codex corpus as one bundle: every file's own definitions and the file itself as the
/// definitions of one document (a definition that several files carry must be the same in each).
fn corpus_bundle() -> Value {
    let mut definitions = serde_json::Map::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus())
        .expect("the corpus")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    for path in files {
        let mut doc: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("corpus file"))
                .expect("corpus JSON");
        let object = doc.as_object_mut().expect("a corpus schema is an object");
        object.remove("$schema");
        if let Some(Value::Object(inner)) = object.remove("definitions") {
            for (name, definition) in inner {
                if let Some(earlier) = definitions.get(&name) {
                    assert_eq!(earlier, &definition, "{name} differs between corpus files");
                }
                definitions.insert(name, definition);
            }
        }
        let stem = path.file_stem().and_then(OsStr::to_str).expect("a stem");
        definitions.insert(stem.to_owned(), doc);
    }
    json!({"$schema": "http://json-schema.org/draft-07/schema#", "definitions": definitions})
}

#[test]
fn the_codex_corpus_folder_generates_as_written() {
    if !corpus().is_dir() {
        eprintln!("skipped: no corpus at {}", corpus().display());
        return;
    }
    // The corpus files keep the types they share in `definitions` of their own (as schemars
    // writes them); the general profile takes the folder as written, each file a type.
    let dir = scratch("corpus-folder");
    let out = dir.join("out");
    let warnings = generate(&[
        OsStr::new("generate"),
        corpus().as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
        OsStr::new("--name"),
        OsStr::new("codex-folder"),
    ]);
    assert_eq!(
        warnings, "",
        "the corpus uses nothing the general profile ignores"
    );
    let bundle = corpus_bundle();
    let definitions = &bundle["definitions"];
    let cases: Vec<(String, Value)> = vec![
        ("DeviceKeyPublicParams", json!({"keyId": "k1"})),
        ("DeviceKeyPublicParams", json!({"keyId": 7})),
        ("DeviceKeyCreateParams", json!({"accountUserId": "a", "clientId": "c"})),
        (
            "DeviceKeyCreateParams",
            json!({"accountUserId": "a", "clientId": "c", "protectionPolicy": "software"}),
        ),
        (
            "DeviceKeyCreateResponse",
            json!({"keyId": "k", "publicKeySpkiDerBase64": "AA==", "algorithm": "ecdsa_p256_sha256", "protectionClass": "hardware_tpm"}),
        ),
        ("DeviceKeySignResponse", json!({"signatureDerBase64": 1})),
    ]
    .into_iter()
    .map(|(name, instance)| (name.to_owned(), instance))
    .collect();
    let valid: Vec<bool> = cases
        .iter()
        .map(|(name, instance)| reference_verdict(definitions, name, instance))
        .collect();
    let answers = judge(&out, "codex-folder", &cases);
    let names: Vec<&str> = answers[0]
        .as_array()
        .expect("type names")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for file in [
        "DeviceKeyCreateParams",
        "DeviceKeyCreateResponse",
        "DeviceKeyPublicParams",
        "DeviceKeyPublicResponse",
        "DeviceKeySignParams",
        "DeviceKeySignResponse",
    ] {
        assert!(
            names.contains(&file),
            "{file} is a type of the folder: {names:?}"
        );
    }
    assert_verdicts(&answers[1..], &cases, &valid);
}

#[test]
fn the_codex_corpus_as_one_bundle_and_a_file_of_it_as_a_folder() {
    if !corpus().is_dir() {
        eprintln!("skipped: no corpus at {}", corpus().display());
        return;
    }
    let dir = scratch("corpus");
    let bundle = corpus_bundle();
    let bundle_file = dir.join("codex-device-key.json");
    std::fs::write(
        &bundle_file,
        serde_json::to_string_pretty(&bundle).expect("bundle"),
    )
    .expect("bundle file");
    let out = dir.join("out");
    let warnings = generate(&[
        OsStr::new("generate"),
        bundle_file.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    assert_eq!(
        warnings, "",
        "the corpus uses nothing the general profile ignores"
    );

    let definitions = &bundle["definitions"];
    let connection = json!({
        "accountUserId": "account-user-1",
        "audience": "remote_control_client_websocket",
        "clientId": "cli_123",
        "nonce": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "scopes": ["remote_control_controller_websocket"],
        "sessionId": "wssess_123",
        "targetOrigin": "https://chatgpt.com",
        "targetPath": "/api/codex/remote/control/client",
        "tokenExpiresAt": 1700000000,
        "tokenSha256Base64url": "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
        "type": "remoteControlClientConnection"
    });
    let mut wrong_type = connection.clone();
    wrong_type["type"] = json!("remoteControlSomethingElse");
    let mut fraction = connection.clone();
    fraction["tokenExpiresAt"] = json!(1.5);
    let cases: Vec<(&str, Value)> = vec![
        (
            "DeviceKeySignParams",
            json!({"keyId": "k1", "payload": connection}),
        ),
        (
            "DeviceKeySignParams",
            json!({"keyId": "k1", "payload": wrong_type}),
        ),
        (
            "DeviceKeySignParams",
            json!({"keyId": "k1", "payload": fraction}),
        ),
        ("DeviceKeySignParams", json!({"payload": connection})),
        (
            "DeviceKeyCreateParams",
            json!({"accountUserId": "a", "clientId": "c"}),
        ),
        (
            "DeviceKeyCreateParams",
            json!({"accountUserId": "a", "clientId": "c", "protectionPolicy": null}),
        ),
        (
            "DeviceKeyCreateParams",
            json!({"accountUserId": "a", "clientId": "c", "protectionPolicy": "hardware_only"}),
        ),
        (
            "DeviceKeyCreateParams",
            json!({"accountUserId": "a", "clientId": "c", "protectionPolicy": "software"}),
        ),
        ("DeviceKeyPublicParams", json!({"keyId": "k1"})),
        ("DeviceKeyPublicParams", json!({"keyId": 7})),
        ("DeviceKeyAlgorithm", json!("ecdsa_p256_sha256")),
        ("DeviceKeyAlgorithm", json!("rsa")),
    ];
    let valid: Vec<bool> = cases
        .iter()
        .map(|(name, instance)| reference_verdict(definitions, name, instance))
        .collect();
    assert_eq!(
        valid,
        [true, false, false, false, true, true, true, false, true, false, true, false],
        "the reference's verdicts are the ones the cases were written for"
    );
    let cases: Vec<(String, Value)> = cases
        .into_iter()
        .map(|(name, instance)| (name.to_owned(), instance))
        .collect();
    let answers = judge(&out, "codex-device-key", &cases);
    let mut names: Vec<&String> = definitions
        .as_object()
        .expect("definitions")
        .keys()
        .collect();
    names.sort();
    assert_eq!(answers[0], json!(names));
    assert_verdicts(&answers[1..], &cases, &valid);
    // A payload that matches no variant of the oneOf is reported there.
    assert_eq!(answers[2], json!([["/payload", "oneOf"]]));
    assert_eq!(answers[3], json!([["/payload", "oneOf"]]));
    assert_eq!(answers[4], json!([["", "required"]]));
    assert_eq!(answers[10], json!([["/keyId", "type"]]));

    // The one corpus file without nested definitions generates as a folder on its own, named by
    // the folder.
    let folder = dir.join("public-params");
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::copy(
        corpus().join("DeviceKeyPublicParams.json"),
        folder.join("DeviceKeyPublicParams.json"),
    )
    .expect("copy");
    let out = dir.join("out-folder");
    generate(&[
        OsStr::new("generate"),
        folder.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    let manifest = std::fs::read_to_string(out.join("rust/Cargo.toml")).expect("Cargo.toml");
    assert!(
        manifest.contains("name = \"public-params\"\n"),
        "{manifest}"
    );
    let ts = std::fs::read_to_string(out.join("ts/src/validators.ts")).expect("validators.ts");
    assert!(ts.contains("export const TYPE_NAMES = [\"DeviceKeyPublicParams\"] as const;"));
}

/// Writes `files` (relative path, contents) under `dir`.
fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, contents) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folder");
        std::fs::write(path, contents).expect("file");
    }
}

const SEE: &str = "(see `devicekey-codegen generate --help`)";

#[test]
fn usage_errors_are_one_line_and_exit_2() {
    let dir = scratch("usage");
    write_files(&dir, &[("schemas/A.json", r#"{"type": "string"}"#)]);
    let cases: &[(&[&str], String)] = &[
        (&[], "no command given: run `devicekey-codegen generate INPUT --out DIR` (see `devicekey-codegen --help`)".to_owned()),
        (&["frob"], "unknown command `frob`: the command is `generate` (see `devicekey-codegen --help`)".to_owned()),
        (&["generate"], format!("no INPUT given: a folder of schema files or one bundle file {SEE}")),
        (&["generate", "schemas"], format!("no `--out DIR` given: the folder to write the rust/ and ts/ packages into {SEE}")),
        (&["generate", "schemas", "--out"], format!("`--out` needs a value {SEE}")),
        (&["generate", "in", "--out="], format!("`--out` needs a value {SEE}")),
        (&["generate", "schemas", "--out", "o", "--out", "p"], format!("`--out` is given twice {SEE}")),
        (&["generate", "schemas", "--out", "o", "--bogus"], format!("unknown option `--bogus` {SEE}")),
        (&["generate", "schemas", "--out", "o", "-x"], format!("unknown option `-x` {SEE}")),
        (&["generate", "schemas", "--out", "o", "--profile", "strict"], "unknown profile `strict`: expected `general` or `protocol`".to_owned()),
        (&["generate", "schemas", "--out", "o", "--profile=Protocol"], "unknown profile `Protocol`: expected `general` or `protocol`".to_owned()),
        (&["generate", "schemas", "--out", "o", "--profile", "general", "--profile", "protocol"], format!("`--profile` is given twice {SEE}")),
        (&["generate", "schemas", "other", "--out", "o"], format!("one INPUT only: `other` follows `schemas` {SEE}")),
        (&["generate", "schemas", "--out", "o", "--name", "My Types"], "`--name My Types`: a package name is lowercase ASCII letters and digits in words joined by single hyphens, a letter first, at most 64 characters".to_owned()),
        (&["generate", "schemas", "--out", "o", "--name", "a--b"], "`--name a--b`: a package name is lowercase ASCII letters and digits in words joined by single hyphens, a letter first, at most 64 characters".to_owned()),
        (&["generate", "schemas", "--out", "o", "--name", "serde-json"], "`--name serde-json`: `serde-json` is taken: the crate would clash with a crate it uses or a Rust keyword".to_owned()),
        (&["generate", "schemas", "--out", "o", "--name", "type"], "`--name type`: `type` is taken: the crate would clash with a crate it uses or a Rust keyword".to_owned()),
    ];
    for (args, message) in cases {
        refused_in(&dir, args, 2, &format!("error: {message}\n"));
    }
    assert!(
        !dir.join("o").exists() && !dir.join("p").exists(),
        "nothing is written"
    );
}

#[test]
fn unreadable_inputs_are_one_line_and_exit_2() {
    let dir = scratch("unreadable");
    write_files(
        &dir,
        &[
            ("bad.json", "{nope"),
            ("bad-folder/A.json", "[1,"),
            (
                "twice.json",
                r#"{"definitions": {"A": {}}, "definitions": {"B": {}}}"#,
            ),
            ("text-only/README.md", "no schemas here"),
            ("plain.json", r#"{"type": "string"}"#),
            ("array.json", "[]"),
            ("no-types.json", r#"{"definitions": {}}"#),
        ],
    );
    std::fs::create_dir_all(dir.join("empty")).expect("empty folder");
    let cases: &[(&str, &str)] = &[
        ("missing", "cannot read the input `missing`: No such file or directory (os error 2)"),
        ("bad.json", "bad.json: not valid JSON: key must be a string at line 1 column 2"),
        ("bad-folder", "bad-folder/A.json: not valid JSON: EOF while parsing a value at line 1 column 3"),
        ("twice.json", "twice.json: duplicate key \"definitions\" in the object at # at line 1 column 40"),
        ("empty", "the folder `empty` holds no schema files (`*.json`)"),
        ("text-only", "the folder `text-only` holds no schema files (`*.json`)"),
        ("plain.json", "plain.json: not a bundle: a bundle file is a JSON object whose `definitions` are the types"),
        ("array.json", "array.json: not a bundle: a bundle file is a JSON object whose `definitions` are the types"),
        ("no-types.json", "no-types.json: the bundle's `definitions` is empty: there is no type to generate"),
    ];
    for (input, message) in cases {
        refused_in(
            &dir,
            &["generate", input, "--out", "o"],
            2,
            &format!("error: {message}\n"),
        );
    }
    assert!(!dir.join("o").exists(), "nothing is written");
}

#[test]
fn refused_schemas_name_each_place_and_exit_1() {
    let dir = scratch("schemas");
    write_files(
        &dir,
        &[
            (
                "messy.json",
                r##"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "definitions": {
    "2x": true,
    "E_f": {},
    "a": {"$ref": "#/properties/x"},
    "b": {"$ref": "other.json"},
    "c": {"items": {"$ref": "#/definitions/zz"}},
    "d": {"$ref": "#/definitions/a/nothing"},
    "e-f": {},
    "f": {"$ref": "#/definitions/E%5Ff"},
    "g": {"$ref": "#/definitions/%zz"}
  }
}"##,
            ),
            ("names/2fa.json", "{}"),
            ("names/AB.json", "{}"),
            ("names/a-b.json", "{}"),
            ("names/TypeName.json", "{}"),
            ("names/cl\u{e9}.json", "{}"),
            (
                "dangling/A.json",
                r##"{"properties": {"b": {"$ref": "#/definitions/missing"}}}"##,
            ),
            (
                "bundled-dangling.json",
                r##"{"definitions": {"a": {"not": {"$ref": "#/definitions/a/properties/q"}, "properties": {"q": {"$ref": "#/x"}}}}}"##,
            ),
            (
                "typify/ifthen/A.json",
                r#"{"if": {"type": "string"}, "then": {"minLength": 2}}"#,
            ),
            (
                "typify/collide/A.json",
                r#"{"type": "object", "properties": {"a-b": {"type": "string"}, "a_b": {"type": "integer"}}}"#,
            ),
            (
                "lints/Item.json",
                r#"{"type": "object", "properties": {"id": {"type": "string"}}, "anyOf": [{"required": ["id"]}]}"#,
            ),
        ],
    );
    refused_in(
        &dir,
        &["generate", "messy.json", "--out", "o"],
        1,
        "error: messy.json#/$schema: `$schema` must be \"http://json-schema.org/draft-07/schema#\": the generator reads draft-07
error: messy.json#/type: a bundle's root holds its types in `definitions` and nothing that validates: `type` would make the root a schema of its own, which no type is generated for; move it into a definition
error: messy.json#/definitions/2x: the definition name `2x` is not a type name and cannot be made one: a type name starts with a letter
error: messy.json#/definitions/e-f: gives the type name `EF`, as the definition `E_f` does: two definitions cannot define one type
error: messy.json#/definitions/a/$ref: `$ref` `#/properties/x` points outside the bundle's `definitions`: only `#/definitions/<name>` names a type
error: messy.json#/definitions/b/$ref: `$ref` `other.json` leaves the bundle: a bundle's types refer to one another as `#/definitions/<name>`
error: messy.json#/definitions/c/items/$ref: `$ref` `#/definitions/zz` names no definition of the bundle
error: messy.json#/definitions/d/$ref: `$ref` `#/definitions/a/nothing` points at nothing
error: messy.json#/definitions/g/$ref: `$ref` `#/definitions/%zz` has a malformed percent-encoding
",
    );
    refused_in(
        &dir,
        &["generate", "names", "--out", "o"],
        1,
        "error: names/2fa.json: the file name `2fa` is not a type name and cannot be made one: a type name starts with a letter
error: names/TypeName.json: the file name `TypeName` gives the type name `TypeName`, which the TypeScript package exports for itself (ParseResult, TypeName, TypesByName, Violation): rename it
error: names/a-b.json: gives the type name `AB`, as `names/AB.json` does: two files cannot define one type
error: names/cl\u{e9}.json: the file name `cl\u{e9}` is not a type name and cannot be made one: type names are ASCII letters and digits
",
    );
    // The library's own refusals, located in the input as written.
    refused_in(
        &dir,
        &["generate", "dangling", "--out", "o"],
        1,
        "error: dangling/A.json#/properties/b/$ref: $ref `#/definitions/missing` points at nothing\n",
    );
    refused_in(
        &dir,
        &["generate", "bundled-dangling.json", "--out", "o"],
        1,
        "error: bundled-dangling.json#/definitions/a/properties/q/$ref: `$ref` `#/x` points outside the bundle's `definitions`: only `#/definitions/<name>` names a type\n",
    );
    // What the Rust type generator cannot express is refused, never a crate that does not build.
    refused_in(
        &dir,
        &["generate", "typify/ifthen", "--out", "o"],
        1,
        "error: typify/ifthen/A.json: the type generator (typify) cannot handle these schemas (it panicked: not implemented: if/then/else schemas are not supported: { \"if\": { \"type\": \"string\" }, \"then\": { \"minLength\": 2 } })\n",
    );
    refused_in(
        &dir,
        &["generate", "typify/collide", "--out", "o"],
        1,
        "error: typify/collide: the type generator (typify) gives two properties of `A` the one Rust field name `a_b`: rename one of them\n",
    );
    // The protocol profile reports every broken rule at once.
    refused_in(
        &dir,
        &["generate", "lints", "--profile", "protocol", "--out", "o"],
        1,
        "error: lints/Item.json#: a protocol schema needs \"title\": \"Item\" (its file name)
error: lints/Item.json#/anyOf: keyword `anyOf` is not in the protocol profile (the type emitters do not support it)
error: lints/Item.json#: a protocol schema needs a `description`
error: lints/Item.json#: an object schema with `properties` must state `additionalProperties`
error: lints/Item.json#/properties/id: every property of a protocol schema needs a `description`
",
    );
    assert!(!dir.join("o").exists(), "nothing is written");
}

#[test]
fn the_general_profile_warns_on_stderr_and_renamed_files_keep_their_refs() {
    let dir = scratch("warnings");
    write_files(
        &dir,
        &[
            (
                "schemas/tree.json",
                r#"{"type": "object", "examples": [{}], "x-internal": true, "properties": {"kind": {"$ref": "node-kind.json"}, "colour": {"type": "string", "format": "colour"}}}"#,
            ),
            ("schemas/node-kind.json", r#"{"enum": ["leaf", "branch"]}"#),
        ],
    );
    let output = run_in(&dir, &["generate", "schemas", "--out", "o"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stderr),
        "warning: schemas/tree.json#/examples: annotation `examples` is ignored by the validators
warning: schemas/tree.json#/properties/colour/format: format `colour` is not one the generators know; ignored (draft-07: an unknown format accepts every value)
warning: schemas/tree.json#/x-internal: keyword `x-internal` is not a keyword the generators know; the validators ignore it
"
    );
    assert_eq!(
        text(&output.stdout),
        "o/rust: crate `schemas`, o/ts: npm package `schemas`; 2 types, 14 files (14 written, 0 removed, listed in o/.devicekey-codegen.json)\n"
    );
    let types = std::fs::read_to_string(dir.join("o/ts/src/types.ts")).expect("types.ts");
    assert!(types.contains("kind?: NodeKind;"), "{types}");

    // The Rust is formatted with the crate's own rustfmt.toml, not one found from the current
    // folder, and `cargo fmt` there changes nothing.
    std::fs::write(dir.join("rustfmt.toml"), "max_width = 40\n").expect("rustfmt.toml");
    let again = run_in(&dir, &["generate", "schemas", "--out", "o-narrow"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    for file in [
        "rust/src/types.rs",
        "rust/src/validators.rs",
        "rust/rustfmt.toml",
    ] {
        assert_eq!(
            std::fs::read_to_string(dir.join("o").join(file)).expect("first"),
            std::fs::read_to_string(dir.join("o-narrow").join(file)).expect("second"),
            "{file}"
        );
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let fmt = Command::new(cargo)
        .args(["fmt", "--check", "--manifest-path"])
        .arg(dir.join("o/rust/Cargo.toml"))
        .output()
        .expect("cargo fmt runs");
    assert!(
        fmt.status.success(),
        "cargo fmt would change the generated crate:\n{}",
        text(&fmt.stdout)
    );
    assert!(
        types.contains("export type NodeKind = \"leaf\" | \"branch\";"),
        "{types}"
    );
}

#[test]
fn the_output_folder_is_written_only_when_new_empty_or_the_generators() {
    let dir = scratch("output");
    write_files(
        &dir,
        &[
            ("schemas/A.json", r#"{"type": "string"}"#),
            ("foreign/notes.txt", "mine"),
            ("a-file", "mine"),
            (
                "tampered/.devicekey-codegen.json",
                r#"{"files": ["../outside.txt"]}"#,
            ),
            ("outside.txt", "not the generator's"),
        ],
    );
    let marker = "listed in";
    refused_in(
        &dir,
        &["generate", "schemas", "--out", "foreign"],
        3,
        "error: the output folder `foreign` holds files the generator did not write (`notes.txt`, and no .devicekey-codegen.json): give a new or empty folder\n",
    );
    refused_in(
        &dir,
        &["generate", "schemas", "--out", "a-file"],
        3,
        "error: the output `a-file` exists and is not a folder\n",
    );
    refused_in(
        &dir,
        &["generate", "schemas", "--out", "tampered"],
        3,
        "error: `tampered/.devicekey-codegen.json` is not a marker the generator wrote: remove the output folder or give another\n",
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("outside.txt")).expect("kept"),
        "not the generator's"
    );

    // An empty folder is fine; a rerun rewrites nothing that is current.
    std::fs::create_dir_all(dir.join("o")).expect("empty");
    let first = run_in(&dir, &["generate", "schemas", "--out", "o"]);
    assert!(
        text(&first.stdout).contains(marker),
        "{}",
        text(&first.stderr)
    );
    let again = run_in(&dir, &["generate", "schemas", "--out", "o"]);
    assert_eq!(
        text(&again.stdout),
        "o/rust: crate `schemas`, o/ts: npm package `schemas`; 1 type, 14 files (0 written, 0 removed, listed in o/.devicekey-codegen.json)\n"
    );

    // Over a run with a method table: the methods modules go, other files stay.
    let o = dir.join("protocol-then-general");
    generate(&[
        OsStr::new("generate"),
        repo().join("schema").as_os_str(),
        OsStr::new("--profile"),
        OsStr::new("protocol"),
        OsStr::new("--out"),
        o.as_os_str(),
    ]);
    assert!(o.join("rust/src/methods.rs").is_file() && o.join("ts/src/methods.ts").is_file());
    write_files(&o, &[("ts/dist/index.js", "built"), ("NOTES.md", "mine")]);
    let output = run(&[
        OsStr::new("generate"),
        dir.join("schemas").as_os_str(),
        OsStr::new("--out"),
        o.as_os_str(),
    ]);
    assert!(
        text(&output.stdout).contains(", 2 removed, "),
        "{}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    assert!(!o.join("rust/src/methods.rs").exists() && !o.join("ts/src/methods.ts").exists());
    assert!(o.join("ts/dist/index.js").is_file() && o.join("NOTES.md").is_file());
    let marker: Value = serde_json::from_str(
        &std::fs::read_to_string(o.join(".devicekey-codegen.json")).expect("marker"),
    )
    .expect("marker JSON");
    let listed = marker["files"].as_array().expect("files");
    assert_eq!(listed.len(), 14);
    assert!(!listed.contains(&json!("rust/src/methods.rs")));

    // Never through a symbolic link.
    #[cfg(unix)]
    {
        let linked = dir.join("linked");
        generate(&[
            OsStr::new("generate"),
            dir.join("schemas").as_os_str(),
            OsStr::new("--out"),
            linked.as_os_str(),
        ]);
        std::fs::remove_dir_all(linked.join("ts/src")).expect("remove");
        std::fs::create_dir_all(dir.join("elsewhere")).expect("elsewhere");
        std::os::unix::fs::symlink("../../elsewhere", linked.join("ts/src")).expect("symlink");
        refused_in(
            &dir,
            &["generate", "schemas", "--out", "linked"],
            3,
            "error: `linked/ts/src` is a symbolic link: the generator writes only inside the output folder\n",
        );
        assert_eq!(
            std::fs::read_dir(dir.join("elsewhere"))
                .expect("elsewhere")
                .count(),
            0,
            "nothing written through the link"
        );
    }
}

#[test]
fn help_documents_the_command() {
    for args in [
        &["--help"][..],
        &["generate", "--help"],
        &["generate", "-h"],
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(0));
        assert_eq!(text(&output.stderr), "");
        let help = text(&output.stdout);
        assert!(
            help.contains("devicekey-codegen generate INPUT --out DIR"),
            "{help}"
        );
    }
    let help = text(&run(&["generate", "--help"]).stdout);
    for needle in [
        "a folder of schema files",
        "one bundle file",
        "--profile P",
        "--name NAME",
        "general (the default)",
        "  general   ",
        "  protocol  ",
        "Refused, because",
        "validate_by_name",
        "validate(name: TypeName, value)",
        "Exit codes:",
        "  3  the output folder is refused",
        ".devicekey-codegen.json",
    ] {
        assert!(
            help.contains(needle),
            "`{needle}` is not in the help:\n{help}"
        );
    }
    let version = run(&["--version"]);
    assert_eq!(
        text(&version.stdout),
        format!("devicekey-codegen {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn names_that_cannot_be_made_and_folders_that_cannot_be_made() {
    let dir = scratch("names");
    write_files(
        &dir,
        &[
            ("2fa/A.json", "{}"),
            ("ok/A.json", r#"{"type": "string"}"#),
            ("ok/.hidden.json", "not JSON, and not read"),
            ("a-file", "mine"),
            (
                "rooted.json",
                r#"{"$id": "https://example.com/rooted.json", "definitions": {"A": {"type": "string"}}}"#,
            ),
        ],
    );
    refused_in(
        &dir,
        &["generate", "2fa", "--out", "o"],
        2,
        "error: cannot name the packages after `2fa`: a package name is lowercase ASCII letters and digits in words joined by single hyphens, a letter first, at most 64 characters; give one with `--name`\n",
    );
    refused_in(
        &dir,
        &["generate", "/", "--out", "o"],
        2,
        "error: cannot name the packages after `/`; give one with `--name`\n",
    );
    refused_in(
        &dir,
        &["generate", "ok", "--out", "a-file/o"],
        3,
        "error: cannot read the output folder `a-file/o`: Not a directory (os error 20)\n",
    );
    // `--name` wins over the folder's name; hidden files are not schemas.
    let output = run_in(
        &dir,
        &["generate", "2fa", "--name", "two-factor", "--out", "o"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout)
        .starts_with("o/rust: crate `two-factor`, o/ts: npm package `two-factor`; 1 type, "));
    let output = run_in(&dir, &["generate", "ok", "--out", "o-ok"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    // A bundle's `$id` changes nothing its `$ref`s resolve to: ignored, with a warning.
    let output = run_in(&dir, &["generate", "rooted.json", "--out", "o-rooted"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stderr),
        "warning: rooted.json#/$id: `$id` ignored: a bundle's `$ref`s point into the bundle itself\n"
    );

    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let odd = dir.join("odd");
        std::fs::create_dir_all(&odd).expect("folder");
        std::fs::write(odd.join(OsStr::from_bytes(b"\xff.json")), "{}").expect("file");
        refused_in(
            &dir,
            &["generate", "odd", "--out", "o"],
            1,
            "error: odd/\u{fffd}.json: the file name is not UTF-8, so it names no type\n",
        );
        let output = run_in(
            &dir,
            &[
                OsStr::new("generate"),
                OsStr::new("ok"),
                OsStr::new("--out"),
                OsStr::new("o"),
                OsStr::new("--name"),
                OsStr::from_bytes(b"x\xff"),
            ],
        );
        assert_eq!(output.status.code(), Some(2));
        assert_eq!(
            text(&output.stderr),
            "error: `--name` `x\u{fffd}` is not UTF-8\n"
        );

        // A dangling link on the way: the folder cannot be made, and nothing is made at its target.
        std::os::unix::fs::symlink("nowhere", dir.join("dangling")).expect("symlink");
        refused_in(
            &dir,
            &["generate", "ok", "--out", "dangling/o"],
            3,
            "error: cannot create the output folder `dangling/o`: File exists (os error 17)\n",
        );
        assert!(!dir.join("nowhere").exists());
    }
}
