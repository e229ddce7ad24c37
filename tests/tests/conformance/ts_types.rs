//! The generated TypeScript types against the TypeScript ts-rs writes for the same types, checked
//! by tsc (strict) type by type: a value of each type must be assignable to the other, both ways.
//!
//! - codex's own schemas (`shared/corpus/codex-device-key/json`, written by schemars) through the
//!   general profile, against the ts-rs files codex shipped for them (`.../typescript`);
//! - `schema/` (the emitted `generated/ts/src/types.ts`), against what ts-rs derives from the
//!   generated Rust types (`devicekey-protocol` with its `ts-rs` feature).
//!
//! Also: the method table's inputs accept `readonly` arrays while the types stay plain, and the
//! types of one schema per draft-07 construct admit every instance the reference accepts.
//!
//! Each check has negative controls: the same check on a deliberately different type must fail,
//! in the direction the difference breaks, so a check that could not fail would be caught.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use devicekey_codegen::SchemaDoc;
use devicekey_conformance::repo_root;

/// codex's corpus: `json/` (schemas) and `typescript/` (ts-rs output).
fn codex_corpus() -> PathBuf {
    repo_root().join("../shared/corpus/codex-device-key")
}

/// The `*.<extension>` files of `dir`, by file stem, with their text.
fn files_by_stem(dir: &Path, extension: &str) -> BTreeMap<String, String> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files = BTreeMap::new();
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|e| e == extension) {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("a UTF-8 file name")
                .to_owned();
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            files.insert(stem, text);
        }
    }
    files
}

/// The TypeScript the generator emits for codex's schemas under the general profile.
fn codex_generated_ts() -> String {
    let schemas = files_by_stem(&codex_corpus().join("json"), "json");
    assert!(!schemas.is_empty(), "codex's corpus has no schema");
    let docs = schemas
        .iter()
        .map(|(name, text)| SchemaDoc {
            name: name.clone(),
            file: PathBuf::from(format!("codex/json/{name}.json")),
            value: serde_json::from_str(text).expect("codex's schema is JSON"),
        })
        .collect();
    let sources: Vec<(String, String)> = schemas.into_iter().collect();
    devicekey_codegen::ts_types_for(docs, &sources)
        .unwrap_or_else(|e| panic!("codex's schemas do not generate TypeScript types: {e}"))
}

/// tsc's errors for a value that does not fit its declared type: not assignable (TS2322), one
/// property missing (TS2741), several (TS2739, TS2740), no property in common (TS2559).
const NOT_ASSIGNABLE: &[&str] = &[
    "error TS2322:",
    "error TS2741:",
    "error TS2739:",
    "error TS2740:",
    "error TS2559:",
];

