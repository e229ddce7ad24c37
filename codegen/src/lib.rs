//! The schema-first generator: `schema/` (JSON Schema, draft-07 profile) → Rust and TypeScript
//! types and validators under `generated/`.
//!
//! The pipeline: [`schema_set`] loads the documents and checks them against the profile (every
//! error names the file and the JSON pointer), [`model`] compiles them into one validation model,
//! and the emitters turn that model (and, for types, the documents) into source files. The
//! `xtask` binary is a thin face on [`generate`]; the conformance tests use the same emitters on
//! arbitrary schemas through [`validators_for`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod error;
pub mod formats;
pub mod messages;
pub mod methods;
pub mod model;
pub mod patterns;
pub mod rust_modules;
pub mod rust_types;
pub mod rust_validators;
pub mod rustfmt;
pub mod schema_set;
pub mod sync;
pub mod ts_package;
pub mod ts_support;
pub mod ts_types;
pub mod ts_validators;
pub mod writer;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use error::{Error, Result};
use schema_set::{Profile, SchemaDoc, SchemaSet};

/// The command that writes `generated/`, named in every generated file's header.
pub const COMMAND: &str = "cargo xtask write-schema";

/// The schema folder, relative to the repository root.
pub const SCHEMA_DIR: &str = "schema";

/// Folders the generator owns, relative to the repository root: every file in them is generated,
/// except the paths of [`NOT_GENERATED`].
pub const GENERATED_DIRS: &[&str] = &["generated/rust", "generated/ts"];

/// Paths under [`GENERATED_DIRS`] that belong to tools rather than to the generator: npm's lock
/// file and install folder, the TypeScript build output.
pub const NOT_GENERATED: &[&str] = &[
    "generated/ts/package-lock.json",
    "generated/ts/node_modules",
    "generated/ts/dist",
];

/// Every generated file: repository-relative path → contents.
pub type Files = BTreeMap<PathBuf, String>;

const RUST_SUPPORT: &str = include_str!("../templates/support.rs");

/// Generates every file under `generated/` from the schema folder of `repo_root`.
pub fn generate(repo_root: &Path) -> Result<Files> {
    let shown = Path::new(SCHEMA_DIR);
    let set = SchemaSet::load_dir(&repo_root.join(SCHEMA_DIR), shown, Profile::Protocol)?;
    let methods = methods::load(
        &repo_root.join(SCHEMA_DIR).join(methods::METHODS_FILE),
        &shown.join(methods::METHODS_FILE),
        &set,
    )?;
    let names: Vec<String> = set.docs.keys().cloned().collect();
    let model = model::compile(&set, &names);

    let mut files = Files::new();
    let mut put = |path: &str, contents: String| {
        files.insert(PathBuf::from(path), contents);
    };
    let rust_paths = rust_validators::RustPaths {
        support: "crate::support",
        formats: "crate::formats",
    };
    let types = rust_types::emit(&set)?;
    put(
        "generated/rust/Cargo.toml",
        header("#", &rust_crate_manifest(types.uses_regress)),
    );
    put(
        "generated/rust/src/lib.rs",
        header("//!", &rust_modules::lib()),
    );
    put("generated/rust/src/support.rs", header("//!", RUST_SUPPORT));
    put(
        "generated/rust/src/formats.rs",
        header(
            "//!",
            &format!(
                "//! The named formats of the schema profile.\n\n{}",
                rust_modules::formats("crate::support")
            ),
        ),
    );
    put(
        "generated/rust/src/methods.rs",
        header(
            "//!",
            &format!(
                "//! The protocol's method table.\n\n{}",
                rust_modules::methods(&methods)
            ),
        ),
    );
    put(
        "generated/rust/src/types.rs",
        header(
            "//!",
            &format!(
                "//! The protocol's types (typify, from `schema/`).\n\n{}",
                types.code
            ),
        ),
    );
    put(
        "generated/rust/src/validators.rs",
        header("//!", &format!("//! The protocol's validators: JSON Schema semantics of the profile over `serde_json::Value`.\n\n{}", rust_validators::emit(&model, &set, rust_paths))),
    );

    let ts_paths = ts_validators::TsPaths {
        support: "./support.js",
        formats: "./formats.js",
        types: Some("./types.js"),
    };
    put("generated/ts/package.json", ts_package::package_json());
    put("generated/ts/tsconfig.json", ts_package::tsconfig());
    put(
        "generated/ts/src/index.ts",
        header("//", &ts_package::index()),
    );
    put(
        "generated/ts/src/support.ts",
        header("//", ts_support::SUPPORT_TS),
    );
    put(
        "generated/ts/src/formats.ts",
        header("//", &ts_validators::emit_formats()),
    );
    put(
        "generated/ts/src/types.ts",
        header("//", &ts_types::emit(&set)?),
    );
    put(
        "generated/ts/src/methods.ts",
        header("//", &ts_types::emit_methods(&methods)),
    );
    put(
        "generated/ts/src/validators.ts",
        header("//", &ts_validators::emit(&model, &set, ts_paths)),
    );

    let config = repo_root.join("rustfmt.toml");
    for (path, contents) in files.iter_mut() {
        if path.extension().is_some_and(|ext| ext == "rs") {
            *contents = rustfmt::format(contents, path, &config)?;
        }
    }
    Ok(files)
}

