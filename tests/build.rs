//! Generates validators for the JSON-Schema-Test-Suite (draft 7) with the project's own emitters:
//! every group whose schema passes the profile check becomes one document of one schema set, and
//! the Rust and TypeScript validators for it are written to `OUT_DIR`, beside a manifest that
//! lists every group with its tests, or the reason it was skipped.
//!
//! The generator's golden schemas (`codegen/tests/golden/`) are generated the same way, into
//! `golden.rs` and `golden_ts/`, for the tests that run them on their instances.
//!
//! The range formats' schemas (`int8`...`uint64`, `uint`, `float`, `double`, a range format
//! without `type`, an unknown format) are generated the same way, into `ranges.rs` and
//! `ranges_ts/`, beside `ranges.json` (the schemas by type name).
//!
//! The codex corpus (`shared/corpus/codex-device-key/json/`, six schemas as codex's generator
//! wrote them, each with its own `definitions`) is generated the same way, general profile, one
//! schema set, into `codex.rs` and `codex_ts/`, beside `codex.json`: whether the corpus was found,
//! its schemas by type name, and the generator's error when it refuses them (then `codex.rs` has
//! no validator, and the differential test reports the error).
//!
//! Also lists the protocol's types for the tests that need one match arm per generated type, so
//! those lists follow `schema/`: `protocol_types.rs` (`protocol_types! { A, B, ... }`, every schema
//! document) and `string_enums.rs` (`string_enums! { ... }`, the documents that are string enums).

use std::path::{Path, PathBuf};

use devicekey_codegen::{Profile, RustPaths, SchemaDoc, SchemaResource, SchemaSet};
use serde_json::{json, Value};

fn main() {
    let manifest_dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let suite_dir = manifest_dir.join("../../shared/vendor/json-schema-test-suite/tests/draft7");
    println!("cargo:rerun-if-changed={}", suite_dir.display());
    println!("cargo:rerun-if-changed=build.rs");

    let remotes = suite_remotes(&manifest_dir.join("suite-remotes"));
    let files: Vec<(String, PathBuf)> = list_json(&suite_dir)
        .into_iter()
        .map(|path| (file_name(&path), path))
        .collect();
    write_suite(&files, "F", &remotes, &suite_dir, &out_dir, "suite");
    write_suite_optional(&suite_dir.join("optional"), &remotes, &out_dir);
    write_golden(&manifest_dir.join("../codegen/tests/golden"), &out_dir);
    write_type_lists(&manifest_dir.join("../schema"), &out_dir);
    write_ranges(&out_dir);
    write_codex(
        &manifest_dir.join("../../shared/corpus/codex-device-key/json"),
        &out_dir,
    );
}

/// The suite's remote documents (`suite-remotes/`, see its `SOURCE.md`), each a resource known by
/// `http://localhost:1234/` followed by its path there, as the suite's harnesses serve them.
fn suite_remotes(dir: &Path) -> Vec<SchemaResource> {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut out = Vec::new();
    let mut folders = vec![PathBuf::new()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(dir.join(&folder)) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let relative = folder.join(entry.file_name());
            let path = dir.join(&relative);
            if path.is_dir() {
                folders.push(relative);
            } else if path.extension().is_some_and(|e| e == "json") {
                let value: Value =
                    serde_json::from_str(&std::fs::read_to_string(&path).expect("remote"))
                        .expect("remote JSON");
                let relative = relative.to_str().expect("UTF-8 path").replace('\\', "/");
                out.push(SchemaResource {
                    uri: format!("http://localhost:1234/{relative}"),
                    value,
                });
            }
        }
    }
    out.sort_by(|a, b| a.uri.cmp(&b.uri));
    out
}

