//! The pipeline: load the schema folder and check it against the profile, compile one validation
//! model, lower it into the check plan, run every emitter, and format the Rust output with rustfmt.

use std::path::Path;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::layout::{Files, COMMAND, METHODS_FILE, SCHEMA_DIR, STANDALONE_COMMAND};
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
    let order = key_order(&repo_root.join(SCHEMA_DIR), &set);
    emit_packages(
        &set,
        Some(&methods),
        &Target::Repository,
        Some(&repo_root.join("rustfmt.toml")),
        &order,
    )
}

/// Which packages [`emit_packages`] writes: the repository's own, or a standalone pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// `generated/rust` (the workspace member `devicekey-protocol`) and `generated/ts`
    /// (`@devicekey/protocol`), headed with [`COMMAND`].
    Repository,
    /// `rust/` (a crate of its own workspace, with explicit dependency versions) and `ts/` (a
    /// private ES module package), both called `name`, headed with [`STANDALONE_COMMAND`].
    Standalone {
        /// The crate and npm package name (`my-types`).
        name: String,
    },
}

impl Target {
    /// The folder of every file: `generated/` or the output folder itself.
    fn prefix(&self) -> &'static str {
        match self {
            Target::Repository => "generated/",
            Target::Standalone { .. } => "",
        }
    }

    /// The command named in the headers.
    fn command(&self) -> &'static str {
        match self {
            Target::Repository => COMMAND,
            Target::Standalone { .. } => STANDALONE_COMMAND,
        }
    }
}

