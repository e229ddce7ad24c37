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
                let max = rust_option(max_bytes);
                // Prefixes of one length, of plain ASCII: matched as fixed-size arrays, which
                // compile to a few compares (no `memcmp` call, no loop over the prefixes).
                let len = prefixes.first().map_or(0, |p| p.len());
                let fixed = len > 0
                    && len <= 16
                    && prefixes.iter().all(|p| {
                        p.len() == len
                            && p.bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                    });
                let quoted: Vec<String> = prefixes.iter().map(|p| rust_str(p)).collect();
                w.block(
                    format!("pub fn is_{name}(value: &str) -> bool {{"),
                    "}",
                    |w| {
                        if fixed {
                            let arrays: Vec<String> =
                                prefixes.iter().map(|p| format!("b\"{p}\"")).collect();
                            w.line(format!(
                                "let Some(head) = value.as_bytes().get(..{len}).and_then(|h| <&[u8; {len}]>::try_from(h).ok()) else {{ return false; }};"
                            ));
                            w.line(format!(
                                "if !matches!(head, {}) {{ return false; }}",
                                arrays.join(" | ")
                            ));
                            w.line(format!(
                                "value.get({len}..).is_some_and(|body| {validator_runtime}::is_prefixed_base64url(body, &[], {min_bytes}, {max}))"
                            ));
                        } else {
                            w.line(format!(
                                "{validator_runtime}::is_prefixed_base64url(value, &[{}], {min_bytes}, {max})",
                                quoted.join(", ")
                            ));
                        }
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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde_json::json;

    use super::*;
    use crate::schema_set::{Profile, SchemaDoc, SchemaSet};

    #[test]
    fn standard_formats_call_their_runtime_primitives() {
        let out = emit("rt");
        for format in FORMATS.iter().filter(|f| f.rule == FormatRule::Standard) {
            let name = formats::snake_name(format);
            assert!(
                out.contains(&format!(
                    "pub fn is_{name}(value: &str) -> bool {{\n    rt::is_{name}(value)\n}}"
                )),
                "{name}: {out}"
            );
        }
    }

    fn doc(value: serde_json::Value) -> SchemaDoc {
        SchemaDoc {
            name: "Example".to_owned(),
            file: PathBuf::from("Example.json"),
            value,
        }
    }

    #[test]
    fn standard_formats_are_the_general_profiles_only() {
        for format in FORMATS.iter().filter(|f| f.general_only) {
            let general = SchemaSet::new(
                vec![doc(json!({"type": "string", "format": format.name}))],
                Profile::General,
            )
            .expect("the general profile knows the standard formats");
            assert!(general.warnings().is_empty(), "{}", format.name);
            let protocol = SchemaSet::new(
                vec![doc(
                    json!({"title": "Example", "description": "An example.",
                    "type": "string", "format": format.name}),
                )],
                Profile::Protocol,
            )
            .expect_err("the protocol profile refuses the standard formats");
            assert_eq!(
                protocol.reason,
                format!(
                    "format `{}` is not one of the profile's named formats (device-key-id, \
                     base64url-sha256, base64url-nonce, base64, origin, int64)",
                    format.name
                ),
            );
        }
    }
}
