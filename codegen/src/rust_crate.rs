//! The generated Rust crate's scaffolding: `Cargo.toml` and the crate root, for the repository's
//! `generated/rust` (a workspace member) and for a standalone crate (its own workspace).

use crate::writer::Writer;

/// `generated/rust/Cargo.toml` (without the file header). The crate depends on `regex` only when
/// `uses_regex` (a validator checks a `pattern`) and on `regress` only when `uses_regress` (the
/// typify types check one), so a crate that depends on it pulls in no pattern engine otherwise.
pub(crate) fn manifest(uses_regex: bool, uses_regress: bool) -> String {
    let mut dependencies = Vec::new();
    if uses_regex {
        dependencies.push("regex");
    }
    if uses_regress {
        dependencies.push("regress");
    }
    dependencies.extend(["serde", "serde_json"]);
    let mut manifest = "[package]\n\
     name = \"devicekey-protocol\"\n\
     description = \"The device-key protocol's types and validators, generated from schema/\"\n\
     version = \"0.1.0\"\n\
     edition.workspace = true\n\
     license.workspace = true\n\
     rust-version.workspace = true\n\
     publish.workspace = true\n\
     repository.workspace = true\n\
     homepage.workspace = true\n\
     keywords = [\"device-key\", \"json-schema\", \"validation\", \"protocol\"]\n\
     categories = [\"encoding\", \"authentication\"]\n\
     \n\
     [dependencies]\n"
        .to_owned();
    for dependency in dependencies {
        manifest.push_str(&format!("{dependency} = {{ workspace = true }}\n"));
    }
    manifest.push_str(TS_RS_FEATURE);
    manifest.push_str("\n[lints]\nworkspace = true\n");
    manifest
}

/// The optional `ts-rs` dependency and feature: with it every generated type derives `ts_rs::TS`
/// (see `rust_types`), for tests that compare ts-rs's TypeScript with the generated TypeScript.
const TS_RS_FEATURE: &str =
    "# `ts-rs`: every type derives `ts_rs::TS`, to compare ts-rs's TypeScript with generated/ts.\n\
     ts-rs = { workspace = true, optional = true }\n\
     \n\
     [features]\n\
     ts-rs = [\"dep:ts-rs\"]\n";

/// `generated/rust/src/lib.rs` body (without the file header).
pub(crate) fn lib() -> String {
    lib_with("The device-key protocol's types and validators, generated from `schema/`.\n\nValidate first (`validators::validate_*`, or `Validate::validate` on a type of `types`, reports\nevery violation with its instance path, schema path and keyword), then deserialize into the typed\nstructs of `types`.", true)
}

/// A `lib.rs` body: the crate's documentation `doc`, its modules (`methods` only when there is a
/// method table) and the re-exports.
fn lib_with(doc: &str, methods: bool) -> String {
    let mut w = Writer::new("    ");
    w.line("#![forbid(unsafe_code)]");
    w.line("#![warn(missing_docs)]");
    w.line("#![allow(clippy::all)]");
    w.line("");
    w.doc("//!", doc);
    w.line("");
    w.line("pub mod formats;");
    if methods {
        w.line("pub mod methods;");
    }
    w.line("pub mod validator_runtime;");
    w.line("#[allow(missing_docs)]");
    w.line("pub mod types;");
    w.line("pub mod validators;");
    w.line("");
    w.line("pub use validator_runtime::{Validate, Violation};");
    w.finish()
}

/// The versions a standalone crate asks for: those the repository's `Cargo.lock` resolves (a test
/// keeps them equal), so a crate written next to this repository builds offline from the same
/// registry cache. `float_roundtrip` makes numbers parse correctly rounded, as JavaScript parses
/// them, so the Rust and TypeScript validators see the same value.
pub(crate) const STANDALONE_DEPENDENCIES: &[(&str, &str)] = &[
    ("regex", "regex = \"1.13.2\""),
    ("regress", "regress = \"0.12.0\""),
    (
        "serde",
        "serde = { version = \"1.0.229\", features = [\"derive\"] }",
    ),
    (
        "serde_json",
        "serde_json = { version = \"1.0.154\", features = [\"float_roundtrip\"] }",
    ),
    (
        "ts-rs",
        "ts-rs = { version = \"12.0.1\", features = [\"no-serde-warnings\"], optional = true }",
    ),
];