/// One assignability check: `left` is a module exporting every type of `names`, `right` a folder
/// with one module per type (ts-rs's layout). Returns, per direction (`"left_to_right"`,
/// `"right_to_left"`), the type names tsc rejected; panics when tsc fails for another reason.
fn rejected(
    dir: &Path,
    left: &str,
    right: &BTreeMap<String, String>,
    names: &[&str],
) -> BTreeMap<&'static str, Vec<String>> {
    let tsc = repo_root().join("generated/ts/node_modules/typescript/bin/tsc");
    assert!(
        tsc.exists(),
        "{} is missing: run `npm ci` (bash .ci/run does)",
        tsc.display()
    );
    std::fs::create_dir_all(dir.join("right")).expect("temp folder");
    std::fs::write(dir.join("left.ts"), left).expect("left.ts");
    for (name, text) in right {
        std::fs::write(dir.join("right").join(format!("{name}.ts")), text).expect("right file");
    }
    let mut files = Vec::new();
    for (direction, from, to) in [("left_to_right", "L", "R"), ("right_to_left", "R", "L")] {
        let mut text = "import type * as L from \"./left\";\n".to_owned();
        for name in names {
            text.push_str(&format!(
                "import type {{ {name} as R_{name} }} from \"./right/{name}\";\n"
            ));
        }
        text.push_str("declare namespace R {\n");
        for name in names {
            text.push_str(&format!("  export type {name} = R_{name};\n"));
        }
        text.push_str("}\n");
        // One function per line, so an error's line names its type.
        for name in names {
            text.push_str(&format!(
                "export function check_{name}(x: {from}.{name}): {to}.{name} {{ return x; }}\n"
            ));
        }
        let file = dir.join(format!("{direction}.ts"));
        std::fs::write(&file, text).expect("check file");
        files.push((direction, file));
    }
    let mut result = BTreeMap::new();
    for (direction, file) in files {
        let output = Command::new("node")
            .arg(&tsc)
            .args(["--strict", "--noEmit", "--skipLibCheck"])
            .arg(&file)
            .output()
            .expect("run tsc");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let check_lines: BTreeMap<usize, &str> = names
            .iter()
            .enumerate()
            .map(|(i, name)| (2 * names.len() + 4 + i, *name))
            .collect();
        let mut failed = Vec::new();
        for line in stdout.lines().filter(|l| l.contains("error TS")) {
            // `<file>(<line>,<column>): error TS2322: ...`, continuation lines indented.
            let location = line
                .split_once("): error TS")
                .and_then(|(place, _)| place.rsplit_once('('))
                .filter(|(path, _)| path.ends_with(&format!("{direction}.ts")))
                .and_then(|(_, position)| position.split_once(','))
                .and_then(|(row, _)| row.parse::<usize>().ok())
                .and_then(|row| check_lines.get(&row));
            match location {
                Some(name) if NOT_ASSIGNABLE.iter().any(|code| line.contains(code)) => {
                    failed.push((*name).to_owned())
                }
                _ => panic!("tsc failed outside the assignability checks:\n{stdout}"),
            }
        }
        assert_eq!(
            output.status.success(),
            failed.is_empty(),
            "tsc's exit status and its errors disagree:\n{stdout}"
        );
        failed.dedup();
        result.insert(direction, failed);
    }
    result
}

/// The type names of codex's ts-rs folder (`typescript/*.ts`).
fn codex_ts_rs() -> BTreeMap<String, String> {
    let files = files_by_stem(&codex_corpus().join("typescript"), "ts");
    assert!(
        files.len() >= 12,
        "codex's ts-rs folder lists {} types",
        files.len()
    );
    files
}

