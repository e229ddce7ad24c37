//! The pipeline: load the schema folder and check it against the profile, compile one validation
//! model, lower it into the check plan, run every emitter, and format the Rust output with rustfmt.

use std::path::Path;
use std::path::PathBuf;

use crate::error::Result;
use crate::layout::{Files, COMMAND, METHODS_FILE, SCHEMA_DIR};
use crate::rust_validators::{RustPaths, TypedRoots};
use crate::schema_set::{Profile, SchemaDoc, SchemaResource, SchemaSet};
use crate::ts_validators::TsPaths;
use crate::{methods, model, plan, rustfmt, validator_runtime};
use crate::{rust_crate, rust_formats, rust_methods, rust_types, rust_validators};
use crate::{ts_formats, ts_methods, ts_package, ts_types, ts_validators};

/// Generates every file under `generated/` from the schema folder of `repo_root`.
pub fn generate(repo_root: &Path) -> Result<Files> {
    let shown = Path::new(SCHEMA_DIR);
    let set = SchemaSet::load_dir(&repo_root.join(SCHEMA_DIR), shown, Profile::Protocol)?;
    let methods = methods::load(
        &repo_root.join(SCHEMA_DIR).join(METHODS_FILE),
        &shown.join(METHODS_FILE),
        &set,
    )?;
    let names: Vec<String> = set.docs.keys().cloned().collect();
    let plan = plan::lower(&model::compile(&set, &names));

    let mut files = Files::new();
    let mut put = |path: &str, contents: String| {
        files.insert(PathBuf::from(path), contents);
    };
    let rust_paths = RustPaths {
        validator_runtime: "crate::validator_runtime",
        formats: "crate::formats",
    };
    let types = rust_types::emit(&set)?;
    let typed = TypedRoots {
        module: "crate::types",
        names: &types.names,
    };
    let validators = rust_validators::emit(&plan, &set, rust_paths, Some(typed));
    put(
        "generated/rust/Cargo.toml",
        header(
            "#",
            &rust_crate::manifest(validators.uses_regex, types.uses_regress),
        ),
    );
    put(
        "generated/rust/src/lib.rs",
        header("//!", &rust_crate::lib()),
    );
    put(
        "generated/rust/src/validator_runtime.rs",
        header("//!", validator_runtime::RUST),
    );
    put(
        "generated/rust/src/formats.rs",
        header(
            "//!",
            &format!(
                "//! The named formats of the schema profile.\n\n{}",
                rust_formats::emit(rust_paths.validator_runtime)
            ),
        ),
    );
    put(
        "generated/rust/src/methods.rs",
        header(
            "//!",
            &format!(
                "//! The protocol's method table.\n\n{}",
                rust_methods::emit(&methods)
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
        header(
            "//!",
            &format!(
                "//! The protocol's validators: JSON Schema semantics of the profile over \
                 `serde_json::Value`.\n\n{}",
                validators.code
            ),
        ),
    );

    let ts_paths = TsPaths {
        validator_runtime: "./validator-runtime.js",
        formats: "./formats.js",
        types: Some("./types.js"),
    };
    put("generated/ts/package.json", ts_package::package_json());
    put("generated/ts/tsconfig.json", ts_package::tsconfig());
    put("generated/ts/tsconfig.cjs.json", ts_package::tsconfig_cjs());
    put("generated/ts/README.md", ts_package::readme());
    put("generated/ts/LICENSE", ts_package::LICENSE.to_owned());
    let type_names: Vec<&str> = plan.roots.keys().map(String::as_str).collect();
    put(
        "generated/ts/src/index.ts",
        header("//", &ts_package::index(&type_names)),
    );
    put(
        "generated/ts/src/validator-runtime.ts",
        header("//", validator_runtime::TS),
    );
    put(
        "generated/ts/src/formats.ts",
        header("//", &ts_formats::emit()),
    );
    put(
        "generated/ts/src/types.ts",
        header("//", &ts_types::emit(&set)?),
    );
    put(
        "generated/ts/src/methods.ts",
        header("//", &ts_methods::emit(&methods)),
    );
    put(
        "generated/ts/src/validators.ts",
        header("//", &ts_validators::emit(&plan, &set, ts_paths)),
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
/// to the generated crate's validator runtime and formats modules through `paths` (and to the
/// `regex` crate as `::regex` when a schema has a `pattern`, see [`RustPaths`]).
pub fn rust_validators_for(docs: Vec<SchemaDoc>, paths: RustPaths) -> Result<String> {
    rust_validators_with(docs, Vec::new(), paths)
}

/// [`rust_validators_for`], with `resources` the documents may `$ref` by URI.
pub fn rust_validators_with(
    docs: Vec<SchemaDoc>,
    resources: Vec<SchemaResource>,
    paths: RustPaths,
) -> Result<String> {
    let set = SchemaSet::with_resources(docs, resources, Profile::General)?;
    let names: Vec<String> = set.docs.keys().cloned().collect();
    let plan = plan::lower(&model::compile(&set, &names));
    Ok(rust_validators::emit(&plan, &set, paths, None).code)
}

/// TypeScript validators for standalone schemas (each document is a root): file name → contents
/// of `validator-runtime.ts`, `formats.ts` and `suite.ts` (the validators), to compile together.
pub fn ts_validators_for(docs: Vec<SchemaDoc>) -> Result<Vec<(String, String)>> {
    ts_validators_with(docs, Vec::new())
}

/// [`ts_validators_for`], with `resources` the documents may `$ref` by URI.
pub fn ts_validators_with(
    docs: Vec<SchemaDoc>,
    resources: Vec<SchemaResource>,
) -> Result<Vec<(String, String)>> {
    let set = SchemaSet::with_resources(docs, resources, Profile::General)?;
    let names: Vec<String> = set.docs.keys().cloned().collect();
    let plan = plan::lower(&model::compile(&set, &names));
    let paths = TsPaths {
        validator_runtime: "./validator-runtime.js",
        formats: "./formats.js",
        types: None,
    };
    Ok(vec![
        (
            "validator-runtime.ts".to_owned(),
            header("//", validator_runtime::TS),
        ),
        ("formats.ts".to_owned(), header("//", &ts_formats::emit())),
        (
            "suite.ts".to_owned(),
            header("//", &ts_validators::emit(&plan, &set, paths)),
        ),
    ])
}

/// Puts the "generated, do not edit" header on `body`, in the file's comment syntax.
fn header(comment: &str, body: &str) -> String {
    let line = format!("{comment} Generated by `{COMMAND}`, do not edit by hand.\n");
    if comment == "//!" && body.starts_with("//!") {
        format!("{line}//!\n{body}")
    } else {
        format!("{line}\n{body}")
    }
}
