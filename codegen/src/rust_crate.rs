//! The generated Rust crate's scaffolding: `Cargo.toml` and the crate root.

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
    manifest.push_str("\n[lints]\nworkspace = true\n");
    manifest
}

/// `generated/rust/src/lib.rs` body (without the file header).
pub(crate) fn lib() -> String {
    let mut w = Writer::new("    ");
    w.line("#![forbid(unsafe_code)]");
    w.line("#![warn(missing_docs)]");
    w.line("#![allow(clippy::all)]");
    w.line("");
    w.doc("//!", "The device-key protocol's types and validators, generated from `schema/`.\n\nValidate first (`validators::validate_*`, or `Validate::validate` on a type of `types`, reports\nevery violation with its instance path, schema path and keyword), then deserialize into the typed\nstructs of `types`.");
    w.line("");
    w.line("pub mod formats;");
    w.line("pub mod methods;");
    w.line("pub mod validator_runtime;");
    w.line("#[allow(missing_docs)]");
    w.line("pub mod types;");
    w.line("pub mod validators;");
    w.line("");
    w.line("pub use validator_runtime::{Validate, Violation};");
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::manifest;

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
    }
}
