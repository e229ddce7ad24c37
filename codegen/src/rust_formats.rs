//! Emits the Rust formats module: one `is_<name>` function per named format of [`crate::formats`].

use crate::formats::{self, FormatRule, FORMATS};
use crate::writer::{rust_str, Writer};

/// `generated/rust/src/formats.rs` body (without the file header): one function per entry of
/// [`FORMATS`], built on the primitives of the validator runtime module at path
/// `validator_runtime`.
pub(crate) fn emit(validator_runtime: &str) -> String {
    let mut w = Writer::new("    ");
    for format in FORMATS {
        w.doc(
            "///",
            &format!("Format `{}`: {}.", format.name, format.description),
        );
        let name = formats::snake_name(format);
        match format.rule {
            FormatRule::Base64Url {
                prefixes,
                min_bytes,
                max_bytes,
            } => {
                let prefixes: Vec<String> = prefixes.iter().map(|p| rust_str(p)).collect();
                let max = rust_option(max_bytes);
                w.block(
                    format!("pub fn is_{name}(value: &str) -> bool {{"),
                    "}",
                    |w| {
                        w.line(format!(
                            "{validator_runtime}::is_prefixed_base64url(value, &[{}], {min_bytes}, {max})",
                            prefixes.join(", ")
                        ));
                    },
                );
            }
            FormatRule::Base64 {
                min_bytes,
                max_bytes,
            } => {
                let max = rust_option(max_bytes);
                w.block(
                    format!("pub fn is_{name}(value: &str) -> bool {{"),
                    "}",
                    |w| {
                        w.line(format!(
                            "{validator_runtime}::is_base64(value, {min_bytes}, {max})"
                        ));
                    },
                );
            }
            FormatRule::Origin => {
                w.block(
                    format!("pub fn is_{name}(value: &str) -> bool {{"),
                    "}",
                    |w| {
                        w.line(format!("{validator_runtime}::is_origin(value)"));
                    },
                );
            }
            FormatRule::Standard => {
                w.block(
                    format!("pub fn is_{name}(value: &str) -> bool {{"),
                    "}",
                    |w| {
                        w.line(format!("{validator_runtime}::is_{name}(value)"));
                    },
                );
            }
            FormatRule::Int64 => {
                w.block(
                    format!("pub fn is_{name}(value: &::serde_json::Number) -> bool {{"),
                    "}",
                    |w| {
                        w.line(format!("{validator_runtime}::is_int64(value)"));
                    },
                );
            }
        }
        w.line("");
    }
    w.finish()
}

/// `Some(n)` or `None`, as Rust source.
fn rust_option(value: Option<usize>) -> String {
    match value {
        Some(n) => format!("Some({n})"),
        None => "None".to_owned(),
    }
}
