//! `pattern` support: schemas use ECMA-262 regular expressions; this maps them onto the `regex`
//! crate's syntax for the Rust validators (TypeScript uses them as written, with the `u` flag).
//!
//! Only the differences that matter for the profile are translated: `\d`, `\D`, `\w`, `\W` are
//! ASCII-only in ECMA-262 but Unicode-aware in `regex`. Constructs `regex` lacks (look-around,
//! back-references) are rejected with a clear reason instead of being mistranslated.

/// Translates an ECMA-262 pattern into `regex` crate syntax, or says why it cannot.
pub fn to_rust(source: &str) -> Result<String, String> {
    let mut out = String::with_capacity(source.len() + 8);
    let mut chars = source.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(next) = chars.next() else {
                    return Err(format!("pattern `{source}` ends with a lone backslash"));
                };
                let (outside, inside) = match next {
                    'd' => ("[0-9]", Some("0-9")),
                    'D' => ("[^0-9]", None),
                    'w' => ("[0-9A-Za-z_]", Some("0-9A-Za-z_")),
                    'W' => ("[^0-9A-Za-z_]", None),
                    '1'..='9' => return Err(format!("pattern `{source}` uses a back-reference, which the Rust validators cannot match")),
                    _ => {
                        out.push('\\');
                        out.push(next);
                        continue;
                    }
                };
                if in_class {
                    let inside = inside.ok_or_else(|| format!("pattern `{source}` negates a class escape inside a character class, which is not supported"))?;
                    out.push_str(inside);
                } else {
                    out.push_str(outside);
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                if chars.peek() == Some(&'^') {
                    out.push(chars.next().unwrap_or('^'));
                }
                if chars.peek() == Some(&']') {
                    // ECMA-262 `[]` matches nothing and `[^]` anything; `regex` reads `]` as a literal.
                    return Err(format!("pattern `{source}` has an empty character class, which is not supported"));
                }
            }
            '[' => out.push_str("\\["),
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            '(' if !in_class && chars.peek() == Some(&'?') => {
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with("?=") || rest.starts_with("?!") || rest.starts_with("?<=") || rest.starts_with("?<!") {
                    return Err(format!("pattern `{source}` uses look-around, which the Rust validators cannot match"));
                }
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    regex::Regex::new(&out).map_err(|e| format!("pattern `{source}` is not a supported regular expression: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::to_rust;

    #[test]
    fn class_escapes_become_ascii() {
        assert_eq!(to_rust(r"^\d+$").unwrap(), "^[0-9]+$");
        assert_eq!(to_rust(r"[\w.]").unwrap(), "[0-9A-Za-z_.]");
        assert!(to_rust(r"[\D]").is_err());
    }

    #[test]
    fn unsupported_constructs_are_errors() {
        assert!(to_rust(r"(a)\1").unwrap_err().contains("back-reference"));
        assert!(to_rust(r"a(?=b)").unwrap_err().contains("look-around"));
        assert!(to_rust(r"(").is_err());
    }
}