/// A standalone crate's `Cargo.toml` (without the file header): package `name`, explicit
/// dependency versions ([`STANDALONE_DEPENDENCIES`]), and an empty `[workspace]` table so that it
/// builds wherever it is written, even inside another workspace's folder.
pub(crate) fn standalone_manifest(name: &str, uses_regex: bool, uses_regress: bool) -> String {
    let mut manifest = format!(
        "[package]\n\
         name = \"{name}\"\n\
         description = \"Types and validators generated from JSON Schema\"\n\
         version = \"0.1.0\"\n\
         edition = \"2021\"\n\
         publish = false\n\
         \n\
         [dependencies]\n"
    );
    for (dependency, line) in STANDALONE_DEPENDENCIES {
        let used = match *dependency {
            "regex" => uses_regex,
            "regress" => uses_regress,
            _ => true,
        };
        if used {
            manifest.push_str(line);
            manifest.push('\n');
        }
    }
    manifest.push_str(
        "\n[features]\n# Every type derives `ts_rs::TS` (protocol-profile types).\nts-rs = [\"dep:ts-rs\"]\n",
    );
    manifest.push_str(
        "\n# A workspace of its own: the crate builds wherever it is written.\n[workspace]\n",
    );
    manifest
}

/// A standalone crate's `rustfmt.toml` (without the file header): the settings its Rust was
/// formatted with, the repository's, so that `cargo fmt` there changes nothing.
pub(crate) const STANDALONE_RUSTFMT: &str = "max_width = 100\nedition = \"2021\"\n";

/// A standalone crate's `src/lib.rs` body (without the file header); `methods` when the input had
/// a method table.
pub(crate) fn standalone_lib(methods: bool) -> String {
    lib_with("Types and validators generated from JSON Schema.\n\nValidate first (`validators::validate_*`, `validators::validate_by_name`, or `Validate::validate`\non a type of `types`, reports every violation with its instance path, schema path and keyword),\nthen deserialize into the typed structs of `types`.", methods)
}

#[cfg(test)]
mod tests {
    use super::{manifest, standalone_manifest, STANDALONE_DEPENDENCIES};

    #[test]
    fn the_manifest_lists_a_pattern_engine_only_when_the_code_uses_it() {
        let neither = manifest(false, false);
        assert!(
            !neither.contains("regex") && !neither.contains("regress"),
            "{neither}"
        );
        assert!(
            neither.contains("serde = { workspace = true }\nserde_json = { workspace = true }\n")
        );
        let both = manifest(true, true);
        assert!(
            both.contains("[dependencies]\nregex = { workspace = true }\nregress = { workspace = true }\nserde = "),
            "{both}"
        );
        assert!(manifest(true, false).contains("regex = "));
        assert!(!manifest(true, false).contains("regress = "));
        assert!(manifest(false, true).contains("regress = "));
        assert!(
            neither.contains("ts-rs = { workspace = true, optional = true }\n\n[features]\nts-rs = [\"dep:ts-rs\"]\n"),
            "{neither}"
        );
    }

    #[test]
    fn a_standalone_manifest_is_its_own_workspace_with_the_locked_versions() {
        let text = standalone_manifest("my-types", false, true);
        assert!(text.contains("name = \"my-types\"\n"), "{text}");
        assert!(text.ends_with("\n[workspace]\n"), "{text}");
        assert!(!text.contains("workspace = true"), "{text}");
        assert!(!text.contains("regex ="), "{text}");
        assert!(text.contains("regress = "), "{text}");

        let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock"))
            .expect("the repository's Cargo.lock");
        for (name, line) in STANDALONE_DEPENDENCIES {
            let version = line
                .split('"')
                .nth(1)
                .expect("a quoted version in the dependency line");
            let entry = format!("[[package]]\nname = \"{name}\"\nversion = \"{version}\"\n");
            assert!(
                lock.contains(&entry),
                "Cargo.lock does not resolve {name} {version}: update STANDALONE_DEPENDENCIES"
            );
        }
    }
}