#[test]
fn codex_schemas_give_types_mutually_assignable_with_codex_ts_rs_types() {
    let generated = codex_generated_ts();
    let ts_rs = codex_ts_rs();
    let names: Vec<&str> = ts_rs.keys().map(String::as_str).collect();
    for name in &names {
        assert!(
            generated.contains(&format!("export type {name} = ")),
            "the generated TypeScript has no type {name}:\n{generated}"
        );
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let rejected = rejected(dir.path(), &generated, &ts_rs, &names);
    let none: Vec<String> = Vec::new();
    assert_eq!(rejected["left_to_right"], none, "generated → ts-rs");
    assert_eq!(rejected["right_to_left"], none, "ts-rs → generated");
}

/// A change to one of codex's ts-rs types, and the directions it must break.
struct Mutation {
    type_name: &'static str,
    from: &'static str,
    to: &'static str,
    /// Whether a generated value must no longer fit the changed type.
    breaks_left_to_right: bool,
    /// Whether a value of the changed type must no longer fit the generated type.
    breaks_right_to_left: bool,
}

#[test]
fn codex_check_rejects_deliberately_different_types() {
    let generated = codex_generated_ts();
    let ts_rs = codex_ts_rs();
    let mutations = [
        // A required property made optional: the changed type admits values without it.
        Mutation {
            type_name: "DeviceKeyPublicParams",
            from: "{ keyId: string, }",
            to: "{ keyId?: string, }",
            breaks_left_to_right: false,
            breaks_right_to_left: true,
        },
        // Another enum value: neither side's value fits the other.
        Mutation {
            type_name: "DeviceKeyAlgorithm",
            from: "\"ecdsa_p256_sha256\"",
            to: "\"ecdsa_p384_sha384\"",
            breaks_left_to_right: true,
            breaks_right_to_left: true,
        },
        // Array items of another type, deep inside a union variant.
        Mutation {
            type_name: "DeviceKeySignPayload",
            from: "scopes: Array<string>",
            to: "scopes: Array<number>",
            breaks_left_to_right: true,
            breaks_right_to_left: true,
        },
        // An extra required property: generated values lack it.
        Mutation {
            type_name: "DeviceKeySignResponse",
            from: "algorithm: DeviceKeyAlgorithm, };",
            to: "algorithm: DeviceKeyAlgorithm, keyId: string, };",
            breaks_left_to_right: true,
            breaks_right_to_left: false,
        },
        // A nullable property made non-nullable: generated values may hold `null`.
        Mutation {
            type_name: "DeviceKeyCreateParams",
            from: "protectionPolicy?: DeviceKeyProtectionPolicy | null,",
            to: "protectionPolicy?: DeviceKeyProtectionPolicy,",
            breaks_left_to_right: true,
            breaks_right_to_left: false,
        },
    ];
    for mutation in mutations {
        let mut changed = ts_rs.clone();
        let text = changed
            .get_mut(mutation.type_name)
            .unwrap_or_else(|| panic!("codex has no ts-rs type {}", mutation.type_name));
        assert!(
            text.contains(mutation.from),
            "{} no longer contains {:?}",
            mutation.type_name,
            mutation.from
        );
        *text = text.replace(mutation.from, mutation.to);
        let dir = tempfile::tempdir().expect("temp dir");
        let rejected = rejected(dir.path(), &generated, &changed, &[mutation.type_name]);
        let expect = |breaks: bool| {
            if breaks {
                vec![mutation.type_name.to_owned()]
            } else {
                Vec::new()
            }
        };
        assert_eq!(
            rejected["left_to_right"],
            expect(mutation.breaks_left_to_right),
            "generated → changed {} ({:?} → {:?})",
            mutation.type_name,
            mutation.from,
            mutation.to
        );
        assert_eq!(
            rejected["right_to_left"],
            expect(mutation.breaks_right_to_left),
            "changed {} → generated ({:?} → {:?})",
            mutation.type_name,
            mutation.from,
            mutation.to
        );
    }
}

/// ts-rs's TypeScript for every type of `schema/` and the types they use, exported with ts-rs's
/// API into `dir` (JSON numbers as `number`: serde writes every integer as one), by type name;
/// and the names of the `schema/` types.
fn protocol_ts_rs(dir: &Path) -> (BTreeMap<String, String>, Vec<&'static str>) {
    let config = ts_rs::Config::new()
        .with_large_int("number")
        .with_out_dir(dir);
    macro_rules! protocol_types {
        ($($ty:ident),* $(,)?) => {{
            $(
                <devicekey_protocol::types::$ty as ts_rs::TS>::export_all(&config)
                    .unwrap_or_else(|e| panic!("ts-rs cannot export {}: {e}", stringify!($ty)));
            )*
            vec![$(stringify!($ty)),*]
        }};
    }
    let names = include!(concat!(env!("OUT_DIR"), "/protocol_types.rs"));
    (files_by_stem(dir, "ts"), names)
}

/// Where typify's Rust type is wider than the schema, so ts-rs's TypeScript for it admits values
/// the generated TypeScript (which follows the schema) does not: a ts-rs value does not fit the
/// generated type, while a generated value still fits ts-rs's. Each entry is a type of `schema/`
/// and the reason; any other difference fails the test, and so does an entry that no longer
/// differs.
const TYPIFY_WIDER: &[(&str, &str)] = &[
    (
        "AttestationEnvelope",
        "typify drops the integer `const` of `v` (1): Rust `i64`, ts-rs `number`",
    ),
    (
        "DeviceKeySignPayload",
        "typify drops the string `const` of the `scopes` items: Rust `[String; 1]`, ts-rs `[string]`",
    ),
    (
        "DeviceKeySignParams",
        "its `payload` is a DeviceKeySignPayload",
    ),
    (
        "InvalidParamsErrorData",
        "typify drops the string `const` of `kind` (`invalidParams`): Rust `String`, ts-rs `string`",
    ),
];

#[test]
fn generated_types_are_mutually_assignable_with_ts_rs_on_the_generated_rust_types() {
    let ts_rs_dir = tempfile::tempdir().expect("temp dir");
    let (ts_rs, names) = protocol_ts_rs(ts_rs_dir.path());
    assert!(
        names.len() >= 40,
        "only {} types listed for schema/",
        names.len()
    );
    let generated = std::fs::read_to_string(repo_root().join("generated/ts/src/types.ts"))
        .expect("generated/ts/src/types.ts");
    let dir = tempfile::tempdir().expect("temp dir");
    let rejected = rejected(dir.path(), &generated, &ts_rs, &names);
    let none: Vec<String> = Vec::new();
    assert_eq!(rejected["left_to_right"], none, "generated → ts-rs");
    let wider: Vec<String> = TYPIFY_WIDER.iter().map(|(n, _)| (*n).to_owned()).collect();
    let mut expected = wider.clone();
    expected.sort();
    assert_eq!(
        rejected["right_to_left"], expected,
        "ts-rs → generated: only the known places where typify's type is wider may differ ({TYPIFY_WIDER:?})"
    );
}

#[test]
fn ts_rs_check_rejects_deliberately_different_types() {
    let ts_rs_dir = tempfile::tempdir().expect("temp dir");
    let (ts_rs, names) = protocol_ts_rs(ts_rs_dir.path());
    let generated = std::fs::read_to_string(repo_root().join("generated/ts/src/types.ts"))
        .expect("generated/ts/src/types.ts");
    let mut known: Vec<String> = TYPIFY_WIDER.iter().map(|(n, _)| (*n).to_owned()).collect();
    known.sort();

    // ts-rs's side changed: a boolean property becomes a number, which breaks both directions.
    let mut changed = ts_rs.clone();
    let text = changed
        .get_mut("DeviceKeyDeleteResponse")
        .expect("ts-rs wrote DeviceKeyDeleteResponse");
    assert!(text.contains("deleted: boolean"), "{text}");
    *text = text.replace("deleted: boolean", "deleted: number");
    let dir = tempfile::tempdir().expect("temp dir");
    let rejected_changed = rejected(dir.path(), &generated, &changed, &names);
    assert_eq!(
        rejected_changed["left_to_right"],
        vec!["DeviceKeyDeleteResponse".to_owned()]
    );
    let mut expected = known.clone();
    expected.push("DeviceKeyDeleteResponse".to_owned());
    expected.sort();
    assert_eq!(rejected_changed["right_to_left"], expected);

    // The generated side changed: one more enum value, which every type using the enum inherits.
    let from = "export type DeviceKeyAlgorithm = \"ecdsa_p256_sha256\";";
    assert!(generated.contains(from), "generated/ts has no {from}");
    let widened = generated.replace(
        from,
        "export type DeviceKeyAlgorithm = \"ecdsa_p256_sha256\" | \"ecdsa_p384_sha384\";",
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let rejected_widened = rejected(dir.path(), &widened, &ts_rs, &names);
    for name in [
        "DeviceKeyAlgorithm",
        "DeviceKeyCreateResponse",
        "DeviceKeyPublicResponse",
        "DeviceKeySignResponse",
    ] {
        assert!(
            rejected_widened["left_to_right"].iter().any(|n| n == name),
            "a widened DeviceKeyAlgorithm must not fit ts-rs's {name}: {rejected_widened:?}"
        );
    }
    assert_eq!(rejected_widened["right_to_left"], known);
}

/// The method table's inputs: what a TypeScript caller sends may hold `readonly` arrays (an
/// `as const` literal) and plain values alike, while results and the types themselves keep plain
/// arrays (a `readonly` array is no `DeviceKeySignParams`).
#[test]
fn method_inputs_accept_readonly_arrays_and_results_stay_plain() {
    let tsc = repo_root().join("generated/ts/node_modules/typescript/bin/tsc");
    let methods = repo_root().join("generated/ts/src/methods.js");
    let dir = tempfile::tempdir().expect("temp dir");
    let source = format!(
        "import type {{ ClientRequestMethods, InputOf }} from {methods};\n\
         import type {{ DeviceKeyListResponse, DeviceKeySignParams }} from {types};\n\
         type SignInput = ClientRequestMethods[\"device/key/sign\"][\"params\"];\n\
         const frozen = {{\n\
           keyId: \"dk_tpm_x\",\n\
           payload: {{\n\
             type: \"remoteControlClientConnection\", nonce: \"n\", audience: \"remote_control_client_websocket\",\n\
             sessionId: \"s\", targetOrigin: \"https://chatgpt.com\", targetPath: \"/wham/remote/control/client\",\n\
             accountUserId: \"u\", clientId: \"c\", tokenExpiresAt: 1, tokenSha256Base64url: \"h\",\n\
             scopes: [\"remote_control_controller_websocket\"],\n\
           }},\n\
         }} as const;\n\
         export const input: SignInput = frozen;\n\
         declare const plain: DeviceKeySignParams;\n\
         export const plainInput: SignInput = plain;\n\
         // @ts-expect-error: a readonly array is no DeviceKeySignParams\n\
         export const notParams: DeviceKeySignParams = frozen;\n\
         declare const result: ClientRequestMethods[\"device/key/list\"][\"result\"];\n\
         export const keys: DeviceKeyListResponse[\"keys\"] = result.keys;\n\
         export const pushed: number = result.keys.push(result.keys[0]!);\n\
         declare const listInput: InputOf<DeviceKeyListResponse>;\n\
         // @ts-expect-error: an input's arrays are readonly\n\
         listInput.keys.push(result.keys[0]!);\n",
        methods = serde_json::to_string(methods.to_str().expect("utf-8")).expect("path"),
        types = serde_json::to_string(
            repo_root()
                .join("generated/ts/src/types.js")
                .to_str()
                .expect("utf-8")
        )
        .expect("path"),
    );
    let file = dir.path().join("inputs.ts");
    std::fs::write(&file, source).expect("inputs.ts");
    let output = Command::new("node")
        .arg(&tsc)
        .args([
            "--strict",
            "--noEmit",
            "--skipLibCheck",
            "--target",
            "es2022",
            "--module",
            "esnext",
            "--moduleResolution",
            "bundler",
        ])
        .arg(&file)
        .output()
        .expect("run tsc");
    assert!(
        output.status.success(),
        "tsc refused the method inputs check:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// One schema per draft-07 construct of the general profile, and instances of it: every instance
/// the reference validator accepts must type-check as the generated type (the types are sound),
/// and the listed wrong ones must not (they say something). Instances carry no property an open
/// object does not declare: a fresh object literal with one fails TypeScript's excess property
/// check by design, whatever the type.
#[test]
fn general_schema_types_admit_every_valid_instance() {
    use devicekey_conformance::reference_for;
    use serde_json::{json, Value};

    let schemas: Vec<(&str, Value)> = vec![
        (
            "AnyOfScalar",
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}]}),
        ),
        (
            "Nullable",
            json!({"type": "object", "properties": {"a": {"type": ["string", "null"]}}, "required": ["a"]}),
        ),
        (
            "AllOfObjects",
            json!({"allOf": [
                {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
                {"type": "object", "properties": {"b": {"type": "integer"}}}
            ]}),
        ),
        (
            "MapOf",
            json!({"type": "object", "additionalProperties": {"type": "number"}}),
        ),
        (
            "Tuple",
            json!({"type": "array", "items": [{"type": "string"}, {"type": "integer"}], "minItems": 1, "additionalItems": false}),
        ),
        (
            "TupleRest",
            json!({"type": "array", "items": [{"type": "string"}], "additionalItems": {"type": "boolean"}}),
        ),
        (
            "Fixed",
            json!({"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}),
        ),
        (
            "MixedEnum",
            json!({"enum": [1, "a", null, true, [1, "x"], {"k": false}]}),
        ),
        ("ObjectConst", json!({"const": {"k": [1, 2]}})),
        ("NotString", json!({"not": {"type": "string"}})),
        (
            "IfThenElse",
            json!({"if": {"type": "string"}, "then": {"minLength": 1}, "else": {"type": "number"}}),
        ),
        (
            "InnerPointer",
            json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"$ref": "#/properties/a"}}}),
        ),
        (
            "Recursive",
            json!({"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#"}}}}),
        ),
        (
            "Booleans",
            json!({"type": "object", "properties": {"any": true, "none": false}}),
        ),
        ("TypeArray", json!({"type": ["string", "integer", "null"]})),
        (
            "Defs",
            json!({"type": "object", "properties": {"leaf": {"$ref": "#/definitions/leaf-node"}}, "definitions": {"leaf-node": {"type": "integer"}}}),
        ),
        (
            "FreeTitle",
            json!({"oneOf": [{"title": "a free text title", "type": "object", "properties": {"t": {"const": 1}}, "required": ["t"]}, {"type": "null"}]}),
        ),
    ];
    // (type, instance, whether TypeScript must refuse it); refused ones must be schema-invalid.
    let instances: Vec<(&str, Value, bool)> = vec![
        ("AnyOfScalar", json!("x"), false),
        ("AnyOfScalar", json!(5), false),
        ("AnyOfScalar", json!(true), true),
        ("Nullable", json!({"a": null}), false),
        ("Nullable", json!({"a": "s"}), false),
        ("Nullable", json!({}), true),
        ("AllOfObjects", json!({"a": "s", "b": 1}), false),
        ("AllOfObjects", json!({"b": 1}), true),
        ("MapOf", json!({"k": 1.5, "l": 2}), false),
        ("MapOf", json!({"k": "x"}), true),
        ("Tuple", json!(["s"]), false),
        ("Tuple", json!(["s", 2]), false),
        ("Tuple", json!(["s", 2, 3]), true),
        ("TupleRest", json!(["s", true, false]), false),
        ("TupleRest", json!(["s", 1]), true),
        ("Fixed", json!([1, 2]), false),
        ("Fixed", json!([1]), true),
        ("MixedEnum", json!(1), false),
        ("MixedEnum", json!(null), false),
        ("MixedEnum", json!([1, "x"]), false),
        ("MixedEnum", json!({"k": false}), false),
        ("MixedEnum", json!("b"), true),
        ("ObjectConst", json!({"k": [1, 2]}), false),
        ("NotString", json!(1), false),
        ("NotString", json!({"x": [null]}), false),
        ("IfThenElse", json!("s"), false),
        ("IfThenElse", json!(1.5), false),
        ("InnerPointer", json!({"a": "s", "b": "t"}), false),
        ("InnerPointer", json!({"b": 1}), true),
        (
            "Recursive",
            json!({"children": [{"children": [{}]}]}),
            false,
        ),
        ("Recursive", json!({"children": "x"}), true),
        ("Booleans", json!({"any": [1, {"x": null}]}), false),
        ("TypeArray", json!("s"), false),
        ("TypeArray", json!(null), false),
        ("TypeArray", json!(true), true),
        ("Defs", json!({"leaf": 3}), false),
        ("Defs", json!({"leaf": "3"}), true),
        ("FreeTitle", json!({"t": 1}), false),
        ("FreeTitle", json!(null), false),
        ("FreeTitle", json!({"t": 2}), true),
    ];
    let docs = schemas
        .iter()
        .map(|(name, schema)| SchemaDoc {
            name: (*name).to_owned(),
            file: PathBuf::from(format!("{name}.json")),
            value: schema.clone(),
        })
        .collect();
    let generated = devicekey_codegen::ts_types_for(docs, &[])
        .unwrap_or_else(|e| panic!("the general schemas give no TypeScript types: {e}"));
    let mut source = "import type * as G from \"./generated\";\n".to_owned();
    for (i, (name, instance, refused)) in instances.iter().enumerate() {
        let schema = &schemas
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no schema {name}"))
            .1;
        let valid = reference_for(schema)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .is_valid(instance);
        assert_eq!(
            valid, !*refused,
            "{name} on {instance}: the reference says valid = {valid}"
        );
        if *refused {
            source.push_str("// @ts-expect-error: the schema refuses it\n");
        }
        source.push_str(&format!("export const v{i}: G.{name} = {instance};\n"));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("generated.ts"), &generated).expect("generated.ts");
    std::fs::write(dir.path().join("instances.ts"), &source).expect("instances.ts");
    let tsc = repo_root().join("generated/ts/node_modules/typescript/bin/tsc");
    let output = Command::new("node")
        .arg(&tsc)
        .args(["--strict", "--noEmit", "--skipLibCheck"])
        .arg(dir.path().join("instances.ts"))
        .output()
        .expect("run tsc");
    assert!(
        output.status.success(),
        "the generated types refuse a valid instance, or admit a listed wrong one:\n{}\n{generated}\n{source}",
        String::from_utf8_lossy(&output.stdout)
    );
}