/// Generates validators for the suite's optional tests (`optional/*.json` and
/// `optional/format/*.json`) as `main` does for the required ones: `suite_optional.rs`,
/// `suite_optional_ts/` and the manifest `suite_optional.json` (files named `optional/...`,
/// `optional/format/...`).
fn write_suite_optional(optional_dir: &Path, remotes: &[SchemaResource], out_dir: &Path) {
    println!("cargo:rerun-if-changed={}", optional_dir.display());
    let format_dir = optional_dir.join("format");
    println!("cargo:rerun-if-changed={}", format_dir.display());
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for (prefix, dir) in [("optional", optional_dir), ("optional/format", &format_dir)] {
        for path in list_json(dir) {
            files.push((format!("{prefix}/{}", file_name(&path)), path));
        }
    }
    write_suite(
        &files,
        "O",
        remotes,
        optional_dir,
        out_dir,
        "suite_optional",
    );
}

/// Generates validators for the suite files `files` (name shown, path): every group whose schema
/// the general profile takes (with the suite's `remotes`) becomes one document (`{letter}NNGMM`)
/// of one schema set, whose Rust validators go to `{stem}.rs` and TypeScript ones to
/// `{stem}_ts/`, beside the manifest `{stem}.json` that lists every group with its tests, or the
/// reason it was skipped.
fn write_suite(
    files: &[(String, PathBuf)],
    letter: &str,
    remotes: &[SchemaResource],
    dir: &Path,
    out_dir: &Path,
    stem: &str,
) {
    let mut manifest = Vec::new();
    let mut docs = Vec::new();
    for (file_index, (file_name, path)) in files.iter().enumerate() {
        let groups: Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("suite file"))
                .expect("suite JSON");
        for (group_index, group) in groups.as_array().into_iter().flatten().enumerate() {
            let name = format!("{letter}{file_index:02}G{group_index:02}");
            let doc = SchemaDoc {
                name: name.clone(),
                file: PathBuf::from(format!("{file_name}#{group_index}")),
                value: group["schema"].clone(),
            };
            let checked =
                SchemaSet::with_resources(vec![doc.clone()], remotes.to_vec(), Profile::General);
            let (accepted, skip) = match checked {
                Ok(_) => {
                    docs.push(doc);
                    (Some(name), None)
                }
                Err(error) => (None, Some(error.reason)),
            };
            manifest.push(json!({
                "file": file_name,
                "group": group["description"],
                "name": accepted,
                "skip": skip,
                "tests": group["tests"],
            }));
        }
    }
    // The emitter writes the lookups by name (`validate_by_name`...) also when there is no
    // validator (the suite is missing): they then answer `None` for every name.
    let paths = RustPaths {
        validator_runtime: "::devicekey_protocol::validator_runtime",
        formats: "::devicekey_protocol::formats",
    };
    let rust = devicekey_codegen::rust_validators_with(docs.clone(), remotes.to_vec(), paths)
        .expect("accepted suite schemas generate");
    std::fs::write(out_dir.join(format!("{stem}.rs")), rust).expect("write the suite's Rust");
    let ts_dir = out_dir.join(format!("{stem}_ts"));
    std::fs::create_dir_all(&ts_dir).expect("the suite's TypeScript folder");
    for (name, contents) in devicekey_codegen::ts_validators_with(docs, remotes.to_vec())
        .expect("accepted suite schemas generate TypeScript")
    {
        std::fs::write(ts_dir.join(name), contents).expect("write TypeScript");
    }
    let manifest = json!({
        "found": !files.is_empty(),
        "dir": dir.display().to_string(),
        "groups": manifest,
    });
    std::fs::write(
        out_dir.join(format!("{stem}.json")),
        serde_json::to_string(&manifest).expect("manifest"),
    )
    .expect("write the suite's manifest");
}

/// The file name of `path`, as text.
fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned()
}

