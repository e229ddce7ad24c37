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
    Command::new(BIN)
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

/// Runs the generator and requires `code`, stdout empty and exactly `stderr`.
fn refused<S: AsRef<OsStr>>(args: &[S], code: i32, stderr: &str) {
    let output = run(args);
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

    // The modules are the repository's generated/ ones, headed with the command line's name.
    let header = |text: String| {
        text.replacen(
            "Generated by `devicekey-codegen generate`",
            "Generated by `cargo xtask write-schema`",
            1,
        )
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
    let out = dir.join("out");
    let warnings = generate(&[
        OsStr::new("generate"),
        fixture.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    assert_eq!(warnings, "");
    // The package name comes from the bundle's file name, the type names from the definitions.
    let manifest = std::fs::read_to_string(out.join("rust/Cargo.toml")).expect("Cargo.toml");
    assert!(manifest.contains("name = \"pet-store\"\n"), "{manifest}");
    let types = std::fs::read_to_string(out.join("ts/src/types.ts")).expect("types.ts");
    assert!(
        types.contains("export type PetKind = \"cat\" | \"dog\" | \"fish\";"),
        "{types}"
    );
    assert!(types.contains("kind: PetKind;"), "{types}");
    let validators = std::fs::read_to_string(out.join("ts/src/validators.ts")).expect("ts");
    assert!(validators.contains("export type TypeName = (typeof TYPE_NAMES)[number];"));

    let bundle: Value =
        serde_json::from_str(&std::fs::read_to_string(&fixture).expect("fixture")).expect("JSON");
    let definitions = &bundle["definitions"];
    let pet = json!({"name": "Tom", "kind": "cat", "age": 3, "tag": null});
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
fn the_codex_corpus_folder_is_refused_at_its_first_nested_definitions() {
    if !corpus().is_dir() {
        eprintln!("skipped: no corpus at {}", corpus().display());
        return;
    }
    // The corpus files keep the types they share in `definitions` of their own; the Rust type
    // emitter takes one type per file, so the folder is refused there, naming the place.
    let out = scratch("corpus-folder").join("out");
    let shown = corpus().join("DeviceKeyCreateParams.json");
    refused(
        &[
            OsStr::new("generate"),
            corpus().as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
        ],
        1,
        &format!("error: {}#/definitions: protocol types are one per file: move this definition into its own schema file and `$ref` it by file name\n", shown.display()),
    );
    assert!(!out.exists(), "nothing is written");
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
