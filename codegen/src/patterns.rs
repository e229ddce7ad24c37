//! `pattern` support: schemas use ECMA-262 regular expressions (as JavaScript's `new RegExp(p, "u")`
//! reads them); this checks a pattern stays inside the part of that syntax both languages match the
//! same way, and translates it to the `regex` crate's syntax for the Rust validators (TypeScript uses
//! it as written).
//!
//! Translated, because the two engines read them differently: `\d \D \w \W \s \S` (ASCII-only or
//! ECMA's own white space in ECMA-262, Unicode in `regex`), `\b \B` (ASCII word boundaries), `.`
//! (ECMA-262 also excludes `\r`, U+2028 and U+2029), `\b` in a class (backspace), `\0`, `\cX`.
//! Unicode property escapes (`\p{…}`, `\P{…}`) are taken with the names ECMA-262 takes, exactly
//! as it spells them: General_Category values, the binary properties, and `Script=`/`sc=`/
//! `Script_Extensions=`/`scx=` with a script name (the validator runtime's `regex_property_ok`
//! lists them, for the `regex` format; this reads the same lists), and passed on to `regex`,
//! which reads those names the same way. (The two engines' Unicode versions may differ on
//! characters assigned in the newest versions.)
//! Rejected with a reason: look-around, back-references, inline flags, any other property escape,
//! empty classes, and any escape that is not valid ECMA-262 in `u` mode (`\A`, `\z`, `\-` outside
//! a class...), so a pattern never compiles in one language and throws in the other.

/// ECMA-262 white space and line terminators (`\s`), as a class body for `regex`.
const ECMA_SPACE: &str = r"\t\n\x0B\x0C\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}";

/// Characters that may be escaped anywhere in `u` mode (ECMA-262 `SyntaxCharacter` and `/`).
const SYNTAX: &str = r"^$\.*+?()[]{}|/";

/// Translates an ECMA-262 pattern into `regex` crate syntax, or says why it cannot.
pub(crate) fn to_rust(source: &str) -> Result<String, String> {
    let unsupported = |what: &str| Err(format!("pattern `{source}` {what}"));
    let mut out = String::with_capacity(source.len() + 16);
    let chars: Vec<char> = source.chars().collect();
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '\\' => {
                let Some(&next) = chars.get(i) else {
                    return unsupported("ends with a lone backslash");
                };
                i += 1;
                match next {
                    'd' | 'w' | 's' if in_class => out.push_str(match next {
                        'd' => "0-9",
                        'w' => "0-9A-Za-z_",
                        _ => ECMA_SPACE,
                    }),
                    'D' | 'W' | 'S' if in_class => return unsupported("negates a class escape inside a character class, which is not supported"),
                    'd' => out.push_str("[0-9]"),
                    'D' => out.push_str("[^0-9]"),
                    'w' => out.push_str("[0-9A-Za-z_]"),
                    'W' => out.push_str("[^0-9A-Za-z_]"),
                    's' => out.push_str(&format!("[{ECMA_SPACE}]")),
                    'S' => out.push_str(&format!("[^{ECMA_SPACE}]")),
                    'b' if in_class => out.push_str(r"\x08"),
                    'b' => out.push_str(r"(?-u:\b)"),
                    'B' if !in_class => out.push_str(r"(?-u:\B)"),
                    'n' | 'r' | 't' | 'f' | 'v' => {
                        out.push('\\');
                        out.push(next);
                    }
                    '0' if !chars.get(i).is_some_and(char::is_ascii_digit) => out.push_str(r"\x00"),
                    '1'..='9' => return unsupported("uses a back-reference, which the Rust validators cannot match"),
                    'c' => match chars.get(i) {
                        Some(&letter) if letter.is_ascii_alphabetic() => {
                            i += 1;
                            out.push_str(&format!(r"\x{:02X}", (letter as u32) % 32));
                        }
                        _ => return unsupported("has `\\c` without a control letter"),
                    },
                    'x' => {
                        let hex: String = chars.iter().skip(i).take(2).collect();
                        if hex.len() != 2 || !hex.chars().all(|h| h.is_ascii_hexdigit()) {
                            return unsupported("has `\\x` without two hex digits");
                        }
                        i += 2;
                        out.push_str(&format!(r"\x{hex}"));
                    }
                    'u' => {
                        let (hex, used) = if chars.get(i) == Some(&'{') {
                            let body: String = chars.iter().skip(i + 1).take_while(|&&h| h != '}').collect();
                            (body.clone(), body.chars().count() + 2)
                        } else {
                            (chars.iter().skip(i).take(4).collect::<String>(), 4)
                        };
                        let value = u32::from_str_radix(&hex, 16).ok().filter(|_| !hex.is_empty() && hex.chars().all(|h| h.is_ascii_hexdigit()));
                        match value.and_then(char::from_u32) {
                            Some(_) => {
                                i += used;
                                out.push_str(&format!(r"\x{{{hex}}}"));
                            }
                            None => return unsupported("has a `\\u` escape that is not a Unicode scalar value (surrogates are not supported)"),
                        }
                    }
                    'p' | 'P' => {
                        if chars.get(i) != Some(&'{') {
                            return unsupported("has `\\p` or `\\P` without `{…}`");
                        }
                        let body: String = chars.iter().skip(i + 1).take_while(|&&h| h != '}').collect();
                        if chars.get(i + 1 + body.chars().count()) != Some(&'}') {
                            return unsupported("has an unterminated property escape");
                        }
                        if !property_ok(&body) {
                            return Err(format!("pattern `{source}` has the property escape `\\{next}{{{body}}}`, which names no property ECMA-262 takes (General_Category values, binary properties, Script=/Script_Extensions= with a script, spelt exactly)"));
                        }
                        i += body.chars().count() + 2;
                        out.push('\\');
                        out.push(next);
                        out.push('{');
                        out.push_str(&body);
                        out.push('}');
                    }
                    '-' if in_class => out.push_str(r"\-"),
                    '/' => out.push('/'),
                    c if SYNTAX.contains(c) => {
                        out.push('\\');
                        out.push(c);
                    }
                    other => return Err(format!("pattern `{source}` has the escape `\\{other}`, which is not valid ECMA-262 (u mode)")),
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i) == Some(&']') {
                    // ECMA-262 `[]` matches nothing and `[^]` anything; `regex` reads `]` as a literal.
                    return unsupported("has an empty character class, which is not supported");
                }
            }
            '[' => out.push_str(r"\["),
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '&' | '~' if in_class => {
                // Set operators in `regex` classes (`&&`, `--`, `~~`) are literals in ECMA-262.
                out.push('\\');
                out.push(c);
            }
            '-' if in_class && chars.get(i) == Some(&'-') => out.push_str(r"\-"),
            '.' if !in_class => out.push_str(r"[^\n\r\x{2028}\x{2029}]"),
            '(' if !in_class && chars.get(i) == Some(&'?') => {
                let rest: String = chars.iter().skip(i + 1).take(2).collect();
                if rest.starts_with('=')
                    || rest.starts_with('!')
                    || rest.starts_with("<=")
                    || rest.starts_with("<!")
                {
                    return unsupported("uses look-around, which the Rust validators cannot match");
                }
                if !(rest.starts_with(':') || rest.starts_with('<')) {
                    return unsupported("uses an inline flag or group syntax that is not ECMA-262");
                }
                out.push('(');
            }
            c => out.push(c),
        }
    }
    if in_class {
        return unsupported("has an unterminated character class");
    }
    regex::Regex::new(&out)
        .map_err(|e| format!("pattern `{source}` is not a supported regular expression: {e}"))?;
    Ok(out)
}

