//! Emits the TypeScript formats module: one `is<Name>` function per named format of
//! [`crate::formats`], mirroring the Rust formats module.

use crate::formats::{self, FormatRule, FORMATS};
use crate::ts_syntax::jsdoc;
use crate::writer::{ts_str, Writer};

/// `generated/ts/src/formats.ts` body (without the file header): one `is<Name>` function per entry
/// of [`FORMATS`], built on the validator runtime module's primitives (imported from
/// `./validator-runtime.js`).
pub(crate) fn emit() -> String {
    let mut w = Writer::new("  ");
    w.line("import * as validatorRuntime from \"./validator-runtime.js\";");
    w.line("");
    let mut consts = Writer::new("  ");
    let mut functions = Writer::new("  ");
    for format in FORMATS {
        let name = formats::pascal_name(format);
        let (param, call) = match format.rule {
            FormatRule::Base64Url {
                prefixes,
                min_bytes,
                max_bytes,
            } => {
                let list = if prefixes.is_empty() {
                    "NO_PREFIXES".to_owned()
                } else {
                    let constant = format!(
                        "{}_PREFIXES",
                        formats::snake_name(format).to_ascii_uppercase()
                    );
                    let items: Vec<String> = prefixes.iter().map(|p| ts_str(p)).collect();
                    consts.line(format!(
                        "const {constant}: readonly string[] = [{}];",
                        items.join(", ")
                    ));
                    constant
                };
                let max = max_bytes.map_or_else(|| "Infinity".to_owned(), |m| m.to_string());
                (
                    "string",
                    format!(
                        "validatorRuntime.isPrefixedBase64url(value, {list}, {min_bytes}, {max})"
                    ),
                )
            }
            FormatRule::Base64 {
                min_bytes,
                max_bytes,
            } => {
                let max = max_bytes.map_or_else(|| "Infinity".to_owned(), |m| m.to_string());
                (
                    "string",
                    format!("validatorRuntime.isBase64(value, {min_bytes}, {max})"),
                )
            }
            FormatRule::Origin => ("string", "validatorRuntime.isOrigin(value)".to_owned()),
            FormatRule::Int64 => ("number", "validatorRuntime.isInt64(value)".to_owned()),
            FormatRule::Standard => ("string", format!("validatorRuntime.is{name}(value)")),
        };
        jsdoc(
            &mut functions,
            &format!("Format `{}`: {}.", format.name, format.description),
        );
        functions.block(
            format!("export function is{name}(value: {param}): boolean {{"),
            "}",
            |w| {
                w.line(format!("return {call};"));
            },
        );
        functions.line("");
    }
    let uses_no_prefixes = FORMATS
        .iter()
        .any(|f| matches!(f.rule, FormatRule::Base64Url { prefixes, .. } if prefixes.is_empty()));
    if uses_no_prefixes {
        w.line("const NO_PREFIXES: readonly string[] = [];");
    }
    let consts = consts.finish();
    let mut text = w.finish();
    text.push_str(&consts);
    text.push('\n');
    text.push_str(&functions.finish());
    while text.ends_with("\n\n") {
        text.pop();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_module_covers_every_format() {
        let out = emit();
        for format in FORMATS {
            assert!(
                out.contains(&format!(
                    "export function is{}(",
                    formats::pascal_name(format)
                )),
                "{out}"
            );
        }
        assert!(
            out.contains(
                "validatorRuntime.isPrefixedBase64url(value, DEVICE_KEY_ID_PREFIXES, 32, 32)"
            ),
            "{out}"
        );
        assert!(
            out.contains("validatorRuntime.isPrefixedBase64url(value, NO_PREFIXES, 32, Infinity)"),
            "{out}"
        );
        assert!(
            out.contains("return validatorRuntime.isBase64(value, 1, Infinity);"),
            "{out}"
        );
        assert!(
            out.contains("export function isInt64(value: number): boolean {"),
            "{out}"
        );
        assert!(
            out.contains("return validatorRuntime.isRelativeJsonPointer(value);"),
            "{out}"
        );
    }
}