/// Emits both packages for a checked schema set (and the method table, when there is one): file
/// path (under [`Target::prefix`]) → contents, the Rust formatted with rustfmt and the
/// `rustfmt.toml` at `rustfmt_config`; a standalone crate (`None`) ships its own `rustfmt.toml`
/// and is formatted with it, whatever `rustfmt.toml` the current folder has.
pub(crate) fn emit_packages(
    set: &SchemaSet,
    methods: Option<&[methods::Method]>,
    target: &Target,
    rustfmt_config: Option<&Path>,
    order: &ts_types::KeyOrder,
) -> Result<Files> {
    let names: Vec<String> = set.docs.keys().cloned().collect();
    let plan = plan::lower(&model::compile(set, &names));
    let prefix = target.prefix();
    let command = target.command();
    let header = |comment: &str, body: &str| header(command, comment, body);
    let standalone = matches!(target, Target::Standalone { .. });
    // Types for any draft-07 schema (definitions bundled and named), or the protocol's one type per
    // file.
    let general = set.profile == Some(Profile::General);

    let mut files = Files::new();
    let mut put = |path: &str, contents: String| {
        files.insert(PathBuf::from(format!("{prefix}{path}")), contents);
    };
    let rust_paths = RustPaths {
        validator_runtime: "crate::validator_runtime",
        formats: "crate::formats",
    };
    let types = rust_types_of(set, general)?;
    let typed = TypedRoots {
        module: "crate::types",
        names: &types.names,
    };
    let validators = rust_validators::emit(&plan, set, rust_paths, Some(typed));
    let manifest = match target {
        Target::Repository => rust_crate::manifest(validators.uses_regex, types.uses_regress),
        Target::Standalone { name } => {
            rust_crate::standalone_manifest(name, validators.uses_regex, types.uses_regress)
        }
    };
    put("rust/Cargo.toml", header("#", &manifest));
    if standalone {
        put(
            "rust/rustfmt.toml",
            header("#", rust_crate::STANDALONE_RUSTFMT),
        );
    }
    let whose = if standalone {
        "The schemas'"
    } else {
        "The protocol's"
    };
    put(
        "rust/src/lib.rs",
        header(
            "//!",
            &if standalone {
                rust_crate::standalone_lib(methods.is_some())
            } else {
                rust_crate::lib()
            },
        ),
    );
    put(
        "rust/src/validator_runtime.rs",
        header("//!", validator_runtime::RUST),
    );
    put(
        "rust/src/formats.rs",
        header(
            "//!",
            &format!(
                "//! The named formats of the schema profile.\n\n{}",
                rust_formats::emit(rust_paths.validator_runtime)
            ),
        ),
    );
    if let Some(methods) = methods {
        put(
            "rust/src/methods.rs",
            header(
                "//!",
                &format!(
                    "//! {whose} method table.\n\n{}",
                    rust_methods::emit(methods)
                ),
            ),
        );
    }
    let from = if standalone { "the input" } else { "`schema/`" };
    put(
        "rust/src/types.rs",
        header(
            "//!",
            &format!("//! {whose} types (typify, from {from}).\n\n{}", types.code),
        ),
    );
    put(
        "rust/src/validators.rs",
        header(
            "//!",
            &format!(
                "//! {whose} validators: JSON Schema semantics of the profile over \
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
    let type_names: Vec<&str> = plan.roots.keys().map(String::as_str).collect();
    match target {
        Target::Repository => {
            put("ts/package.json", ts_package::package_json());
            put("ts/tsconfig.json", ts_package::tsconfig(command));
            put("ts/tsconfig.cjs.json", ts_package::tsconfig_cjs());
            put("ts/README.md", ts_package::readme());
            put("ts/LICENSE", ts_package::LICENSE.to_owned());
            put(
                "ts/src/index.ts",
                header("//", &ts_package::index(&type_names)),
            );
        }
        Target::Standalone { name } => {
            put("ts/package.json", ts_package::standalone_package_json(name));
            put("ts/tsconfig.json", ts_package::tsconfig(command));
            put(
                "ts/src/index.ts",
                header(
                    "//",
                    &ts_package::standalone_index(&type_names, methods.is_some()),
                ),
            );
        }
    }
    put(
        "ts/src/validator-runtime.ts",
        header("//", validator_runtime::TS),
    );
    put("ts/src/formats.ts", header("//", &ts_formats::emit()));
    let ts_types = if general {
        ts_types::emit_general(set, order)?
    } else {
        ts_types::emit(set, order)?
    };
    put("ts/src/types.ts", header("//", &ts_types));
    if let Some(methods) = methods {
        put(
            "ts/src/methods.ts",
            header("//", &ts_methods::emit(methods)),
        );
    }
    put(
        "ts/src/validators.ts",
        header("//", &ts_validators::emit(&plan, set, ts_paths)),
    );

    let own_config;
    let config = match rustfmt_config {
        Some(config) => config,
        None => {
            own_config = TempConfig::new(rust_crate::STANDALONE_RUSTFMT)?;
            own_config.path()
        }
    };
    for (path, contents) in files.iter_mut() {
        if path.extension().is_some_and(|ext| ext == "rs") {
            *contents = rustfmt::format(contents, path, config)?;
        }
    }
    Ok(files)
}

/// A `rustfmt.toml` in a new folder of its own under the system's temporary folder, removed when
/// dropped: rustfmt reads it instead of looking for one from the current folder up.
struct TempConfig {
    dir: PathBuf,
    file: PathBuf,
}

impl TempConfig {
    fn new(contents: &str) -> Result<Self> {
        let base = std::env::temp_dir();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let mut last = None;
        for attempt in 0..16u32 {
            let dir = base.join(format!(
                "devicekey-codegen-{}-{nanos}-{attempt}",
                std::process::id()
            ));
            // `create_dir` fails when the name exists, so the folder is this run's own.
            match std::fs::create_dir(&dir) {
                Ok(()) => {
                    let file = dir.join("rustfmt.toml");
                    let config = TempConfig { dir, file };
                    std::fs::write(&config.file, contents).map_err(|e| {
                        Error::file(
                            &config.file,
                            format!("cannot write rustfmt's settings: {e}"),
                        )
                    })?;
                    return Ok(config);
                }
                Err(error) => last = Some((dir, error)),
            }
        }
        let (dir, error) = last.unwrap_or_else(|| (base, std::io::Error::other("no attempt")));
        Err(Error::file(
            dir,
            format!("cannot make a folder for rustfmt's settings: {error}"),
        ))
    }

    fn path(&self) -> &Path {
        &self.file
    }
}

impl Drop for TempConfig {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.file);
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// The Rust types of `set`, with the type generator's failures as errors: typify panics on some
/// schemas it cannot express (`if`/`then`/`else`, an untyped `enum` of several JSON types, a `$ref`
/// to a document's root as `#`), and a struct whose two properties typify gives one field name
/// would not compile.
fn rust_types_of(set: &SchemaSet, general: bool) -> Result<rust_types::RustTypes> {
    let emitted = crate::panics::catch(|| {
        if general {
            rust_types::emit_general(set)
        } else {
            rust_types::emit(set)
        }
    });
    let types = match emitted {
        Ok(types) => types?,
        Err(text) => {
            let first = text
                .lines()
                .next()
                .unwrap_or_default()
                .trim_end_matches(|c: char| c == '{' || c == ':' || c.is_whitespace());
            return Err(Error::file(
                "schema/",
                format!(
                    "the type generator (typify) cannot make Rust types of these schemas: {first}"
                ),
            ));
        }
    };
    if let Ok(file) = syn::parse_file(&types.code) {
        for item in &file.items {
            let syn::Item::Struct(item) = item else {
                continue;
            };
            let mut seen = std::collections::BTreeSet::new();
            for field in &item.fields {
                if let Some(ident) = &field.ident {
                    if !seen.insert(ident.to_string()) {
                        return Err(Error::file(
                            "schema/",
                            format!("the type generator (typify) gives two properties of `{}` the one Rust field name `{ident}`: rename one of them", item.ident),
                        ));
                    }
                }
            }
        }
    }
    Ok(types)
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
            header(COMMAND, "//", validator_runtime::TS),
        ),
        (
            "formats.ts".to_owned(),
            header(COMMAND, "//", &ts_formats::emit()),
        ),
        (
            "suite.ts".to_owned(),
            header(COMMAND, "//", &ts_validators::emit(&plan, &set, paths)),
        ),
    ])
}