/// One of the validator runtime's lists of property names (`const NAME: &str = " A B ... ";`
/// in `regex_property_ok`), as words.
fn runtime_list(name: &str) -> Vec<&'static str> {
    let text = crate::validator_runtime::RUST;
    let start = format!("const {name}: &str = \"");
    text.find(&start)
        .map(|at| &text[at + start.len()..])
        .and_then(|rest| rest.find('"').map(|end| &rest[..end]))
        .map(|list| list.split_whitespace().collect())
        .unwrap_or_default()
}

/// Whether `\p{body}` names a property ECMA-262 takes (see the module doc).
fn property_ok(body: &str) -> bool {
    let listed = |list: &str, word: &str| runtime_list(list).contains(&word);
    match body.split_once('=') {
        None => listed("GENERAL_CATEGORY", body) || listed("BINARY", body),
        Some(("General_Category" | "gc", value)) => listed("GENERAL_CATEGORY", value),
        Some(("Script" | "sc" | "Script_Extensions" | "scx", value)) => listed("SCRIPTS", value),
        Some(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::to_rust;

    #[test]
    fn property_escapes_take_the_ecma_names() {
        assert!(matches(r"^\p{Letter}cole$", "\u{17E}cole"));
        assert!(matches(r"^\p{digit}+$", "\u{661}\u{662}"));
        assert!(!matches(r"^\P{Nd}$", "7"));
        assert!(matches(r"^[\p{Lu}\d]+$", "A7\u{C9}"));
        assert!(matches(r"^\p{Script=Greek}$", "\u{3B1}"));
        assert!(matches(r"^\p{scx=Latn}$", "a"));
        assert!(matches(r"^\p{ASCII_Hex_Digit}$", "f"));
        for refused in [
            r"\p{Greek}",
            r"\p{letter}",
            r"\p{L",
            r"\p",
            r"\p{Foo=Bar}",
            r"\p{sc=Klingon}",
        ] {
            assert!(to_rust(refused).is_err(), "{refused}");
        }
        assert!(
            super::runtime_list("SCRIPTS").len() > 300,
            "the runtime's script list is read"
        );
    }

    fn matches(pattern: &str, text: &str) -> bool {
        regex::Regex::new(&to_rust(pattern).unwrap())
            .unwrap()
            .is_match(text)
    }

    #[test]
    fn class_escapes_follow_ecma() {
        assert_eq!(to_rust(r"^\d+$").unwrap(), "^[0-9]+$");
        assert!(!matches(r"^\d$", "٣"));
        assert!(matches(r"^\s$", "\u{feff}"));
        assert!(!matches(r"^\s$", "\u{85}"));
        assert!(!matches(r"^.$", "\r"));
        assert!(matches(r"^[\w.]+$", "a_b.c"));
        assert!(matches(r"^\cJ$", "\n"));
        assert!(matches(r"^\u00e9\u{1F600}$", "é😀"));
        assert!(matches(r"^a\/b$", "a/b"));
        assert!(to_rust(r"[\D]").is_err());
    }

    #[test]
    fn unsupported_constructs_are_errors() {
        for (pattern, words) in [
            (r"(a)\1", "back-reference"),
            (r"a(?=b)", "look-around"),
            (r"(?i)a", "inline flag"),
            (r"\Aa", "not valid ECMA-262"),
            (r"a\z", "not valid ECMA-262"),
            (r"\-", "not valid ECMA-262"),
            (r"\p{Greek}", "names no property ECMA-262 takes"),
            (r"\x{41}", "two hex digits"),
            (r"[]", "empty character class"),
            (r"[a", "unterminated"),
            (r"(", "not a supported regular expression"),
        ] {
            let error = to_rust(pattern).unwrap_err();
            assert!(error.contains(words), "{pattern}: {error}");
        }
    }
}
