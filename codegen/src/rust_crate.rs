//! The generated Rust crate's scaffolding: `Cargo.toml` and the crate root.

use crate::writer::Writer;

/// `generated/rust/Cargo.toml` (without the file header); `uses_regress` when the types need the
/// `regress` crate.
pub(crate) fn manifest(uses_regress: bool) -> String {
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
    w.line("pub mod runtime;");
    w.line("#[allow(missing_docs)]");
    w.line("pub mod types;");
    w.line("pub mod validators;");
    w.line("");
    w.line("pub use runtime::{Validate, Violation};");
    w.finish()
}