/// TypeScript types for standalone schemas checked against the general profile (each document is
/// a root, named by its `name`; its `definitions` that a `$ref` reaches get their own aliases): the
/// body of a `types.ts` module. `sources` gives the documents' source text by name where known,
/// for the properties' order; a document without one lists its properties in name order (a
/// `serde_json::Value` keeps none).
pub fn ts_types_for(docs: Vec<SchemaDoc>, sources: &[(String, String)]) -> Result<String> {
    let set = SchemaSet::new(docs, Profile::General)?;
    let mut order = ts_types::KeyOrder::default();
    for (name, text) in sources {
        order.add(name, text);
    }
    Ok(header(
        COMMAND,
        "//",
        &ts_types::emit_general(&set, &order)?,
    ))
}

/// Rust types (typify) for standalone schemas checked against the general profile (each document
/// is a type named by its `name`, and so is each entry of its `definitions`, named as
/// [`ts_types_for`] names it): the module body, formatted with rustfmt. It refers to `::serde` and
/// `::serde_json`, and to `::regress` when a schema has a `pattern` typify checks.
///
/// A schema typify cannot express is an error naming typify. typify reports some of those by
/// panicking: the panic is caught, and the calling thread's panic report is held back (the first
/// call wraps the process's panic hook, which still reports every other panic).
pub fn rust_types_for(docs: Vec<SchemaDoc>) -> Result<String> {
    let set = SchemaSet::new(docs, Profile::General)?;
    let types = rust_types::emit_general(&set)?;
    // rustfmt's defaults: no configuration file is named.
    rustfmt::format(&types.code, Path::new("types.rs"), Path::new(""))
}

/// The key order of the schema folder's documents, read again as text (`SchemaSet` keeps values).
pub(crate) fn key_order(dir: &Path, set: &SchemaSet) -> ts_types::KeyOrder {
    let mut order = ts_types::KeyOrder::default();
    for name in set.docs.keys() {
        if let Ok(text) = std::fs::read_to_string(dir.join(format!("{name}.json"))) {
            order.add(name, &text);
        }
    }
    order
}

/// The key order of the documents of `set` read from their files where a document is a file of
/// its own (`Name.json`); the others (entries of a bundle) list their properties in name order.
pub(crate) fn key_order_of_files(set: &SchemaSet) -> ts_types::KeyOrder {
    let mut order = ts_types::KeyOrder::default();
    for doc in set.docs.values() {
        let own_file = doc.file.file_stem().and_then(|s| s.to_str()) == Some(doc.name.as_str());
        if own_file {
            if let Ok(text) = std::fs::read_to_string(&doc.file) {
                order.add(&doc.name, &text);
            }
        }
    }
    order
}

/// Puts the "generated by `command`, do not edit" header on `body`, in the file's comment syntax.
fn header(command: &str, comment: &str, body: &str) -> String {
    let line = format!("{comment} Generated by `{command}`, do not edit by hand.\n");
    if comment == "//!" && body.starts_with("//!") {
        format!("{line}//!\n{body}")
    } else {
        format!("{line}\n{body}")
    }
}