/// Rust validators for standalone schemas (each document is a root): the module body, referring
/// to the generated crate's support code through `paths`.
pub fn validators_for(docs: Vec<SchemaDoc>, paths: rust_validators::RustPaths) -> Result<String> {
    let set = SchemaSet::new(docs, Profile::General)?;
    let names: Vec<String> = set.docs.keys().cloned().collect();
    let model = model::compile(&set, &names);
    Ok(rust_validators::emit(&model, &set, paths))
}

/// TypeScript validators for standalone schemas (each document is a root): file name → contents
/// of `support.ts`, `formats.ts` and `suite.ts` (the validators), to compile together.
pub fn ts_validators_for(docs: Vec<SchemaDoc>) -> Result<Vec<(String, String)>> {
    let set = SchemaSet::new(docs, Profile::General)?;
    let names: Vec<String> = set.docs.keys().cloned().collect();
    let model = model::compile(&set, &names);
    let paths = ts_validators::TsPaths {
        support: "./support.js",
        formats: "./formats.js",
        types: None,
    };
    Ok(vec![
        (
            "support.ts".to_owned(),
            header("//", ts_support::SUPPORT_TS),
        ),
        (
            "formats.ts".to_owned(),
            header("//", &ts_validators::emit_formats()),
        ),
        (
            "suite.ts".to_owned(),
            header("//", &ts_validators::emit(&model, &set, paths)),
        ),
    ])
}

/// Puts the "generated, do not edit" header on `body`, in the file's comment syntax.
pub fn header(comment: &str, body: &str) -> String {
    let line = format!("{comment} Generated by `{COMMAND}`, do not edit by hand.\n");
    if comment == "//!" && body.starts_with("//!") {
        format!("{line}//!\n{body}")
    } else {
        format!("{line}\n{body}")
    }
}

fn rust_crate_manifest(uses_regress: bool) -> String {
    let regress = if uses_regress {
        "regress = { workspace = true }\n"
    } else {
        ""
    };
    let manifest = "[package]\n\
     name = \"devicekey-protocol\"\n\
     description = \"The device-key protocol's types and validators, generated from schema/\"\n\
     version = \"0.1.0\"\n\
     edition.workspace = true\n\
     license.workspace = true\n\
     rust-version.workspace = true\n\
     publish.workspace = true\n\
     \n\
     [dependencies]\n\
     regex = { workspace = true }\n";
    format!(
        "{manifest}{regress}serde = {{ workspace = true }}\nserde_json = {{ workspace = true }}\n"
    )
}