/// Generates the validators of the generator's golden schemas (every `TypeName.json` of every
/// folder of `golden_dir`, one schema set): `golden.rs`, and `golden_ts/` for TypeScript.
fn write_golden(golden_dir: &Path, out_dir: &Path) {
    println!("cargo:rerun-if-changed={}", golden_dir.display());
    let mut docs = Vec::new();
    let mut folders: Vec<PathBuf> = std::fs::read_dir(golden_dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    folders.sort();
    for folder in folders {
        println!("cargo:rerun-if-changed={}", folder.display());
        for path in list_json(&folder) {
            let name = path
                .file_stem()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            if name == "instances" {
                continue;
            }
            println!("cargo:rerun-if-changed={}", path.display());
            let value: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).expect("golden schema"))
                    .expect("golden schema JSON");
            docs.push(SchemaDoc {
                file: PathBuf::from(format!("{name}.json")),
                name,
                value,
            });
        }
    }
    let paths = RustPaths {
        validator_runtime: "::devicekey_protocol::validator_runtime",
        formats: "::devicekey_protocol::formats",
    };
    let rust = devicekey_codegen::rust_validators_for(docs.clone(), paths)
        .expect("the golden schemas generate Rust");
    std::fs::write(out_dir.join("golden.rs"), rust).expect("write golden.rs");
    let ts_dir = out_dir.join("golden_ts");
    std::fs::create_dir_all(&ts_dir).expect("golden_ts");
    for (name, contents) in
        devicekey_codegen::ts_validators_for(docs).expect("the golden schemas generate TypeScript")
    {
        std::fs::write(ts_dir.join(name), contents).expect("write TypeScript");
    }
}

/// The range formats' schemas by type name.
fn range_schemas() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for format in [
        "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "uint",
    ] {
        let name = format!("{}{}", format[..1].to_uppercase(), &format[1..]);
        out.push((name, json!({"type": "integer", "format": format})));
    }
    out.push((
        "Float".to_owned(),
        json!({"type": "number", "format": "float"}),
    ));
    out.push((
        "Double".to_owned(),
        json!({"type": "number", "format": "double"}),
    ));
    out.push(("Uint8Untyped".to_owned(), json!({"format": "uint8"})));
    out.push((
        "Uint64Bounds".to_owned(),
        json!({"type": "integer", "minimum": 0, "maximum": u64::MAX}),
    ));
    out.push((
        "Color".to_owned(),
        json!({"type": "string", "format": "color"}),
    ));
    out
}

/// Generates the validators of the range formats' schemas (one schema set, general profile):
/// `ranges.rs`, `ranges_ts/` and `ranges.json`.
fn write_ranges(out_dir: &Path) {
    let schemas = range_schemas();
    let docs: Vec<SchemaDoc> = schemas
        .iter()
        .map(|(name, value)| SchemaDoc {
            name: name.clone(),
            file: PathBuf::from(format!("{name}.json")),
            value: value.clone(),
        })
        .collect();
    let paths = RustPaths {
        validator_runtime: "::devicekey_protocol::validator_runtime",
        formats: "::devicekey_protocol::formats",
    };
    let rust = devicekey_codegen::rust_validators_for(docs.clone(), paths)
        .expect("the range schemas generate Rust");
    std::fs::write(out_dir.join("ranges.rs"), rust).expect("write ranges.rs");
    let ts_dir = out_dir.join("ranges_ts");
    std::fs::create_dir_all(&ts_dir).expect("ranges_ts");
    for (name, contents) in
        devicekey_codegen::ts_validators_for(docs).expect("the range schemas generate TypeScript")
    {
        std::fs::write(ts_dir.join(name), contents).expect("write TypeScript");
    }
    let by_name: serde_json::Map<String, Value> = schemas.into_iter().collect();
    std::fs::write(
        out_dir.join("ranges.json"),
        serde_json::to_string(&by_name).expect("ranges.json"),
    )
    .expect("write ranges.json");
}

