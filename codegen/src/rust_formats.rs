//! Emits the Rust formats module: one `is_<name>` function per named format of [`crate::formats`].

use crate::formats::{self, FormatRule, FORMATS};
use crate::writer::{rust_str, Writer};

/// `generated/rust/src/formats.rs` body (without the file header): one function per entry of
/// [`FORMATS`], built on the primitives of the runtime module at path `runtime`.
pub(crate) fn emit(runtime: &str) -> String {
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
                let max = match max_bytes {
                    Some(n) => format!("Some({n})"),
                    None => "None".to_owned(),
                };
                w.block(
                    format!("pub fn is_{name}(value: &str) -> bool {{"),
                    "}",
                    |w| {
                        w.line(format!(
                            "{runtime}::is_prefixed_base64url(value, &[{}], {min_bytes}, {max})",
                            prefixes.join(", ")
                        ));
                    },
                );
            }
            FormatRule::Origin => {
                w.block(
                    format!("pub fn is_{name}(value: &str) -> bool {{"),
                    "}",
                    |w| {
                        w.line(format!("{runtime}::is_origin(value)"));
                    },
                );
            }
            FormatRule::Int64 => {
                w.block(
                    format!("pub fn is_{name}(value: &::serde_json::Number) -> bool {{"),
                    "}",
                    |w| {
                        w.line(format!("{runtime}::is_int64(value)"));
                    },
                );
            }
        }
        w.line("");
    }
    w.finish()
}