/// Generates the validators of the codex corpus in `corpus_dir` (every `TypeName.json`, one schema
/// set, general profile, the documents as written): `codex.rs`, `codex_ts/` and `codex.json`
/// (`{"found", "dir", "schemas": {name: schema}, "error", "warnings"}`, the general profile's
/// warnings). A generator error is recorded, not raised, so that the test that runs these
/// validators names it.
fn write_codex(corpus_dir: &Path, out_dir: &Path) {
    println!("cargo:rerun-if-changed={}", corpus_dir.display());
    let mut docs = Vec::new();
    let mut schemas = serde_json::Map::new();
    for path in list_json(corpus_dir) {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path
            .file_stem()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let value: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("codex schema"))
                .expect("codex schema JSON");
        schemas.insert(name.clone(), value.clone());
        docs.push(SchemaDoc {
            file: PathBuf::from(format!("{name}.json")),
            name,
            value,
        });
    }
    let warnings: Vec<String> = SchemaSet::new(docs.clone(), Profile::General)
        .map(|set| set.warnings().iter().map(ToString::to_string).collect())
        .unwrap_or_default();
    let paths = RustPaths {
        validator_runtime: "::devicekey_protocol::validator_runtime",
        formats: "::devicekey_protocol::formats",
    };
    let generated = devicekey_codegen::rust_validators_for(docs.clone(), paths)
        .and_then(|rust| devicekey_codegen::ts_validators_for(docs).map(|ts| (rust, ts)));
    let ts_dir = out_dir.join("codex_ts");
    std::fs::create_dir_all(&ts_dir).expect("codex_ts");
    let error = match generated {
        Ok((rust, ts)) if !schemas.is_empty() => {
            std::fs::write(out_dir.join("codex.rs"), rust).expect("write codex.rs");
            for (name, contents) in ts {
                std::fs::write(ts_dir.join(name), contents).expect("write TypeScript");
            }
            None
        }
        outcome => {
            std::fs::write(
                out_dir.join("codex.rs"),
                "pub fn validate_by_name(_: &str, _: &::serde_json::Value) -> Option<Result<(), Vec<::devicekey_protocol::Violation>>> { None }\npub fn is_valid_by_name(_: &str, _: &::serde_json::Value) -> Option<bool> { None }\n",
            )
            .expect("write codex.rs");
            outcome.err().map(|e| e.to_string())
        }
    };
    let manifest = json!({
        "found": !schemas.is_empty(),
        "dir": corpus_dir.display().to_string(),
        "schemas": schemas,
        "error": error,
        "warnings": warnings,
    });
    std::fs::write(
        out_dir.join("codex.json"),
        serde_json::to_string(&manifest).expect("codex.json"),
    )
    .expect("write codex.json");
}

/// Writes `protocol_types.rs` and `string_enums.rs` from the schema documents of `schema_dir`.
fn write_type_lists(schema_dir: &Path, out_dir: &Path) {
    println!("cargo:rerun-if-changed={}", schema_dir.display());
    let mut all = Vec::new();
    let mut string_enums = Vec::new();
    for path in list_json(schema_dir) {
        let name = path
            .file_stem()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if name == "methods" {
            continue;
        }
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("schema file"))
                .expect("schema JSON");
        let is_string_enum = schema["type"] == "string"
            && schema["enum"]
                .as_array()
                .is_some_and(|values| values.iter().all(Value::is_string));
        if is_string_enum {
            string_enums.push(name.clone());
        }
        all.push(name);
    }
    let list =
        |macro_name: &str, names: &[String]| format!("{macro_name}! {{ {} }}\n", names.join(", "));
    std::fs::write(
        out_dir.join("protocol_types.rs"),
        list("protocol_types", &all),
    )
    .expect("write protocol_types.rs");
    std::fs::write(
        out_dir.join("string_enums.rs"),
        list("string_enums", &string_enums),
    )
    .expect("write string_enums.rs");
}

fn list_json(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json"))
        .collect();
    out.sort();
    out
}
